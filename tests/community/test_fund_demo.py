"""The demo network leaves the community fund consistent, with something to show."""

from io import StringIO

import pytest
from django.core.management import call_command

from community.models import Disbursement, FundEntry
from community.selectors import fund_balance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_demo_fund_reconciles_and_has_paid_for_something():
    call_command("seed_demo", "--no-images", stdout=StringIO())
    call_command("seed_demo", "--no-images", stdout=StringIO())  # again: nothing doubles

    out = StringIO()
    call_command("reconcile_fund", stdout=out)  # raises if the ledger drifted

    assert "The ledger agrees" in out.getvalue()
    assert Disbursement.objects.count() == 2
    assert FundEntry.objects.filter(kind="sale").exists()
    assert fund_balance() > 0
