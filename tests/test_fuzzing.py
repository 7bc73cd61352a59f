"""Property-based fuzzing of the whole API from its own OpenAPI schema.

The schema is read from the WSGI application in process, and every operation is
called with generated data (valid and invalid) as each kind of user. Whoever calls
and whatever they send, the API never answers 5xx, and every documented answer
matches the schema. Wrong credentials are refused with 401.
"""

from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from backend.wsgi import application
from catalog.models import BillOfMaterialsLine, Product, StockMovement
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from orders.services import Contact, order_place
from producers.models import Membership
from producers.tokens import api_token_issue
from tests.factories import (
    CategoryFactory,
    FabLabFactory,
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    SharedLocationFactory,
    StockLocationFactory,
    UserFactory,
    make_product,
)

pytestmark = pytest.mark.slow

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# Stripe's webhook is authenticated by its signature alone: every generated body is
# refused with 400 before anything is read, so fuzzing it only exercises the check
# that tests/payments/test_webhooks.py covers with real signed events.
EXCLUDED = {("POST", "/api/v1/payments/stripe/webhook/")}

OPERATIONS = sorted(
    (
        operation
        for operation in (result.ok() for result in SCHEMA.get_all_operations())
        if (operation.method.upper(), operation.path) not in EXCLUDED
    ),
    key=lambda operation: operation.label,
)

ROLES = [
    "anonymous",
    "resident",
    "coop_member",
    "coop_manager",
    "other_manager",
    "fablab_staff",
    "platform_staff",
]
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Seven roles × five examples keeps the run near the budget CI gives it.
EXAMPLES_PER_ROLE = 5


