"""Every 400 under /api/ carries `errors`, as the published `ValidationProblem` says,
even when no single field is at fault (a NUL, a malformed body, a value the
database cannot hold)."""

import pytest
from django.db import DataError
from django.test import RequestFactory

from backend.errors import exception_handler
from backend.http_errors import bad_request


@pytest.mark.django_db
def test_a_nul_in_an_api_form_body_answers_400_with_errors(client):
    response = client.post(
        "/api/v1/stock/adjustments/",
        "reason=a%00b",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


@pytest.mark.django_db
def test_a_malformed_json_body_answers_400_with_errors(client):
    response = client.post("/api/v1/auth/token/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["errors"]["non_field_errors"]


def test_a_value_the_database_cannot_hold_answers_400_with_errors():
    response = exception_handler(DataError("numeric field overflow"), {})

    assert response.status_code == 400
    assert response.data["errors"]["non_field_errors"]


def test_django_s_own_bad_request_under_the_api_answers_with_errors():
    request = RequestFactory().get("/api/v1/products/")

    response = bad_request(request)

    assert response.status_code == 400
    assert b'"errors"' in response.content
