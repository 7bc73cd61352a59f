"""The community-wealth report: where the money from card sales went."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Payout
from orders.services import CounterPaymentInput
from tests.factories import hand_over, make_stocked_product, place

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/community-wealth/"


@pytest.fixture
def handed_over(stool, sewing, paid_card_order):
    """Two stools from the woodshop (paid out) and a tote at 28.45 from the sewing co-op
    (owed): its 5% share, 1.4225, rounds to 1.42."""
    tote = make_stocked_product(producer=sewing, title="Tote", price=Decimal("28.45"))
    order = paid_card_order((stool, 2), (tote, 1))
    for job in order.jobs.all():
        hand_over(job)
    return order


def test_the_report_sums_sales_payouts_and_the_fund_for_each_coop(api, handed_over):
    body = api.get(URL).json()

    rows = {row["producer"]: row for row in body["producers"]}
    assert rows["woodshop"] == {
        "producer": "woodshop",
        "name": "Woodshop",
        "jobs": 1,
        "sales": "120.00",
        "paid_out": "114.00",
        "owed": "0.00",
        "taken_at_counter": "0.00",
        "community_fund": "6.00",
    }
    assert rows["sewing"]["paid_out"] == "0.00"
    assert rows["sewing"]["owed"] == "27.03"
    assert rows["sewing"]["community_fund"] == "1.42"


def test_the_report_totals_every_coop(api, handed_over):
    totals = api.get(URL).json()["totals"]

    assert totals == {
        "jobs": 2,
        "sales": "148.45",
        "paid_out": "114.00",
        "owed": "27.03",
        "taken_at_counter": "0.00",
        "community_fund": "7.42",
    }
    assert Decimal(totals["sales"]) == sum(
        (p.amount + p.community_share for p in Payout.objects.all()), Decimal("0")
    )


def test_the_report_counts_only_jobs_handed_over_in_the_period(api, handed_over):
    Payout.objects.filter(producer__slug="sewing").update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    today = timezone.localdate()

    body = api.get(URL, {"from": today - datetime.timedelta(days=7), "to": today}).json()

    assert [row["producer"] for row in body["producers"]] == ["woodshop"]
    assert body["totals"]["community_fund"] == "6.00"
    assert body["period"] == {"from": str(today - datetime.timedelta(days=7)), "to": str(today)}


def test_the_report_is_public_and_names_no_customer(api, handed_over):
    response = api.get(URL)

    assert response.status_code == 200
    assert handed_over.contact_name not in response.content.decode()
    assert handed_over.number not in response.content.decode()


def test_the_report_says_which_share_goes_to_the_fund(api, settings):
    settings.COMMUNITY_FUND_PERCENT = "7.5"

    assert api.get(URL).json()["community_fund_percent"] == "7.50"


def test_a_period_ending_before_it_starts_is_refused(api):
    response = api.get(URL, {"from": "2026-05-02", "to": "2026-05-01"})

    assert response.status_code == 400
    assert "to" in response.json()["errors"]


def test_a_date_that_is_not_a_date_is_refused(api):
    assert api.get(URL, {"from": "last week"}).status_code == 400


def test_the_report_counts_sales_taken_at_the_counter_to_the_cent(api, handed_over, stool):
    """Beside the card sales above, a stool paid at the counter at 28.45 of its 60.00."""
    counter_job = place((stool, 1)).jobs.get()
    hand_over(counter_job, payment=CounterPaymentInput("cash", Decimal("28.45"), "Discount"))

    body = api.get(URL).json()

    woodshop = {row["producer"]: row for row in body["producers"]}["woodshop"]
    assert woodshop["jobs"] == 2
    assert woodshop["sales"] == "148.45"
    assert woodshop["taken_at_counter"] == "28.45"
    assert woodshop["community_fund"] == "7.42"  # 6.00 by card + 1.42 at the counter
    assert woodshop["paid_out"] == "114.00"
    assert body["totals"]["sales"] == "176.90"
    assert body["totals"]["community_fund"] == "8.84"
    assert body["totals"]["taken_at_counter"] == "28.45"


def test_a_coop_paid_only_at_the_counter_is_in_the_report(api, stool):
    hand_over(place((stool, 2)).jobs.get())

    body = api.get(URL).json()

    assert body["producers"] == [
        {
            "producer": "woodshop",
            "name": "Woodshop",
            "jobs": 1,
            "sales": "120.00",
            "paid_out": "0.00",
            "owed": "0.00",
            "taken_at_counter": "120.00",
            "community_fund": "6.00",
        }
    ]
