"""The usage report: the materials and machine time each co-op used in a month, at their cost."""

import datetime
from decimal import Decimal

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from backend.money import format_money
from backend.months import parse_month
from catalog.selectors import materials_usage
from fablab.selectors import machine_usage
from frontend.charts import horizontal_bar_chart
from frontend.workbench.common import workbench_view


def _month(value: str | None) -> tuple[datetime.date, str]:
    """The month asked for (`YYYY-MM`), or this month and what was wrong with the request."""
    this_month = timezone.localdate().replace(day=1)
    if not value:
        return this_month, ""
    try:
        return parse_month(value), ""
    except ValueError as error:
        return this_month, f"{error} Showing this month instead."


@workbench_view
@require_GET
def report(request):
    month, month_error = _month(request.GET.get("month"))
    rows = materials_usage(month=month, user=request.user)
    per_producer: dict[str, Decimal] = {}
    for row in rows:
        name = row["producer__name"]
        per_producer[name] = per_producer.get(name, Decimal("0")) + row["cost"]
    bars = sorted(per_producer.items(), key=lambda item: (-item[1], item[0]))
    label = month.strftime("%B %Y")
    chart = horizontal_bar_chart(
        title=f"Cost of materials used per co-op, {label}",
        bars=bars,
        value_label=format_money,
        chart_id="usage-chart",
    )
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    machine_rows = machine_usage(month=month, user=request.user)
    return render(
        request,
        "frontend/workbench/report.html",
        {
            "section": "report",
            "month": month,
            "month_label": label,
            "month_error": month_error,
            "rows": rows,
            "totals": [(name, format_money(cost)) for name, cost in bars],
            "total": format_money(sum(per_producer.values(), Decimal("0"))),
            "chart": chart,
            "saved_rows": [row for row in rows if row["from_offcuts"]],
            "saved_total": format_money(sum((row["saved"] for row in rows), Decimal("0"))),
            "machine_rows": machine_rows,
            "machine_hours": sum((row["hours"] for row in machine_rows), Decimal("0")),
            "machine_total": format_money(sum((r["cost"] for r in machine_rows), Decimal("0"))),
            "previous": previous,
            "following": following if following <= this_month else None,
            "this_month": this_month if month != this_month else None,
        },
    )
