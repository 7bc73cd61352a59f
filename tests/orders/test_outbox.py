"""The outbox: claim, lease, record, back-off and give-up, the same for every kind; and the
emails it sends, rendered from templates when they are queued."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.db import transaction
from django.tasks import task_backends
from django.test import override_settings
from django.utils import timezone

from orders import emails, outbox
from orders.models import Email, OutboxAttempt, OutboxState, Payout
from tests.factories import ProducerFactory
from tests.orders.receivers import CUSTOMER_EMAIL, make_job, manager_of

DEFERRING = {
    "default": {
        "BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "webhooks", "email"],
    }
}
EMAILS = outbox.POLICIES["email"]


def queued_email(**overrides) -> Email:
    """An email row as `email_queue` leaves it, without running its task."""
    fields = {
        "kind": "test",
        "recipients": ["someone@example.org"],
        "subject": "Hello",
        "body_text": "Hello\n",
        **overrides,
    }
    return Email.objects.create(**fields)


def send_now(email: Email) -> str:
    return outbox.send_outbox_message.call(kind="email", pk=email.pk)


@pytest.fixture
def smtp_down(monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)


# --- The registry and the policies --------------------------------------------------------


def test_every_kind_the_worker_knows_has_a_retry_policy_and_a_sender():
    assert set(outbox.SENDERS) == set(outbox.POLICIES) == {"webhook", "refund", "payout", "email"}


@pytest.mark.parametrize("kind", sorted(outbox.POLICIES))
def test_the_back_off_never_waits_past_the_kinds_cap(kind):
    policy = outbox.POLICIES[kind]

    waits = [outbox.backoff_delay(attempt=40, policy=policy) for _ in range(200)]

    assert all(datetime.timedelta(0) <= wait <= policy.cap for wait in waits)


def test_the_back_off_is_jittered_below_the_exponential_ceiling():
    waits = {outbox.backoff_delay(attempt=1, policy=EMAILS) for _ in range(50)}

    assert len(waits) > 1
    assert max(waits) <= EMAILS.base * 2


# --- Claiming ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claimed_row_is_leased_and_cannot_be_claimed_again_meanwhile():
    email = queued_email()

    row, number = outbox.claim(kind="email", pk=email.pk)

    assert number == 1
    assert row.leased_until > timezone.now()
    assert outbox.claim(kind="email", pk=email.pk) is None


@pytest.mark.django_db
def test_a_row_whose_lease_ran_out_is_claimed_again_as_the_next_try():
    email = queued_email()
    outbox.claim(kind="email", pk=email.pk)
    Email.objects.filter(pk=email.pk).update(leased_until=timezone.now())

    _row, number = outbox.claim(kind="email", pk=email.pk)

    assert number == 2


@pytest.mark.django_db
def test_a_finished_row_is_not_claimed():
    email = queued_email(state=OutboxState.DELIVERED)

    assert outbox.claim(kind="email", pk=email.pk) is None


# --- Recording ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sent_email_is_delivered_and_its_try_logged():
    email = queued_email()

    assert send_now(email) == OutboxState.DELIVERED

    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.leased_until is None
    assert [m.subject for m in mail.outbox] == ["Hello"]
    attempt = OutboxAttempt.objects.get(kind="email", object_id=email.pk)
    assert (attempt.number, attempt.error) == (1, "")


@pytest.mark.django_db
def test_a_failed_try_is_logged_with_its_error_and_retried_later(smtp_down):
    email = queued_email()

    assert send_now(email) == OutboxState.PENDING

    email.refresh_from_db()
    assert email.attempts == 1
    assert "SMTPServerDisconnected" in email.last_error
    assert email.next_attempt_at > timezone.now()
    assert email.leased_until is None
    assert OutboxAttempt.objects.get(kind="email", object_id=email.pk).number == 1


@pytest.mark.django_db
def test_a_retry_is_queued_to_run_when_it_is_due_on_a_backend_that_defers(smtp_down):
    email = queued_email()
    with override_settings(TASKS=DEFERRING):
        row, number = outbox.claim(kind="email", pk=email.pk)
        failed = outbox.Result(outbox.Outcome.FAILED, error="down")

        row = outbox.record(kind="email", pk=email.pk, number=number, result=failed)

        (queued,) = task_backends["default"].results
    assert queued.kwargs == {"kind": "email", "pk": email.pk}
    assert queued.task.run_after == row.next_attempt_at
    assert queued.task.queue_name == "email"


@pytest.mark.django_db
def test_the_last_try_failing_gives_up(smtp_down):
    email = queued_email(attempts=EMAILS.max_attempts - 1)

    assert send_now(email) == OutboxState.FAILED

    email.refresh_from_db()
    assert email.next_attempt_at is None
    assert email.attempts == EMAILS.max_attempts


@pytest.mark.django_db
def test_the_try_before_the_last_failing_does_not_give_up(smtp_down):
    email = queued_email(attempts=EMAILS.max_attempts - 2)

    assert send_now(email) == OutboxState.PENDING


@pytest.mark.django_db
def test_a_recipient_the_server_refuses_stops_the_email(monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    email = queued_email()

    assert send_now(email) == OutboxState.STOPPED


# --- The sweep ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_sends_a_row_whose_worker_died_once_its_lease_ran_out():
    email = queued_email()
    outbox.claim(kind="email", pk=email.pk)  # ...and the worker died here
    assert outbox.requeue_due()["email"] == 0
    Email.objects.filter(pk=email.pk).update(leased_until=timezone.now())

    assert outbox.requeue_due()["email"] == 1

    email.refresh_from_db()
    assert email.state == OutboxState.DELIVERED
    assert email.attempts == 2


@pytest.mark.django_db
def test_the_sweep_leaves_a_retry_that_is_not_overdue_to_its_own_task():
    queued_email(next_attempt_at=timezone.now() - outbox.SWEEP_GRACE / 2)

    assert outbox.requeue_due()["email"] == 0


@pytest.mark.django_db
def test_the_sweep_sends_an_overdue_retry():
    queued_email(next_attempt_at=timezone.now() - outbox.SWEEP_GRACE * 2)

    assert outbox.requeue_due()["email"] == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_leaves_held_payouts_alone():
    job = make_job()
    Payout.objects.create(
        job=job,
        producer=job.producer,
        amount=job.total,
        community_share=0,
        community_percent=0,
        status=Payout.Status.OWED,
        state=OutboxState.HELD,
        next_attempt_at=timezone.now() - datetime.timedelta(days=1),
    )

    assert outbox.requeue_due()["payout"] == 0


# --- Emails from templates ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_email_is_rendered_when_it_is_queued_with_a_text_and_an_html_body():
    job = make_job()
    manager_of(job.producer)

    email = emails.email_job_to_managers(job=job, event="job.routed")

    assert email.subject == f"New job {job.order.number}: 2 items, due Tue 1 Dec"
    assert "2 × Cedar planter box at $45.00 = $90.00" in email.body_text
    assert "<li>2 × Cedar planter box at $45.00 = $90.00</li>" in email.body_html
    assert (email.job, email.order, email.producer) == (job, job.order, job.producer)
    (message,) = mail.outbox
    assert message.alternatives[0].mimetype == "text/html"


@pytest.mark.django_db
def test_names_are_escaped_in_the_html_body_and_kept_as_written_in_the_text():
    job = make_job()
    job.order.contact_name = "Ann & <b>Bo</b>"
    job.order.save()

    email = emails.email_customer_ready(job=job)

    assert "Hello Ann & <b>Bo</b>," in email.body_text
    assert "Ann &amp; &lt;b&gt;Bo&lt;/b&gt;" in email.body_html


@pytest.mark.django_db
def test_the_ready_email_keeps_its_wording():
    producer = ProducerFactory(name="Woodshop co-op", address="1100 Robinson Rd, Jackson")
    job = make_job(producer=producer)
    order = job.order

    email = emails.email_customer_ready(job=job)

    assert email.recipients == [CUSTOMER_EMAIL]
    assert email.subject == f"Your order {order.number} is ready"
    assert email.body_text == (
        "Hello Keisha Brown,\n\n"
        f"Woodshop co-op has finished this from your order {order.number}:\n\n"
        "  2 × Cedar planter box\n\n"
        "Pick it up at Woodshop co-op, 1100 Robinson Rd, Jackson.\n"
        f"Give your order number: {order.number}.\n"
        "Bring $90.00 when you collect: you pay for this part there.\n\n"
        "Follow your order here: "
        f"http://127.0.0.1:8000/orders/{order.number}/?token={order.access_token}\n"
    )


@pytest.mark.django_db
def test_an_email_with_nobody_to_send_to_is_not_queued():
    job = make_job()  # a co-op without managers

    assert emails.email_job_to_managers(job=job, event="job.routed") is None
    assert not Email.objects.exists()


@pytest.mark.django_db
def test_an_email_queued_in_a_transaction_that_rolls_back_is_not_kept():
    job = make_job()

    def change_that_fails():
        with transaction.atomic():
            emails.email_customer_ready(job=job)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert not Email.objects.exists()
