"""Every workbench page, for every role, against the tables in `workbench_matrix`."""

import importlib
import pkgutil

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from producers.permissions import forget_roles
from tests.frontend import workbench_matrix
from tests.frontend.workbench_matrix import OK, ROLES, SIGN_IN, World

pytestmark = pytest.mark.django_db

SECTIONS = [
    importlib.import_module(f"{workbench_matrix.__name__}.{module.name}")
    for module in pkgutil.iter_modules(workbench_matrix.__path__)
]
ROWS = {key: (section, cells) for section in SECTIONS for key, cells in section.ROWS.items()}


def workbench_routes() -> dict[str, set[str]]:
    """URL name -> its kwarg names, for every page under the `workbench` namespace."""
    found = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "workbench":
                found[f"workbench:{pattern.name}"] = set(pattern.pattern.regex.groupindex)

    walk(get_resolver().url_patterns, None)
    return found


def test_every_workbench_page_has_rows():
    missing = []
    for name, kwarg_names in workbench_routes().items():
        targets = {target for (row_name, _, target) in ROWS if row_name == name}
        needed = {"A", "B"} if kwarg_names else {"-"}
        if not targets or not needed <= targets:
            missing.append(f"{name} needs rows for {sorted(needed - targets) or needed}")
    assert not missing, "\n".join(missing)


def test_every_row_names_a_page_and_every_role():
    routes = workbench_routes()
    for (name, _, _), (_, cells) in ROWS.items():
        assert name in routes, f"{name} is not a workbench page"
        assert set(cells) == set(ROLES), name


def _answers(expected, response) -> bool:
    to_sign_in = response.status_code == 302 and response["Location"].startswith(
        "/accounts/sign-in/"
    )
    if expected == SIGN_IN:
        return to_sign_in
    if expected == OK:
        return 200 <= response.status_code < 300 or (
            response.status_code in (301, 302, 303) and not to_sign_in
        )
    return response.status_code == expected


@pytest.fixture
def world(media):
    return World(SECTIONS)


@pytest.mark.parametrize("key", sorted(ROWS), ids=" ".join)
def test_the_workbench_answers_each_role_as_the_table_says(client, world, key):
    name, method, target = key
    section, cells = ROWS[key]
    side = {"A": world.a, "B": world.b, "-": world.a}[target]
    kwargs = {"slug": side.producer.slug} if target != "-" else {}
    if hasattr(section, "kwargs"):
        kwargs |= section.kwargs(name, side)
    kwargs = {key: value for key, value in kwargs.items() if key in workbench_routes()[name]}
    url = reverse(name, kwargs=kwargs)
    wrong = []
    for role in ROLES:
        user = world.users[role]
        client.logout()
        if user is not None:
            forget_roles(user)
            client.force_login(user)
        body = section.body(name, side) if hasattr(section, "body") else {}
        # Each request sees the same data: whatever it changes is rolled back.
        with transaction.atomic():
            response = getattr(client, method)(url, body)
            transaction.set_rollback(True)
        if not _answers(cells[role], response):
            wrong.append(f"{role}: expected {cells[role]}, got {response.status_code}")
    assert not wrong, f"{method.upper()} {url}\n" + "\n".join(wrong)
