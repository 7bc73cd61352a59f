"""Where the money went: sales, payouts and the community fund, per co-op and in total."""

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from orders.models import Payout

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)


def _sums() -> dict:
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


def community_wealth(
    *, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> dict:
    """Card-paid jobs handed over between two dates (both included, local time).

    Per co-op and in total: what the jobs sold for, what was paid out, what is
    still owed or being sent, and what went to the community fund. Public: no
    customer and no order appears in it.
    """
    payouts = Payout.objects.all()
    if date_from is not None:
        payouts = payouts.filter(created_at__date__gte=date_from)
    if date_to is not None:
        payouts = payouts.filter(created_at__date__lte=date_to)
    rows = list(
        payouts.order_by()
        .values(producer_slug=F("producer__slug"), producer_name=F("producer__name"))
        .annotate(**_sums())
        .order_by("producer_name", "producer_slug")
    )
    totals = payouts.aggregate(**_sums())
    return {"date_from": date_from, "date_to": date_to, "producers": rows, "totals": totals}
