import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.exceptions import InsufficientStock, Shortage
from catalog.models import StockBalance, StockMovement
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from orders import services
from orders.exceptions import InvalidTransition, ProducerUnavailable
from orders.housekeeping import housekeeping
from orders.models import Allocation, Job, Order
from tests.factories import (
    MembershipFactory,
    ProducerFactory,
    StockLocationFactory,
    UserFactory,
    make_product,
    paid_in_full,
    place,
)

pytestmark = pytest.mark.django_db

J = Job.Status


def reserved(material) -> Decimal:
    return StockBalance.objects.filter(material=material).aggregate(r=Sum("reserved"))["r"]


def on_hand(material) -> Decimal:
    return StockBalance.objects.filter(material=material).aggregate(r=Sum("on_hand"))["r"]


# --- Placing ----------------------------------------------------------------------


def test_an_order_from_two_coops_becomes_two_jobs(stool, tote, woodshop, sewing):
    order = place((stool, 2), (tote, 1))

    jobs = {job.producer: job for job in order.jobs.all()}
    assert set(jobs) == {woodshop, sewing}
    assert jobs[woodshop].total == Decimal("120.00")
    assert [line.title for line in jobs[sewing].lines.all()] == ["Tote"]
    assert order.total == Decimal("148.00")


def test_placing_reserves_finished_goods_for_each_job(stool, tote):
    order = place((stool, 2), (tote, 1))

    assert reserved(stool.stock_item) == 2
    assert reserved(tote.stock_item) == 1
    assert Allocation.objects.filter(job__order=order, state="held").count() == 2


def test_made_to_order_reserves_its_bill_of_materials(shelf, plywood):
    place((shelf, 3))

    assert reserved(plywood) == 6


def test_two_lines_of_one_product_are_one_line(stool):
    order = place((stool, 1), (stool, 2))

    assert [(line.title, line.quantity) for line in order.lines.all()] == [("Stool", 3)]


def test_pay_at_pickup_orders_are_confirmed_and_dispatched_at_once(stool):
    order = place((stool, 1))

    assert order.status == Order.Status.PAID
    assert order.expires_at is None
    assert order.jobs.get().dispatched is True


def test_card_orders_wait_for_payment_before_the_coops_see_them(stool):
    order = place((stool, 1), payment_method="stripe")

    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.expires_at > timezone.now()
    assert order.jobs.get().dispatched is False


def test_an_order_that_cannot_be_met_writes_nothing(stool, tote):
    movements = StockMovement.objects.count()

    with pytest.raises(InsufficientStock) as error:
        place((tote, 1), (stool, 6))

    assert error.value.shortages == [
        Shortage(
            requested=Decimal("6"),
            available=Decimal("5"),
            product="stool",
            product_name="Stool",
            material=stool.stock_item.sku,
            unit="each",
        )
    ]
    assert not Order.objects.exists()
    assert not Job.objects.exists()
    assert StockMovement.objects.count() == movements
    assert reserved(tote.stock_item) == 0


def test_materials_short_for_made_to_order_are_named(shelf):
    with pytest.raises(InsufficientStock) as error:
        place((shelf, 6))

    assert error.value.shortages == [
        Shortage(
            requested=Decimal("12.000"),
            available=Decimal("10.000"),
            product="shelf",
            product_name="Shelf",
            material="PLY",
            material_name="Plywood",
            unit="sheet",
        )
    ]


def test_a_paused_coops_goods_cannot_be_ordered(stool, woodshop):
    woodshop.status = "paused"
    woodshop.save()

    with pytest.raises(ProducerUnavailable):
        place((stool, 1))

    assert not Order.objects.exists()


def test_the_routing_reason_is_stored(stool):
    order = place((stool, 1))

    assert "Woodshop" in order.jobs.get().routing_reason


# --- Routing open designs ------------------------------------------------------------


def laser_coop(name, **fields):
    return ProducerFactory(name=name, slug=name.lower(), capabilities=["laser_cutting"], **fields)


def test_an_open_design_goes_to_the_capable_coop_with_fewest_open_jobs(puzzle, stool, woodshop):
    busy, quiet = laser_coop("Busy"), laser_coop("Quiet")
    designer = puzzle.producer
    for _ in range(2):
        Job.objects.create(
            order=place((stool, 1)),
            producer=busy,
            due_date=timezone.localdate(),
            routing_reason="x",
        )
        Job.objects.create(
            order=place((stool, 1)),
            producer=designer,
            due_date=timezone.localdate(),
            routing_reason="x",
        )

    order = place((puzzle, 1))

    job = order.jobs.get()
    assert job.producer == quiet
    assert "Open design" in job.routing_reason


def test_distance_breaks_a_tie_between_equally_busy_coops(puzzle):
    puzzle.producer.status = "paused"
    puzzle.producer.save()
    laser_coop("Far", latitude=Decimal("32.40"), longitude=Decimal("-90.30"))
    near = laser_coop("Near", latitude=Decimal("32.30"), longitude=Decimal("-90.20"))

    order = place((puzzle, 1), delivery_point=(Decimal("32.301"), Decimal("-90.201")))

    assert order.jobs.get().producer == near


