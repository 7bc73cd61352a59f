from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_health_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_answers_503_when_the_database_is_down(client):
    with mock.patch("backend.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_health_answers_503_when_the_cache_is_down(client):
    with mock.patch("backend.health.cache.set", side_effect=ConnectionError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["cache"] == "down"


def test_api_root_lists_the_resources(client):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    assert response.json()["producer-list"].endswith("/api/v1/producers/")


def test_schema_and_docs_are_served_without_outside_hosts(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert docs.status_code == 200
    assert b"cdn." not in docs.content
    assert b"https://" not in docs.content


def test_unknown_api_route_answers_json_404(client):
    response = client.get("/api/v1/producers/no-such-coop/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/api/v1/orders/" in target.read_text()
