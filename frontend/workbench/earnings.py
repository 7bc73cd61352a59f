"""A co-op's earnings: what it sold each month, what the community fund's share was, what
was paid out or is still owed, and what was taken at the counter; as a page and as CSV."""

import csv
import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from frontend.workbench.common import coop_context, coop_view
from frontend.workbench.report import _month as month_asked
from orders.payments.payouts import fund_percent
from orders.payments.reports import coop_earning_lines, coop_earnings, coop_earnings_months

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@coop_view
@require_GET
def earnings(request, producer):
    month, month_error = month_asked(request.GET.get("month"))
    this_month = timezone.localdate().replace(day=1)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    figures = coop_earnings(producer_id=producer.pk, month=month)
    return render(
        request,
        "frontend/workbench/earnings.html",
        coop_context(
            request,
            producer,
            "earnings",
            month=month,
            month_label=month.strftime("%B %Y"),
            month_error=month_error,
            figures=figures,
            lines=coop_earning_lines(producer_id=producer.pk, month=month),
            months=coop_earnings_months(producer_id=producer.pk)[:24],
            fund_percent=fund_percent(),
            previous=previous,
            following=following if following <= this_month else None,
            this_month=this_month if month != this_month else None,
        ),
    )


def _cell(value) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


@coop_view
@require_GET
def earnings_month_csv(request, producer):
    """Every sale of the month, job by job."""
    month, _ = month_asked(request.GET.get("month"))
    lines = coop_earning_lines(producer_id=producer.pk, month=month)
    header = [
        "Handed over",
        "Order",
        "Job",
        "How it was paid",
        "Sale",
        "Community fund share",
        "Co-op's part",
        "Paid out",
        "Owed",
        "Taken at the counter",
        "Status",
        "Note",
    ]
    rows = (
        [
            timezone.localtime(line.handed_over_at).strftime("%Y-%m-%d %H:%M"),
            line.order_number,
            line.job_id,
            line.how_paid,
            line.sale,
            line.community_share,
            line.coop_part,
            line.paid_out,
            line.owed,
            line.taken_at_counter,
            line.status,
            line.note,
        ]
        for line in lines
    )
    return _csv(f"{producer.slug}-earnings-{month:%Y-%m}.csv", header, rows)


@coop_view
@require_GET
def earnings_csv(request, producer):
    """One row per month, newest first."""
    header = [
        "Month",
        "Jobs handed over",
        "Sales",
        "Community fund share",
        "Paid out",
        "Owed",
        "Taken at the counter",
    ]
    rows = (
        [
            f"{row['month']:%Y-%m}",
            row["jobs"],
            row["sales"],
            row["community_fund"],
            row["paid_out"],
            row["owed"],
            row["taken_at_counter"],
        ]
        for row in coop_earnings_months(producer_id=producer.pk)
    )
    return _csv(f"{producer.slug}-earnings.csv", header, rows)
