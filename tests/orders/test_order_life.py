"""A resident's order in their own hands, and no-shows (issue 16, parts 3 and 4): services.

Time moves by passing `now=`; nothing here waits.
"""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from catalog.models import Product, StockBalance
from orders import housekeeping, services
from orders.exceptions import InvalidTransition
from orders.models import Email, Job, Order, PickupReminder
from orders.services import collection as pickup
from tests.factories import make_product, paid_in_full, place

pytestmark = pytest.mark.django_db

J = Job.Status
HOLD, AFTER, BEFORE = 7, 2, 1
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def schedule(settings):
    settings.PICKUP_HOLD_DAYS = HOLD
    settings.PICKUP_REMIND_AFTER_DAYS = AFTER
    settings.PICKUP_REMIND_BEFORE_DAYS = BEFORE


def make_ready(job):
    for move in (services.job_accept, services.job_start, services.job_ready):
        job = move(job=job, by=None)
    return job


def ready_order(*lines, **kwargs):
    order = place(*lines, **kwargs)
    for job in order.jobs.all():
        make_ready(job)
    order.refresh_from_db()
    return order


def on_shelf(product) -> tuple[Decimal, Decimal]:
    sums = StockBalance.objects.filter(material=product.stock_item).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    return sums["on_hand"], sums["reserved"]


def reminders(order) -> list[str]:
    return list(
        Email.objects.filter(order=order, kind__startswith="order.collect_reminder")
        .order_by("pk")
        .values_list("kind", flat=True)
    )


# --- Expected date per line ---------------------------------------------------------------


def test_ready_made_goods_are_not_held_back_by_a_slow_line_of_the_same_coop(woodshop, stool):
    bookshelf = make_product(
        producer=woodshop,
        title="Bookshelf",
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=21,
    )
    today = timezone.localdate()

    order = place((stool, 2), (bookshelf, 1))

    dates = {line.title: line.expected_date for line in order.lines.all()}
    assert dates == {"Stool": today + DAY, "Bookshelf": today + 21 * DAY}
    assert order.jobs.get().due_date == today + 21 * DAY


# --- Cancelling -----------------------------------------------------------------------------


def test_cancelling_twice_says_the_order_is_already_cancelled(stool):
    order = place((stool, 1))
    services.order_cancel(order=order, by=None)

    with pytest.raises(InvalidTransition, match="already cancelled"):
        services.order_cancel(order=order, by=None)

    assert on_shelf(stool) == (5, 0)


def test_an_order_cannot_be_cancelled_once_production_started(stool):
    order = place((stool, 1))
    job = services.job_accept(job=order.jobs.get(), by=None)
    services.job_start(job=job, by=None)

    with pytest.raises(InvalidTransition, match="not yet being made"):
        services.order_cancel(order=order, by=None)

    assert Order.objects.get(pk=order.pk).status == Order.Status.IN_PRODUCTION


# --- Reminders to collect ---------------------------------------------------------------------


def test_no_reminder_goes_out_before_the_part_has_waited_its_days(stool):
    order = ready_order((stool, 1))

    sent = services.orders_remind_to_collect(now=timezone.now() + AFTER * DAY - DAY / 2)

    assert sent == 0
    assert reminders(order) == []


def test_a_ready_part_nobody_collects_gets_a_reminder_after_two_days_once(stool):
    order = ready_order((stool, 1))
    later = timezone.now() + AFTER * DAY + datetime.timedelta(minutes=1)

    first = services.orders_remind_to_collect(now=later)
    again = services.orders_remind_to_collect(now=later + datetime.timedelta(hours=1))

    assert (first, again) == (1, 0)
    assert reminders(order) == ["order.collect_reminder.waiting"]
    email = Email.objects.get(order=order, kind="order.collect_reminder.waiting")
    assert email.recipients == [order.contact_email]
    assert "ready and waiting" in email.body_text


def test_the_day_before_the_deadline_brings_a_last_reminder_once(stool):
    order = ready_order((stool, 1))
    services.orders_remind_to_collect(now=timezone.now() + AFTER * DAY + DAY / 4)
    last_day = order.collect_by - BEFORE * DAY + datetime.timedelta(minutes=1)

    services.orders_remind_to_collect(now=last_day)
    services.orders_remind_to_collect(now=last_day + datetime.timedelta(hours=2))

    assert reminders(order) == [
        "order.collect_reminder.waiting",
        "order.collect_reminder.last_day",
    ]
    last = Email.objects.filter(order=order).latest("pk")
    assert "Last day to collect" in last.subject
    assert order.collect_by.strftime("%a %-d %b") in last.body_text


