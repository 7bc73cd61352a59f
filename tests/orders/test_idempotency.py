"""Idempotency keys belong to their caller: a replay never hands one person's order to another."""

import pytest
from rest_framework.test import APIClient

from orders.models import Order
from tests.factories import UserFactory, order_body

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def post(client, body, key):
    return client.post(ORDERS, body, format="json", headers={"Idempotency-Key": key})


def test_another_guest_with_the_same_key_and_body_does_not_get_the_order_or_its_token(stool):
    first = post(APIClient(), order_body((stool, 1)), "shared-key")

    second = post(APIClient(), order_body((stool, 1)), "shared-key")

    assert first.status_code == second.status_code == 201
    order = Order.objects.get()
    assert order.access_token not in second.content.decode()
    assert {"access_token", "status_url", "checkout_url"}.isdisjoint(second.json())
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_the_guest_who_sent_the_key_first_gets_its_full_answer_again(stool):
    client = APIClient()
    first = post(client, order_body((stool, 1)), "mine")

    again = post(client, order_body((stool, 1)), "mine")

    assert again.json() == first.json()
    assert again.json()["access_token"] == Order.objects.get().access_token


def test_a_forged_proof_cookie_proves_nothing(stool):
    post(APIClient(), order_body((stool, 1)), "shared-key")
    forger = APIClient()
    forger.cookies["order_keys"] = "W10:forged:signature"

    replay = post(forger, order_body((stool, 1)), "shared-key")

    assert "access_token" not in replay.json()


def test_a_users_keys_are_theirs_alone(stool):
    one, other = UserFactory(email="one@example.org"), UserFactory(email="two@example.org")
    first = post(APIClient(), order_body((stool, 1)), "k-1")
    mine = APIClient()
    mine.force_authenticate(one)
    theirs = APIClient()
    theirs.force_authenticate(other)

    placed = post(mine, order_body((stool, 1)), "k-1")
    also_placed = post(theirs, order_body((stool, 1)), "k-1")

    numbers = {first.json()["number"], placed.json()["number"], also_placed.json()["number"]}
    assert len(numbers) == 3
    assert "Idempotent-Replayed" not in placed.headers
    assert "Idempotent-Replayed" not in also_placed.headers


def test_a_signed_in_user_gets_the_full_answer_replayed(stool):
    client = APIClient()
    client.force_authenticate(UserFactory(email="one@example.org"))
    first = post(client, order_body((stool, 1)), "again")

    again = post(client, order_body((stool, 1)), "again")

    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
