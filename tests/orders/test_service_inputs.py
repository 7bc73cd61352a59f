"""The order services check their whole input: a direct call with bad input names the field
and writes nothing (no order, no job, no ledger row), whoever the caller is."""

from decimal import Decimal

import pytest

from catalog.models import StockMovement
from orders import services
from orders.exceptions import InvalidInput
from orders.models import Job, Order
from tests.factories import GUEST, make_product, place

pytestmark = pytest.mark.django_db


def written() -> tuple[int, int, int]:
    return Order.objects.count(), Job.objects.count(), StockMovement.objects.count()


def refused(call, **kwargs) -> dict[str, list[str]]:
    before = written()
    with pytest.raises(InvalidInput) as caught:
        call(**kwargs)
    assert written() == before
    return caught.value.message_dict


def order(stool, **changes):
    arguments = {
        "customer": None,
        "contact": GUEST,
        "lines": [(stool, 1)],
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
        **changes,
    }
    return refused(services.order_place, **arguments)


def test_delivery_without_an_address_names_the_address_instead_of_hitting_the_database(stool):
    errors = order(stool, fulfilment="delivery", delivery_address="  ")

    assert errors == {"delivery_address": ["Give an address for local delivery."]}


def test_card_payment_is_refused_where_stripe_is_not_configured(stool, settings):
    settings.STRIPE_SECRET_KEY = ""

    errors = order(stool, payment_method="stripe")

    assert list(errors) == ["payment_method"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fulfilment": "drone"}, "fulfilment"),
        ({"payment_method": "barter"}, "payment_method"),
        ({"contact": GUEST.__class__(name="", email="k@example.org")}, "contact_name"),
        ({"contact": GUEST.__class__(name="K", email="not-an-email")}, "contact_email"),
        ({"contact": GUEST.__class__(name="K", email="")}, "contact_email"),
        (
            {"contact": GUEST.__class__(name="K", email="k@example.org", phone="5" * 41)},
            "contact_phone",
        ),
        ({"contact": GUEST.__class__(name="K\x00", email="k@example.org")}, "contact_name"),
        ({"delivery_address": "x" * 301}, "delivery_address"),
        ({"note": "x" * 501}, "note"),
        ({"delivery_point": (Decimal("32.3"), None)}, "delivery_point"),
        ({"delivery_point": (Decimal("91"), Decimal("0"))}, "delivery_point"),
    ],
)
def test_each_bad_field_of_an_order_is_named(stool, changes, field):
    assert list(order(stool, **changes)) == [field]


@pytest.mark.parametrize(
    ("quantity", "count"),
    [(1, 0), (0, 1), (101, 1), ("2", 1), (True, 1), (1, 51)],
    ids=["no lines", "none of it", "over 100", "text", "a bool", "51 lines"],
)
def test_bad_lines_are_named(stool, quantity, count):
    assert list(order(stool, lines=[(stool, quantity)] * count)) == ["lines"]


def test_a_draft_product_cannot_be_ordered_by_a_direct_call(woodshop, stool):
    draft = make_product(producer=woodshop, title="Prototype", status="draft")

    assert list(order(stool, lines=[(stool, 1), (draft, 1)])) == ["lines"]


def test_every_bad_field_is_named_at_once(stool):
    errors = order(
        stool,
        lines=[],
        fulfilment="delivery",
        contact=GUEST.__class__(name="", email="nope"),
    )

    assert set(errors) == {"lines", "delivery_address", "contact_name", "contact_email"}


# --- Cancelling and declining ----------------------------------------------------------------


def test_a_cancel_reason_over_240_characters_is_refused_and_the_order_stays(stool):
    placed = place((stool, 1))

    errors = refused(services.order_cancel, order=placed, by=None, reason="x" * 241)

    assert list(errors) == ["reason"]
    assert Order.objects.get().status == Order.Status.PAID


def test_a_blank_cancel_reason_is_the_customers(stool):
    placed = place((stool, 1))

    services.order_cancel(order=placed, by=None, reason=" ")

    assert Order.objects.get().cancel_reason == "Cancelled by the customer"


@pytest.mark.parametrize("reason", ["", "   ", "x" * 241])
def test_a_decline_needs_a_reason_of_at_most_240_characters(stool, reason):
    job = place((stool, 1)).jobs.get()

    errors = refused(services.job_decline, job=job, by=None, reason=reason)

    assert list(errors) == ["reason"]
    assert Job.objects.get().status == Job.Status.ROUTED


def test_a_long_decline_reason_is_kept_whole_on_the_job_and_cut_to_fit_the_ledger(stool):
    job = place((stool, 1)).jobs.get()

    services.job_decline(job=job, by=None, reason="x" * 240)

    assert Job.objects.get().decline_reason == "x" * 240
    release = StockMovement.objects.get(kind="release")
    assert len(release.reason) == 240
    assert release.reason.startswith("Declined: xxx")
