import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Material, StockBalance, StockMovement
from catalog.services.products import product_stock_receive
from catalog.services.stock import (
    StockLine,
    stock_draw_down,
    stock_receive,
    stock_reserve,
    stock_transfer,
)
from frontend.charts import horizontal_bar_chart
from frontend.workbench import jobs as jobs_views
from orders.exceptions import InvalidInput
from orders.models import Job, JobTransition, WebhookAttempt, WebhookDelivery
from tests.factories import (
    FabLabFactory,
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    SharedLocationFactory,
    StockLocationFactory,
    UserFactory,
    make_product,
    place,
)

pytestmark = pytest.mark.django_db

BOARD = "/workbench/"
STORE = "/workbench/store/"


# --- Data ---------------------------------------------------------------------------------


@pytest.fixture
def fab_lab():
    return FabLabFactory()


@pytest.fixture
def store(fab_lab):
    return SharedLocationFactory(producer=fab_lab, code="shared-rack", name="Shared rack")


@pytest.fixture
def plywood(store):
    material = MaterialFactory(
        sku="PLY-BIRCH-6MM", name="Birch plywood 6 mm", unit="sheet", unit_cost=Decimal("38.50")
    )
    stock_receive(material=material, location=store, quantity="10", by=None, reason="Delivery")
    return material


@pytest.fixture
def woodshop():
    return ProducerFactory(name="West Jackson Woodshop", slug="woodshop")


@pytest.fixture
def print_shop():
    return ProducerFactory(name="Sign and Print Co-op", slug="print-shop")


def member_of(producer, username):
    return MembershipFactory(producer=producer, user=UserFactory(username=username)).user


@pytest.fixture
def woodworker(woodshop):
    return member_of(woodshop, "woodworker")


@pytest.fixture
def printer(print_shop):
    return member_of(print_shop, "printer")


@pytest.fixture
def technician(fab_lab):
    return member_of(fab_lab, "technician")


def stocked(producer, title, quantity=5):
    product = make_product(producer=producer, title=title, price=Decimal("60.00"))
    product_stock_receive(product=product, quantity=quantity, by=None, reason="Made a batch")
    return product


@pytest.fixture
def stool(woodshop):
    return stocked(woodshop, "Cypress step stool")


@pytest.fixture
def banner(print_shop):
    return stocked(print_shop, "Vinyl market banner")


def job_for(product, **kwargs) -> Job:
    return place((product, 1), **kwargs).jobs.get()


@pytest.fixture
def job(stool):
    return job_for(stool)


def action_url(job, action):
    return reverse("workbench:job-action", args=[job.pk, action])


def signed_in(client, user):
    client.force_login(user)
    return client


# --- Who may come in ------------------------------------------------------------------------


PAGES = ["/workbench/", "/workbench/stock/", STORE, "/workbench/report/", "/workbench/deliveries/"]


@pytest.mark.parametrize("url", PAGES)
def test_a_resident_gets_a_friendly_403(client, url):
    signed_in(client, UserFactory(username="resident"))

    response = client.get(url)

    assert response.status_code == 403
    assert b"The workbench is for the co-ops" in response.content


@pytest.mark.parametrize("url", PAGES)
def test_a_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


@pytest.mark.parametrize("url", PAGES)
def test_every_page_opens_for_a_member(client, woodworker, url):
    response = signed_in(client, woodworker).get(url)

    assert response.status_code == 200
    assert b'aria-current="page"' in response.content


def test_platform_staff_may_use_the_workbench(client, job):
    signed_in(client, UserFactory(username="staff", is_staff=True))

    response = client.get(BOARD)

    assert response.status_code == 200
    assert job.order.number.encode() in response.content


# --- The job board -----------------------------------------------------------------------------


def test_the_board_lists_only_the_members_producers_jobs(client, woodworker, stool, banner):
    mine = job_for(stool)
    theirs = job_for(banner)

    response = signed_in(client, woodworker).get(BOARD)

    content = response.content.decode()
    assert mine.order.number in content
    assert theirs.order.number not in content
    assert "Keisha Brown" in content
    assert 'href="tel:601-555-0142"' in content
    assert "Cypress step stool" in content


