"""The job board takes the money for a pay-at-pickup job as it is handed over."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from orders.models import CounterPayment, Job
from orders.services import job_accept, job_ready, job_start
from tests.factories import MembershipFactory, UserFactory, make_stocked_product, place

pytestmark = pytest.mark.django_db

BOARD = "/workbench/"


@pytest.fixture
def dresser(woodshop):
    return make_stocked_product(producer=woodshop, title="Pine dresser", price=Decimal("1250.00"))


@pytest.fixture
def woodworker(woodshop):
    user = UserFactory(username="woodworker")
    MembershipFactory(producer=woodshop, user=user)
    return user


def ready(job: Job) -> Job:
    for move in (job_accept, job_start, job_ready):
        job = move(job=job, by=None)
    return job


@pytest.fixture
def ready_job(dresser):
    """Two dressers, 2,500.00, ready to pay for at the counter."""
    return ready(place((dresser, 2)).jobs.get())


def hand_over_url(job: Job) -> str:
    return reverse("workbench:job-action", args=[job.pk, "hand-over"])


def board(client, user) -> str:
    client.force_login(user)
    return client.get(BOARD).content.decode()


def test_a_pay_at_pickup_job_card_says_what_to_collect(client, woodworker, dresser):
    place((dresser, 2))

    assert "To collect: $2,500.00" in board(client, woodworker)


def test_handing_over_opens_a_form_with_the_total_filled_in(client, woodworker, ready_job):
    page = board(client, woodworker)

    assert f'<form method="post" action="{hand_over_url(ready_job)}"' in page
    assert f'id="job-{ready_job.pk}-handover-amount"' in page
    assert 'value="2500.00"' in page
    assert "How did they pay?" in page


def test_a_card_paid_job_has_a_plain_hand_over_button_and_nothing_to_collect(
    client, woodworker, dresser
):
    order = place((dresser, 1), payment_method="stripe")
    Job.objects.filter(order=order).update(dispatched=True)
    job = ready(order.jobs.get())

    page = board(client, woodworker)

    assert "To collect" not in page
    assert f'id="job-{job.pk}-handover-amount"' not in page
    assert hand_over_url(job) in page


def test_handing_over_with_cash_records_it_and_says_so(client, woodworker, ready_job):
    client.force_login(woodworker)

    response = client.post(
        hand_over_url(ready_job), {"method": "cash", "amount": "2500.00"}, follow=True
    )

    row = CounterPayment.objects.get()
    assert (row.method, row.amount, row.recorded_by) == ("cash", Decimal("2500.00"), woodworker)
    page = response.content.decode()
    assert "handed over. Taken: $2,500.00 (cash)." in page
    assert "Taken at the counter: $2,500.00 (cash)" in page


def test_a_short_payment_without_a_reason_is_refused_beside_the_field(
    client, woodworker, ready_job
):
    client.force_login(woodworker)

    response = client.post(hand_over_url(ready_job), {"method": "cash", "amount": "2000"})

    assert response.status_code == 400
    assert escape("Say why less than $2,500.00 was taken") in response.content.decode()
    assert not CounterPayment.objects.exists()
    ready_job.refresh_from_db()
    assert ready_job.status == Job.Status.READY


@pytest.mark.parametrize(
    ("amount", "words"),
    [("-1", "cannot be negative"), ("2600", "take no more than that"), ("lots", "dollars and")],
)
def test_a_wrong_amount_is_refused_beside_the_field(client, woodworker, ready_job, amount, words):
    client.force_login(woodworker)

    response = client.post(
        hand_over_url(ready_job), {"method": "cash", "amount": amount, "reason": "x"}
    )

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not CounterPayment.objects.exists()


def test_a_waiver_with_a_reason_is_recorded(client, woodworker, ready_job):
    client.force_login(woodworker)

    response = client.post(
        hand_over_url(ready_job), {"method": "other", "amount": "0", "reason": "Gift to the school"}
    )

    assert response.status_code == 302
    assert CounterPayment.objects.get().reason == "Gift to the school"


def test_with_htmx_the_board_comes_back_with_the_error_open(client, woodworker, ready_job):
    client.force_login(woodworker)

    response = client.post(
        hand_over_url(ready_job), {"method": "cash", "amount": "10"}, headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert 'id="wb-board"' in page
    assert "<html" not in page
    assert 'class="wb-handover" open' in page
    assert not CounterPayment.objects.exists()


def test_with_htmx_a_hand_over_swaps_the_board(client, woodworker, ready_job):
    client.force_login(woodworker)

    response = client.post(
        hand_over_url(ready_job),
        {"method": "card_terminal", "amount": "2500.00"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Taken at the counter: $2,500.00 (card terminal)" in response.content.decode()
