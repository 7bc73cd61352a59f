"""Pickup points: choosing one, each co-op dropping its part there, arrivals, the email, the
hand-over."""

import pytest
from django.db import IntegrityError, transaction

from orders.exceptions import InvalidInput, InvalidTransition, PartsStillDue
from orders.models import Email, Job, Order, PickupPoint, WebhookDelivery
from orders.services import (
    job_accept,
    job_arrive_at_point,
    job_decline,
    job_ready,
    job_start,
    order_hand_over_at_point,
)
from producers.models import Membership
from tests.factories import MembershipFactory, place

pytestmark = pytest.mark.django_db


def ready(job: Job) -> Job:
    for move in (job_accept, job_start, job_ready):
        job = move(job=job, by=None)
    return job


def parts(order: Order) -> dict[str, Job]:
    return {job.producer.slug: job for job in order.jobs.select_related("producer")}


def at_point_emails(order: Order):
    return Email.objects.filter(order=order, kind="order.at_point")


@pytest.fixture
def order(stool, tote, center):
    """A resident's order from the woodshop and the sewing co-op, to collect at the Center."""
    return place((stool, 1), (tote, 2), pickup_point=center)


# --- Choosing it -------------------------------------------------------------------------


def test_placing_an_order_keeps_the_pickup_point_chosen(order, center):
    order.refresh_from_db()

    assert order.pickup_point == center


def test_a_closed_pickup_point_is_refused_as_bad_input(stool, center):
    center.active = False
    center.save()

    with pytest.raises(InvalidInput) as caught:
        place((stool, 1), pickup_point=center)

    assert "pickup_point" in caught.value.message_dict
    assert not Order.objects.exists()


def test_a_pickup_point_is_refused_for_a_delivered_order(stool, center):
    with pytest.raises(InvalidInput) as caught:
        place((stool, 1), pickup_point=center, fulfilment="delivery", delivery_address="1 Main")

    assert caught.value.message_dict["pickup_point"] == [
        "A pickup point is for orders you collect, not for delivery."
    ]


def test_the_database_refuses_a_pickup_point_on_a_delivered_order(order):
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(fulfilment="delivery", delivery_address="1 Main")


# --- Telling each co-op where to drop its part --------------------------------------------


def test_the_webhook_payload_names_the_drop_off_point_and_by_when(stool, tote, center):
    stool.producer.webhook_url = "https://woodshop.example.org/hooks"
    stool.producer.save()

    order = place((stool, 1), (tote, 1), pickup_point=center)

    job = parts(order)["woodshop"]
    payload = WebhookDelivery.objects.get(job=job).payload
    assert payload["data"]["drop_off"] == {
        "pickup_point": "the-center",
        "name": "The Center",
        "address": "1000 W Capitol St",
        "opening_hours": "Tue–Sat 10 am–6 pm",
        "by": job.due_date.isoformat(),
    }


def test_the_co_ops_job_email_says_where_to_drop_the_part(stool, tote, center):
    MembershipFactory(producer=tote.producer, role=Membership.Role.MANAGER)

    order = place((stool, 1), (tote, 1), pickup_point=center)

    job = parts(order)["sewing"]
    email = Email.objects.get(job=job, kind="job.routed")

    expected = "Drop at The Center, 1000 W Capitol St, by "
    assert expected in email.body_text
    assert expected in email.body_html


def test_a_ready_part_tells_the_resident_it_is_on_its_way_to_the_point(order):
    job = ready(parts(order)["woodshop"])

    email = Email.objects.get(job=job, kind="order.ready")
    assert "Woodshop is taking it to The Center, 1000 W Capitol St." in email.body_text
    assert "Pick it up at Woodshop" not in email.body_text


# --- Arrivals -----------------------------------------------------------------------------


def test_a_part_its_co_op_has_not_marked_ready_cannot_arrive(order, technician):
    job = job_accept(job=parts(order)["woodshop"], by=None)

    with pytest.raises(InvalidTransition, match="only a part its co-op marked ready can arrive"):
        job_arrive_at_point(job=job, by=technician)

    job.refresh_from_db()
    assert job.arrived_at_point_at is None