def test_the_board_has_a_helpful_empty_state(client, woodworker):
    response = signed_in(client, woodworker).get(BOARD)

    assert "No jobs yet — when a resident orders your goods they appear here" in (
        response.content.decode()
    )


def test_unpaid_orders_are_not_on_the_board(client, woodworker, stool):
    unpaid = place((stool, 1), payment_method="stripe")

    response = signed_in(client, woodworker).get(BOARD)

    assert unpaid.number.encode() not in response.content


def test_a_job_card_shows_the_delivery_address_and_highlights_overdue(client, woodworker, stool):
    job = job_for(stool, fulfilment="delivery", delivery_address="1234 Capitol St, Jackson")
    Job.objects.filter(pk=job.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=2))

    content = signed_in(client, woodworker).get(BOARD).content.decode()

    assert "Delivery to 1234 Capitol St, Jackson" in content
    assert "wb-job-overdue" in content
    assert "Overdue" in content


def test_a_new_job_offers_accept_and_decline_only(client, woodworker, job):
    content = signed_in(client, woodworker).get(BOARD).content.decode()

    assert action_url(job, "accept") in content
    assert action_url(job, "decline") in content
    assert action_url(job, "start") not in content
    assert action_url(job, "hand-over") not in content
    assert f'<label for="job-{job.pk}-reason"' in content


def test_each_action_moves_the_job_along(client, woodworker, job):
    signed_in(client, woodworker)
    steps = [
        ("accept", Job.Status.ACCEPTED),
        ("start", Job.Status.IN_PRODUCTION),
        ("ready", Job.Status.READY),
        ("hand-over", Job.Status.HANDED_OVER),
    ]
    paid = {"method": "cash", "amount": str(job.total)}
    for action, status in steps:
        response = client.post(action_url(job, action), paid if action == "hand-over" else {})

        assert response.status_code == 302
        assert response["Location"] == f"/workbench/#job-{job.pk}"
        job.refresh_from_db()
        assert job.status == status
    page = client.get(BOARD).content.decode()
    assert "Handed over recently" in page
    assert job.order.number in page
    job.order.refresh_from_db()
    assert job.order.status == "completed"


def test_a_successful_action_names_the_order(client, woodworker, job):
    response = signed_in(client, woodworker).post(action_url(job, "accept"), follow=True)

    assert f"Order {job.order.number} for West Jackson Woodshop: accepted." in (
        response.content.decode()
    )
    assert JobTransition.objects.filter(job=job, to_status="accepted", by=woodworker).exists()


def test_declining_records_the_reason(client, woodworker, job):
    response = signed_in(client, woodworker).post(
        action_url(job, "decline"), {"reason": "The bandsaw is down until Friday"}
    )

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.DECLINED
    assert job.decline_reason == "The bandsaw is down until Friday"


def test_declining_without_a_reason_shows_the_error_and_changes_nothing(client, woodworker, job):
    response = signed_in(client, woodworker).post(action_url(job, "decline"), {"reason": "  "})

    assert response.status_code == 400
    content = response.content.decode()
    assert "Say why you are declining" in content
    assert re.search(r'<details class="wb-decline"\s+open>', content)
    job.refresh_from_db()
    assert job.status == Job.Status.ROUTED


def test_a_wrong_state_action_shows_the_error_and_changes_nothing(client, woodworker, job):
    transitions = JobTransition.objects.filter(job=job).count()

    response = signed_in(client, woodworker).post(action_url(job, "ready"), follow=True)

    assert response.status_code == 200
    content = response.content.decode()
    assert "it cannot be marked ready" in content
    assert f"Order {job.order.number}:" in content
    job.refresh_from_db()
    assert job.status == Job.Status.ROUTED
    assert JobTransition.objects.filter(job=job).count() == transitions


def test_another_coops_job_is_not_found(client, printer, job):
    response = signed_in(client, printer).post(action_url(job, "accept"))

    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.ROUTED


