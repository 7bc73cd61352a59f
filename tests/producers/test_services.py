import threading

import pytest
from django.db import connection

from producers import services
from producers.api.serializers import ProducerStaffWriteSerializer
from producers.exceptions import LastManager
from producers.models import Membership
from tests.factories import MembershipFactory, ProducerFactory


@pytest.mark.django_db
def test_removing_the_last_manager_is_refused():
    manager = MembershipFactory(role=Membership.Role.MANAGER)

    with pytest.raises(LastManager):
        services.membership_remove(membership=manager)

    assert Membership.objects.filter(pk=manager.pk).exists()


@pytest.mark.django_db
def test_a_manager_may_step_down_when_another_remains():
    first = MembershipFactory(role=Membership.Role.MANAGER)
    MembershipFactory(producer=first.producer, role=Membership.Role.MANAGER)

    services.membership_change_role(membership=first, role=Membership.Role.MEMBER)

    first.refresh_from_db()
    assert first.role == Membership.Role.MEMBER


@pytest.mark.django_db
def test_rotation_keeps_the_previous_secret_for_the_grace_period():
    producer = ProducerFactory()
    old = producer.webhook_secret

    new = services.producer_rotate_webhook_secret(producer=producer)

    producer.refresh_from_db()
    assert (producer.webhook_secret, producer.webhook_secret_previous) == (new, old)
    assert producer.webhook_secret_rotated_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_demoting_each_other_at_once_leave_one_manager():
    producer = ProducerFactory()
    a = MembershipFactory(producer=producer, role=Membership.Role.MANAGER)
    b = MembershipFactory(producer=producer, role=Membership.Role.MANAGER)
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(membership):
        try:
            barrier.wait()
            services.membership_change_role(membership=membership, role=Membership.Role.MEMBER)
            outcomes.append("ok")
        except LastManager:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(m,)) for m in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "refused"]
    assert Membership.objects.filter(producer=producer, role="manager").count() == 1


def test_every_producer_field_the_api_lets_staff_write_is_one_the_services_accept():
    writable = {
        name
        for name, field in ProducerStaffWriteSerializer().fields.items()
        if not field.read_only and name != "capabilities"
    }

    assert writable == services.PRODUCER_FIELDS


def test_a_field_the_producer_services_do_not_know_is_refused():
    with pytest.raises(TypeError, match="webhook_secret"):
        services.producer_create(name="Print Co-op", slug="print", webhook_secret="chosen")
