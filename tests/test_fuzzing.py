"""Property-based fuzzing of the whole API from its own OpenAPI schema.

The schema is read from the WSGI application in process; every operation is called
with generated data (valid and invalid), and sequences of calls follow the schema's
links (the stateful phase), as each kind of user. Whoever calls and whatever they
send, the API never answers 5xx nor a status the schema leaves out, and every answer
matches the schema. Wrong credentials are refused with 401. `make fuzz` runs longer.
"""

import functools
import os
from collections import Counter
from decimal import Decimal

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.schema import add_links
from backend.wsgi import application
from catalog.models import BillOfMaterialsLine, Product, StockMovement
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from orders.services import Contact, order_place
from producers.models import Membership
from producers.tokens import api_token_issue
from tests.community.rounds import budgeting_world
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
# Every role but the anonymous caller is a user with this name in `world`.
USERNAMES = {
    "resident": "resident",
    "coop_member": "coop-member",
    "coop_manager": "coop-manager",
    "other_manager": "other-manager",
    "fablab_staff": "technician",
    "platform_staff": "staff",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
# Seven roles × five examples keeps the run near the budget CI gives it; `make fuzz`
# raises it with FUZZ_EXAMPLES.
EXAMPLES_PER_ROLE = int(os.environ.get("FUZZ_EXAMPLES", "5"))


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
        "resident": UserFactory(username=USERNAMES["resident"]),
        "coop_member": member(coop, Membership.Role.MEMBER, USERNAMES["coop_member"]),
        "coop_manager": member(coop, Membership.Role.MANAGER, USERNAMES["coop_manager"]),
        "other_manager": member(other, Membership.Role.MANAGER, USERNAMES["other_manager"]),
        "fablab_staff": member(fablab, Membership.Role.MEMBER, USERNAMES["fablab_staff"]),
        "platform_staff": UserFactory(username=USERNAMES["platform_staff"], is_staff=True),
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
    # Budgeting rounds: a round in its vote and one of its proposals.
    rounds = budgeting_world()
    known |= {
        "round_id": {"community": rounds.voting.pk},
        "proposal_id": {"community": rounds.on_ballot.pk},
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


# Each test below sets its world up once and tries every variant in subtests: the
# world's setup, not the calls, is what costs (seconds per test on PostgreSQL).
BAD_AUTHORIZATIONS = ["Token nope", "Token ", "Token a b", "Bearer something", "Basic Zm9vOmJhcg=="]


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_wsgi")
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_invalid_credentials_are_refused_with_401_everywhere(operation, world, subtests):
    _, known = world

    for authorization in BAD_AUTHORIZATIONS:
        with subtests.test(authorization=authorization):
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
def test_a_nul_in_any_path_parameter_is_refused_with_400_for_every_role(operation, world, subtests):
    tokens, known = world

    for role in ROLES:
        with subtests.test(role=role):
            headers = {"Authorization": f"Token {tokens[role]}"} if role in tokens else {}
            case = operation.Case(path_parameters=with_nul(operation.path, known), headers=headers)

            response = case.call()

            assert response.status_code == 400


# The stateful phase: schemathesis chains operations along the schema's links (POST
# products/ then GET/PATCH/DELETE the new product, the jobs list then a job's actions,
# an order then its cancel and checkout...), so writes reach the objects they made and
# later steps see the state earlier ones left. Scenarios run as each role in turn.
# Bounded for CI like the examples above; `make fuzz` raises it with FUZZ_SCENARIOS.
STATEFUL_SCENARIOS_PER_ROLE = int(os.environ.get("FUZZ_SCENARIOS", "20"))
STATEFUL_STEPS = 10


PROGRESS = bool(os.environ.get("FUZZ_PROGRESS"))


def stateful_machine(user, answers: Counter):
    class Machine(SCHEMA.as_state_machine()):
        def setup(self):
            # Each scenario starts from the same data and leaves none behind: Hypothesis
            # replays a scenario by its choices, which must then meet the same answers.
            self._scenario = transaction.atomic()
            self._scenario.__enter__()
            # A fresh token each scenario: following the links, a caller may list its
            # tokens and revoke the one it is using (then 401 for the rest of it).
            self.headers = {}
            if user is not None:
                self.headers = {"Authorization": f"Token {api_token_issue(user=user)[1]}"}

        def before_call(self, case):
            case.headers = {
                key: value
                for key, value in (case.headers or {}).items()
                if key.lower() not in ("cookie", "authorization")
            }

        def teardown(self):
            transaction.set_rollback(True)
            self._scenario.__exit__(None, None, None)
            super().teardown()

        def get_call_kwargs(self, case):
            return {"headers": self.headers}

        def step(self, input):
            answers["(calls along a link)"] += input.transition is not None
            return super().step(input)

        def after_call(self, response, case):
            super().after_call(response, case)
            answers[f"{case.operation.label} {response.status_code}"] += 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)

    return Machine


@functools.cache
def published_schema() -> dict:
    # Built afresh: schemathesis adds links of its own guessing to SCHEMA as it runs.
    return SchemaGenerator().get_schema(request=None, public=True)


def linked_targets(path: str, method: str, status: str) -> set[str]:
    answer = published_schema()["paths"][path][method]["responses"][status]
    return {link["operationId"] for link in answer.get("links", {}).values()}


def test_a_new_product_links_to_reading_changing_and_deleting_it():
    targets = linked_targets("/api/v1/products/", "post", "201")

    assert {"v1_products_retrieve", "v1_products_partial_update", "v1_products_destroy"} <= targets


def test_a_placed_order_links_to_reading_cancelling_and_paying_it():
    targets = linked_targets("/api/v1/orders/", "post", "201")

    assert targets == {"v1_orders_retrieve", "v1_orders_cancel_create", "v1_orders_checkout_create"}


def test_the_jobs_list_links_to_every_job_action():
    targets = linked_targets("/api/v1/jobs/", "get", "200")

    assert targets == {
        "v1_jobs_retrieve",
        *(
            f"v1_jobs_{action}_create"
            for action in ["accept", "decline", "start", "ready", "hand_over"]
        ),
    }


def test_stock_writes_link_to_their_ledger_rows_and_a_token_to_its_revocation():
    assert "v1_stock_movements_retrieve" in linked_targets("/api/v1/stock/receipts/", "post", "201")
    assert linked_targets("/api/v1/auth/token/", "post", "200") == {
        "v1_auth_tokens_list",
        "v1_auth_tokens_destroy",
    }


def test_a_link_to_an_operation_the_schema_lacks_fails_the_schema_build():
    schema = {"paths": {"/a/": {"get": {"operationId": "v1_products_create", "responses": {}}}}}

    with pytest.raises(ValueError, match="no operation"):
        add_links(schema)


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_wsgi")
@pytest.mark.parametrize("role", ROLES)
def test_no_sequence_of_calls_gets_a_server_error_or_an_undocumented_answer(world, role):
    user = User.objects.get(username=USERNAMES[role]) if role in USERNAMES else None

    answers = Counter()

    stateful_machine(user, answers).run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS_PER_ROLE,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    if PROGRESS:
        lines = [f"  {count:5} {answer}" for answer, count in sorted(answers.items())]
        print(f"\nstateful, as {role}:", *lines, sep="\n")  # noqa: T201
