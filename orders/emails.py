"""Emails: rendered from templates when they are queued, sent by the outbox with retries.

`email_queue` renders `orders/emails/<template>_subject.txt`, `<template>.txt` and
`<template>.html` and writes an `Email` row with its task, inside the caller's
transaction: an email about a change commits or rolls back with the change, and
says what was true when it was made.
"""

import logging
import smtplib
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from backend.money import format_money as money  # one way to write money, pages and emails
from orders import outbox
from orders.models import Email, Job, Order, OrderLine, Refund
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
    if not any(to):
        return None
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"orders/emails/{template}_subject.txt", context)
    return email_queue_rendered(
        to=to,
        subject=subject,
        body_text=render_to_string(f"orders/emails/{template}.txt", context).rstrip() + "\n",
        body_html=render_to_string(f"orders/emails/{template}.html", context),
        kind=kind,
        order=order,
        job=job,
        producer=producer,
    )


def email_queue_rendered(
    *,
    to: list[str],
    subject: str,
    body_text: str,
    body_html: str,
    kind: str,
    order: Order | None = None,
    job: Job | None = None,
    producer: Producer | None = None,
) -> Email | None:
    """Queue an email another app rendered (the Fab Lab's, say) for sending. None when
    there is nobody to send it to. Call it inside the transaction of the change it is
    about, as `email_queue`."""
    recipients = [address for address in to if address]
    if not recipients:
        return None
    email = Email.objects.create(
        kind=kind,
        recipients=recipients,
        subject=" ".join(subject.split())[:300],
        body_text=body_text,
        body_html=body_html,
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
            "title": line.described,
            **(
                {"unit_price": money(line.unit_price), "line_total": money(line.line_total)}
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
            "point": order.pickup_point,
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
        "part": _part(job, order),
        "point": order.pickup_point,
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


def email_customer_at_point(*, order: Order, jobs: list[Job]) -> Email | None:
    """Tell the resident that every part of their order is waiting at its pickup point."""
    return email_queue(
        to=[order.contact_email],
        template="order_at_point",
        context={
            "order": order,
            "point": order.pickup_point,
            "parts": [
                {"producer": job.producer, "lines": _lines(job, prices=False)} for job in jobs
            ],
            "pay_at_pickup": order.payment_method == Order.PaymentMethod.PAY_AT_PICKUP,
            "collect_by": order.collect_by,
            "order_url": _order_url(order),
        },
        kind="order.at_point",
        order=order,
    )


def email_customer_not_collected(
    *, order: Order, lines: list[OrderLine], refunded: bool = False
) -> Email | None:
    """Tell the resident that their order (or these lines of it) was not collected in time
    and is released; `refunded` when a card payment for them is being given back."""
    return email_queue(
        to=[order.contact_email],
        template="order_not_collected",
        context={
            "order": order,
            "lines": [{"quantity": line.quantity, "title": line.described} for line in lines],
            "order_url": _order_url(order),
            "refunded": refunded,
            "pay_at_pickup": order.payment_method == Order.PaymentMethod.PAY_AT_PICKUP,
        },
        kind="order.not_collected",
        order=order,
    )


def email_customer_collect_reminder(
    *, order: Order, step: str, lines: list[OrderLine]
) -> Email | None:
    """Remind the resident that these lines are ready and waiting (`step`: "waiting", or
    "last_day" before the order's `collect_by`)."""
    return email_queue(
        to=[order.contact_email],
        template="order_collect_reminder",
        context={
            "order": order,
            "last_day": step == "last_day",
            "lines": [{"quantity": line.quantity, "title": line.described} for line in lines],
            "pay_at_pickup": order.payment_method == Order.PaymentMethod.PAY_AT_PICKUP,
            "order_url": _order_url(order),
        },
        kind=f"order.collect_reminder.{step}",
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


# --- The resident's order, step by step ------------------------------------------------


def _line_rows(lines, currency: str) -> list[dict]:
    return [
        {
            "quantity": line.quantity,
            "title": line.described,
            "line_total": money(line.line_total, currency),
        }
        for line in sorted(lines, key=lambda line: line.pk)
    ]


def _part(job: Job, order: Order, lines: list[OrderLine] | None = None) -> dict:
    """One co-op's part of an order: what it makes, where and when to collect it, and what
    it costs (its lines not cancelled)."""
    if lines is None:
        lines = [line for line in job.lines.all() if not line.cancelled]
    producer = job.producer
    amount = sum((line.line_total for line in lines), Decimal("0"))
    return {
        "producer": producer.name,
        "pickup_place": producer.pickup_place,
        "opening_hours": producer.opening_hours,
        "public_phone": producer.public_phone,
        "due_date": job.due_date,
        "lines": _line_rows(lines, order.currency),
        "amount": money(amount, order.currency),
    }


def _order_context(order: Order) -> dict:
    return {
        "order": order,
        "order_url": _order_url(order),
        "delivery": order.fulfilment == Order.Fulfilment.DELIVERY,
        "pay_at_pickup": order.payment_method == Order.PaymentMethod.PAY_AT_PICKUP,
        "total": money(order.total, order.currency),
    }


def _to_resident(order: Order, *, template: str, kind: str, context: dict, job=None, producer=None):
    return email_queue(
        to=[order.contact_email],
        template=template,
        context=_order_context(order) | context,
        kind=kind,
        order=order,
        job=job,
        producer=producer,
    )


def email_order_placed(*, order: Order) -> Email | None:
    """Tell the resident their order is confirmed: each co-op's part, where and when to
    collect it (or where it is delivered), what to pay and how, and the order's link.

    Call it once, in the transaction that confirms the order (`confirm_payment`).
    """
    jobs = (
        order.jobs.filter(status__in=Job.OPEN_STATUSES)
        .select_related("producer")
        .prefetch_related("lines")
        .order_by("pk")
    )
    parts = [part for part in (_part(job, order) for job in jobs) if part["lines"]]
    return _to_resident(
        order, template="order_placed", kind="order.placed", context={"parts": parts}
    )


def email_order_part_declined(
    *,
    order: Order,
    job: Job,
    reason: str,
    moved: list[OrderLine],
    dropped: list[OrderLine],
    refunded: Decimal,
) -> Email | None:
    """Tell the resident a co-op declined its part, why, and what happens next: the lines
    another co-op took on (named, with where to collect), and the lines cancelled, with
    the money given back for them and what the order now comes to.

    Call it in the transaction of the decline, after the order's totals were reduced.
    """
    taken: dict[int, list[OrderLine]] = {}
    for line in moved:
        taken.setdefault(line.job_id, []).append(line)
    new_jobs = Job.objects.filter(pk__in=taken).select_related("producer").order_by("pk")
    return _to_resident(
        order,
        template="order_part_declined",
        kind="order.part_declined",
        context={
            "declined_by": job.producer.name,
            "reason": reason,
            "rerouted": [_part(new, order, taken[new.pk]) for new in new_jobs],
            "cancelled": _line_rows(dropped, order.currency),
            "refunded": money(refunded, order.currency) if refunded > 0 else "",
            "nothing_left": order.status == Order.Status.CANCELLED,
        },
        job=job,
        producer=job.producer,
    )


def email_order_cancelled(
    *, order: Order, lines: list[OrderLine], refunded: Decimal, by_customer: bool
) -> Email | None:
    """Tell the resident their whole order was cancelled (as they asked, or why not), and
    what is given back."""
    return _to_resident(
        order,
        template="order_cancelled",
        kind="order.cancelled",
        context={
            "lines": _line_rows(lines, order.currency),
            "refunded": money(refunded, order.currency) if refunded > 0 else "",
            "by_you": by_customer,
        },
    )


def email_order_expired(*, order: Order, lines: list[OrderLine]) -> Email | None:
    """Tell the resident an unpaid card order ran out of time: nothing was charged."""
    return _to_resident(
        order,
        template="order_expired",
        kind="order.expired",
        context={"lines": _line_rows(lines, order.currency)},
    )


def email_refund_succeeded(*, refund: Refund) -> Email | None:
    """Tell the resident their money is on its way back: how much, and for what.

    Call it once, in the transaction that records that the refund succeeded.
    """
    order = refund.order
    job = refund.job
    lines = list(job.lines.filter(cancelled=True)) if job is not None else []
    return _to_resident(
        order,
        template="order_refunded",
        kind="order.refunded",
        context={
            "amount": money(refund.amount, order.currency),
            "part_of": job.producer.name if job is not None else "",
            "lines": _line_rows(lines, order.currency),
            "whole": job is None
            and order.status in (Order.Status.CANCELLED, Order.Status.REFUNDED),
        },
        job=job,
    )


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