def test_two_reminders_due_at_once_send_only_the_more_urgent(stool):
    order = ready_order((stool, 1))

    services.orders_remind_to_collect(now=order.collect_by - DAY / 2)
    services.orders_remind_to_collect(now=order.collect_by - DAY / 4)

    assert reminders(order) == ["order.collect_reminder.last_day"]
    assert set(PickupReminder.objects.values_list("step", flat=True)) == {"waiting", "last_day"}


def test_housekeeping_sends_the_reminders(stool, monkeypatch):
    order = ready_order((stool, 1))
    later = timezone.now() + AFTER * DAY + DAY / 4
    monkeypatch.setattr(timezone, "now", lambda: later)

    results = housekeeping.housekeeping_run()

    assert results["collect_reminders"] == 1
    assert reminders(order) == ["order.collect_reminder.waiting"]


def test_a_collected_order_gets_no_reminder(stool):
    order = ready_order((stool, 1))
    job = order.jobs.get()
    services.job_hand_over(job=job, by=None, payment=paid_in_full(job))

    assert services.orders_remind_to_collect(now=order.collect_by - DAY / 2) == 0


# --- The co-op marks a no-show ---------------------------------------------------------------


def test_a_coop_marks_a_ready_part_not_collected_and_it_goes_back_on_sale(stool):
    order = ready_order((stool, 2))
    assert on_shelf(stool) == (3, 0)

    job = services.job_no_show(job=order.jobs.get(), by=None)

    assert job.status == J.CANCELLED
    assert on_shelf(stool) == (5, 0)
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "Not collected in time")
    assert order.lines.get().cancelled
    email = Email.objects.get(kind="order.not_collected")
    assert "You paid nothing" in email.body_text


def test_a_no_show_of_one_part_leaves_the_other_parts_alone(stool, tote):
    order = place((stool, 1), (tote, 1))
    stool_job = make_ready(order.jobs.get(producer=stool.producer))

    services.job_no_show(job=stool_job, by=None)

    order.refresh_from_db()
    assert order.is_open
    assert not order.lines.get(product=tote).cancelled
    assert order.jobs.get(producer=tote.producer).status == J.ROUTED
    assert on_shelf(stool) == (5, 0)
    assert on_shelf(tote) == (5, 1)


def test_a_part_marked_not_collected_no_longer_counts_in_the_orders_total(stool, tote):
    order = place((stool, 1), (tote, 1))  # 60.00 + 28.00
    stool_job = make_ready(order.jobs.get(producer=stool.producer))

    services.job_no_show(job=stool_job, by=None)

    order.refresh_from_db()
    assert (order.subtotal, order.total) == (Decimal("28.00"), Decimal("28.00"))


@pytest.mark.parametrize("moves", [0, 1, 2], ids=["routed", "accepted", "in production"])
def test_only_a_ready_part_can_be_marked_not_collected(stool, moves):
    job = place((stool, 1)).jobs.get()
    for move in (services.job_accept, services.job_start)[:moves]:
        job = move(job=job, by=None)
    before = on_shelf(stool)

    with pytest.raises(InvalidTransition):
        services.job_no_show(job=job, by=None)

    assert Job.objects.get(pk=job.pk).status == job.status
    assert on_shelf(stool) == before


def test_a_part_marked_not_collected_is_not_released_again_by_housekeeping(stool):
    order = ready_order((stool, 1))
    services.job_no_show(job=order.jobs.get(), by=None)

    released = services.orders_release_no_shows(now=order.collect_by + DAY)

    assert released == 0
    assert on_shelf(stool) == (5, 0)
    assert Email.objects.filter(kind="order.not_collected").count() == 1


def test_an_order_already_reminded_is_not_looked_at_again_until_its_last_day(stool, monkeypatch):
    order = ready_order((stool, 1))
    services.orders_remind_to_collect(now=timezone.now() + AFTER * DAY + DAY / 4)
    looked_at = []
    monkeypatch.setattr(
        pickup, "order_remind_to_collect", lambda *, order, now: looked_at.append(order) or ""
    )

    pickup.orders_remind_to_collect(now=timezone.now() + (AFTER + 1) * DAY)
    pickup.orders_remind_to_collect(now=order.collect_by - DAY / 2)

    assert looked_at == [order]
