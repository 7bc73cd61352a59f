from io import StringIO

import pytest
from django.core.management import call_command

from producers.models import Membership, Producer

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_fablab_and_coops_with_managers():
    call_command("seed_demo", stdout=StringIO())

    assert Producer.objects.filter(kind="fablab").count() == 1
    assert Producer.objects.filter(kind="coop").count() >= 4
    for producer in Producer.objects.all():
        assert producer.capabilities.exists()
    assert Membership.objects.filter(user__username="technician", producer__kind="fablab").exists()


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    counts = (Producer.objects.count(), Membership.objects.count())

    call_command("seed_demo", stdout=StringIO())

    assert (Producer.objects.count(), Membership.objects.count()) == counts
