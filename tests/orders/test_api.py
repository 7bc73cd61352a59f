import datetime

import pytest

from catalog.services.products import product_stock_receive
from orders.models import Job, Order
from tests.factories import MembershipFactory, make_product, order_body, place

pytestmark = pytest.mark.django_db


def test_a_guest_places_an_order_and_gets_its_token_once(api, stool):
    response = api.post("/api/v1/orders/", order_body((stool, 2)), format="json")

    assert response.status_code == 201
    body = response.json()
    order = Order.objects.get(number=body["number"])
    assert body["access_token"] == order.access_token
    assert body["status_url"].endswith(f"/orders/{order.number}/?token={order.access_token}")
    assert body["total"] == "120.00"
    assert body["jobs"][0]["producer"]["slug"] == "woodshop"


def test_a_guest_follows_the_order_with_its_token_only(api, stool):
    order = place((stool, 1))
    url = f"/api/v1/orders/{order.number}/"

    assert api.get(f"{url}?token={order.access_token}").status_code == 200
    assert api.get(url).status_code == 404
    assert api.get(f"{url}?token=guess").status_code == 404
    assert "access_token" not in api.get(f"{url}?token={order.access_token}").json()


def test_a_pay_at_pickup_order_says_by_when_to_collect_it(api, stool):
    order = place((stool, 1))

    body = api.get(f"/api/v1/orders/{order.number}/?token={order.access_token}").json()

    order.refresh_from_db()
    assert order.collect_by is not None
    assert datetime.datetime.fromisoformat(body["collect_by"]) == order.collect_by


def test_customers_list_their_own_orders_only(api, stool, resident):
    mine = place((stool, 1), customer=resident)
    place((stool, 1))

    response = api.as_user(resident).get("/api/v1/orders/")

    assert [o["number"] for o in response.json()["results"]] == [mine.number]


def test_a_signed_in_customer_needs_no_contact_block(api, stool, resident):
    resident.email, resident.first_name = "keisha@example.org", "Keisha"
    resident.save()
    body = order_body((stool, 1))
    del body["contact"]

    response = api.as_user(resident).post("/api/v1/orders/", body, format="json")

    assert response.status_code == 201
    assert Order.objects.get().customer == resident


