"""A co-op's Money page: card and counter sales by month, to the cent, and as CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import CounterPayment, Payout
from orders.services import CounterPaymentInput
from tests.factories import MembershipFactory, hand_over, make_stocked_product, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(woodshop):
    return MembershipFactory(producer=woodshop).user


@pytest.fixture
def sales(stool, woodshop, paid_card_order):
    """This month: two stools by card (120.00, paid out 114.00), and a bench paid at the
    counter at 28.45 of its 31.00 (share 1.42, half up from 1.4225)."""
    hand_over(paid_card_order((stool, 2)).jobs.get())
    bench = make_stocked_product(producer=woodshop, title="Bench", price=Decimal("31.00"))
    job = place((bench, 1)).jobs.get()
    hand_over(job, payment=CounterPaymentInput("cash", Decimal("28.45"), "Scuffed leg"))
    return job


def page(client, user, woodshop, **params) -> str:
    client.force_login(user)
    url = reverse("workbench:coop-earnings", args=[woodshop.slug])
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_money_page_adds_card_and_counter_sales_to_the_cent(client, member, woodshop, sales):
    content = page(client, member, woodshop)

    figures = {
        "Jobs handed over": "2",
        "Sales": "$148.45",
        "Community fund share": "$7.42",
        "Paid out to you (card sales)": "$114.00",
        "Still owed to you (card sales)": "$0.00",
        "Taken at your counter": "$28.45",
    }
    for label, value in figures.items():
        assert f"<dt>{label}</dt><dd>{value}</dd>" in content


def test_the_money_page_lists_each_sale_and_how_it_was_paid(client, member, woodshop, sales):
    content = page(client, member, woodshop)

    assert "At the counter: cash" in content
    assert "Taken at the counter — Scuffed leg" in content
    assert "Card (online)" in content
    assert "Paid out" in content


def test_a_month_shows_only_its_own_sales(client, member, woodshop, sales):
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    mid_last_month = timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(12)))
    Payout.objects.filter(producer=woodshop).update(
        created_at=mid_last_month + datetime.timedelta(days=14)
    )

    this = page(client, member, woodshop)
    before = page(client, member, woodshop, month=f"{last_month:%Y-%m}")

    assert "<dt>Sales</dt><dd>$28.45</dd>" in this
    assert "<dt>Sales</dt><dd>$120.00</dd>" in before
    assert "Scuffed leg" not in before


def test_the_money_page_offers_the_month_before_and_not_the_future(client, member, woodshop):
    this_month = timezone.localdate().replace(day=1)
    previous = (this_month - datetime.timedelta(days=1)).replace(day=1)

    content = page(client, member, woodshop)

    assert f'href="?month={previous:%Y-%m}" rel="prev"' in content
    assert 'rel="next"' not in content


def test_a_month_that_is_not_one_is_explained(client, member, woodshop):
    assert "Showing this month instead" in page(client, member, woodshop, month="2026-13")


def test_a_coop_with_no_sales_is_told_where_they_will_appear(client, member, woodshop):
    assert "No sales yet" in page(client, member, woodshop)


def test_the_coops_pages_link_to_money(client, member, woodshop):
    client.force_login(member)

    content = client.get(reverse("workbench:coop", args=[woodshop.slug])).content.decode()

    assert f'href="{reverse("workbench:coop-earnings", args=[woodshop.slug])}"' in content
    assert ">Money</a>" in content


def test_the_month_csv_has_each_sale_to_the_cent(client, member, woodshop, sales):
    client.force_login(member)
    month = f"{timezone.localdate():%Y-%m}"
    url = reverse("workbench:coop-earnings-month-csv", args=[woodshop.slug])

    response = client.get(url, {"month": month})

    assert response["Content-Type"].startswith("text/csv")
    assert f"woodshop-earnings-{month}.csv" in response["Content-Disposition"]
    header, *lines = rows_of(response)
    assert header[3:10] == [
        "How it was paid",
        "Sale",
        "Community fund share",
        "Co-op's part",
        "Paid out",
        "Owed",
        "Taken at the counter",
    ]
    by_how = {line[3]: line[4:10] for line in lines}
    assert by_how == {
        "Card (online)": ["120.00", "6.00", "114.00", "114.00", "0.00", "0.00"],
        "At the counter: cash": ["28.45", "1.42", "27.03", "0.00", "0.00", "28.45"],
    }


def test_the_all_months_csv_has_a_row_per_month(client, member, woodshop, sales):
    client.force_login(member)

    response = client.get(reverse("workbench:coop-earnings-csv", args=[woodshop.slug]))

    header, *lines = rows_of(response)
    assert header[0] == "Month"
    assert lines == [
        [f"{timezone.localdate():%Y-%m}", "2", "148.45", "7.42", "114.00", "0.00", "28.45"]
    ]


def test_a_reason_that_looks_like_a_formula_is_not_one_in_the_csv(client, member, woodshop, stool):
    hand_over(
        place((stool, 1)).jobs.get(),
        payment=CounterPaymentInput("other", Decimal("0"), '=HYPERLINK("http://x.test")'),
    )
    client.force_login(member)

    response = client.get(reverse("workbench:coop-earnings-month-csv", args=[woodshop.slug]))

    (line,) = rows_of(response)[1:]
    assert line[-1] == '\'=HYPERLINK("http://x.test")'
    assert CounterPayment.objects.get().reason.startswith("=")
