"""The community fund over the API: public figures and ledger, staff-only writes."""

from decimal import Decimal

import pytest
from django.utils import timezone

from community.models import Disbursement, FundEntry
from community.selectors import fund_balance
from community.services.fund import adjustment_record
from tests.factories import UserFactory, hand_over, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund_of_nine(stool, staff):
    """Sales of 120.00 and 60.00 at 5%: 9.00 in the fund."""
    hand_over(place((stool, 2)).jobs.get())
    hand_over(place((stool, 1)).jobs.get())
    assert fund_balance() == Decimal("9.00")


def test_the_fund_figures_match_the_ledger_to_the_cent(api, fund_of_nine, staff):
    adjustment_record(amount=Decimal("-0.50"), reason="Bank fee", by=staff)

    body = api.get("/api/v1/community/fund/").json()

    assert body["fund"] == {
        "balance": "8.50",
        "from_sales": "9.00",
        "disbursed": "0.00",
        "adjustments": "-0.50",
    }
    assert body["totals"] == {"jobs": 2, "sales": "180.00", "to_coops": "171.00", "to_fund": "9.00"}
    assert body["producers"][0]["producer"] == "woodshop"
    assert body["months"][-1] == {
        "month": f"{timezone.localdate():%Y-%m}",
        "jobs": 2,
        "sales": "180.00",
        "to_coops": "171.00",
        "to_fund": "9.00",
    }
    assert len(body["months"]) == 12


def test_the_ledger_lists_entries_newest_first_without_anyones_name(api, fund_of_nine):
    treasurer = UserFactory(username="ada-okafor", is_staff=True)
    adjustment_record(amount=Decimal("1.00"), reason="Found in the till", by=treasurer)

    body = api.get("/api/v1/community/fund/entries/").json()

    assert body["count"] == 3
    newest = body["results"][0]
    assert (newest["kind"], newest["amount"], newest["reason"]) == (
        "adjustment",
        "1.00",
        "Found in the till",
    )
    assert body["results"][1]["producer"] == "woodshop"
    assert "ada-okafor" not in str(body)
    assert "created_by" not in newest


def test_the_ledger_is_paginated_by_cursor(api, fund_of_nine):
    first = api.get("/api/v1/community/fund/entries/", {"page_size": 1}).json()
    second = api.get(first["next"]).json()

    assert [len(first["results"]), len(second["results"])] == [1, 1]
    assert first["results"][0]["id"] != second["results"][0]["id"]


def test_staff_record_a_disbursement(api, fund_of_nine, staff):
    body = {"amount": "7.25", "paid_to": "Rose Street Garden", "purpose": "Seed potatoes"}

    response = api.as_user(staff).post("/api/v1/community/disbursements/", body, format="json")

    assert response.status_code == 201
    assert response.json()["amount"] == "7.25"
    assert Disbursement.objects.get().recorded_by == staff
    assert fund_balance() == Decimal("1.75")


def test_a_disbursement_beyond_the_fund_is_409_fund_too_low(api, fund_of_nine, staff):
    body = {"amount": "9.01", "paid_to": "Rose Street Garden", "purpose": "Seed potatoes"}

    response = api.as_user(staff).post("/api/v1/community/disbursements/", body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "fund_too_low"
    assert response.json()["balance"] == "9.00"
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0", "paid_to": "Garden", "purpose": "Seed"}, "amount"),
        ({"amount": "1.005", "paid_to": "Garden", "purpose": "Seed"}, "amount"),
        ({"amount": "1e3", "paid_to": "Garden", "purpose": "Seed"}, "amount"),
        ({"amount": "1.00", "paid_to": "  ", "purpose": "Seed"}, "paid_to"),
        ({"amount": "1.00", "paid_to": "Garden"}, "purpose"),
    ],
)
def test_a_bad_disbursement_answers_400_naming_the_field(api, fund_of_nine, staff, body, field):
    response = api.as_user(staff).post("/api/v1/community/disbursements/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Disbursement.objects.exists()


def test_the_public_reads_disbursements(api, fund_of_nine, staff):
    api.as_user(staff).post(
        "/api/v1/community/disbursements/",
        {"amount": "2.00", "paid_to": "Garden", "purpose": "Seed"},
        format="json",
    )
    api.force_authenticate(user=None)

    body = api.get("/api/v1/community/disbursements/").json()

    assert body["count"] == 1
    assert body["results"][0]["purpose"] == "Seed"
    assert "recorded_by" not in body["results"][0]


def test_staff_record_an_adjustment(api, fund_of_nine, staff):
    response = api.as_user(staff).post(
        "/api/v1/community/fund/adjustments/",
        {"amount": "-2.00", "reason": "Bank fee"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["kind"] == "adjustment"
    assert fund_balance() == Decimal("7.00")


def test_an_adjustment_below_an_empty_fund_is_409(api, fund_of_nine, staff):
    response = api.as_user(staff).post(
        "/api/v1/community/fund/adjustments/", {"amount": "-9.01", "reason": "Fee"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "fund_too_low"


@pytest.mark.parametrize("body", [{"amount": "0", "reason": "Fee"}, {"amount": "1.00"}])
def test_a_bad_adjustment_answers_400(api, fund_of_nine, staff, body):
    response = api.as_user(staff).post("/api/v1/community/fund/adjustments/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) <= {"amount", "reason"}
    assert not FundEntry.objects.filter(kind="adjustment").exists()


@pytest.mark.parametrize(
    "url", ["/api/v1/community/disbursements/", "/api/v1/community/fund/adjustments/"]
)
def test_only_staff_write_to_the_fund(api, fund_of_nine, url):
    body = {"amount": "1.00", "paid_to": "G", "purpose": "S", "reason": "R"}

    anonymous = api.post(url, body, format="json")
    resident = api.as_user(UserFactory()).post(url, body, format="json")

    assert (anonymous.status_code, resident.status_code) == (401, 403)
    assert fund_balance() == Decimal("9.00")


def test_the_api_root_lists_the_fund(api):
    body = api.get("/api/v1/").json()

    assert body["community-fund"].endswith("/api/v1/community/fund/")


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        ("/api/v1/community/fund/", 9),  # the figures, the ledger totals, the open rounds
        ("/api/v1/community/fund/entries/", 3),
        ("/api/v1/community/disbursements/", 3),
    ],
)
def test_the_fund_reads_cost_a_fixed_number_of_queries(
    api, fund_of_nine, staff, django_assert_max_num_queries, url, budget
):
    for number in range(4):
        api.as_user(staff).post(
            "/api/v1/community/disbursements/",
            {"amount": "0.10", "paid_to": f"Block club {number}", "purpose": "Chairs"},
            format="json",
        )
    api.force_authenticate(user=None)

    with django_assert_max_num_queries(budget):
        assert api.get(url).status_code == 200
