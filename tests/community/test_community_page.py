"""The public community page and its CSV: the fund and the money kept local, to the cent."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from community.selectors import fund_balance
from community.services.fund import adjustment_record, disbursement_record
from orders.services import CounterPaymentInput
from tests.factories import UserFactory, hand_over, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def treasurer():
    return UserFactory(is_staff=True)


@pytest.fixture
def sales(stool, tote):
    """Stools for 120.00 + 60.00 and a short-paid tote (28.00 due, 25.00 taken), at 5%."""
    hand_over(place((stool, 2)).jobs.get())
    hand_over(place((stool, 1)).jobs.get())
    short = CounterPaymentInput(method="cash", amount=Decimal("25.00"), reason="Neighbour rate")
    hand_over(place((tote, 1)).jobs.get(), payment=short)
    # Shares: 6.00 + 3.00 + 1.25 = 10.25
    assert fund_balance() == Decimal("10.25")


@pytest.fixture
def spent(sales, treasurer):
    disbursement_record(
        amount=Decimal("4.56"),
        paid_to="Westside Community Garden",
        purpose="Two rain barrels",
        by=treasurer,
    )


def test_the_page_shows_the_fund_balance_from_the_ledger(client, spent):
    page = client.get("/community/")

    assert page.status_code == 200
    assert page.context["fund"]["balance"] == Decimal("5.69")
    assert '<dd id="fund-balance">$5.69</dd>' in page.content.decode()


def test_the_page_shows_each_coops_sales_and_its_split_to_the_cent(client, sales):
    page = client.get("/community/")

    producers = {row["producer_name"]: row for row in page.context["producers"]}
    woodshop = producers["Woodshop"]
    assert (woodshop["sales"], woodshop["to_coops"], woodshop["to_fund"]) == (
        Decimal("180.00"),
        Decimal("171.00"),
        Decimal("9.00"),
    )
    sewing = producers["Sewing"]
    assert (sewing["sales"], sewing["to_fund"]) == (Decimal("25.00"), Decimal("1.25"))
    assert page.context["totals"]["to_fund"] == page.context["fund"]["from_sales"]


def test_this_months_sales_are_in_the_last_column_of_twelve(client, sales):
    page = client.get("/community/")

    months = page.context["months"]
    assert len(months) == 12
    assert months[-1]["month"] == timezone.localdate().replace(day=1)
    assert (months[-1]["sales"], months[-1]["to_fund"]) == (Decimal("205.00"), Decimal("10.25"))
    assert all(row["sales"] == 0 for row in months[:-1])


def test_the_page_lists_every_disbursement_with_what_it_paid_for(client, spent):
    text = client.get("/community/").content.decode()

    assert "Westside Community Garden" in text
    assert "Two rain barrels" in text
    assert "<strong>$4.56</strong>" in text


def test_money_is_shown_with_thousands_separators(client, sales, treasurer):
    adjustment_record(amount=Decimal("12345.00"), reason="Carried over", by=treasurer)

    assert "$12,355.25" in client.get("/community/").content.decode()


def test_the_page_draws_its_charts_as_svg_without_inline_styles(client, sales):
    text = client.get("/community/").content.decode()

    assert text.count("<svg") == 2
    assert "style=" not in text
    assert "<script>" not in text


def test_a_new_network_sees_helpful_empty_states(client):
    text = client.get("/community/").content.decode()

    assert '<dd id="fund-balance">$0.00</dd>' in text
    assert "No sales yet" in text
    assert "has not paid for anything yet" in text
    assert "No budgeting round is open right now" in text
    assert "<svg" not in text


def test_the_page_reads_in_a_bounded_number_of_queries(
    client, spent, treasurer, django_assert_max_num_queries
):
    for number in range(5):
        disbursement_record(
            amount=Decimal("0.10"), paid_to=f"Block club {number}", purpose="Chairs", by=treasurer
        )

    with django_assert_max_num_queries(10):
        assert client.get("/community/").status_code == 200


def test_the_storefront_footer_links_to_the_community_page(client):
    assert 'href="/community/"' in client.get("/").content.decode()


# --- The CSV ---------------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_downloads_with_its_header(client, spent):
    response = client.get("/community/figures.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="community-figures.csv"' in response["Content-Disposition"]
    assert rows_of(response)[0] == [
        "section",
        "period",
        "co-op",
        "jobs",
        "sales",
        "to co-ops",
        "to the fund",
    ]


def test_the_csv_has_twelve_months_each_coop_and_the_total_in_cents(client, spent):
    rows = rows_of(client.get("/community/figures.csv"))

    months = [row for row in rows if row[:1] == ["month"]]
    assert len(months) == 12
    assert months[-1] == [
        "month",
        f"{timezone.localdate():%Y-%m}",
        "",
        "3",
        "205.00",
        "194.75",
        "10.25",
    ]
    woodshop = next(row for row in rows if row[:1] == ["co-op"] and "Woodshop" in row[2])
    assert woodshop[3:] == ["2", "180.00", "171.00", "9.00"]
    assert ["all co-ops", "all time", "", "3", "205.00", "194.75", "10.25"] in rows


def test_the_csv_ends_with_the_ledger_totals(client, spent):
    rows = rows_of(client.get("/community/figures.csv"))

    assert rows[-4:] == [
        ["credited from sales", "10.25"],
        ["disbursed", "4.56"],
        ["adjustments", "0.00"],
        ["balance", "5.69"],
    ]
