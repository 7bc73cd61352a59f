"""Options and personal text through the orders API, the webhook payload and the emails."""

import pytest

from catalog.models import StockBalance
from orders.delivery import job_payload
from orders.models import Email, Order
from producers.models import Membership
from tests.factories import (
    MembershipFactory,
    make_personal_product,
    make_sized_product,
    order_body,
    size_variant,
)

pytestmark = pytest.mark.django_db


def body(*lines, **extra) -> dict:
    """An order body whose lines are (product, quantity, {line fields})."""
    data = order_body(*[(product, quantity) for product, quantity, _ in lines], **extra)
    for line, (_, _, fields) in zip(data["lines"], lines, strict=True):
        line.update(fields)
    return data


def free(product, size):
    return StockBalance.objects.get(material=size_variant(product, size).stock_item).available


def test_an_order_with_a_size_and_a_name_shows_them_on_its_lines(api):
    shirt = make_sized_product(sizes={"M": 2, "L": 2}, title="T-shirt")
    tote = make_personal_product(title="Tote")

    response = api.post(
        "/api/v1/orders/",
        body(
            (shirt, 1, {"options": {"Size": "M"}}),
            (tote, 1, {"personalisation": {"Name to embroider": "Ada"}}),
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    lines = {line["title"]: line for line in response.json()["lines"]}
    assert lines["T-shirt"]["options"] == [{"option": "Size", "value": "M", "price_delta": "0.00"}]
    assert lines["Tote"]["personalisation"] == [{"label": "Name to embroider", "text": "Ada"}]
    assert (free(shirt, "M"), free(shirt, "L")) == (1, 2)


def test_a_sold_out_size_is_a_409_with_its_code(api):
    shirt = make_sized_product(sizes={"M": 0, "L": 2})

    response = api.post(
        "/api/v1/orders/", body((shirt, 1, {"options": {"Size": "M"}})), format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert Order.objects.count() == 0


def test_a_price_sent_with_a_size_is_ignored_and_the_catalog_prices_the_line(api):
    shirt = make_sized_product(sizes={"XL": 2}, deltas={"XL": "2.00"}, price="22.00")

    response = api.post(
        "/api/v1/orders/",
        body((shirt, 1, {"options": {"Size": "XL"}, "unit_price": "0.01", "price_delta": "-21"})),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["lines"][0]["unit_price"] == "24.00"


def test_a_size_the_product_does_not_have_is_a_400_naming_it(api):
    shirt = make_sized_product(sizes={"M": 2})

    response = api.post(
        "/api/v1/orders/", body((shirt, 1, {"options": {"Size": "XXL"}})), format="json"
    )

    assert response.status_code == 400
    assert "“XXL” is not a size" in str(response.json()["errors"]["lines"])


def test_personal_text_with_a_control_character_is_a_400(api):
    tote = make_personal_product()

    response = api.post(
        "/api/v1/orders/",
        body((tote, 1, {"personalisation": {"Name to embroider": "Ada\u0007"}})),
        format="json",
    )

    assert response.status_code == 400
    assert Order.objects.count() == 0


def test_the_webhook_payload_and_the_emails_carry_the_size_and_the_text(api):
    shirt = make_sized_product(sizes={"M": 1}, title="T-shirt")
    tote = make_personal_product(title="Tote", producer=shirt.producer)
    MembershipFactory(producer=shirt.producer, role=Membership.Role.MANAGER)
    api.post(
        "/api/v1/orders/",
        body(
            (shirt, 1, {"options": {"Size": "M"}}),
            (tote, 1, {"personalisation": {"Name to embroider": "<b>Ada</b>"}}),
        ),
        format="json",
    )
    order = Order.objects.get()
    job = order.jobs.get()

    lines = {line["title"]: line for line in job_payload(job, "job.routed")["data"]["lines"]}
    to_coop = Email.objects.get(order=order, kind="job.routed")
    to_resident = Email.objects.get(order=order, kind="order.placed")

    assert lines["T-shirt"]["options"][0]["value"] == "M"
    assert lines["Tote"]["personalisation"][0]["text"] == "<b>Ada</b>"
    for email in (to_coop, to_resident):
        assert "T-shirt (Size: M)" in email.body_text
        assert "Name to embroider: <b>Ada</b>" in email.body_text
        assert "&lt;b&gt;Ada&lt;/b&gt;" in email.body_html
        assert "<b>Ada</b>" not in email.body_html


def test_the_product_api_lists_its_options_and_personal_texts(api):
    shirt = make_sized_product(sizes={"M": 1, "XL": 1}, deltas={"XL": "2.00"})
    tote = make_personal_product(max_length=30)

    shirt_json = api.get(f"/api/v1/products/{shirt.slug}/").json()
    tote_json = api.get(f"/api/v1/products/{tote.slug}/").json()

    assert shirt_json["options"] == [
        {
            "name": "Size",
            "values": [
                {"label": "M", "price_delta": "0.00"},
                {"label": "XL", "price_delta": "2.00"},
            ],
        }
    ]
    assert tote_json["personalisation"] == [
        {"label": "Name to embroider", "max_length": 30, "required": True}
    ]
