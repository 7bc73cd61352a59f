"""Abuse from outside: webhook URLs aimed at the platform's own network, floods of
orders and passwords, forged cross-site writes, oversized bodies, and what the
browser is told about every response."""

import ipaddress
import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.utils import timezone
from django.views.static import serve
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from backend import sign_in_limit
from catalog.services.images import product_image_add
from orders.models import WebhookDelivery
from producers.models import Producer
from producers.tokens import api_token_issue
from producers.webhooks import check_webhook_url, is_forbidden_address
from tests.factories import ProducerFactory, UserFactory
from tests.images import cutting_board, jpeg
from tests.orders.receivers import make_job, send

pytestmark = pytest.mark.django_db

CSRF_SECRET = "abcdefghijklmnopqrstuvwxyz012345"


# --- A DNS we control ---------------------------------------------------------------------


class FakeDNS:
    """Answers for the names in `table`; every other name goes to the real resolver.
    Change `table` between calls to play a name that resolves elsewhere later."""

    def __init__(self, table: dict[str, list[str]]):
        self.table = table
        self.lookups: list[str] = []
        self._real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        if host not in self.table:
            return self._real(host, port, *args, **kwargs)
        self.lookups.append(host)
        if not self.table[host]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = []
        for address in self.table[host]:
            if ":" in address:
                answers.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                answers.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return answers


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS({})
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def production_webhooks(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False


# --- Outbound webhooks: only public addresses ---------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.20",
        "169.254.169.254",
        "169.254.10.10",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fd00:ec2::254",
        "fc00::5",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
    ],
)
def test_a_webhook_host_resolving_to_a_non_public_address_is_refused(
    production_webhooks, dns, address
):
    dns.table["hooks.coop.test"] = [address]

    with pytest.raises(ValidationError) as caught:
        check_webhook_url("https://hooks.coop.test/jobs")

    assert caught.value.code == "private_address"


def test_a_webhook_host_resolving_to_public_addresses_is_accepted(production_webhooks, dns):
    dns.table["hooks.coop.test"] = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]

    check_webhook_url("https://hooks.coop.test/jobs")


def test_one_private_address_among_public_ones_is_enough_to_refuse(production_webhooks, dns):
    dns.table["hooks.coop.test"] = ["93.184.216.34", "10.0.0.7"]

    with pytest.raises(ValidationError):
        check_webhook_url("https://hooks.coop.test/jobs")


def test_an_ip_literal_in_the_url_is_judged_the_same(production_webhooks):
    for url in ["http://127.0.0.1:8000/", "http://[::1]/", "http://169.254.169.254/latest/"]:
        with pytest.raises(ValidationError):
            check_webhook_url(url)


def test_a_host_that_does_not_resolve_is_refused(production_webhooks, dns):
    dns.table["nowhere.coop.test"] = []

    with pytest.raises(ValidationError) as caught:
        check_webhook_url("https://nowhere.coop.test/jobs")

    assert caught.value.code == "unresolvable"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://hooks.coop.test/jobs", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://hooks.coop.test/", "scheme"),
        ("https://user:secret@hooks.coop.test/jobs", "credentials"),
        ("https://user@hooks.coop.test/jobs", "credentials"),
    ],
)
def test_other_schemes_and_credentials_are_refused_even_in_development(url, code):
    with pytest.raises(ValidationError) as caught:
        check_webhook_url(url)

    assert caught.value.code == code


def test_a_name_that_stops_resolving_is_a_failed_attempt_to_retry(production_webhooks, dns):
    dns.table["hooks.coop.test"] = []
    job = make_job(webhook_url="http://hooks.coop.test/hooks/jobs")

    delivery = send(job)

    delivery.refresh_from_db()
    assert "could not be resolved" in delivery.attempt_log.get().error
    assert delivery.state == WebhookDelivery.State.PENDING


def test_metadata_addresses_are_forbidden_by_name():
    assert is_forbidden_address(ipaddress.ip_address("169.254.169.254"))
    assert is_forbidden_address(ipaddress.ip_address("fd00:ec2::254"))
    assert not is_forbidden_address(ipaddress.ip_address("93.184.216.34"))


def test_setting_a_webhook_url_to_a_private_address_answers_400(
    api, coop, coop_manager, production_webhooks, dns
):
    dns.table["hooks.coop.test"] = ["10.0.0.5"]

    response = api.as_user(coop_manager).patch(
        f"/api/v1/producers/{coop.slug}/",
        {"webhook_url": "https://hooks.coop.test/jobs"},
        format="json",
    )

    assert response.status_code == 400
    assert "not a public address" in response.json()["errors"]["webhook_url"][0]
    coop.refresh_from_db()
    assert coop.webhook_url == ""


