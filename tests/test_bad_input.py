"""Bad input is refused at the edge with a 400, never a 5xx, and only database errors that
pass by themselves answer 503."""

import base64
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.db import DataError, IntegrityError, OperationalError, ProgrammingError
from django.utils import timezone

from backend.errors import exception_handler, is_transient
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from tests.factories import MaterialFactory, SharedLocationFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def plywood(fablab):
    shared = SharedLocationFactory(producer=fablab, code="fablab-rack")
    material = MaterialFactory(sku="PLY")
    stock_receive(material=material, location=shared, quantity="10", by=None, reason="in")
    return material


# --- NUL characters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products/%00/",
        "/api/v1/products/%00/bom/",
        "/api/v1/producers/%00/",
        "/api/v1/materials/%00/",
        "/api/v1/categories/%00/",
        "/api/v1/capabilities/%00/",
        "/api/v1/orders/%00/",
        "/api/v1/stock-locations/%00/",
        "/api/v1/stock/?material=%00",
        "/api/v1/stock-movements/?reference=a%00b",
        "/api/v1/products/?q=%00",
    ],
)
def test_a_nul_in_an_api_path_or_query_answers_400_with_a_code(api, staff, url):
    response = api.as_user(staff).get(url)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("url", ["/orders/%00/", "/products/%00/", "/producers/?q=%00"])
def test_a_nul_in_a_storefront_path_or_query_answers_400(client, url):
    assert client.get(url).status_code == 400


def test_a_nul_in_a_storefront_form_body_answers_400(client):
    response = client.post(
        "/accounts/sign-in/", "username=a%00b&password=x", "application/x-www-form-urlencoded"
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"material": "PLY\u0000", "location": "fablab-rack", "quantity": "1", "reason": "x"},
        {"material": "PLY", "location": "\u0000", "quantity": "1", "reason": "x"},
        {"material": "PLY", "location": "fablab-rack", "quantity": "1", "reason": "a\u0000"},
    ],
)
def test_a_nul_anywhere_in_a_json_body_answers_400(api, technician, plywood, body):
    response = api.as_user(technician).post("/api/v1/stock/receipts/", body, format="json")

    assert response.status_code == 400


def test_a_multipart_slug_with_a_nul_is_a_field_error_not_a_database_error(
    api, technician, plywood
):
    body = {"material": "PLY\x00", "location": "fablab-rack", "quantity": "1", "reason": "x"}

    response = api.as_user(technician).post("/api/v1/stock/receipts/", body, format="multipart")

    assert response.status_code == 400


