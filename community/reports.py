"""The community's wealth in public: what sales kept in the neighbourhood and what the fund did.

One read for the public page, its CSV and the API, so the three never disagree.
Sales and their split come from `orders.payments.reports` (every handed-over job,
card or counter); the fund's side comes from its own ledger. Public: no customer,
no order and no person's name appears in it.
"""

import datetime
from decimal import Decimal

from django.db.models import Sum

from backend.money import to_money
from community.budgeting_selectors import rounds_open
from community.models import Disbursement, FundEntry
from orders.payments.payouts import fund_percent
from orders.payments.reports import community_wealth, community_wealth_months

MONTHS_SHOWN = 12
ZERO = Decimal("0.00")


def _month_starts(*, today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` months up to `today`'s, oldest first."""
    month = today.replace(day=1)
    months = [month]
    for _ in range(count - 1):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def _split(figures: dict) -> dict:
    """A sale's money in the page's words: what it sold for, the co-ops' part, the fund's."""
    sales = to_money(figures["sales"])
    to_fund = to_money(figures["community_fund"])
    return {
        "jobs": figures["jobs"],
        "sales": sales,
        "to_coops": sales - to_fund,
        "to_fund": to_fund,
    }


def fund_totals() -> dict:
    """The ledger summed by kind, and the balance as their sum (one query)."""
    sums = dict.fromkeys(FundEntry.Kind.values, ZERO)
    for row in FundEntry.objects.order_by().values("kind").annotate(total=Sum("amount")):
        sums[row["kind"]] = to_money(row["total"] or 0)
    return {
        "from_sales": sums[FundEntry.Kind.SALE],
        # Debits are stored negative; people read what was paid out as a positive sum.
        "disbursed": -sums[FundEntry.Kind.DISBURSEMENT],
        "adjustments": sums[FundEntry.Kind.ADJUSTMENT],
        "balance": sum(sums.values(), ZERO),
    }


def community_figures(*, today: datetime.date) -> dict:
    """Everything the community page shows, to the cent.

    `months`: the last twelve months up to `today`'s, oldest first, each with its
    sales, the co-ops' part and the fund's share (months without a sale show
    zeros). `producers`: every co-op that has sold, all time. `fund`: the
    ledger's totals and balance. `disbursements`: every one, newest first.
    `rounds`: the budgeting rounds open now.
    """
    months = _month_starts(today=today, count=MONTHS_SHOWN)
    by_month = community_wealth_months(since=months[0])
    blank = {"jobs": 0, "sales": ZERO, "community_fund": ZERO}
    wealth = community_wealth()
    return {
        "fund_percent": fund_percent(),
        "fund": fund_totals(),
        "months": [{"month": month, **_split(by_month.get(month, blank))} for month in months],
        "producers": [
            {"producer_slug": row["producer_slug"], "producer_name": row["producer_name"]}
            | _split(row)
            for row in wealth["producers"]
        ],
        "totals": _split(wealth["totals"]),
        "disbursements": list(
            Disbursement.objects.only("amount", "paid_to", "purpose", "created_at")
        ),
        "rounds": rounds_open(),
    }