def test_setting_a_webhook_url_to_a_public_address_is_saved(
    api, coop, coop_manager, production_webhooks, dns
):
    dns.table["hooks.coop.test"] = ["93.184.216.34"]

    response = api.as_user(coop_manager).patch(
        f"/api/v1/producers/{coop.slug}/",
        {"webhook_url": "https://hooks.coop.test/jobs"},
        format="json",
    )

    assert response.status_code == 200
    coop.refresh_from_db()
    assert coop.webhook_url == "https://hooks.coop.test/jobs"


def test_a_name_that_resolves_privately_by_delivery_time_is_not_called(
    api, coop, coop_manager, production_webhooks, dns, receiver
):
    url = f"http://hooks.coop.test:{receiver.port}/hooks/jobs"
    dns.table["hooks.coop.test"] = ["93.184.216.34"]
    saved = api.as_user(coop_manager).patch(
        f"/api/v1/producers/{coop.slug}/", {"webhook_url": url}, format="json"
    )
    assert saved.status_code == 200
    # The name now points at the platform's own machine, where something listens.
    dns.table["hooks.coop.test"] = ["127.0.0.1"]

    delivery = send(make_job(producer=Producer.objects.get(pk=coop.pk)))

    assert receiver.requests == []
    delivery.refresh_from_db()
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert attempt.error.startswith("Refused:")
    assert "127.0.0.1" in attempt.error
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.next_attempt_at > timezone.now()


@pytest.mark.parametrize("address", ["10.20.30.40", "169.254.169.254"])
def test_a_url_saved_before_the_guard_existed_is_refused_at_delivery(
    production_webhooks, dns, address
):
    dns.table["hooks.coop.test"] = [address]
    job = make_job(webhook_url="http://hooks.coop.test/hooks/jobs")

    delivery = send(job)

    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert address in attempt.error


def test_the_delivery_connects_to_the_address_that_was_checked(settings, dns, receiver):
    # Private addresses allowed here only so that the local receiver can stand in
    # for a co-op's server; the point is which address the connection goes to.
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    dns.table["hooks.coop.test"] = ["127.0.0.1"]
    job = make_job(webhook_url=f"http://hooks.coop.test:{receiver.port}/hooks/jobs")
    receiver.secret = job.producer.webhook_secret

    class Rebinding(FakeDNS):
        def __call__(self, host, port, *args, **kwargs):
            answers = super().__call__(host, port, *args, **kwargs)
            if host == "hooks.coop.test":
                # Any lookup after the check would get an address nobody listens on.
                self.table[host] = ["10.255.255.1"]
            return answers

    rebinding = Rebinding(dns.table)
    socket.getaddrinfo = rebinding
    try:
        delivery = send(job)
    finally:
        socket.getaddrinfo = dns

    assert rebinding.lookups == ["hooks.coop.test"]
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["host"] == f"hooks.coop.test:{receiver.port}"
    assert receiver.requests[0].verified
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED


def test_redirects_are_still_not_followed(receiver):
    receiver.status = 307
    receiver.location = "http://169.254.169.254/latest/meta-data/"

    delivery = send(make_job(receiver=receiver))

    assert len(receiver.requests) == 1
    assert delivery.attempt_log.get().status_code == 307


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DJANGO_ENV": "production"}, "False"),
        ({"DJANGO_ENV": "development"}, "True"),
        ({"DJANGO_ENV": "production", "WEBHOOKS_ALLOW_PRIVATE": "true"}, "True"),
    ],
)
def test_private_webhook_addresses_are_refused_by_default_in_production(env, expected):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "WEBHOOKS_ALLOW_PRIVATE", "DJANGO_ENV"}
    }
    clean.update(
        env,
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shop.example.org",
        DJANGO_SETTINGS_MODULE="backend.settings",
    )
    code = "from backend import settings; print(settings.WEBHOOKS_ALLOW_PRIVATE)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == expected


# --- Throttles ----------------------------------------------------------------------------


@pytest.fixture
def rates(monkeypatch):
    """Set throttle rates for the test (DRF reads them once, at import)."""

    def set_rates(**scopes):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", scopes)

    return set_rates