def test_an_unknown_action_is_not_found(client, woodworker, job):
    response = signed_in(client, woodworker).post(f"/workbench/jobs/{job.pk}/approve/")

    assert response.status_code == 404


def test_job_actions_need_a_post(client, woodworker, job):
    response = signed_in(client, woodworker).get(action_url(job, "accept"))

    assert response.status_code == 405
    job.refresh_from_db()
    assert job.status == Job.Status.ROUTED


def test_an_htmx_action_answers_with_the_board_alone(client, woodworker, job):
    response = signed_in(client, woodworker).post(
        action_url(job, "accept"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="wb-board"')
    assert "<html" not in content
    assert "accepted." in content
    assert action_url(job, "start") in content
    job.refresh_from_db()
    assert job.status == Job.Status.ACCEPTED


def test_an_htmx_decline_without_a_reason_keeps_the_form_open_with_the_error(
    client, woodworker, job
):
    response = signed_in(client, woodworker).post(
        action_url(job, "decline"), {"reason": ""}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200  # htmx swaps only successful answers
    content = response.content.decode()
    assert "<html" not in content
    assert "Say why you are declining" in content
    assert f'id="job-{job.pk}-reason_error"' in content
    assert 'aria-invalid="true"' in content
    job.refresh_from_db()
    assert job.status == Job.Status.ROUTED


def test_a_decline_reason_the_service_refuses_is_shown_beside_the_field(
    client, woodworker, job, monkeypatch
):
    def refuse(**kwargs):
        raise InvalidInput({"reason": ["Keep the reason to plain words."]})

    monkeypatch.setattr(jobs_views, "job_decline", refuse)
    monkeypatch.setitem(
        jobs_views.JOB_ACTIONS, "decline", (refuse, *jobs_views.JOB_ACTIONS["decline"][1:])
    )

    response = signed_in(client, woodworker).post(action_url(job, "decline"), {"reason": "Laser"})

    assert response.status_code == 400
    content = response.content.decode()
    assert "Keep the reason to plain words." in content
    assert f'id="job-{job.pk}-reason_error"' in content
    job.refresh_from_db()
    assert job.status == Job.Status.ROUTED


def test_the_board_costs_the_same_queries_with_more_jobs(
    client, woodworker, woodshop, django_assert_max_num_queries
):
    products = [stocked(woodshop, f"Planter box {n}") for n in range(6)]
    job_for(products[0], fulfilment="delivery", delivery_address="12 Lynch St")
    signed_in(client, woodworker)
    client.get(BOARD)  # session and first-visit work out of the way
    with CaptureQueriesContext(connection) as one_job:
        client.get(BOARD)
    budget = len(one_job.captured_queries)  # read now: every request clears the log
    for product in products[1:]:
        job = job_for(product)
        client.post(action_url(job, "accept"))
    jobs = Job.objects.filter(producer=woodshop)
    assert jobs.count() == 6

    with django_assert_max_num_queries(budget):
        response = client.get(BOARD)

    assert response.content.decode().count('<li class="wb-job') == 6


# --- Stock at a glance -------------------------------------------------------------------------


def test_stock_shows_goods_counts_shelves_and_low_shared_materials(
    client, woodworker, woodshop, plywood, store
):
    stocked(woodshop, "Cypress step stool", quantity=9)
    stocked(woodshop, "Cedar bird house", quantity=2)
    shelf = StockLocationFactory(producer=woodshop, name="Back wall rack")
    glue = MaterialFactory(name="Titebond wood glue", unit="each")
    stock_receive(material=glue, location=shelf, quantity="4", by=None, reason="Bought")
    Material.objects.filter(pk=plywood.pk).update(reorder_point=Decimal("12"))

    content = signed_in(client, woodworker).get("/workbench/stock/").content.decode()

    assert "Cypress step stool" in content
    assert re.search(r"Cedar bird house</th>\s*<td[^>]*>2 <strong class=\"wb-low\">low", content)
    assert not re.search(r"Cypress step stool</th>\s*<td[^>]*>9 <strong", content)
    assert "Titebond wood glue" in content
    assert "Back wall rack" in content
    assert "Birch plywood 6 mm" in content
    assert "reorder at 12" in content


# --- The shared store ------------------------------------------------------------------------


def drawdown(material, location, producer, quantity="3", reason="Job for the library shelves"):
    return {
        "drawdown-material": material.pk,
        "drawdown-location": location.pk,
        "drawdown-quantity": quantity,
        "drawdown-producer": producer.pk,
        "drawdown-reason": reason,
    }


def test_the_store_lists_the_shared_balances(client, woodworker, plywood):
    content = signed_in(client, woodworker).get(STORE).content.decode()

    assert "Birch plywood 6 mm" in content
    assert '<th scope="col"' in content
    assert '<label for="id_drawdown-quantity"' in content


def test_a_drawdown_goes_through_the_service(client, woodworker, woodshop, plywood, store):
    response = signed_in(client, woodworker).post(
        "/workbench/store/drawdown/", drawdown(plywood, store, woodshop)
    )

    assert response.status_code == 302
    balance = StockBalance.objects.get(material=plywood, location=store)
    assert balance.on_hand == Decimal("7")
    movement = StockMovement.objects.filter(kind="drawdown").get()
    assert movement.quantity == Decimal("-3")
    assert movement.producer == woodshop
    assert movement.created_by == woodworker
    assert movement.reason == "Job for the library shelves"
    page = client.get(STORE).content.decode()
    assert "Drew down 3 sheet of Birch plywood 6 mm for West Jackson Woodshop. 7 sheet" in page


def test_a_drawdown_beyond_what_is_available_keeps_the_input_and_writes_nothing(
    client, woodworker, woodshop, plywood, store
):
    movements = StockMovement.objects.count()

    response = signed_in(client, woodworker).post(
        "/workbench/store/drawdown/",
        drawdown(plywood, store, woodshop, quantity="12", reason="Big bench order"),
    )

    assert response.status_code == 409
    content = response.content.decode()
    assert "Only 10 sheet of Birch plywood 6 mm is available." in content
    assert 'id="id_drawdown-quantity_error"' in content
    assert 'value="12"' in content
    assert 'value="Big bench order"' in content
    assert StockMovement.objects.count() == movements
    assert StockBalance.objects.get(material=plywood, location=store).on_hand == Decimal("10")


def test_a_bad_quantity_is_shown_next_to_the_field(client, woodworker, woodshop, plywood, store):
    response = signed_in(client, woodworker).post(
        "/workbench/store/drawdown/", drawdown(plywood, store, woodshop, quantity="-2")
    )

    assert response.status_code == 400
    assert "Enter a quantity greater than zero." in response.content.decode()
    assert not StockMovement.objects.filter(kind="drawdown").exists()


def test_a_coop_member_cannot_draw_down_for_another_coop(
    client, woodworker, print_shop, plywood, store
):
    response = signed_in(client, woodworker).post(
        "/workbench/store/drawdown/", drawdown(plywood, store, print_shop)
    )

    assert response.status_code == 400
    assert not StockMovement.objects.filter(kind="drawdown").exists()


def test_fablab_staff_draw_down_for_any_coop(client, technician, print_shop, plywood, store):
    response = signed_in(client, technician).post(
        "/workbench/store/drawdown/", drawdown(plywood, store, print_shop)
    )

    assert response.status_code == 302
    assert StockMovement.objects.get(kind="drawdown").producer == print_shop


def test_coop_members_cannot_record_receipts_in_the_shared_store(
    client, woodworker, plywood, store
):
    signed_in(client, woodworker)
    assert b"store/receipt/" not in client.get(STORE).content

    response = client.post(
        "/workbench/store/receipt/",
        {
            "receipt-material": plywood.pk,
            "receipt-location": store.pk,
            "receipt-quantity": "5",
            "receipt-reason": "Found some",
        },
    )

    assert response.status_code == 403
    assert StockBalance.objects.get(material=plywood, location=store).on_hand == Decimal("10")
    assert not StockMovement.objects.filter(kind="receipt", reason="Found some").exists()


def test_fablab_staff_record_receipts_and_counts(client, technician, plywood, store):
    signed_in(client, technician)

    received = client.post(
        "/workbench/store/receipt/",
        {
            "receipt-material": plywood.pk,
            "receipt-location": store.pk,
            "receipt-quantity": "5",
            "receipt-reason": "Capitol Lumber invoice 2231",
        },
    )
    counted = client.post(
        "/workbench/store/count/",
        {
            "count-material": plywood.pk,
            "count-location": store.pk,
            "count-quantity": "14",
            "count-reason": "Monthly count",
        },
    )

    assert received.status_code == counted.status_code == 302
    assert StockBalance.objects.get(material=plywood, location=store).on_hand == Decimal("14")
    adjustment = StockMovement.objects.get(kind="adjustment")
    assert adjustment.quantity == Decimal("-1")
    assert adjustment.created_by == technician


def test_a_count_below_what_jobs_hold_is_refused_next_to_the_field(
    client, technician, woodshop, plywood, store
):
    stock_reserve(lines=[StockLine(plywood, store, Decimal("4"))], by=None, reason="Job")
    response = signed_in(client, technician).post(
        "/workbench/store/count/",
        {
            "count-material": plywood.pk,
            "count-location": store.pk,
            "count-quantity": "2",
            "count-reason": "Monthly count",
        },
    )

    assert response.status_code == 409
    assert "below what is reserved" in response.content.decode()
    assert not StockMovement.objects.filter(kind="adjustment").exists()


# --- Materials usage report ---------------------------------------------------------------------


def test_the_report_draws_one_bar_per_producer(
    client, technician, woodshop, print_shop, plywood, store
):
    odd = ProducerFactory(name='Tom & "Jerry" <Print>', slug="odd")
    for producer, quantity in [(woodshop, "3"), (print_shop, "1"), (odd, "2")]:
        stock_draw_down(
            material=plywood,
            location=store,
            quantity=quantity,
            by=technician,
            reason="Work",
            producer=producer,
        )

    response = signed_in(client, technician).get("/workbench/report/")

    content = response.content.decode()
    svg = content[content.index("<svg") : content.index("</svg>")]
    assert svg.count('class="wb-chart-bar"') == 3
    assert 'role="img"' in svg
    assert 'aria-label="Cost of materials used per co-op' in svg
    assert "<title" in svg
    assert "style=" not in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "Tom &amp; &quot;Jerry&quot; &lt;Print&gt;" in svg
    assert "<Print>" not in svg
    assert "$115.50" in content  # 3 sheets at $38.50
    assert "$231.00" in content  # the month's total


def test_a_member_sees_only_their_own_usage(client, woodworker, woodshop, print_shop, plywood):
    store = plywood.balances.get().location
    for producer in (woodshop, print_shop):
        stock_draw_down(
            material=plywood,
            location=store,
            quantity="1",
            by=None,
            reason="Work",
            producer=producer,
        )

    content = signed_in(client, woodworker).get("/workbench/report/").content.decode()

    assert content.count('class="wb-chart-bar"') == 1
    assert "Sign and Print Co-op" not in content


def test_the_report_navigates_between_months(client, woodworker):
    content = signed_in(client, woodworker).get("/workbench/report/?month=2024-03").content
    content = content.decode()

    assert "Materials and machine time used in March 2024" in content
    assert 'href="?month=2024-02"' in content
    assert 'href="?month=2024-04"' in content
    assert "Nothing left the shared store or was used in March 2024." in content


def test_the_report_shows_shared_stock_moved_to_a_co_op_shelf(
    client, woodworker, woodshop, plywood
):
    store = plywood.balances.get().location
    own_shelf = StockLocationFactory(producer=woodshop, name="Back wall rack")
    stock_transfer(
        material=plywood,
        source=store,
        destination=own_shelf,
        quantity="2",
        by=None,
        reason="For the bench order",
        producer=woodshop,
    )

    content = signed_in(client, woodworker).get("/workbench/report/").content.decode()

    assert "Moved out" in content
    assert "2 sheet" in content
    assert "$77.00" in content  # 2 sheets at $38.50


def test_the_report_says_when_the_month_is_not_understood(client, woodworker):
    response = signed_in(client, woodworker).get("/workbench/report/?month=2024-13")

    assert response.status_code == 200
    assert "Months are written like 2025-04" in response.content.decode()
    assert timezone.localdate().strftime("%B %Y") in response.content.decode()


@pytest.mark.parametrize("month", ["9999-12", "2026-13", "2026-00", "1999-12", "2024-3"])
def test_a_month_the_report_cannot_show_is_a_form_error_not_a_server_error(
    client, woodworker, month
):
    response = signed_in(client, woodworker).get(f"/workbench/report/?month={month}")

    assert response.status_code == 200
    assert "Months are written like 2025-04" in response.content.decode()
    assert timezone.localdate().strftime("%B %Y") in response.content.decode()


def test_the_chart_escapes_labels_and_draws_nothing_without_data():
    chart = horizontal_bar_chart(
        title="Cost <per> co-op", bars=[("A & B", Decimal("10")), ("C", Decimal("0"))]
    )

    assert chart.count("<rect") == 2
    assert 'aria-label="Cost &lt;per&gt; co-op"' in chart
    assert "A &amp; B: 10" in chart
    assert 'width="0"' in chart
    assert horizontal_bar_chart(title="Nothing", bars=[]) == ""


# --- Webhook deliveries --------------------------------------------------------------------------


def test_the_delivery_log_shows_the_members_producers_deliveries(
    client, woodworker, woodshop, print_shop
):
    mine = WebhookDelivery.objects.create(
        producer=woodshop,
        event="job.routed",
        message_id="msg_woodshop_1",
        payload={},
        state=WebhookDelivery.State.PENDING,
        attempts=2,
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    WebhookAttempt.objects.create(delivery=mine, number=1, url="https://example.org/hook")
    WebhookAttempt.objects.create(
        delivery=mine,
        number=2,
        url="https://example.org/hook",
        status_code=502,
        error="Bad gateway",
    )
    WebhookDelivery.objects.create(
        producer=print_shop, event="job.cancelled", message_id="msg_print_1", payload={}
    )

    content = signed_in(client, woodworker).get("/workbench/deliveries/").content.decode()

    assert "job.routed" in content
    assert "HTTP 502 — Bad gateway" in content
    assert "job.cancelled" not in content


# --- One co-op's shop ---------------------------------------------------------------------


def test_a_member_of_one_coop_goes_straight_to_its_shop(client, woodworker, woodshop):
    response = signed_in(client, woodworker).get(reverse("workbench:coops"))

    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:coop", args=[woodshop.slug])


def test_a_new_coop_sees_what_to_do_to_get_going(client, woodworker, woodshop):
    response = signed_in(client, woodworker).get(reverse("workbench:coop", args=[woodshop.slug]))

    assert b"Getting your shop going" in response.content
    assert b"Say where and when residents collect" in response.content


def test_the_getting_started_steps_tick_off_what_is_done(client, woodworker, woodshop, stool):
    woodshop.pickup_address, woodshop.opening_hours = "1124 Robinson St", "Tue-Fri 9-5"
    woodshop.save()

    response = signed_in(client, woodworker).get(reverse("workbench:coop", args=[woodshop.slug]))

    done = re.findall(r'<li class="wb-step-done">.*?</li>', response.content.decode(), re.S)
    assert len(done) == 2  # the pickup details, and the published stool
    assert "Say where and when" in done[0]


def test_a_member_sees_that_managers_make_the_changes(client, woodworker, woodshop):
    response = signed_in(client, woodworker).get(reverse("workbench:coop", args=[woodshop.slug]))

    assert b"your co-op's managers make the changes" in response.content