def test_a_coop_without_room_is_passed_over(puzzle, stool):
    puzzle.producer.max_open_jobs = 1
    puzzle.producer.save()
    Job.objects.create(
        order=place((stool, 1)),
        producer=puzzle.producer,
        due_date=timezone.localdate(),
        routing_reason="x",
    )
    other = laser_coop("Other")

    assert place((puzzle, 1)).jobs.get().producer == other


def test_an_open_design_nobody_can_take_is_refused(puzzle):
    puzzle.producer.status = "paused"
    puzzle.producer.save()

    with pytest.raises(ProducerUnavailable):
        place((puzzle, 1))


def test_a_coops_own_shelf_is_used_before_the_shared_store(shelf, woodshop, plywood):
    own = StockLocationFactory(producer=woodshop)
    stock_receive(material=plywood, location=own, quantity="4", by=None, reason="in")

    order = place((shelf, 2))

    allocation = Allocation.objects.get(job__order=order)
    assert allocation.location == own


# --- Production -----------------------------------------------------------------------


def test_starting_a_job_consumes_its_materials(shelf, plywood):
    job = place((shelf, 2)).jobs.get()
    services.job_accept(job=job, by=None)

    services.job_start(job=job, by=None)

    assert (on_hand(plywood), reserved(plywood)) == (6, 0)
    assert StockMovement.objects.filter(kind="consume", reference=f"job-{job.pk}").exists()


def test_the_order_completes_when_every_job_is_handed_over(stool, tote):
    order = place((stool, 1), (tote, 1))
    jobs = list(order.jobs.all())
    for job in jobs:
        services.job_accept(job=job, by=None)
        services.job_start(job=job, by=None)
        services.job_ready(job=job, by=None)
    order.refresh_from_db()
    assert order.status == Order.Status.READY

    services.job_hand_over(job=jobs[0], by=None, payment=paid_in_full(jobs[0]))
    order.refresh_from_db()
    assert order.status == Order.Status.READY
    services.job_hand_over(job=jobs[1], by=None, payment=paid_in_full(jobs[1]))

    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert order.completed_at is not None


def test_every_transition_is_recorded(stool):
    job = place((stool, 1)).jobs.get()
    services.job_accept(job=job, by=None)
    services.job_start(job=job, by=None)

    steps = list(job.transitions.values_list("from_status", "to_status"))
    assert steps == [("", "routed"), ("routed", "accepted"), ("accepted", "in_production")]


@pytest.mark.parametrize(
    ("moves", "refused"),
    [
        ([], services.job_start),
        ([], services.job_ready),
        ([], services.job_hand_over),
        ([services.job_accept], services.job_accept),
        ([services.job_accept], services.job_hand_over),
        ([services.job_accept, services.job_start], services.job_accept),
    ],
)
def test_moves_out_of_order_are_refused(stool, moves, refused):
    job = place((stool, 1)).jobs.get()
    for move in moves:
        move(job=job, by=None)
    status = Job.objects.get(pk=job.pk).status

    with pytest.raises(InvalidTransition):
        refused(job=job, by=None)

    assert Job.objects.get(pk=job.pk).status == status


def test_an_unpaid_job_cannot_be_accepted(stool):
    job = place((stool, 1), payment_method="stripe").jobs.get()

    with pytest.raises(InvalidTransition):
        services.job_accept(job=job, by=None)


# --- Declining --------------------------------------------------------------------------


def test_a_declined_open_design_goes_to_the_next_candidate(puzzle, plywood):
    second = laser_coop("Second")
    first_job = place((puzzle, 1)).jobs.get()
    assert first_job.producer == puzzle.producer

    services.job_decline(job=first_job, by=None, reason="Laser is down")

    order = first_job.order
    new_job = order.jobs.exclude(pk=first_job.pk).get()
    assert new_job.producer == second
    assert new_job.dispatched is True
    assert "re-routed" in new_job.routing_reason
    assert order.lines.get().job == new_job
    assert reserved(plywood) == 1
    assert Allocation.objects.get(job=first_job).state == "released"


def test_a_second_decline_never_returns_to_a_coop_that_declined(puzzle, plywood):
    laser_coop("Second")
    order = place((puzzle, 1))
    services.job_decline(job=order.jobs.get(), by=None, reason="busy")
    services.job_decline(job=order.jobs.get(status="routed"), by=None, reason="busy too")

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.lines.get().cancelled is True
    assert reserved(plywood) == 0


def test_declining_an_own_product_cancels_that_part_only(stool, tote):
    order = place((stool, 1), (tote, 1))
    stool_job = order.jobs.get(producer=stool.producer)

    services.job_decline(job=stool_job, by=None, reason="Out of pine")

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.lines.get(title="Stool").cancelled is True
    assert order.lines.get(title="Tote").cancelled is False
    assert reserved(stool.stock_item) == 0
    assert reserved(tote.stock_item) == 1


# --- Cancelling and expiry ------------------------------------------------------------------