@pytest.fixture
def proxies(settings):
    def trust(count: int):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}

    return trust


def place(client, **headers):
    return client.post("/api/v1/orders/", {}, format="json", headers=headers)


def test_placing_orders_too_fast_answers_429_with_retry_after(api, rates):
    rates(orders="2/min", auth="1000/min")

    answers = [place(api).status_code for _ in range(3)]

    assert answers == [400, 400, 429]
    throttled = place(api)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert 0 < int(throttled.headers["Retry-After"]) <= 60


def test_the_order_throttle_leaves_reading_orders_alone(api, rates, resident):
    rates(orders="1/min", auth="1000/min")
    api.as_user(resident)
    place(api)

    assert place(api).status_code == 429
    assert api.get("/api/v1/orders/").status_code == 200


def test_the_token_endpoint_answers_429_with_retry_after(api, rates):
    rates(orders="1000/min", auth="2/min")
    body = {"username": "keisha", "password": "nope"}

    answers = [api.post("/api/v1/auth/token/", body, format="json") for _ in range(3)]

    assert [a.status_code for a in answers] == [400, 400, 429]
    assert answers[-1].json()["code"] == "throttled"
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_x_forwarded_for_is_ignored_without_trusted_proxies(api, rates, proxies):
    rates(orders="1/min", auth="1000/min")
    proxies(0)

    first = place(api, X_FORWARDED_FOR="198.51.100.1")
    second = place(api, X_FORWARDED_FOR="198.51.100.2")

    assert (first.status_code, second.status_code) == (400, 429)


def test_x_forwarded_for_is_honoured_behind_one_trusted_proxy(api, rates, proxies):
    rates(orders="1/min", auth="1000/min")
    proxies(1)

    first = place(api, X_FORWARDED_FOR="198.51.100.1")
    other_client = place(api, X_FORWARDED_FOR="198.51.100.2")
    # A client cannot prepend its own entries: the proxy's (last) one counts.
    spoofed = place(api, X_FORWARDED_FOR="203.0.113.9, 198.51.100.1")

    assert (first.status_code, other_client.status_code, spoofed.status_code) == (400, 400, 429)


# --- Storefront sign-in ----------------------------------------------------------------------


@pytest.fixture
def few_failures(monkeypatch):
    monkeypatch.setattr(sign_in_limit, "MAX_FAILURES", 3)


def sign_in(client, username="keisha", password="nope", **headers):
    return client.post(
        "/accounts/sign-in/", {"username": username, "password": password}, headers=headers
    )


def test_too_many_wrong_passwords_answer_429_with_retry_after(client, few_failures):
    UserFactory(username="keisha")
    for _ in range(3):
        assert sign_in(client).status_code == 200

    blocked = sign_in(client, password="pass-word-123")

    assert blocked.status_code == 429
    assert "Too many attempts, try again in 15 minutes" in blocked.content.decode()
    assert 14 * 60 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session


def test_the_block_ends_when_the_window_does(client, few_failures, monkeypatch):
    UserFactory(username="keisha")
    for _ in range(3):
        sign_in(client)
    start = sign_in_limit.time.time()

    monkeypatch.setattr(sign_in_limit.time, "time", lambda: start + 14 * 60 + 1)
    assert "try again in 1 minute." in sign_in(client).content.decode()

    monkeypatch.setattr(sign_in_limit.time, "time", lambda: start + 15 * 60 + 1)
    assert sign_in(client, password="pass-word-123").status_code == 302


def test_the_sign_in_count_is_per_user_name(client, few_failures):
    UserFactory(username="keisha")
    UserFactory(username="marcus")
    for _ in range(3):
        sign_in(client, username="keisha")

    assert sign_in(client, username="keisha").status_code == 429
    assert sign_in(client, username="marcus", password="pass-word-123").status_code == 302


def test_a_missing_account_is_blocked_the_same_as_an_existing_one(client, few_failures):
    UserFactory(username="keisha")
    for _ in range(3):
        sign_in(client, username="keisha")
        sign_in(client, username="nobody")

    assert sign_in(client, username="keisha").status_code == 429
    assert sign_in(client, username="nobody").status_code == 429


def test_a_good_sign_in_clears_the_count(client, few_failures):
    UserFactory(username="keisha")
    for _ in range(2):
        sign_in(client)
    assert sign_in(client, password="pass-word-123").status_code == 302
    client.post("/accounts/sign-out/")

    for _ in range(2):
        assert sign_in(client).status_code == 200


