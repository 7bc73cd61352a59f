"""The community fund's side of every settled sale.

Each sale is split once: a card job when it is handed over (its payout), a
pay-at-pickup job when the co-op records what it took at the counter. Both
splits call `community_share_settled` inside the transaction that records them,
so this is the one place that learns of every share owed to the fund.

The fund itself (the `community` app) sits above orders: it listens to
`share_settled` and writes its credit in the same transaction, so a rolled-back
hand-over credits nothing and every settled share is credited exactly once.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.dispatch import Signal

logger = logging.getLogger(__name__)


# Sent with `share=SettledShare(...)`; receivers run inside the settling transaction.
share_settled = Signal()


@dataclass(frozen=True)
class SettledShare:
    """One sale's community share: where it came from and how much."""

    source: str  # "payout" or "counter_payment"
    source_id: int
    job_id: int
    producer_id: int
    sale: Decimal  # what the sale brought in
    share: Decimal  # the community fund's part of it, to the cent


def community_share_settled(*, share: SettledShare) -> None:
    """A sale's community share is settled: tell the community fund, which credits it.

    Called once per payout and once per counter payment, inside the transaction
    that writes it. The fund keys its credit by (`source`, `source_id`), so a
    share is never credited twice.
    """
    logger.info(
        "community share settled: %s %s for job %s, %s of %s",
        share.source,
        share.source_id,
        share.job_id,
        share.share,
        share.sale,
    )
    share_settled.send(sender=SettledShare, share=share)