def test_cancelling_releases_exactly_what_was_reserved(stool, shelf, plywood):
    order = place((stool, 2), (shelf, 1))

    services.order_cancel(order=order, by=None)

    assert reserved(stool.stock_item) == 0
    assert reserved(plywood) == 0
    released = StockMovement.objects.filter(kind="release").aggregate(q=Sum("quantity"))["q"]
    held = StockMovement.objects.filter(kind="reserve").aggregate(q=Sum("quantity"))["q"]
    assert released == -held
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED


def test_an_order_cannot_be_cancelled_twice(stool):
    order = place((stool, 1))
    services.order_cancel(order=order, by=None)

    with pytest.raises(InvalidTransition):
        services.order_cancel(order=order, by=None)

    assert StockMovement.objects.filter(kind="release").count() == 1


def test_an_order_being_made_cannot_be_cancelled(stool):
    order = place((stool, 1))
    job = order.jobs.get()
    services.job_accept(job=job, by=None)
    services.job_start(job=job, by=None)

    with pytest.raises(InvalidTransition):
        services.order_cancel(order=order, by=None)


def test_unpaid_orders_expire_and_give_their_stock_back_once(stool):
    order = place((stool, 2), payment_method="stripe")
    Order.objects.filter(pk=order.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert services.orders_expire() == 1
    assert services.orders_expire() == 0

    assert reserved(stool.stock_item) == 0
    assert StockMovement.objects.filter(kind="release").count() == 1
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "Not paid in time")


def test_orders_within_their_time_do_not_expire(stool):
    place((stool, 2), payment_method="stripe")

    assert services.orders_expire() == 0
    assert reserved(stool.stock_item) == 2


def test_a_paid_order_never_expires(stool):
    order = place((stool, 1), payment_method="stripe")
    services.confirm_payment(order=order)
    Order.objects.filter(pk=order.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert services.orders_expire() == 0


def test_confirming_payment_twice_dispatches_once(stool, mailoutbox):
    order = place((stool, 1), payment_method="stripe")

    services.confirm_payment(order=order)
    sent = len(mailoutbox)
    services.confirm_payment(order=order)

    assert len(mailoutbox) == sent


# --- Cost --------------------------------------------------------------------------------------


def test_placing_costs_the_same_queries_for_one_line_or_many_of_one_producer(
    woodshop, django_assert_num_queries
):
    products = []
    for n in range(6):
        product = make_product(producer=woodshop, title=f"Thing {n}")
        product_stock_receive(product=product, quantity=5, by=None, reason="made")
        products.append(product)
    with CaptureQueriesContext(connection) as one:
        place((products[0], 1), payment_method="stripe")
    with CaptureQueriesContext(connection) as many:
        place(*[(p, 1) for p in products[1:]], payment_method="stripe")

    assert len(many) == len(one), "\n".join(q["sql"][:150] for q in many.captured_queries)


def test_cancelling_a_confirmed_order_tells_the_coop(stool, mailoutbox):
    MembershipFactory(
        producer=stool.producer, role="manager", user=UserFactory(email="m@example.org")
    )
    order = place((stool, 1))
    mailoutbox.clear()

    services.order_cancel(order=order, by=None, reason="Changed my mind")

    (message,) = [m for m in mailoutbox if m.to == ["m@example.org"]]
    assert message.subject == f"Cancelled: your job for order {order.number}"
    assert "Changed my mind" in message.body


def test_housekeeping_expires_unpaid_orders(stool):
    order = place((stool, 1), payment_method="stripe")
    Order.objects.filter(pk=order.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    result = housekeeping.call(repeat=False)

    assert result["expired"] == 1
    assert reserved(stool.stock_item) == 0


def test_the_expire_orders_command_says_how_many_expired(stool):
    order = place((stool, 1), payment_method="stripe")
    Order.objects.filter(pk=order.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    out = StringIO()

    call_command("expire_orders", stdout=out)

    assert "1 unpaid order(s) expired." in out.getvalue()


def test_every_ledger_row_of_a_rerouted_job_names_its_producer(puzzle, plywood):
    second = laser_coop("Second")
    order = place((puzzle, 1))
    services.job_decline(job=order.jobs.get(), by=None, reason="Laser is down")
    rerouted = order.jobs.get(producer=second)
    services.job_accept(job=rerouted, by=None)
    services.job_start(job=rerouted, by=None)

    rows = StockMovement.objects.filter(reference=f"job-{rerouted.pk}")

    assert sorted(rows.values_list("kind", flat=True)) == ["consume", "reserve"]
    assert {row.producer for row in rows} == {second}


def test_a_rerouted_job_is_built_like_a_placed_one(puzzle, plywood):
    second = laser_coop("Second")
    order = place((puzzle, 2))
    declined = order.jobs.get()

    services.job_decline(job=declined, by=None, reason="Laser is down")

    rerouted = order.jobs.get(producer=second)
    assert rerouted.total == Decimal("36.00")
    assert Job.objects.get(pk=declined.pk).total == 0
    assert list(rerouted.transitions.values_list("to_status", "note")) == [("routed", "re-routed")]
    assert Allocation.objects.get(job=rerouted).quantity == 2