def test_sign_in_ignores_x_forwarded_for_without_trusted_proxies(client, few_failures, proxies):
    proxies(0)
    for number in range(3):
        sign_in(client, X_FORWARDED_FOR=f"198.51.100.{number}")

    assert sign_in(client, X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_sign_in_honours_x_forwarded_for_behind_one_trusted_proxy(client, few_failures, proxies):
    proxies(1)
    for _ in range(3):
        sign_in(client, X_FORWARDED_FOR="198.51.100.1")

    assert sign_in(client, X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert sign_in(client, X_FORWARDED_FOR="198.51.100.2").status_code == 200


# --- CSRF ---------------------------------------------------------------------------------


def with_csrf(client):
    client.cookies["csrftoken"] = CSRF_SECRET
    return {"X-CSRFToken": CSRF_SECRET}


def test_a_session_signed_in_api_write_without_the_csrf_token_is_refused(coop, coop_manager):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(coop_manager)
    secret = coop.webhook_secret

    response = client.post(f"/api/v1/producers/{coop.slug}/rotate-webhook-secret/")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    coop.refresh_from_db()
    assert coop.webhook_secret == secret


def test_a_session_signed_in_api_write_with_the_csrf_token_goes_through(coop, coop_manager):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(coop_manager)

    response = client.post(
        f"/api/v1/producers/{coop.slug}/rotate-webhook-secret/", headers=with_csrf(client)
    )

    assert response.status_code == 200


def test_an_api_write_with_a_token_needs_no_csrf_token(coop, coop_manager):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=coop_manager)[1]}")

    response = client.post(f"/api/v1/producers/{coop.slug}/rotate-webhook-secret/")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/sign-in/", {"username": "keisha", "password": "pass-word-123"}),
        ("/accounts/sign-up/", {"username": "mallory"}),
        ("/accounts/sign-out/", {}),
    ],
)
def test_storefront_forms_refuse_a_post_without_the_csrf_token(url, data):
    UserFactory(username="keisha")
    client = Client(enforce_csrf_checks=True)

    assert client.post(url, data).status_code == 403


def test_the_storefront_sign_in_works_with_the_csrf_token():
    UserFactory(username="keisha")
    client = Client(enforce_csrf_checks=True)
    token = {"X-CSRFToken": CSRF_SECRET}
    client.cookies["csrftoken"] = CSRF_SECRET

    response = client.post(
        "/accounts/sign-in/", {"username": "keisha", "password": "pass-word-123"}, headers=token
    )

    assert response.status_code == 302


# --- Oversized bodies ---------------------------------------------------------------------


def test_an_api_body_over_the_limit_answers_400_not_500(api, settings):
    body = json.dumps({"contact_name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    response = api.post("/api/v1/orders/", body, content_type="application/json")

    assert response.status_code in (400, 413)


def test_a_form_body_over_the_limit_answers_400_not_500(client, settings):
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post("/accounts/sign-in/", {"username": padding, "password": "nope"})

    assert response.status_code in (400, 413)


def test_too_many_form_fields_answer_400_not_500(client):
    fields = {f"f{number}": "1" for number in range(1100)}

    response = client.post("/accounts/sign-in/", fields)

    assert response.status_code == 400


# --- Response headers ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/accounts/sign-in/", "/api/v1/producers/", "/healthz"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_error_responses_carry_them_too(client):
    response = client.get("/api/v1/orders/NOPE/")

    assert response.status_code == 404
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


# --- Uploaded media -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("a.png", "image/png"), ("a.jpg", "image/jpeg"), ("a.webp", "image/webp")],
)
def test_stored_pictures_are_served_as_images_in_debug(tmp_path, name, content_type):
    (tmp_path / name).write_bytes(b"not really a picture")

    response = serve(RequestFactory().get(f"/media/{name}"), name, document_root=tmp_path)

    assert response.headers["Content-Type"] == content_type


def test_an_upload_named_html_is_stored_under_the_format_it_was_re_encoded_to(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = cutting_board(ProducerFactory())
    upload = SimpleUploadedFile("page.html", jpeg(), content_type="text/html")

    image = product_image_add(product=product, upload=upload, alt_text="A board")

    names = [image.image.name, *(r["name"] for r in image.renditions)]
    assert all(Path(name).suffix in {".jpg", ".png", ".webp"} for name in names)
    assert "page" not in image.image.name
    assert not any(p.suffix in {".html", ".svg"} for p in tmp_path.rglob("*"))
