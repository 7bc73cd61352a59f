"""The public community-wealth page and its figures as CSV: what local sales kept local."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from backend.money import format_money
from community.reports import community_figures
from frontend.charts import horizontal_bar_chart, stacked_column_chart

MONTH_SERIES = ("Kept by the co-ops", "To the community fund")


@require_GET
def community_page(request):
    figures = community_figures(today=timezone.localdate())
    months_chart = stacked_column_chart(
        title="Sales by month, last 12 months: the co-ops' part and the community fund's share",
        series=MONTH_SERIES,
        columns=[
            (row["month"].strftime("%b"), (row["to_coops"], row["to_fund"]))
            for row in figures["months"]
        ],
        value_label=format_money,
        chart_id="months-chart",
    )
    producers_chart = horizontal_bar_chart(
        title="Sales by co-op, all time",
        bars=sorted(
            ((row["producer_name"], row["sales"]) for row in figures["producers"]),
            key=lambda bar: (-bar[1], bar[0]),
        ),
        value_label=format_money,
        chart_id="producers-chart",
    )
    return render(
        request,
        "frontend/community/page.html",
        {
            **figures,
            "months_newest_first": figures["months"][::-1],
            "any_sales": any(row["jobs"] for row in figures["months"]),
            "months_chart": months_chart,
            "producers_chart": producers_chart,
        },
    )


CSV_HEADER = ["section", "period", "co-op", "jobs", "sales", "to co-ops", "to the fund"]


@require_GET
def community_figures_csv(request):
    """The page's figures for a spreadsheet: by month, by co-op, and the fund's ledger totals.

    Money in dollars with cents and no thousands separator, so every program reads it.
    """
    figures = community_figures(today=timezone.localdate())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="community-figures.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in figures["months"]:
        writer.writerow(
            [
                "month",
                f"{row['month']:%Y-%m}",
                "",
                row["jobs"],
                row["sales"],
                row["to_coops"],
                row["to_fund"],
            ]
        )
    for row in figures["producers"]:
        writer.writerow(
            [
                "co-op",
                "all time",
                row["producer_name"],
                row["jobs"],
                row["sales"],
                row["to_coops"],
                row["to_fund"],
            ]
        )
    totals = figures["totals"]
    writer.writerow(
        [
            "all co-ops",
            "all time",
            "",
            totals["jobs"],
            totals["sales"],
            totals["to_coops"],
            totals["to_fund"],
        ]
    )
    writer.writerow([])
    writer.writerow(["fund ledger", "amount"])
    fund = figures["fund"]
    for label, key in (
        ("credited from sales", "from_sales"),
        ("disbursed", "disbursed"),
        ("adjustments", "adjustments"),
        ("balance", "balance"),
    ):
        writer.writerow([label, fund[key]])
    return response
