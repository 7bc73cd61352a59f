from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from producers.models import Capability, Membership
from tests import tasks_backend
from tests.factories import FabLabFactory, MembershipFactory, ProducerFactory, UserFactory

# Goods and places shared by several directories, defined once (tests/fixtures.py).
pytest_plugins = ["tests.fixtures"]


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` skip, saying why, when the suite runs on SQLite."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: SQLite has no row locks and serialises every writer; "
        "set DATABASE_URL=postgres://... to run it"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and cached reads must not leak from one test to the next."""
    cache.clear()


# The capabilities a data migration adds. A transactional test (the browser tests) empties
# every table when it ends, data migrations' rows too, so they are put back for each test.
STANDARD_CAPABILITIES = import_module(
    "producers.migrations.0002_standard_capabilities"
).CAPABILITIES


@pytest.fixture(autouse=True)
def _standard_capabilities(request):
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("django_db_setup")
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        request.getfixturevalue("db")
    for slug, name, description in STANDARD_CAPABILITIES:
        Capability.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


@pytest.fixture(autouse=True)
def _forget_tasks():
    """Tasks kept for later (`run_after`) by one test never run in the next; a test runs
    the due ones with `tests.tasks_backend.run_deferred_tasks(now=...)`."""
    yield
    tasks_backend.forget_tasks()


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` signs it in."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user=user)
            return self

    return Client()


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def coop():
    return ProducerFactory()


@pytest.fixture
def other_coop():
    return ProducerFactory()


@pytest.fixture
def fablab():
    return FabLabFactory()


@pytest.fixture
def resident():
    return UserFactory(username="resident")


@pytest.fixture
def staff():
    return UserFactory(username="staff", is_staff=True)


def _member(producer, role, username):
    return MembershipFactory(producer=producer, role=role, user=UserFactory(username=username)).user


@pytest.fixture
def coop_member(coop):
    return _member(coop, Membership.Role.MEMBER, "coop-member")


@pytest.fixture
def coop_manager(coop):
    return _member(coop, Membership.Role.MANAGER, "coop-manager")


@pytest.fixture
def other_manager(other_coop):
    return _member(other_coop, Membership.Role.MANAGER, "other-manager")


@pytest.fixture
def technician(fablab):
    return _member(fablab, Membership.Role.MEMBER, "technician")
