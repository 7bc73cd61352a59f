"""Paying co-ops for handed-over jobs, less the community-fund share.

Separate charges and transfers: the customer pays the platform once per order,
and each job's co-op receives a transfer from that charge (`source_transaction`),
grouped with the order's other transfers under `transfer_group` = the order number.
"""

import logging
from decimal import Decimal, InvalidOperation

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from backend.money import to_cents, to_money
from orders import outbox
from orders.models import Job, OutboxState, Payment, Payout
from orders.payments.fund import SettledShare, community_share_settled
from orders.stripe_client import stripe_client

logger = logging.getLogger(__name__)


class NoChargeYet(Exception):
    pass


def fund_percent() -> Decimal:
    """The community fund's share of each job, in percent, from COMMUNITY_FUND_PERCENT."""
    try:
        percent = Decimal(str(settings.COMMUNITY_FUND_PERCENT).strip())
    except InvalidOperation:
        percent = Decimal("NaN")
    if not percent.is_finite() or not Decimal("0") <= percent <= Decimal("100"):
        raise ImproperlyConfigured("COMMUNITY_FUND_PERCENT must be a number from 0 to 100.")
    return percent.quantize(Decimal("0.01"))


def community_split(*, total: Decimal, percent: Decimal) -> tuple[Decimal, Decimal]:
    """(payout, community share) of a job total.

    The share is rounded half-up to the cent and the payout is the rest, so the
    two add up to the total exactly; with 0 <= percent <= 100 neither is negative.
    """
    total = to_money(total)
    share = to_money(total * percent / 100)
    return total - share, share


def payout_request(*, job: Job) -> Payout | None:
    """Record what a handed-over job pays its co-op, and queue the transfer.

    Call it inside the transaction that hands the job over. Only card-paid
    orders have payouts (at pickup the co-op is paid at the counter); None
    otherwise. A co-op without a connected Stripe account is recorded as owed,
    and paid once it connects one (see `payouts_release_owed`). One payout per job.
    """
    if not Payment.objects.filter(order_id=job.order_id, status=Payment.Status.PAID).exists():
        return None
    percent = fund_percent()
    amount, share = community_split(total=job.total, percent=percent)
    connected = job.producer.payouts_ready
    payout, created = Payout.objects.get_or_create(
        job=job,
        defaults={
            "producer": job.producer,
            "amount": amount,
            "community_share": share,
            "community_percent": percent,
            "status": Payout.Status.PENDING if connected else Payout.Status.OWED,
            "state": OutboxState.PENDING if connected else OutboxState.HELD,
        },
    )
    if created:
        community_share_settled(
            share=SettledShare(
                source="payout",
                source_id=payout.pk,
                job_id=job.pk,
                producer_id=job.producer_id,
                sale=amount + share,
                share=share,
            )
        )
        if connected:
            outbox.enqueue(kind="payout", pk=payout.pk)
    return payout


def payouts_release_owed(*, limit: int = 200, producer_id: int | None = None) -> int:
    """Send the payouts owed to co-ops that have since connected a Stripe account.

    Each is moved from held to pending and queued, in its own short transaction
    (a conditional update, so two runs at once release it once). Run every minute
    by housekeeping, and for one co-op when its payouts are enabled. Returns how
    many were released.
    """
    owed = (
        Payout.objects.filter(state=OutboxState.HELD, status=Payout.Status.OWED)
        .exclude(producer__stripe_account_id="")
        .exclude(producer__stripe_payouts_enabled=False)
    )
    if producer_id is not None:
        owed = owed.filter(producer_id=producer_id)
    owed = list(owed.order_by("pk").values_list("pk", flat=True)[:limit])
    released = 0
    for pk in owed:
        with transaction.atomic():
            if Payout.objects.filter(pk=pk, state=OutboxState.HELD).update(
                state=OutboxState.PENDING,
                status=Payout.Status.PENDING,
                next_attempt_at=None,
                updated_at=timezone.now(),
            ):
                outbox.enqueue(kind="payout", pk=pk)
                released += 1
    return released


def _charge_id(payment: Payment) -> str:
    """The charge the transfer is paid from; asked of Stripe if the webhook did not bring it."""
    if payment.charge_id:
        return payment.charge_id
    intent = stripe_client().v1.payment_intents.retrieve(payment.payment_intent_id)
    charge = intent.latest_charge
    charge_id = charge if isinstance(charge, str) else getattr(charge, "id", "")
    if charge_id:
        Payment.objects.filter(pk=payment.pk).update(charge_id=charge_id)
    return charge_id or ""


def _check(payout: Payout) -> OutboxState | None:
    """A co-op without a connected account is owed: held until it connects one."""
    if payout.producer.payouts_ready:
        return None
    payout.status = Payout.Status.OWED
    return OutboxState.HELD


def _send(payout: Payout) -> outbox.Result:
    """Transfer one payout to its co-op's connected account.

    The transfer's idempotency key is `payout-job-<id>`: a retry after a lost
    answer makes no second transfer.
    """
    account = payout.producer.stripe_account_id
    paid = {"status": Payout.Status.PAID, "destination": account, "paid_at": timezone.now()}
    if payout.amount == 0:
        # Nothing to move: the whole job went to the community fund.
        return outbox.Result(outbox.Outcome.SENT, fields=paid)
    job = payout.job
    payment = Payment.objects.select_related("order").get(order_id=job.order_id)
    number = payment.order.number
    try:
        charge = _charge_id(payment)
        if not charge:
            raise NoChargeYet("Stripe shows no charge for this order's payment yet.")
        transfer = stripe_client().v1.transfers.create(
            {
                "amount": to_cents(payout.amount),
                "currency": payment.currency,
                "destination": account,
                "transfer_group": number,
                "source_transaction": charge,
                "metadata": {"order_number": number, "job": str(job.pk)},
            },
            options={"idempotency_key": payout.idempotency_key},
        )
    except (stripe.StripeError, NoChargeYet) as exc:
        logger.warning("payout %s failed: %s", payout.idempotency_key, exc)
        return outbox.Result(outbox.Outcome.FAILED, error=str(exc))
    return outbox.Result(outbox.Outcome.SENT, fields={**paid, "stripe_transfer_id": transfer.id})


outbox.register(
    outbox.Sender(
        kind="payout", model=Payout, send=_send, select_related=("producer",), check=_check
    )
)