# --- JSON nesting ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 10_000])
def test_json_nested_deeper_than_any_body_of_ours_answers_400(api, technician, depth):
    body = "[" * depth + "]" * depth

    response = api.as_user(technician).generic(
        "POST", "/api/v1/stock/receipts/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_json_as_deep_as_our_bodies_is_read(api, technician, plywood):
    body = {"material": "PLY", "location": "fablab-rack", "quantity": "1", "reason": "x"}

    response = api.as_user(technician).post("/api/v1/stock/receipts/", body, format="json")

    assert response.status_code == 201


# --- Dates, cursors and months ----------------------------------------------------------------


@pytest.mark.parametrize("offset", ["%2B23:59", "-15:00", "%2B14:01"])
def test_a_date_filter_with_an_offset_no_time_zone_has_answers_400(api, technician, offset):
    response = api.as_user(technician).get(
        f"/api/v1/stock-movements/?date_from=2026-01-01T00:00:00{offset}"
    )

    assert response.status_code == 400
    assert "date_from" in response.json()["errors"]


def test_a_date_filter_at_the_widest_real_offset_is_read(api, technician):
    response = api.as_user(technician).get(
        "/api/v1/stock-movements/?date_from=2026-01-01T00:00:00%2B14:00"
    )

    assert response.status_code == 200


def test_a_cursor_with_an_offset_no_time_zone_has_answers_400(api):
    token = base64.urlsafe_b64encode(
        json.dumps([0, ["2026-01-01T00:00:00+23:00", 5]]).encode()
    ).decode()

    response = api.get(f"/api/v1/products/?cursor={token}")

    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2026-1", " 2026-01", "2_026-01"])
def test_a_usage_report_month_the_calendar_cannot_end_answers_400(api, technician, month):
    response = api.as_user(technician).get(f"/api/v1/reports/materials-usage/?month={month}")

    assert response.status_code == 400
    assert "month" in response.json()["errors"]


def test_the_last_month_the_reports_know_is_read(api, technician):
    response = api.as_user(technician).get("/api/v1/reports/materials-usage/?month=2999-12")

    assert response.status_code == 200


# --- Quantities past what a shelf holds -------------------------------------------------------


def test_a_receipt_that_would_overflow_the_balance_is_refused_without_a_5xx(
    api, technician, plywood
):
    body = {
        "material": "PLY",
        "location": "fablab-rack",
        "quantity": "99999999999.999",
        "reason": "x",
    }

    response = api.as_user(technician).post("/api/v1/stock/receipts/", body, format="json")

    assert response.status_code == 400
    assert "quantity" in response.json()["errors"]


# --- Database errors -----------------------------------------------------------------------


def driver_error(sqlstate: str) -> Exception:
    cause = Exception("driver")
    cause.sqlstate = sqlstate
    return cause


def raised(error_class, sqlstate: str | None = None):
    error = error_class("boom")
    if sqlstate:
        error.__cause__ = driver_error(sqlstate)
    return error


@pytest.mark.parametrize(
    ("error_class", "sqlstate"),
    [
        (OperationalError, "40001"),  # serialization failure
        (OperationalError, "40P01"),  # deadlock
        (OperationalError, "53100"),  # disk full
        (OperationalError, "57014"),  # statement cancelled (a timeout)
        (OperationalError, "08006"),  # connection failure
        (OperationalError, None),  # SQLite: database is locked
    ],
)
def test_only_errors_that_pass_by_themselves_answer_503_with_retry_after(error_class, sqlstate):
    response = exception_handler(raised(error_class, sqlstate), {})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_a_value_the_column_cannot_hold_answers_400_and_is_logged_as_an_error(caplog):
    response = exception_handler(raised(DataError, "22003"), {})

    assert response.status_code == 400
    assert response.data["code"] == "invalid_value"
    assert "data error" in caplog.text


def test_a_constraint_violation_answers_409_conflict():
    response = exception_handler(raised(IntegrityError, "23505"), {})

    assert response.status_code == 409
    assert response.data["code"] == "conflict"


@pytest.mark.parametrize(
    ("error_class", "sqlstate"), [(ProgrammingError, "42P01"), (OperationalError, "42601")]
)
def test_a_fault_in_the_code_is_not_dressed_up_as_temporarily_unavailable(error_class, sqlstate):
    error = raised(error_class, sqlstate)

    assert not is_transient(error)
    assert exception_handler(error, {}) is None  # DRF re-raises it: a 500, reported


def test_a_data_error_from_a_view_answers_400_not_503(api, technician, plywood):
    with mock.patch(
        "catalog.api.views.stock.stock_receive", side_effect=raised(DataError, "22001")
    ):
        response = api.as_user(technician).post(
            "/api/v1/stock/receipts/",
            {"material": "PLY", "location": "fablab-rack", "quantity": "1", "reason": "x"},
            format="json",
        )

    assert response.status_code == 400
    assert "Retry-After" not in response


def test_usage_month_now_is_the_default(api, technician):
    response = api.as_user(technician).get("/api/v1/reports/materials-usage/")

    assert response.json()["month"] == timezone.localdate().strftime("%Y-%m")
    assert Decimal(response.json()["total_cost"]) == 0


# PostgreSQL refuses the total (a DataError, mapped to 400); SQLite stores it and fails on
# reading it back, until order placement bounds totals itself.
@pytest.mark.postgres
def test_an_order_whose_total_overflows_is_refused_without_a_5xx(api, coop):
    dear = make_product(producer=coop, title="Gold stool", price=Decimal("9999999999.99"))
    product_stock_receive(product=dear, quantity=100, by=None, reason="made")
    body = {
        "contact": {"name": "Pat Doe", "email": "pat@example.org"},
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
        "lines": [{"product": dear.slug, "quantity": 100}],
    }

    response = api.post("/api/v1/orders/", body, format="json")

    assert response.status_code in (400, 409)
    assert "Retry-After" not in response
