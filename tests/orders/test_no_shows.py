"""Pay-at-pickup holds end: an order nobody collects is released as a no-show (issue 14, 2)."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from catalog.models import BillOfMaterialsLine, Product, StockBalance, StockMovement
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from orders import housekeeping, services
from orders.models import Email, Job, Order
from producers.models import Membership
from tests.factories import (
    FabLabFactory,
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    SharedLocationFactory,
    UserFactory,
    make_product,
    paid_in_full,
    place,
)

pytestmark = pytest.mark.django_db

J = Job.Status
HOLD = 7
LATER = datetime.timedelta(days=60)


@pytest.fixture(autouse=True)
def hold(settings):
    settings.PICKUP_HOLD_DAYS = HOLD


@pytest.fixture
def woodshop():
    producer = ProducerFactory(name="Woodshop", slug="woodshop", capabilities=["woodworking"])
    MembershipFactory(
        producer=producer, role=Membership.Role.MANAGER, user=UserFactory(username="wood-boss")
    )
    return producer


@pytest.fixture
def stool(woodshop):
    product = make_product(producer=woodshop, title="Stool", price=Decimal("60.00"))
    product_stock_receive(product=product, quantity=5, by=None, reason="made")
    return product


@pytest.fixture
def plywood():
    material = MaterialFactory(sku="PLY", name="Plywood")
    store = SharedLocationFactory(producer=FabLabFactory(), code="shared-rack")
    stock_receive(material=material, location=store, quantity="10", by=None, reason="in")
    return material


@pytest.fixture
def shelf(woodshop, plywood):
    product = make_product(
        producer=woodshop,
        title="Shelf",
        price=Decimal("40.00"),
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=5,
    )
    BillOfMaterialsLine.objects.create(product=product, material=plywood, quantity=2)
    return product


def balance(material) -> tuple[Decimal, Decimal]:
    sums = StockBalance.objects.filter(material=material).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    return sums["on_hand"], sums["reserved"]


def make_ready(order: Order) -> None:
    for job in order.jobs.all():
        services.job_accept(job=job, by=None)
        services.job_start(job=job, by=None)
        services.job_ready(job=job, by=None)


def after_the_hold(order: Order) -> datetime.datetime:
    order.refresh_from_db()
    return order.collect_by + datetime.timedelta(seconds=1)


# --- The deadline -------------------------------------------------------------------


def test_a_pay_at_pickup_order_must_be_collected_within_the_hold_after_its_latest_due_date(
    shelf,
):
    order = place((shelf, 1))

    (job,) = order.jobs.all()
    day_after_due = datetime.datetime.combine(
        job.due_date + datetime.timedelta(days=1), datetime.time()
    )
    expected = timezone.make_aware(day_after_due) + datetime.timedelta(days=HOLD)
    order.refresh_from_db()
    assert order.collect_by == expected


def test_the_hold_counts_from_when_the_last_part_is_ready(stool):
    order = place((stool, 1))

    make_ready(order)

    order.refresh_from_db()
    ready_at = Job.objects.get(order=order).transitions.get(to_status=J.READY).created_at
    assert order.collect_by == ready_at + datetime.timedelta(days=HOLD)


def test_a_card_order_has_no_pickup_deadline(stool):
    order = place((stool, 1), payment_method="stripe")
    services.confirm_payment(order=order)

    order.refresh_from_db()
    assert order.collect_by is None


def test_the_ready_email_says_when_to_collect_by(stool):
    order = place((stool, 1))

    make_ready(order)

    order.refresh_from_db()
    email = Email.objects.get(kind="order.ready")
    day = timezone.localtime(order.collect_by).strftime("%a %-d %b")
    assert f"Collect by {day}" in email.body_text
    assert f"Collect by {day}" in email.body_html


# --- Releasing ----------------------------------------------------------------------


def test_a_ready_order_not_collected_in_time_is_cancelled_as_a_no_show(stool):
    order = place((stool, 2))
    make_ready(order)

    assert services.orders_release_no_shows(now=after_the_hold(order)) == 1

    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "Not collected in time")
    assert [job.status for job in order.jobs.all()] == [J.CANCELLED]
    assert all(line.cancelled for line in order.lines.all())


def test_an_order_is_not_released_before_its_deadline(stool):
    order = place((stool, 2))
    make_ready(order)
    order.refresh_from_db()

    just_before = order.collect_by - datetime.timedelta(seconds=1)
    assert services.orders_release_no_shows(now=just_before) == 0

    order.refresh_from_db()
    assert order.status == "ready"


def test_ready_finished_goods_go_back_on_sale_once(stool):
    order = place((stool, 2))
    make_ready(order)
    assert balance(stool.stock_item) == (3, 0)

    later = after_the_hold(order)
    services.orders_release_no_shows(now=later)
    services.orders_release_no_shows(now=later)

    assert balance(stool.stock_item) == (5, 0)


def test_materials_used_in_making_stay_used_when_the_order_is_released(shelf, plywood):
    order = place((shelf, 1))
    make_ready(order)

    services.orders_release_no_shows(now=after_the_hold(order))

    assert balance(plywood) == (8, 0)


def test_parts_never_made_ready_are_released_after_their_due_date_and_the_hold(shelf, plywood):
    order = place((shelf, 1))
    assert balance(plywood) == (10, 2)

    assert services.orders_release_no_shows(now=after_the_hold(order)) == 1

    assert balance(plywood) == (10, 0)
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_the_coop_is_told_the_job_is_off(stool):
    order = place((stool, 1))
    make_ready(order)

    services.orders_release_no_shows(now=after_the_hold(order))

    (email,) = Email.objects.filter(kind="job.cancelled")
    assert email.recipients == ["wood-boss@example.org"]
    assert email.job.order == order


def test_the_resident_is_emailed_that_the_order_was_released(stool):
    order = place((stool, 2))
    make_ready(order)

    services.orders_release_no_shows(now=after_the_hold(order))

    (email,) = Email.objects.filter(kind="order.not_collected")
    assert email.recipients == [order.contact_email]
    assert order.number in email.subject
    assert "2 × Stool" in email.body_text
    assert "2 × Stool" in email.body_html
    assert f"token={order.access_token}" in email.body_text


def test_a_collected_order_is_never_released(stool):
    order = place((stool, 1))
    make_ready(order)
    job = order.jobs.get()
    services.job_hand_over(job=job, by=None, payment=paid_in_full(job))

    assert services.orders_release_no_shows(now=timezone.now() + LATER) == 0

    order.refresh_from_db()
    assert order.status == "completed"
    assert balance(stool.stock_item) == (4, 0)


def test_a_card_order_is_never_released_as_a_no_show(stool):
    order = place((stool, 1), payment_method="stripe")
    services.confirm_payment(order=order)
    make_ready(order)
    Order.objects.filter(pk=order.pk).update(collect_by=timezone.now())

    assert services.orders_release_no_shows(now=timezone.now() + LATER) == 0


def test_a_part_already_handed_over_completes_the_order_and_releases_the_rest(stool, woodshop):
    sewing = ProducerFactory(name="Sewing", slug="sewing", capabilities=["sewing"])
    tote = make_product(producer=sewing, title="Tote", price=Decimal("28.00"))
    product_stock_receive(product=tote, quantity=5, by=None, reason="made")
    order = place((stool, 1), (tote, 1))
    make_ready(order)
    job = order.jobs.get(producer=woodshop)
    services.job_hand_over(job=job, by=None, payment=paid_in_full(job))

    services.orders_release_no_shows(now=after_the_hold(order))

    order.refresh_from_db()
    assert order.status == "completed"
    assert order.jobs.get(producer=sewing).status == J.CANCELLED
    assert balance(tote.stock_item) == (5, 0)
    assert balance(stool.stock_item) == (4, 0)


def test_an_order_completed_with_a_released_part_totals_only_what_was_handed_over(stool, woodshop):
    sewing = ProducerFactory(name="Sewing", slug="sewing", capabilities=["sewing"])
    tote = make_product(producer=sewing, title="Tote", price=Decimal("28.00"))
    product_stock_receive(product=tote, quantity=5, by=None, reason="made")
    order = place((stool, 1), (tote, 1))
    make_ready(order)
    job = order.jobs.get(producer=woodshop)
    services.job_hand_over(job=job, by=None, payment=paid_in_full(job))

    services.orders_release_no_shows(now=after_the_hold(order))

    order.refresh_from_db()
    assert order.total == Decimal("60.00")


def test_the_housekeeping_sweep_releases_no_shows(stool):
    order = place((stool, 1))
    make_ready(order)
    Order.objects.filter(pk=order.pk).update(collect_by=timezone.now())

    results = housekeeping.housekeeping_run()

    assert results["no_shows_released"] == 1
    assert StockMovement.objects.filter(reason__contains="not collected in time").count() == 1
