"""Every change to the community fund: a credit per settled sale, a debit per disbursement,
and staff adjustments. Each writes one ledger row; debits hold the fund's lock."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backend.money import format_money, to_money
from community.budgeting_selectors import round_committed
from community.exceptions import FundTooLow
from community.lock_objects import fund_for_update
from community.models import Disbursement, FundEntry
from community.selectors import fund_balance
from orders.payments.fund import SettledShare

SOURCES = {"payout": FundEntry.Source.PAYOUT, "counter_payment": FundEntry.Source.COUNTER_PAYMENT}
WORDS = {"payout": "Card sale", "counter_payment": "Paid at pickup"}


def share_credit(*, share: SettledShare) -> FundEntry:
    """Credit one settled sale's community share, once, whatever calls it how often."""
    source = SOURCES[share.source]
    existing = FundEntry.objects.filter(source=source, source_id=share.source_id).first()
    if existing is not None:
        return existing
    try:
        # A savepoint: a second credit of the same share loses the race at the unique
        # constraint without spoiling the caller's transaction.
        with transaction.atomic():
            return FundEntry.objects.create(
                kind=FundEntry.Kind.SALE,
                amount=to_money(share.share),
                sale=to_money(share.sale),
                reason=f"{WORDS[share.source]}: the community share of job {share.job_id}",
                source=source,
                source_id=share.source_id,
                producer_id=share.producer_id,
                job_id=share.job_id,
            )
    except IntegrityError:
        return FundEntry.objects.get(source=source, source_id=share.source_id)


def on_share_settled(sender, *, share: SettledShare, **kwargs) -> None:
    share_credit(share=share)


def _positive(amount: Decimal, field: str = "amount") -> Decimal:
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError({field: "Enter an amount above zero."})
    return amount


def _required(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: "This field is required."})
    return value


@transaction.atomic
def disbursement_record(
    *, amount: Decimal, paid_to: str, purpose: str, by, for_round_winner: bool = False
) -> Disbursement:
    """Pay money out of the fund, never more than it holds, and write its debit.

    Money that budgeting rounds have promised (`round_committed`) is not spent on
    anything else: only a round's winner (`for_round_winner`, from `proposal_disburse`)
    is paid out of it.
    """
    amount = _positive(amount)
    paid_to = _required(paid_to, "paid_to")
    purpose = _required(purpose, "purpose")
    fund_for_update()
    balance = fund_balance()
    if amount > balance:
        raise FundTooLow(
            f"The fund holds {format_money(balance)}; it cannot pay {format_money(amount)}.",
            balance=str(balance),
        )
    promised = Decimal("0") if for_round_winner else round_committed()
    if amount > balance - promised:
        free = max(balance - promised, Decimal("0"))
        raise FundTooLow(
            f"The fund holds {format_money(balance)}, of which {format_money(promised)} is "
            f"promised to budgeting rounds; it can pay at most {format_money(free)} "
            "for anything else.",
            balance=str(balance),
            promised=str(promised),
        )
    disbursement = Disbursement.objects.create(
        amount=amount, paid_to=paid_to, purpose=purpose, recorded_by=by
    )
    FundEntry.objects.create(
        kind=FundEntry.Kind.DISBURSEMENT,
        amount=-amount,
        reason=f"Paid to {paid_to}: {purpose}",
        source=FundEntry.Source.DISBURSEMENT,
        source_id=disbursement.pk,
        created_by=by,
    )
    return disbursement


@transaction.atomic
def adjustment_record(*, amount: Decimal, reason: str, by) -> FundEntry:
    """A correction by staff, up or down, with its reason; it never takes the fund below zero."""
    amount = to_money(amount)
    if amount == 0:
        raise ValidationError({"amount": "An adjustment cannot be zero."})
    reason = _required(reason, "reason")
    if amount < 0:
        fund_for_update()
        balance = fund_balance()
        if -amount > balance:
            raise FundTooLow(
                f"The fund holds {format_money(balance)}; "
                f"it cannot go down by {format_money(-amount)}.",
                balance=str(balance),
            )
    return FundEntry.objects.create(
        kind=FundEntry.Kind.ADJUSTMENT,
        amount=amount,
        reason=reason,
        source=FundEntry.Source.STAFF,
        created_by=by,
    )
