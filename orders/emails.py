"""Emails: rendered from templates when they are queued, sent by the outbox with retries.

`email_queue` renders `orders/emails/<template>_subject.txt`, `<template>.txt` and
`<template>.html` and writes an `Email` row with its task, inside the caller's
transaction: an email about a change commits or rolls back with the change, and
says what was true when it was made.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from orders import outbox
from orders.models import Email, Job, Order, OrderLine
from producers.models import Invitation, Membership, Producer

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = {"job.routed": "New job"}


def email_queue(
    *,
    to: list[str],
    template: str,
    context: dict,
    kind: str,
    order: Order | None = None,
    job: Job | None = None,
    producer: Producer | None = None,
) -> Email | None:
    """Render an email and queue it for sending. None when there is nobody to send it to.

    Call it inside the transaction of the change the email is about. Writes one
    `Email` row and enqueues its task; raises TemplateDoesNotExist for a bad name.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return None
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"orders/emails/{template}_subject.txt", context)
    email = Email.objects.create(
        kind=kind,
        recipients=recipients,
        subject=" ".join(subject.split())[:300],
        body_text=render_to_string(f"orders/emails/{template}.txt", context).rstrip() + "\n",
        body_html=render_to_string(f"orders/emails/{template}.html", context),
        order=order,
        job=job,
        producer=producer,
    )
    outbox.enqueue(kind="email", pk=email.pk)
    return email


def managers_emails(producer_id: int) -> list[str]:
    return list(
        Membership.objects.filter(
            producer_id=producer_id, role=Membership.Role.MANAGER, user__is_active=True
        )
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )


def _lines(job: Job, *, prices: bool) -> list[dict]:
    # `all()`, not `filter()`: dispatching has the lines prefetched already.
    lines = sorted(
        (line for line in job.lines.all() if not line.cancelled), key=lambda line: line.pk
    )
    return [
        {
            "quantity": line.quantity,
            "title": line.title,
            **(
                {"unit_price": f"{line.unit_price:.2f}", "line_total": f"{line.line_total:.2f}"}
                if prices
                else {}
            ),
        }
        for line in lines
    ]


def email_job_to_managers(*, job: Job, event: str) -> Email | None:
    """Email a job (or its cancellation) to its producer's managers. Sent whether or not the
    co-op has a webhook: for a co-op without one, this and the job board are how work arrives."""
    order = job.order
    context = {"job": job, "order": order}
    if event == "job.cancelled":
        template = "job_cancelled"
    else:
        template = "job_routed"
        lines = _lines(job, prices=True)
        context |= {
            "lines": lines,
            "items": sum(line["quantity"] for line in lines),
            "prefix": SUBJECT_PREFIX.get(event, "Job update"),
            "delivery": order.fulfilment == Order.Fulfilment.DELIVERY,
        }
    return email_queue(
        to=managers_emails(job.producer_id),
        template=template,
        context=context,
        kind=event,
        order=order,
        job=job,
        producer=job.producer,
    )


def email_customer_ready(*, job: Job) -> Email | None:
    """Tell the resident that one co-op's part of their order is ready, and how to get it."""
    order = job.order
    waiting = order.jobs.exclude(pk=job.pk).filter(
        status__in=[Job.Status.ROUTED, Job.Status.ACCEPTED, Job.Status.IN_PRODUCTION]
    )
    context = {
        "order": order,
        "producer": job.producer,
        "lines": _lines(job, prices=False),
        "whole": not waiting.exists(),
        "delivery": order.fulfilment == Order.Fulfilment.DELIVERY,
        "pay_at_pickup": order.payment_method == Order.PaymentMethod.PAY_AT_PICKUP,
        "collect_by": order.collect_by,
        "order_url": _order_url(order),
    }
    return email_queue(
        to=[order.contact_email],
        template="order_ready",
        context=context,
        kind="order.ready",
        order=order,
        job=job,
        producer=job.producer,
    )


def email_customer_not_collected(*, order: Order, lines: list[OrderLine]) -> Email | None:
    """Tell the resident that their order was not collected in time and is released."""
    return email_queue(
        to=[order.contact_email],
        template="order_not_collected",
        context={
            "order": order,
            "lines": [{"quantity": line.quantity, "title": line.title} for line in lines],
            "order_url": _order_url(order),
        },
        kind="order.not_collected",
        order=order,
    )


def _order_url(order: Order) -> str:
    return f"{settings.SITE_URL}/orders/{order.number}/?token={order.access_token}"


def email_webhook_disabled(*, producer: Producer, reason: str) -> Email | None:
    """Tell a co-op's managers that their webhook endpoint was turned off, and why."""
    return email_queue(
        to=managers_emails(producer.pk),
        template="webhook_disabled",
        context={"producer": producer, "reason": reason},
        kind="webhook.disabled",
        producer=producer,
    )


def _send(email: Email) -> outbox.Result:
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text, to=list(email.recipients)
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        # A recipient the server refuses outright will not be accepted later either.
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            return outbox.Result(outbox.Outcome.STOPPED, error=f"Refused: {exc}"[:500])
        return outbox.Result(outbox.Outcome.FAILED, error=f"{type(exc).__name__}: {exc}"[:500])
    return outbox.Result(outbox.Outcome.SENT, fields={"sent_at": timezone.now()})


outbox.register(outbox.Sender(kind="email", model=Email, send=_send, queue_name="email"))


def email_invitation(*, invitation: Invitation, token: str) -> Email | None:
    """Send an invitation's link (with its token, which only this email carries)."""
    return email_queue(
        to=[invitation.email],
        template="invitation",
        context={
            "invitation": invitation,
            "producer": invitation.producer,
            "role": invitation.get_role_display().lower(),
            "inviter": _person(invitation.invited_by),
            "accept_url": f"{settings.SITE_URL}/invitations/{token}/",
        },
        kind="member.invited",
        producer=invitation.producer,
    )


def _person(user) -> str:
    if user is None:
        return "The co-op's managers"
    return user.get_full_name() or user.get_username()