def test_an_order_beyond_stock_is_a_conflict_that_names_the_line(api, stool):
    response = api.post("/api/v1/orders/", order_body((stool, 9)), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert response.json()["detail"] == "Not enough left to make or sell: Stool (9 asked, 5 left)."
    assert response.json()["lines"] == [
        {
            "product": "stool",
            "product_name": "Stool",
            "material": stool.stock_item.sku,
            "material_name": None,
            "location": None,
            "unit": "each",
            "requested": "9",
            "available": "5",
        }
    ]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"product": "no-such-thing", "quantity": 1}]}, "lines"),
        ({"lines": [{"product": "stool", "quantity": 0}]}, "lines"),
        ({"lines": [{"product": "stool", "quantity": "lots"}]}, "lines"),
        ({"fulfilment": "delivery"}, "delivery_address"),
        ({"payment_method": "stripe"}, "payment_method"),
        ({"payment_method": "barter"}, "payment_method"),
        ({"contact": {"name": "K", "email": "not-an-email"}}, "contact"),
        ({"delivery_latitude": "32.3"}, "delivery_longitude"),
    ],
)
def test_bad_orders_get_field_errors_and_write_nothing(api, stool, change, field):
    body = {**order_body((stool, 1)), **change}

    response = api.post("/api/v1/orders/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Order.objects.exists()


def test_a_draft_product_cannot_be_ordered(api, woodshop):
    draft = make_product(producer=woodshop, title="Prototype", status="draft")

    response = api.post("/api/v1/orders/", order_body((draft, 1)), format="json")

    assert response.status_code == 400


def test_the_same_idempotency_key_and_body_replays_the_first_answer(api, stool):
    headers = {"Idempotency-Key": "a7c1e2"}
    first = api.post("/api/v1/orders/", order_body((stool, 1)), format="json", headers=headers)
    again = api.post("/api/v1/orders/", order_body((stool, 1)), format="json", headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json()["number"] == first.json()["number"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(api, stool):
    headers = {"Idempotency-Key": "a7c1e2"}
    api.post("/api/v1/orders/", order_body((stool, 1)), format="json", headers=headers)

    response = api.post("/api/v1/orders/", order_body((stool, 2)), format="json", headers=headers)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_a_failed_order_does_not_burn_its_idempotency_key(api, stool):
    headers = {"Idempotency-Key": "retry-me"}
    refused = api.post("/api/v1/orders/", order_body((stool, 9)), format="json", headers=headers)
    product_stock_receive(product=stool, quantity=4, by=None, reason="made more")

    response = api.post("/api/v1/orders/", order_body((stool, 9)), format="json", headers=headers)

    assert refused.status_code == 409
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert Order.objects.get().lines.get().quantity == 9


def test_a_guest_cancels_with_the_token(api, stool):
    order = place((stool, 1))

    response = api.post(f"/api/v1/orders/{order.number}/cancel/?token={order.access_token}")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_nobody_else_cancels_an_order(api, stool, resident):
    order = place((stool, 1))

    response = api.as_user(resident).post(f"/api/v1/orders/{order.number}/cancel/")

    assert response.status_code == 404
    assert Order.objects.get().status == "paid"


# --- Jobs ------------------------------------------------------------------------------


@pytest.fixture
def woodshop_member(woodshop):
    return MembershipFactory(producer=woodshop).user


@pytest.fixture
def sewing_member(sewing):
    return MembershipFactory(producer=sewing).user


def test_the_job_board_shows_a_coop_its_own_jobs_only(api, stool, tote, woodshop_member):
    place((stool, 1), (tote, 1))

    response = api.as_user(woodshop_member).get("/api/v1/jobs/")

    jobs = response.json()["results"]
    assert [job["producer"] for job in jobs] == ["woodshop"]
    assert [line["title"] for line in jobs[0]["lines"]] == ["Stool"]


def test_a_job_shows_only_the_customer_details_the_coop_needs(api, stool, woodshop_member):
    order = place((stool, 1))

    job = api.as_user(woodshop_member).get("/api/v1/jobs/").json()["results"][0]

    assert job["customer"] == {
        "name": "Keisha Brown",
        "phone": "601-555-0142",
        "fulfilment": "pickup",
        "delivery_address": None,
    }
    assert order.contact_email not in str(job)
    assert order.access_token not in str(job)


def test_unpaid_orders_are_not_on_the_job_board(api, stool, woodshop_member):
    place((stool, 1), payment_method="stripe")

    assert api.as_user(woodshop_member).get("/api/v1/jobs/").json()["results"] == []


def test_a_coop_moves_its_job_along(api, stool, woodshop_member):
    job = place((stool, 1)).jobs.get()
    client = api.as_user(woodshop_member)

    for step, status in [
        ("accept", "accepted"),
        ("start", "in_production"),
        ("ready", "ready"),
        ("hand-over", "handed_over"),
    ]:
        body = {"payment": {"method": "cash", "amount": "60.00"}} if step == "hand-over" else {}
        response = client.post(f"/api/v1/jobs/{job.pk}/{step}/", body, format="json")
        assert response.status_code == 200, step
        assert response.json()["status"] == status

    assert Order.objects.get().status == "completed"


def test_another_coops_job_is_not_found(api, stool, sewing_member):
    job = place((stool, 1)).jobs.get()

    response = api.as_user(sewing_member).post(f"/api/v1/jobs/{job.pk}/accept/")

    assert response.status_code == 404
    assert Job.objects.get().status == "routed"


def test_a_move_out_of_order_is_a_conflict(api, stool, woodshop_member):
    job = place((stool, 1)).jobs.get()

    response = api.as_user(woodshop_member).post(f"/api/v1/jobs/{job.pk}/hand-over/")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["status"] == "routed"


def test_declining_needs_a_reason(api, stool, woodshop_member):
    job = place((stool, 1)).jobs.get()

    response = api.as_user(woodshop_member).post(f"/api/v1/jobs/{job.pk}/decline/", {})

    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert Job.objects.get().status == "routed"


def test_residents_see_no_jobs(api, stool, resident):
    place((stool, 1))

    assert api.as_user(resident).get("/api/v1/jobs/").json()["results"] == []
    api.force_authenticate(user=None)
    assert api.get("/api/v1/jobs/").status_code == 401


def test_the_ledger_shows_a_jobs_reservations(api, shelf, woodshop_member, technician):
    job = place((shelf, 2)).jobs.get()

    response = api.as_user(technician).get(f"/api/v1/stock-movements/?job={job.pk}")

    rows = response.json()["results"]
    assert [(r["kind"], r["quantity"], r["reference"]) for r in rows] == [
        ("reserve", "4.000", f"job-{job.pk}")
    ]
