from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import StockMovement
from producers.models import Membership, Producer

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_fablab_and_coops_with_managers():
    call_command("seed_demo", stdout=StringIO())

    assert Producer.objects.filter(kind="fablab").count() == 1
    assert Producer.objects.filter(kind="coop").count() >= 4
    for producer in Producer.objects.all():
        assert producer.capabilities.exists()
    assert Membership.objects.filter(user__username="technician", producer__kind="fablab").exists()


def test_seed_demo_stocks_the_shared_store_through_the_ledger():
    call_command("seed_demo", stdout=StringIO())

    assert StockMovement.objects.filter(kind="receipt").count() >= 10
    assert StockMovement.objects.filter(kind="drawdown", producer__kind="coop").exists()
    call_command("reconcile_stock", stdout=StringIO())  # raises if a balance drifted


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    counts = (Producer.objects.count(), Membership.objects.count(), StockMovement.objects.count())

    call_command("seed_demo", stdout=StringIO())

    assert (
        Producer.objects.count(),
        Membership.objects.count(),
        StockMovement.objects.count(),
    ) == counts
