"""Where the money goes: each co-op's part and the community fund's share, in dollars.

Computed by the payouts' own `community_split`, from the configured
COMMUNITY_FUND_PERCENT, on the same totals the payouts split (one job's total per
co-op), so the page says to the cent what the co-op and the fund will get. Once a
part is paid out or paid at the counter, the page shows what was recorded then.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from backend.money import format_quantity, to_money
from orders.models import Order, Payout
from orders.payments.payouts import community_split, fund_percent

# A cart's open designs are made by whichever capable co-op routing picks at checkout.
ANY_CAPABLE_COOP = "the co-op that makes it"


@dataclass(frozen=True)
class Split:
    """`to_coop` for `coop`, `to_fund` for the community fund: `percent` of their sum
    (None for a sum of parts split at different percentages)."""

    coop: str
    to_coop: Decimal
    to_fund: Decimal
    percent: Decimal | None

    @property
    def total(self) -> Decimal:
        return self.to_coop + self.to_fund

    @property
    def percent_shown(self) -> str:
        """5, 12.5: no trailing zeros."""
        return format_quantity(self.percent) if self.percent is not None else ""


def split_of(*, total: Decimal, coop: str, percent: Decimal | None = None) -> Split:
    """One co-op's part of a sale, split as its payout will be."""
    percent = fund_percent() if percent is None else percent
    to_coop, to_fund = community_split(total=total, percent=percent)
    return Split(coop=coop, to_coop=to_coop, to_fund=to_fund, percent=percent)


def cart_splits(rows: Iterable[dict]) -> list[Split]:
    """A cart's parts, one per co-op as checkout will make them (a job per co-op).

    `rows` are the cart's rows (`product`, `total`). Open designs are grouped apart:
    which co-op makes them is only known once the order is routed.
    """
    totals: dict[str, Decimal] = {}
    for row in rows:
        product = row["product"]
        coop = ANY_CAPABLE_COOP if product.open_design else product.producer.name
        totals[coop] = totals.get(coop, Decimal("0")) + row["total"]
    percent = fund_percent()
    return [split_of(total=total, coop=coop, percent=percent) for coop, total in totals.items()]


def order_splits(order: Order) -> list[Split]:
    """An order's parts, one per co-op job with something to pay: recorded when settled."""
    jobs = list(order.jobs.all())
    job_ids = [job.pk for job in jobs]
    paid_out = {p.job_id: p for p in Payout.objects.filter(job_id__in=job_ids)} if jobs else {}
    percent = fund_percent()
    splits = []
    for job in jobs:
        coop = job.producer.name
        if (payout := paid_out.get(job.pk)) is not None:
            split = Split(coop, payout.amount, payout.community_share, payout.community_percent)
        elif (paid := getattr(job, "counter_payment", None)) is not None:
            split = Split(coop, paid.coop_share, paid.community_share, paid.community_percent)
        elif job.total > 0:
            split = split_of(total=job.total, coop=coop, percent=percent)
        else:
            continue  # declined or cancelled: nobody is paid for it
        splits.append(split)
    return splits


def split_total(splits: list[Split]) -> Split | None:
    """Every part together, when there are several; None for one part or none."""
    if len(splits) < 2:
        return None
    percents = {split.percent for split in splits}
    return Split(
        coop="the co-ops",
        to_coop=to_money(sum((s.to_coop for s in splits), Decimal("0"))),
        to_fund=to_money(sum((s.to_fund for s in splits), Decimal("0"))),
        percent=percents.pop() if len(percents) == 1 else None,
    )
