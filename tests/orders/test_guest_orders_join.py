"""Guest orders join the account whose verified email placed them: once, never for an
unverified email, and each order once even when two verifications race."""

import threading

import pytest
from django.db import connection

from orders.models import Order
from orders.services.accounts import guest_orders_join
from orders.services.inputs import Contact
from producers.accounts import email_verified_mark
from tests.factories import UserFactory, make_stocked_product, place


@pytest.fixture
def keisha():
    return UserFactory(username="keisha", email="Keisha@Example.org")


def guest_orders(count: int) -> list[Order]:
    product = make_stocked_product(quantity=count)
    return [place((product, 1)) for _ in range(count)]


@pytest.mark.django_db
def test_verifying_an_email_joins_the_guest_orders_placed_with_it_whatever_the_case(keisha):
    order = place(
        (make_stocked_product(), 1), contact=Contact(name="K", email="KEISHA@example.ORG")
    )

    email_verified_mark(user=keisha)

    order.refresh_from_db()
    assert order.customer == keisha


@pytest.mark.django_db
def test_orders_placed_with_another_email_stay_guest_orders(keisha):
    other = place((make_stocked_product(), 1), contact=Contact(name="A", email="andre@example.org"))

    email_verified_mark(user=keisha)

    other.refresh_from_db()
    assert other.customer is None


@pytest.mark.django_db
def test_an_order_of_another_account_is_never_taken_over(keisha):
    andre = UserFactory(username="andre")
    theirs = place((make_stocked_product(), 1), customer=andre)

    email_verified_mark(user=keisha)

    theirs.refresh_from_db()
    assert theirs.customer == andre


@pytest.mark.django_db
def test_an_unverified_email_joins_no_orders(keisha):
    order = guest_orders(1)[0]

    assert guest_orders_join(user=keisha) == 0
    order.refresh_from_db()
    assert order.customer is None


@pytest.mark.django_db
def test_joining_again_joins_nothing_new(keisha):
    guest_orders(2)
    email_verified_mark(user=keisha)

    assert guest_orders_join(user=keisha) == 0
    assert Order.objects.filter(customer=keisha).count() == 2


@pytest.mark.django_db
def test_joining_counts_the_orders_it_joined(keisha):
    email_verified_mark(user=keisha)
    guest_orders(3)

    assert guest_orders_join(user=keisha) == 3


@pytest.mark.django_db
def test_marking_a_verified_email_again_says_it_was_not_new(keisha):
    assert email_verified_mark(user=keisha) is True
    assert email_verified_mark(user=keisha) is False


def race(target, times: int = 2) -> list:
    barrier = threading.Barrier(times)
    results: list = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_verifications_at_once_verify_once_and_join_every_order_once(keisha):
    orders = guest_orders(4)

    results = race(lambda: email_verified_mark(user=keisha))

    assert sorted(results) == [False, True]
    assert Order.objects.filter(customer=keisha).count() == len(orders)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_joins_at_once_join_each_order_once(keisha):
    orders = guest_orders(6)
    email_verified_mark(user=keisha)
    Order.objects.update(customer=None)

    results = race(lambda: guest_orders_join(user=keisha), times=4)

    assert sum(results) == len(orders)
    assert Order.objects.filter(customer=keisha).count() == len(orders)
