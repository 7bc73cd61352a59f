import pytest

from tests.factories import ProducerFactory

pytestmark = pytest.mark.django_db


def test_home_lists_active_coops(client):
    ProducerFactory(name="Common Thread Sewing Co-op")
    ProducerFactory(name="Sleeping Co-op", status="paused")

    response = client.get("/")

    assert b"Common Thread Sewing Co-op" in response.content
    assert b"Sleeping Co-op" not in response.content


def test_home_has_a_helpful_empty_state(client):
    response = client.get("/")

    assert b"No co-ops have joined yet" in response.content


def test_pages_carry_a_content_security_policy(client):
    response = client.get("/")

    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
