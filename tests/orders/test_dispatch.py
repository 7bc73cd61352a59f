"""Dispatching jobs to co-ops: signed webhooks to a real local receiver, retries, emails,
and the delivery log the co-op reads through the API."""

import datetime
import json
import queue
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from orders import delivery as webhooks
from orders import dispatch, outbox
from orders.models import Job, OrderLine, WebhookAttempt, WebhookDelivery
from producers.models import Membership, Producer
from producers.services import producer_rotate_webhook_secret
from tests.factories import MembershipFactory, ProducerFactory, make_product
from tests.orders.receivers import CUSTOMER_EMAIL, DUE, make_job, manager_of, send

WEBHOOKS = outbox.POLICIES["webhook"]


def run_retry(delivery: WebhookDelivery) -> str:
    """Let the scheduled retry come due, then run it as a worker would."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    return outbox.send_outbox_message.call(kind="webhook", pk=delivery.pk)


# --- Delivering -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_dispatched_job_reaches_the_coop_signed_and_is_marked_delivered(receiver):
    job = make_job(receiver=receiver)

    delivery = send(job)

    (request,) = receiver.requests
    assert request.verified
    assert request.method == "POST"
    assert request.headers["webhook-id"] == delivery.message_id
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "CommunityProduction-Webhooks/1"
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.delivered_at is not None
    assert list(delivery.attempt_log.values_list("number", "status_code")) == [(1, 200)]


@pytest.mark.django_db
def test_a_message_id_is_msg_and_26_characters(receiver):
    delivery = send(make_job(receiver=receiver))

    assert delivery.message_id.startswith("msg_")
    assert len(delivery.message_id) == len("msg_") + 26


@pytest.mark.django_db
def test_the_payload_carries_the_job_its_lines_and_the_customers_name_and_phone(receiver):
    job = make_job(receiver=receiver)

    send(job)

    payload = receiver.requests[0].payload
    assert payload["type"] == "job.routed"
    assert payload["data"] == {
        "job_id": job.pk,
        "status": "routed",
        "due_date": "2026-12-01",
        "routing_reason": "test",
        "order_number": job.order.number,
        "fulfilment": "pickup",
        "currency": "usd",
        "total": "90.00",
        "lines": [
            {
                "title": "Cedar planter box",
                "quantity": 2,
                "unit_price": "45.00",
                "line_total": "90.00",
                "options": [],
                "personalisation": [],
                "design_files": [],
            }
        ],
        "customer": {"name": "Keisha Brown", "phone": "601-555-0142"},
        "drop_off": None,
    }


@pytest.mark.django_db
def test_the_payload_never_carries_the_customers_email_or_the_orders_token(receiver):
    job = make_job(receiver=receiver)

    send(job)

    body = receiver.requests[0].body.decode()
    assert CUSTOMER_EMAIL not in body
    assert job.order.access_token not in body
    assert "email" not in body


@pytest.mark.django_db
def test_a_delivery_order_gives_the_coop_the_address(receiver):
    job = make_job(receiver=receiver, fulfilment="delivery")

    send(job)

    customer = receiver.requests[0].payload["data"]["customer"]
    assert customer["delivery_address"] == "412 Mill St, Jackson, MS"


@pytest.mark.django_db
def test_the_payload_leaves_out_lines_that_other_coops_make(receiver):
    job = make_job(receiver=receiver)
    sewing = ProducerFactory(name="Sewing co-op")
    tote = make_product(producer=sewing, title="Canvas tote", price=Decimal("28.00"))
    other_job = Job.objects.create(
        order=job.order, producer=sewing, due_date=DUE, routing_reason="test", dispatched=True
    )
    OrderLine.objects.create(
        order=job.order,
        job=other_job,
        product=tote,
        title=tote.title,
        unit_price=Decimal("28.00"),
        quantity=1,
        line_total=Decimal("28.00"),
    )

    send(job)

    titles = [line["title"] for line in receiver.requests[0].payload["data"]["lines"]]
    assert titles == ["Cedar planter box"]


@pytest.mark.django_db
def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver):
    receiver.status = 302
    receiver.location = f"http://127.0.0.1:{receiver.port}/somewhere-else"
    job = make_job(receiver=receiver)

    delivery = send(job)

    assert [r.path for r in receiver.requests] == ["/hooks/jobs"]
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempt_log.get().status_code == 302


# --- Retrying ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unreachable_endpoint_logs_the_error_and_schedules_a_retry(receiver):
    job = make_job(receiver=receiver)
    receiver.stop()

    delivery = send(job)

    delivery.refresh_from_db()
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert "refused" in attempt.error.lower()
    assert attempt.url == receiver.url
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()


@pytest.mark.django_db
def test_a_retry_after_the_endpoint_comes_back_delivers_with_the_same_webhook_id(receiver):
    receiver.status = 500
    job = make_job(receiver=receiver)
    delivery = send(job)
    receiver.stop()
    run_retry(delivery)
    receiver.status = 200
    receiver.start()

    state = run_retry(delivery)

    assert state == WebhookDelivery.State.DELIVERED
    log = list(delivery.attempt_log.values_list("number", "status_code"))
    assert log == [(1, 500), (2, None), (3, 200)]
    ids = {request.headers["webhook-id"] for request in receiver.requests}
    assert ids == {delivery.message_id}
    assert len(receiver.requests) == 2


@pytest.mark.django_db
def test_a_retry_that_is_not_due_yet_sends_nothing(receiver):
    receiver.status = 500
    delivery = send(make_job(receiver=receiver))

    state = outbox.send_outbox_message.call(kind="webhook", pk=delivery.pk)

    assert state == "skipped"
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_the_back_off_waits_at_most_the_capped_exponential_ceiling():
    assert all(
        datetime.timedelta(0)
        <= outbox.backoff_delay(attempt=2, policy=WEBHOOKS)
        <= datetime.timedelta(seconds=120)
        for _ in range(200)
    )
    assert all(
        outbox.backoff_delay(attempt=30, policy=WEBHOOKS) <= datetime.timedelta(hours=6)
        for _ in range(200)
    )


@pytest.mark.django_db
def test_a_410_stops_the_delivery_for_good(receiver):
    receiver.status = 410
    delivery = send(make_job(receiver=receiver))
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.STOPPED
    assert delivery.next_attempt_at is None
    receiver.status = 200

    state = outbox.send_outbox_message.call(kind="webhook", pk=delivery.pk)

    assert state == "skipped"
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_the_delivery_is_given_up_after_exactly_the_last_attempt(receiver):
    receiver.status = 500
    delivery = send(make_job(receiver=receiver))
    for _ in range(WEBHOOKS.max_attempts - 2):
        run_retry(delivery)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.PENDING

    state = run_retry(delivery)

    assert state == WebhookDelivery.State.FAILED
    assert len(receiver.requests) == WEBHOOKS.max_attempts
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is None


@pytest.mark.django_db
def test_giving_up_disables_the_endpoint_and_tells_the_managers_why(receiver):
    receiver.status = 503
    job = make_job(receiver=receiver)
    manager = manager_of(job.producer)
    delivery = send(job)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=WEBHOOKS.max_attempts - 1)
    mail.outbox.clear()

    run_retry(delivery)

    job.producer.refresh_from_db()
    assert job.producer.webhook_disabled_at is not None
    (message,) = mail.outbox
    assert message.to == [manager.email]
    assert "disabled" in message.subject
    assert "HTTP 503" in message.body
    assert "new webhook URL" in message.body


@pytest.mark.django_db
def test_a_pending_retry_to_an_endpoint_disabled_meanwhile_is_not_sent(receiver):
    receiver.status = 500
    job = make_job(receiver=receiver)
    delivery = send(job)
    Producer.objects.filter(pk=job.producer_id).update(webhook_disabled_at=timezone.now())

    run_retry(delivery)

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED


# --- Email ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_coop_without_a_webhook_url_gets_the_job_by_email_only():
    job = make_job(webhook_url="")
    manager = manager_of(job.producer)

    delivery = send(job)

    assert delivery is None
    (message,) = mail.outbox
    assert message.to == [manager.email]
    assert message.subject == f"New job {job.order.number}: 2 items, due Tue 1 Dec"
    assert "2 × Cedar planter box at $45.00 = $90.00" in message.body
    assert "http://127.0.0.1:8000/workbench/" in message.body


@pytest.mark.django_db
def test_a_coop_whose_endpoint_was_disabled_gets_no_delivery(receiver):
    job = make_job(receiver=receiver)
    Producer.objects.filter(pk=job.producer_id).update(webhook_disabled_at=timezone.now())
    job.producer.refresh_from_db()

    send(job)

    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


@pytest.mark.django_db
def test_a_coop_with_a_webhook_is_emailed_the_job_as_well(receiver):
    job = make_job(receiver=receiver)
    manager = manager_of(job.producer)

    send(job)

    assert [message.to for message in mail.outbox] == [[manager.email]]


@pytest.mark.django_db
def test_a_ready_job_emails_the_customer_the_order_number_and_where_to_collect():
    producer = ProducerFactory(name="Woodshop co-op", address="1100 Robinson Rd, Jackson")
    job = make_job(producer=producer)

    dispatch.notify_customer_ready(job=job)

    (message,) = mail.outbox
    assert message.to == [CUSTOMER_EMAIL]
    assert job.order.number in message.subject
    assert "Pick it up at Woodshop co-op, 1100 Robinson Rd, Jackson." in message.body


# --- Signing ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_after_a_rotation_the_old_secret_still_verifies(receiver):
    job = make_job(receiver=receiver)
    old_secret = job.producer.webhook_secret
    producer_rotate_webhook_secret(producer=job.producer)
    receiver.secret = old_secret

    send(job)

    assert receiver.requests[0].verified


@pytest.mark.django_db
def test_after_a_rotation_the_new_secret_verifies(receiver):
    job = make_job(receiver=receiver)
    receiver.secret = producer_rotate_webhook_secret(producer=job.producer)

    send(job)

    assert receiver.requests[0].verified


@pytest.mark.django_db
def test_after_the_grace_period_the_old_secret_no_longer_verifies(receiver):
    job = make_job(receiver=receiver)
    old_secret = job.producer.webhook_secret
    producer_rotate_webhook_secret(producer=job.producer)
    Producer.objects.filter(pk=job.producer_id).update(
        webhook_secret_rotated_at=timezone.now() - datetime.timedelta(hours=25)
    )
    receiver.secret = old_secret

    send(job)

    assert not receiver.requests[0].verified


@pytest.mark.django_db
def test_a_timestamp_in_another_time_zone_is_signed_as_the_same_instant():
    producer = ProducerFactory()
    now = timezone.now()
    chicago = now.astimezone(datetime.timezone(datetime.timedelta(hours=-6)))

    assert webhooks.sign(producer, "msg_1", chicago, b"{}") == webhooks.sign(
        producer, "msg_1", now, b"{}"
    )


@pytest.mark.django_db
def test_a_naive_timestamp_is_refused_for_signing():
    producer = ProducerFactory()
    naive = datetime.datetime(2026, 12, 1, 9, 0)  # noqa: DTZ001

    with pytest.raises(ValueError, match="timezone-aware"):
        webhooks.sign(producer, "msg_1", naive, b"{}")


# --- The delivery log in the API --------------------------------------------------------


def _deliveries_url(producer: Producer) -> str:
    return reverse("api:producer-webhook-deliveries", kwargs={"slug": producer.slug})


def _log_deliveries(job: Job, count: int) -> list[WebhookDelivery]:
    deliveries = []
    for n in range(count):
        delivery = WebhookDelivery.objects.create(
            producer=job.producer,
            job=job,
            event="job.routed",
            message_id=webhooks.new_message_id(),
            payload={"n": n},
            attempts=2,
        )
        WebhookAttempt.objects.create(
            delivery=delivery, number=1, url="http://x.test/", error="TimeoutError: timed out"
        )
        WebhookAttempt.objects.create(
            delivery=delivery, number=2, url="http://x.test/", status_code=200, duration_ms=12
        )
        deliveries.append(delivery)
    return deliveries


@pytest.mark.django_db
def test_anyone_not_signed_in_is_asked_to_sign_in_for_the_delivery_log(api):
    job = make_job(webhook_url="http://x.test/")

    response = api.get(_deliveries_url(job.producer))

    assert response.status_code == 401


@pytest.mark.django_db
def test_another_coops_manager_may_not_read_the_delivery_log(api, other_manager):
    job = make_job(webhook_url="http://x.test/")
    _log_deliveries(job, 1)

    response = api.as_user(other_manager).get(_deliveries_url(job.producer))

    assert response.status_code == 403
    assert "results" not in response.json()


@pytest.mark.django_db
def test_a_member_reads_the_delivery_log_newest_first_with_its_attempts(api):
    job = make_job(webhook_url="http://x.test/")
    older, newer = _log_deliveries(job, 2)
    member = MembershipFactory(producer=job.producer, role=Membership.Role.MEMBER).user

    response = api.as_user(member).get(_deliveries_url(job.producer))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["message_id"] for r in results] == [newer.message_id, older.message_id]
    assert results[0]["job"] == job.pk
    assert results[0]["state"] == "pending"
    assert results[0]["attempt_log"] == [
        {
            "number": 1,
            "status_code": None,
            "error": "TimeoutError: timed out",
            "duration_ms": 0,
            "created_at": results[0]["attempt_log"][0]["created_at"],
        },
        {
            "number": 2,
            "status_code": 200,
            "error": "",
            "duration_ms": 12,
            "created_at": results[0]["attempt_log"][1]["created_at"],
        },
    ]


@pytest.mark.django_db
def test_the_delivery_log_never_shows_the_signing_secret(api, staff):
    job = make_job(webhook_url="http://x.test/")
    _log_deliveries(job, 1)

    response = api.as_user(staff).get(_deliveries_url(job.producer))

    assert response.status_code == 200
    assert job.producer.webhook_secret not in response.content.decode()
    assert "secret" not in response.content.decode()


@pytest.mark.django_db
def test_the_delivery_log_takes_the_same_few_queries_however_many_deliveries(
    api, django_assert_max_num_queries
):
    job = make_job(webhook_url="http://x.test/")
    _log_deliveries(job, 8)
    member = MembershipFactory(producer=job.producer, role=Membership.Role.MEMBER).user
    client = api.as_user(member)

    with django_assert_max_num_queries(5):
        response = client.get(_deliveries_url(job.producer))

    assert len(response.json()["results"]) == 8


# --- Two workers at once (PostgreSQL) ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_delivery_at_once_send_it_once(receiver):
    job = make_job(receiver=receiver)
    delivery = WebhookDelivery.objects.create(
        producer=job.producer,
        job=job,
        event="job.routed",
        message_id=webhooks.new_message_id(),
        payload=json.loads(json.dumps(webhooks.job_payload(job, "job.routed"))),
    )
    # The receiver holds its answer until released, so the second worker runs
    # while the first is in the middle of its call.
    receiver.hold = True
    start = threading.Barrier(2)
    finished: queue.Queue = queue.Queue()

    def worker():
        try:
            start.wait(timeout=5)
            finished.put(outbox.send_outbox_message.call(kind="webhook", pk=delivery.pk))
        except Exception as exc:  # surfaced below, not lost in the thread
            finished.put(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    first = finished.get(timeout=15)
    receiver.release.set()
    for thread in threads:
        thread.join(timeout=15)
    second = finished.get(timeout=15)

    assert (first, second) == ("skipped", WebhookDelivery.State.DELIVERED)
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1