def test_a_ready_part_arrives_with_who_received_it(order, technician):
    job = job_arrive_at_point(job=ready(parts(order)["woodshop"]), by=technician)

    job.refresh_from_db()
    assert job.arrived_at_point_at is not None
    assert job.arrived_at_point_by == technician


def test_marking_an_arrived_part_again_changes_nothing(order, technician):
    job = ready(parts(order)["woodshop"])
    first = job_arrive_at_point(job=job, by=technician)

    again = job_arrive_at_point(job=job, by=None)

    assert again.arrived_at_point_at == first.arrived_at_point_at
    assert again.arrived_at_point_by == technician


def test_a_part_of_an_order_collected_at_each_co_op_goes_to_no_point(stool, technician):
    job = ready(place((stool, 1)).jobs.get())

    with pytest.raises(InvalidTransition, match="goes to no pickup point"):
        job_arrive_at_point(job=job, by=technician)


def test_no_email_goes_out_while_a_part_is_still_due(order, technician):
    job_arrive_at_point(job=ready(parts(order)["woodshop"]), by=technician)

    assert not at_point_emails(order).exists()


def test_the_resident_is_emailed_once_when_the_last_part_arrives(order, technician):
    wood, sewing = parts(order)["woodshop"], parts(order)["sewing"]
    job_arrive_at_point(job=ready(wood), by=technician)
    job_arrive_at_point(job=ready(sewing), by=technician)
    job_arrive_at_point(job=sewing, by=technician)

    assert at_point_emails(order).count() == 1
    order.refresh_from_db()
    assert order.at_point_notified_at is not None


def test_the_resident_is_emailed_when_the_last_part_still_due_is_declined(order, technician):
    job_arrive_at_point(job=ready(parts(order)["woodshop"]), by=technician)

    job_decline(job=parts(order)["sewing"], by=None, reason="Our machine is broken")

    email = at_point_emails(order).get()
    assert "Stool" in email.body_text
    assert "Tote" not in email.body_text


def test_a_declined_part_sends_no_email_while_another_is_still_due(order):
    job_decline(job=parts(order)["sewing"], by=None, reason="Our machine is broken")

    assert not at_point_emails(order).exists()


def test_the_everything_is_here_email_gives_the_points_address_and_hours(order, technician):
    for job in parts(order).values():
        job_arrive_at_point(job=ready(job), by=technician)

    email = at_point_emails(order).get()
    assert email.recipients == ["keisha@example.org"]
    assert email.subject == f"Everything from your order {order.number} is waiting at The Center"
    for body in (email.body_text, email.body_html):
        assert "1000 W Capitol St" in body
        assert "Tue–Sat 10 am–6 pm" in body
        assert "2 × Tote" in body
    assert f"You pay ${order.total} when you collect it." in email.body_text


# --- Handing over -------------------------------------------------------------------------


def test_handing_over_before_every_part_arrived_is_refused(order, technician):
    job_arrive_at_point(job=ready(parts(order)["woodshop"]), by=technician)

    with pytest.raises(PartsStillDue, match="still due from Sewing"):
        order_hand_over_at_point(order=order, by=technician, method="cash")

    assert not Job.objects.filter(order=order, status=Job.Status.HANDED_OVER).exists()


def test_handing_over_at_the_point_hands_over_every_part_and_completes_the_order(order, technician):
    for job in parts(order).values():
        job_arrive_at_point(job=ready(job), by=technician)

    order = order_hand_over_at_point(order=order, by=technician, method="cash")

    assert order.status == Order.Status.COMPLETED
    statuses = set(order.jobs.values_list("status", flat=True))
    assert statuses == {Job.Status.HANDED_OVER}


def test_an_order_handed_over_already_cannot_be_handed_over_again(order, technician):
    for job in parts(order).values():
        job_arrive_at_point(job=ready(job), by=technician)
    order_hand_over_at_point(order=order, by=technician, method="cash")

    with pytest.raises(InvalidTransition, match="already handed over"):
        order_hand_over_at_point(order=order, by=technician, method="cash")


def test_a_pickup_point_needs_an_address(center):
    with pytest.raises(IntegrityError), transaction.atomic():
        PickupPoint.objects.filter(pk=center.pk).update(address="")
