"""Staff record disbursements and adjustments in the back office, through the fund's services:
refusals show beside the field, and nothing is written when the form is refused."""

from decimal import Decimal

import pytest

from community.models import Disbursement, FundEntry
from community.selectors import fund_balance, fund_drift
from tests.factories import UserFactory, hand_over, place

pytestmark = pytest.mark.django_db

DISBURSEMENT_ADD = "/admin/community/disbursement/add/"
ADJUSTMENT_ADD = "/admin/community/fundentry/add/"


@pytest.fixture
def boss(client):
    user = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def fund_of_six(stool):
    hand_over(place((stool, 2)).jobs.get())  # 120.00 at 5%
    assert fund_balance() == Decimal("6.00")


def test_staff_record_a_disbursement_through_the_service(client, boss, fund_of_six):
    body = {"amount": "4.50", "paid_to": "Westside Garden", "purpose": "Seed potatoes"}

    response = client.post(DISBURSEMENT_ADD, body)

    assert response.status_code == 302
    disbursement = Disbursement.objects.get()
    assert (disbursement.amount, disbursement.recorded_by) == (Decimal("4.50"), boss)
    assert fund_balance() == Decimal("1.50")
    assert fund_drift() == []


def test_a_disbursement_beyond_the_fund_is_refused_beside_the_amount(client, boss, fund_of_six):
    body = {"amount": "6.01", "paid_to": "Westside Garden", "purpose": "Seed potatoes"}

    response = client.post(DISBURSEMENT_ADD, body)

    assert response.status_code == 200
    assert "cannot pay $6.01" in " ".join(response.context["adminform"].form.errors["amount"])
    assert not Disbursement.objects.exists()
    assert fund_balance() == Decimal("6.00")


def test_a_blank_payee_is_refused_beside_its_field(client, boss, fund_of_six):
    response = client.post(DISBURSEMENT_ADD, {"amount": "1.00", "paid_to": " ", "purpose": "S"})

    assert "paid_to" in response.context["adminform"].form.errors
    assert not Disbursement.objects.exists()


def test_staff_record_an_adjustment_with_its_reason(client, boss, fund_of_six):
    response = client.post(ADJUSTMENT_ADD, {"amount": "-0.75", "reason": "Bank fee"})

    assert response.status_code == 302
    entry = FundEntry.objects.get(kind="adjustment")
    assert (entry.amount, entry.reason, entry.created_by) == (Decimal("-0.75"), "Bank fee", boss)
    assert fund_balance() == Decimal("5.25")


def test_an_adjustment_below_zero_is_refused_beside_the_amount(client, boss, fund_of_six):
    response = client.post(ADJUSTMENT_ADD, {"amount": "-6.01", "reason": "Bank fee"})

    assert "amount" in response.context["adminform"].form.errors
    assert not FundEntry.objects.filter(kind="adjustment").exists()


def test_the_add_forms_ask_only_for_what_staff_decide(client, boss):
    page = client.get(DISBURSEMENT_ADD).content.decode()

    assert "Record a disbursement from the fund" in page
    assert 'name="amount"' in page
    assert 'name="recorded_by"' not in page


def test_entries_open_read_only_and_cannot_be_deleted(client, boss, fund_of_six):
    entry = FundEntry.objects.get()

    page = client.get(f"/admin/community/fundentry/{entry.pk}/change/")
    delete = client.post(f"/admin/community/fundentry/{entry.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="amount"' not in page.content.decode()
    assert delete.status_code == 403
    assert FundEntry.objects.count() == 1