@pytest.fixture
def in_process_wsgi():
    """Keep the test's connection open across in-process WSGI requests.

    The WSGI handler closes connections at the start and end of each request; inside
    a test transaction that would drop the connection (and the test's data). Django's
    own test client does the same disconnecting.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(settings, tmp_path):
    """Two co-ops and the Fab Lab, products of each kind, shared stock, and a placed order."""
    settings.MEDIA_ROOT = tmp_path
    settings.STRIPE_SECRET_KEY = ""
    fablab = FabLabFactory()
    coop = ProducerFactory(name="Woodshop", slug="woodshop", capabilities=["woodworking"])
    other = ProducerFactory(name="Sewing", slug="sewing", capabilities=["sewing"])
    store = SharedLocationFactory(producer=fablab, code="shared-rack")
    StockLocationFactory(producer=coop, code="wood-shelf")
    plywood = MaterialFactory(sku="PLY", name="Plywood")
    stock_receive(material=plywood, location=store, quantity="50", by=None, reason="in")
    stool = make_product(producer=coop, title="Stool", price=Decimal("60.00"))
    product_stock_receive(product=stool, quantity=5, by=None, reason="made")
    tote = make_product(producer=other, title="Tote", price=Decimal("28.00"))
    product_stock_receive(product=tote, quantity=5, by=None, reason="made")
    shelf = make_product(
        producer=coop,
        title="Shelf",
        price=Decimal("40.00"),
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=5,
    )
    BillOfMaterialsLine.objects.create(product=shelf, material=plywood, quantity=2)

    def member(producer, role, username):
        user = UserFactory(username=username)
        MembershipFactory(producer=producer, role=role, user=user)
        return user

    users = {
        "resident": UserFactory(username="resident"),
        "coop_member": member(coop, Membership.Role.MEMBER, "coop-member"),
        "coop_manager": member(coop, Membership.Role.MANAGER, "coop-manager"),
        "other_manager": member(other, Membership.Role.MANAGER, "other-manager"),
        "fablab_staff": member(fablab, Membership.Role.MEMBER, "technician"),
        "platform_staff": UserFactory(username="staff", is_staff=True),
    }
    order = order_place(
        customer=users["resident"],
        contact=Contact(name="Keisha Brown", email="keisha@example.org"),
        lines=[(stool, 1), (shelf, 1), (tote, 1)],
        fulfilment="pickup",
        payment_method="pay_at_pickup",
    )
    CategoryFactory(slug="furniture")
    membership = Membership.objects.get(user=users["coop_member"])
    tokens = {role: api_token_issue(user=user)[1] for role, user in users.items()}
    # Random path parameters only ever find nothing (404): most examples use these real
    # ones, so that bodies and queries reach the code behind each route.
    known = {
        "slug": {
            "capabilities": "woodworking",
            "categories": "furniture",
            "producers": coop.slug,
            "products": shelf.slug,
        },
        "id": {
            "jobs": order.jobs.get(producer=coop).pk,
            "stock-movements": StockMovement.objects.order_by("pk").first().pk,
        },
        "sku": {"materials": plywood.sku},
        "code": {"stock-locations": "shared-rack"},
        "number": {"orders": order.number},
        "membership_id": {"producers": membership.pk},
    }
    return tokens, known


def real_path_parameters(path: str, known: dict) -> dict:
    resource = path.removeprefix("/api/v1/").split("/")[0]
    return {
        name: values[resource]
        for name, values in known.items()
        if "{" + name + "}" in path and resource in values
    }


def fuzz(operation, headers: dict[str, str], path_parameters: dict) -> None:
    @settings(
        max_examples=EXAMPLES_PER_ROLE,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), real_path=st.integers(0, 3))
    def run(case, real_path):
        if real_path and path_parameters:
            case.path_parameters = {**(case.path_parameters or {}), **path_parameters}
        case.headers = {
            key: value for key, value in (case.headers or {}).items() if key.lower() != "cookie"
        }
        case.headers.pop("Authorization", None)
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_wsgi")
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_no_caller_gets_a_server_error_or_an_answer_the_schema_does_not_describe(operation, world):
    tokens, known = world
    path_parameters = real_path_parameters(operation.path, known)
    for role in ROLES:
        headers = {"Authorization": f"Token {tokens[role]}"} if role in tokens else {}
        try:
            fuzz(operation, headers, path_parameters)
        except Exception as exc:
            raise AssertionError(f"as {role}: {exc}") from exc


def signed_in_only(operation) -> bool:
    """True when the schema offers no anonymous way in (no empty security requirement)."""
    return {} not in operation.definition.raw.get("security", [{}])


def call_as(operation, known: dict, headers: dict[str, str]):
    names = [parameter.name for parameter in operation.path_parameters]
    path_parameters = dict.fromkeys(names, "0") | real_path_parameters(operation.path, known)
    case = operation.Case(path_parameters=path_parameters, headers=headers)
    return case.call()


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_wsgi")
@pytest.mark.parametrize(
    "authorization", ["Token nope", "Token ", "Token a b", "Bearer something", "Basic Zm9vOmJhcg=="]
)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_invalid_credentials_are_refused_with_401_everywhere(operation, world, authorization):
    _, known = world

    response = call_as(operation, known, {"Authorization": authorization})

    if authorization.startswith("Token") or signed_in_only(operation):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == ["Token"]
        assert response.json()["code"] in ("authentication_failed", "not_authenticated")
    else:
        # Not a token: the request is anonymous, and open operations answer it as such.
        assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_wsgi")
@pytest.mark.parametrize(
    "operation",
    [operation for operation in OPERATIONS if signed_in_only(operation)],
    ids=lambda operation: operation.label,
)
def test_missing_credentials_are_refused_with_401_where_the_schema_requires_them(operation, world):
    _, known = world

    response = call_as(operation, known, {})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_wsgi")
def test_a_valid_token_is_accepted_where_an_invalid_one_is_refused(world):
    tokens, known = world
    me = SCHEMA["/api/v1/me/"]["GET"]

    good = call_as(me, known, {"Authorization": f"Token {tokens['resident']}"})
    bad = call_as(me, known, {"Authorization": "Token nope"})

    assert good.status_code == 200
    assert good.json()["username"] == "resident"
    assert bad.status_code == 401
    assert bad.json() == {"code": "authentication_failed", "detail": "Invalid token."}


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["", "cancel/", "checkout/"])
def test_an_order_token_with_non_ascii_characters_is_a_wrong_token_not_a_crash(
    world, client, action
):
    _, known = world
    number = known["number"]["orders"]
    url = f"/api/v1/orders/{number}/{action}?token=caf%C3%A9"

    response = client.post(url) if action else client.get(url)

    assert response.status_code == 404


def with_nul(path: str, known: dict) -> dict:
    """Every path parameter of the operation, the real ones with a NUL inside."""
    real = real_path_parameters(path, known)
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return {name: f"{real.get(name, 'x')}\x00" for name in names}


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_wsgi")
@pytest.mark.parametrize(
    "operation",
    [operation for operation in OPERATIONS if "{" in operation.path],
    ids=lambda operation: operation.label,
)
@pytest.mark.parametrize("role", ROLES)
def test_a_nul_in_any_path_parameter_is_refused_with_400_for_every_role(operation, world, role):
    tokens, known = world
    headers = {"Authorization": f"Token {tokens[role]}"} if role in tokens else {}
    case = operation.Case(path_parameters=with_nul(operation.path, known), headers=headers)

    response = case.call()

    assert response.status_code == 400
