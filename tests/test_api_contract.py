"""The API keeps the contract it publishes: documented errors, JSON everywhere under
/api/, decimals only in the published pattern, docs that work under the CSP."""

import importlib
import inspect
import json
import re
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from backend.fields import StrictDecimalField
from tests.factories import MaterialFactory, UserFactory, make_product

pytestmark = pytest.mark.django_db

ALWAYS = {"400", "401", "403", "404", "429", "503"}
WRITES = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, ops in schema["paths"].items():
        for method, operation in ops.items():
            yield path, method, operation


# --- The schema ------------------------------------------------------------------------


def test_every_operation_documents_the_error_answers(schema):
    missing = [
        f"{method.upper()} {path}: {sorted(expected - set(operation['responses']))}"
        for path, method, operation in operations(schema)
        for expected in [ALWAYS | ({"409"} if method in WRITES else set())]
        if not expected <= set(operation["responses"])
    ]

    assert not missing, "\n".join(missing)


def test_the_error_answers_carry_code_and_the_400_its_field_errors(schema):
    components = schema["components"]["schemas"]
    orders = schema["paths"]["/api/v1/orders/"]["post"]["responses"]

    assert orders["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ValidationProblem"
    )
    assert components["ValidationProblem"]["required"] == ["code", "detail", "errors"]
    assert orders["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/Conflict")
    assert "code" in components["Conflict"]["required"]
    assert "Retry-After" in orders["429"]["headers"]


def test_a_transition_by_nobody_is_documented_as_null(schema):
    assert schema["components"]["schemas"]["Transition"]["properties"]["by"]["nullable"] is True


@pytest.mark.parametrize(
    "path", ["/api/v1/producers/{slug}/members/", "/api/v1/products/{slug}/bom/"]
)
def test_members_and_bom_advertise_no_filters(schema, path):
    parameters = schema["paths"][path]["get"].get("parameters", [])

    assert [p["name"] for p in parameters if p["in"] == "query"] == []


def test_a_filter_sent_to_the_bom_changes_nothing(api):
    product = make_product()

    response = api.get(f"/api/v1/products/{product.slug}/bom/", {"status": "draft"})

    assert response.status_code == 200


# --- JSON errors under /api/ -------------------------------------------------------------


def test_an_unknown_api_route_answers_json_404(client):
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_an_unknown_storefront_page_still_answers_html(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_oversized_api_body_answers_json_413(client, settings):
    body = json.dumps({"contact_name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    response = client.post("/api/v1/orders/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


# --- Decimals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["1_000", " 1 ", "1 ", "\u0661\u0662", "1e3", "1E3", "NaN", "Infinity", "+1", "0x10"]
)
def test_a_decimal_outside_the_published_pattern_is_refused(api, text):
    material = MaterialFactory()
    api.as_user(UserFactory(is_staff=True))

    response = api.patch(f"/api/v1/materials/{material.sku}/", {"unit_cost": text}, format="json")

    assert response.status_code == 400
    assert "unit_cost" in response.json()["errors"]
    material.refresh_from_db()
    assert material.unit_cost == Decimal("12.5")


@pytest.mark.parametrize(("sent", "stored"), [("14.25", "14.25"), (".5", "0.5"), (3, "3")])
def test_plain_decimals_and_json_numbers_are_taken(api, sent, stored):
    material = MaterialFactory()
    api.as_user(UserFactory(is_staff=True))

    response = api.patch(f"/api/v1/materials/{material.sku}/", {"unit_cost": sent}, format="json")

    assert response.status_code == 200
    material.refresh_from_db()
    assert material.unit_cost == Decimal(stored)


def _serializer_classes():
    for module_name in (
        "catalog.api.serializers",
        "catalog.api.product_serializers",
        "orders.api.serializers",
        "orders.api.payments",
        "producers.api.serializers",
        "producers.api.tokens",
        "community.api.fund",
        "community.api.round_serializers",
        "fablab.api.serializers",
        "fablab.api.certification_serializers",
        "fablab.api.reports",
        "catalog.api.offcuts",
    ):
        module = importlib.import_module(module_name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, serializers.Serializer) and cls.__module__ == module_name:
                yield cls


def _decimal_inputs(serializer, prefix=""):
    for name, field in serializer.fields.items():
        child = getattr(field, "child", None)
        field = child if isinstance(child, serializers.Serializer) else field
        if isinstance(field, serializers.Serializer):
            yield from _decimal_inputs(field, f"{prefix}{name}.")
        elif isinstance(field, serializers.DecimalField) and not field.read_only:
            yield f"{prefix}{name}", field


def test_every_decimal_input_of_the_api_is_the_strict_field(schema):
    # A serializer that reads a request body is published as `<Name>Request`.
    inputs = {
        re.sub(r"^Patched", "", name).removesuffix("Request")
        for name in schema["components"]["schemas"]
        if name.endswith("Request")
    }
    checked = [
        cls for cls in _serializer_classes() if cls.__name__.removesuffix("Serializer") in inputs
    ]
    loose = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in checked
        for name, field in _decimal_inputs(cls())
        if not isinstance(field, StrictDecimalField)
    ]

    assert len(checked) > 10
    assert not loose, loose


# --- The docs page -----------------------------------------------------------------------


def test_the_docs_page_has_no_inline_script_and_only_same_origin_assets(client):
    page = client.get("/api/docs/").content.decode()

    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts
    assert all('src="/' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert all(url.startswith("/") and not url.startswith("//") for url in assets)


def test_the_docs_start_up_script_is_served_as_javascript(client):
    response = client.get("/api/docs/?script=")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


# --- Offcuts -----------------------------------------------------------------------------


def test_the_offcut_endpoints_are_published_with_their_answers(schema):
    paths = schema["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/offcuts/"])
    for action in ("draw-down", "discard"):
        responses = paths[f"/api/v1/offcuts/{{id}}/{action}/"]["post"]["responses"]
        assert {"200", "400", "409"} <= set(responses)
