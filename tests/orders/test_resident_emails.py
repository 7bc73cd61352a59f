"""A resident's order is told at every step by email: placed, part ready, a co-op declines,
cancelled. Pay-at-pickup orders here; card orders are in tests/payments/test_resident_emails.py."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from orders import services
from orders.exceptions import InvalidTransition
from orders.models import Email, Order
from tests.factories import GUEST, ProducerFactory, make_stocked_product, place

pytestmark = pytest.mark.django_db

HOURS = "Tue–Sat 10 am–6 pm"


@pytest.fixture
def places(woodshop, sewing):
    """Where and when each co-op hands orders over: the woodshop at a back door, the
    sewing co-op at its public address."""
    woodshop.address = "12 Oak St, Jackson"
    woodshop.pickup_address = "Back door, 12 Oak St, Jackson"
    woodshop.opening_hours = HOURS
    woodshop.public_phone = "601-555-0101"
    woodshop.save()
    sewing.address = "4 Elm St, Jackson"
    sewing.opening_hours = "Mon–Fri 9 am–5 pm"
    sewing.save()


def emails(order: Order, kind: str) -> list[Email]:
    return list(Email.objects.filter(order=order, kind=kind))


def sent_to_resident() -> list:
    return [message for message in mail.outbox if message.to == [GUEST.email]]


def link_in(body: str) -> str:
    (url,) = set(re.findall(r"https?://\S+\?token=[\w-]+", body))
    return url


def laser_coop(name, **fields):
    return ProducerFactory(name=name, slug=name.lower(), capabilities=["laser_cutting"], **fields)


# --- Placed ------------------------------------------------------------------------------


def test_placing_an_order_emails_the_resident_where_and_when_to_collect_each_part(
    stool, tote, places
):
    order = place((stool, 2), (tote, 1))

    (message,) = sent_to_resident()
    due = order.jobs.get(producer=stool.producer).due_date.strftime("%A %-d %B")
    assert message.subject == f"Your order {order.number} is confirmed"
    for body in (message.body, message.alternatives[0].content):
        assert "From Woodshop" in body
        assert (
            f"Collect it at Woodshop, Back door, 12 Oak St, Jackson, expected ready by {due}"
            in (body)
        )
        assert f"Opening hours: {HOURS}" in body
        assert "Phone: 601-555-0101" in body
        assert "Bring $120.00 when you collect." in body
        assert "Collect it at Sewing, 4 Elm St, Jackson" in body
        assert "Opening hours: Mon–Fri 9 am–5 pm" in body
        assert "Bring $28.00 when you collect." in body
        assert "$148.00" in body


def test_the_placed_email_groups_each_coops_items_under_it(stool, tote, places):
    place((stool, 2), (tote, 1))

    (message,) = sent_to_resident()
    woodshop_part, sewing_part = message.body.split("From Woodshop:")[1].split("From Sewing:")
    assert "2 × Stool — $120.00" in woodshop_part
    assert "Tote" not in woodshop_part
    assert "1 × Tote — $28.00" in sewing_part


def test_the_placed_emails_link_opens_the_order_page_with_its_token(stool):
    order = place((stool, 1))

    (email,) = emails(order, "order.placed")
    url = link_in(email.body_text)
    assert url == f"{settings.SITE_URL}/orders/{order.number}/?token={order.access_token}"
    assert f'href="{url}"' in email.body_html
    response = Client().get(url.removeprefix(settings.SITE_URL))
    assert response.status_code == 200
    assert f"Order {order.number}" in response.text


def test_money_in_emails_has_thousands_separators(woodshop):
    table = make_stocked_product(producer=woodshop, title="Table", price=Decimal("1250.00"))

    order = place((table, 2))

    (email,) = emails(order, "order.placed")
    assert "Bring $2,500.00 when you collect." in email.body_text
    assert "$2,500.00" in email.body_html


def test_a_delivery_order_says_where_it_is_brought(stool, places):
    order = place((stool, 1), fulfilment="delivery", delivery_address="22 Pine St, Jackson")

    (email,) = emails(order, "order.placed")
    assert "Woodshop brings it to 22 Pine St, Jackson" in email.body_text
    assert "Pay $60.00 when it arrives." in email.body_text
    assert "Collect it at" not in email.body_text


def test_confirming_an_order_again_sends_no_second_email(stool):
    order = place((stool, 1))

    services.confirm_payment(order=order)

    assert len(emails(order, "order.placed")) == 1


# --- Ready -------------------------------------------------------------------------------


def make_ready(job):
    for move in (services.job_accept, services.job_start, services.job_ready):
        job = move(job=job, by=None)
    return job


def test_the_ready_email_says_where_when_and_how_much_to_bring_for_that_part(stool, tote, places):
    order = place((stool, 2), (tote, 1))

    make_ready(order.jobs.get(producer=stool.producer))

    (email,) = emails(order, "order.ready")
    for body in (email.body_text, email.body_html):
        assert "Pick it up at Woodshop, Back door, 12 Oak St, Jackson." in body
        assert f"Opening hours: {HOURS}" in body
        assert "Phone: 601-555-0101" in body
        assert "Bring $120.00 when you collect" in body
        assert "$148.00" not in body
    response = Client().get(link_in(email.body_text).removeprefix(settings.SITE_URL))
    assert response.status_code == 200


# --- A co-op declines --------------------------------------------------------------------


def test_a_part_another_coop_takes_on_is_told_with_the_new_coop_and_its_pickup_place(
    puzzle, plywood
):
    laser_coop("Second", pickup_address="Unit 3, 9 Mill Rd", opening_hours="Sat 9 am–1 pm")
    order = place((puzzle, 2))

    services.job_decline(job=order.jobs.get(), by=None, reason="Our laser is broken")

    (email,) = emails(order, "order.part_declined")
    assert email.subject == f"Part of your order {order.number} moved to another co-op"
    for body in (email.body_text, email.body_html):
        assert "Designer cannot make their part" in body
        assert "Our laser is broken" in body
        assert "Second now makes" in body
        assert "Collect it at Second, Unit 3, 9 Mill Rd" in body
        assert "Opening hours: Sat 9 am–1 pm" in body
        assert "Bring $36.00 when you collect." in body
        assert "Your order now comes to" in body
        assert "cancelled" not in body
    order.refresh_from_db()
    assert order.total == Decimal("36.00")


def test_a_part_nobody_else_can_make_is_cancelled_and_no_longer_counts_in_the_total(
    stool, tote, woodshop
):
    order = place((stool, 2), (tote, 1))

    services.job_decline(job=order.jobs.get(producer=woodshop), by=None, reason="Out of oak")

    order.refresh_from_db()
    assert (order.subtotal, order.total) == (Decimal("28.00"), Decimal("28.00"))
    assert order.status == Order.Status.PAID


def test_the_resident_is_told_why_a_part_is_cancelled_and_what_the_order_now_comes_to(
    stool, tote, woodshop
):
    order = place((stool, 2), (tote, 1))

    services.job_decline(job=order.jobs.get(producer=woodshop), by=None, reason="Out of oak")

    (email,) = emails(order, "order.part_declined")
    assert email.subject == f"Part of your order {order.number} is cancelled"
    for body in (email.body_text, email.body_html):
        assert "Out of oak" in body
        assert "2 × Stool — $120.00" in body
        assert "You will not pay for it." in body
        assert "$28.00" in body
    assert "Your order now comes to $28.00." in email.body_text


def test_when_every_part_is_declined_the_order_is_cancelled_in_plain_words(stool):
    order = place((stool, 1))

    services.job_decline(job=order.jobs.get(), by=None, reason="Closed for the holidays")

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.cancel_reason == "No co-op could make it"
    assert order.total == Decimal("0")
    (email,) = emails(order, "order.part_declined")
    assert email.subject == f"Your order {order.number} is cancelled: no co-op could make it"
    assert "That was everything in your order, so your order is cancelled." in email.body_text


def test_a_decline_sent_twice_emails_once(stool):
    order = place((stool, 1))
    job = order.jobs.get()
    services.job_decline(job=job, by=None, reason="Out of oak")

    with pytest.raises(InvalidTransition):
        services.job_decline(job=job, by=None, reason="Out of oak")

    assert len(emails(order, "order.part_declined")) == 1


# --- Cancelled ---------------------------------------------------------------------------


def test_a_resident_who_cancels_is_told_what_was_cancelled(stool, tote):
    order = place((stool, 2), (tote, 1))
    mail.outbox.clear()

    services.order_cancel(order=order, by=None)

    (message,) = sent_to_resident()
    assert message.subject == f"Your order {order.number} is cancelled"
    assert f"As you asked, we cancelled your order {order.number}." in message.body
    assert "2 × Stool — $120.00" in message.body
    assert "1 × Tote — $28.00" in message.body
    assert "You paid nothing, and you owe nothing." in message.body
    assert f"token={order.access_token}" in message.body


def test_an_order_cancelled_by_staff_gives_the_resident_the_reason(stool):
    order = place((stool, 1))

    services.order_cancel(order=order, by=None, reason="The woodshop flooded")

    (email,) = emails(order, "order.cancelled")
    assert "The reason: The woodshop flooded." in email.body_text
    assert "As you asked" not in email.body_text


def test_cancelling_twice_emails_once(stool):
    order = place((stool, 1))
    services.order_cancel(order=order, by=None)

    with pytest.raises(InvalidTransition):
        services.order_cancel(order=order, by=None)

    assert len(emails(order, "order.cancelled")) == 1
