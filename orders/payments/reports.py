"""Where the money went: sales, payouts, counter payments and the community fund.

Every sale counts once, the day its job was handed over: a card job through its
payout (the co-op's part and the fund's share), a pay-at-pickup job through the
counter payment its co-op recorded (what was taken, split the same way).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from backend.money import to_money
from orders.models import CounterPayment, Payout

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)
FIGURES = ("jobs", "sales", "paid_out", "owed", "taken_at_counter", "community_fund")


def _payout_sums() -> dict:
    paid = Q(status=Payout.Status.PAID)
    return {
        "jobs": Count("id"),
        "sales": Coalesce(
            Sum(ExpressionWrapper(F("amount") + F("community_share"), output_field=MONEY)), ZERO
        ),
        "paid_out": Coalesce(Sum("amount", filter=paid, output_field=MONEY), ZERO),
        "owed": Coalesce(Sum("amount", filter=~paid, output_field=MONEY), ZERO),
        "community_fund": Coalesce(Sum("community_share", output_field=MONEY), ZERO),
    }


def _counter_sums() -> dict:
    return {
        "jobs": Count("id"),
        "sales": Coalesce(Sum("amount", output_field=MONEY), ZERO),
        "taken_at_counter": Coalesce(Sum("amount", output_field=MONEY), ZERO),
        "community_fund": Coalesce(Sum("community_share", output_field=MONEY), ZERO),
    }


def _blank() -> dict:
    return {name: 0 if name == "jobs" else Decimal("0.00") for name in FIGURES}


def _add(into: dict, row: dict) -> dict:
    """Add one source's figures to `into`; money to the cent (SQLite's sums are not)."""
    for name in FIGURES:
        if name in row:
            into[name] += row[name] if name == "jobs" else to_money(row[name])
    return into


def _in_period(rows: QuerySet, date_from, date_to) -> QuerySet:
    if date_from is not None:
        rows = rows.filter(created_at__date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(created_at__date__lte=date_to)
    return rows


def community_wealth(
    *, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> dict:
    """Jobs handed over between two dates (both included, local time), card and counter.

    Per co-op and in total: what the jobs sold for, what was paid out, what is
    still owed or being sent, what was taken at the counter, and what went to
    the community fund. Public: no customer and no order appears in it.
    """
    payouts = _in_period(Payout.objects.all(), date_from, date_to)
    counter = _in_period(CounterPayment.objects.all(), date_from, date_to)
    names = {"producer_slug": F("producer__slug"), "producer_name": F("producer__name")}
    by_producer: dict[tuple[str, str], dict] = {}
    for queryset, sums in ((payouts, _payout_sums()), (counter, _counter_sums())):
        for row in queryset.order_by().values(**names).annotate(**sums):
            key = (row["producer_name"], row["producer_slug"])
            by_producer.setdefault(key, _blank())
            _add(by_producer[key], row)
    rows = [
        {"producer_slug": slug, "producer_name": name, **figures}
        for (name, slug), figures in sorted(by_producer.items())
    ]
    totals = _add(
        _add(_blank(), payouts.aggregate(**_payout_sums())), counter.aggregate(**_counter_sums())
    )
    return {"date_from": date_from, "date_to": date_to, "producers": rows, "totals": totals}


# --- One co-op's earnings, by month -------------------------------------------------------


def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def coop_earnings_months(*, producer_id: int) -> list[dict]:
    """Every month in which the co-op handed over a job, newest first, with its figures
    (`month` is the month's first day; the figures are those of `community_wealth`)."""
    months: dict[datetime.date, dict] = {}
    sources = (
        (Payout.objects.filter(producer_id=producer_id), _payout_sums()),
        (CounterPayment.objects.filter(producer_id=producer_id), _counter_sums()),
    )
    for queryset, sums in sources:
        rows = queryset.order_by().annotate(month=TruncMonth("created_at")).values("month")
        for row in rows.annotate(**sums):
            month = row["month"]
            month = month.date() if isinstance(month, datetime.datetime) else month
            _add(months.setdefault(month, _blank()), row)
    return [{"month": month, **months[month]} for month in sorted(months, reverse=True)]


def coop_earnings(*, producer_id: int, month: datetime.date) -> dict:
    """One co-op's figures for one month (`month` is its first day): jobs handed over,
    sales, the community fund's share, card payouts paid and still owed, counter takings."""
    end = _month_end(month)
    payouts = _in_period(Payout.objects.filter(producer_id=producer_id), month, end)
    counter = _in_period(CounterPayment.objects.filter(producer_id=producer_id), month, end)
    figures = _add(_blank(), payouts.aggregate(**_payout_sums()))
    return _add(figures, counter.aggregate(**_counter_sums()))


@dataclass(frozen=True)
class EarningLine:
    """One handed-over job's money, for a co-op's own statement."""

    handed_over_at: datetime.datetime
    order_number: str
    job_id: int
    how_paid: str
    sale: Decimal
    community_share: Decimal
    coop_part: Decimal
    paid_out: Decimal
    owed: Decimal
    taken_at_counter: Decimal
    status: str
    note: str


PAYOUT_WORDS = {
    Payout.Status.PAID: "Paid out",
    Payout.Status.PENDING: "Being sent",
    Payout.Status.OWED: "Owed: connect a Stripe account to be paid",
}


def coop_earning_lines(*, producer_id: int, month: datetime.date) -> list[EarningLine]:
    """Every sale of one co-op in one month, job by job, in the order they were handed over."""
    end = _month_end(month)
    lines = []
    payouts = _in_period(Payout.objects.filter(producer_id=producer_id), month, end)
    for payout in payouts.select_related("job__order"):
        paid = payout.status == Payout.Status.PAID
        lines.append(
            EarningLine(
                handed_over_at=payout.created_at,
                order_number=payout.job.order.number,
                job_id=payout.job_id,
                how_paid="Card (online)",
                sale=payout.amount + payout.community_share,
                community_share=payout.community_share,
                coop_part=payout.amount,
                paid_out=payout.amount if paid else Decimal("0.00"),
                owed=Decimal("0.00") if paid else payout.amount,
                taken_at_counter=Decimal("0.00"),
                status=PAYOUT_WORDS.get(payout.status, payout.get_status_display()),
                note="",
            )
        )
    counter = _in_period(CounterPayment.objects.filter(producer_id=producer_id), month, end)
    for row in counter.select_related("job__order"):
        lines.append(
            EarningLine(
                handed_over_at=row.created_at,
                order_number=row.job.order.number,
                job_id=row.job_id,
                how_paid=f"At the counter: {row.get_method_display().lower()}",
                sale=row.amount,
                community_share=row.community_share,
                coop_part=row.coop_share,
                paid_out=Decimal("0.00"),
                owed=Decimal("0.00"),
                taken_at_counter=row.amount,
                status="Taken at the counter" if row.amount else "Nothing taken",
                note=row.reason,
            )
        )
    return sorted(lines, key=lambda line: (line.handed_over_at, line.job_id))


# --- The whole network, by month --------------------------------------------------------


def community_wealth_months(*, since: datetime.date) -> dict[datetime.date, dict]:
    """The network's figures (those of `community_wealth`) for each month from `since`
    (a month's first day) on, keyed by the month's first day; months without a sale
    are left out. Two queries, whatever the number of months."""
    months: dict[datetime.date, dict] = {}
    sources = (
        (_in_period(Payout.objects.all(), since, None), _payout_sums()),
        (_in_period(CounterPayment.objects.all(), since, None), _counter_sums()),
    )
    for queryset, sums in sources:
        rows = queryset.order_by().annotate(month=TruncMonth("created_at")).values("month")
        for row in rows.annotate(**sums):
            month = row["month"]
            month = month.date() if isinstance(month, datetime.datetime) else month
            _add(months.setdefault(month, _blank()), row)
    return months
