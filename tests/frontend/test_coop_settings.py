"""A co-op's profile, logo and webhook in the workbench: managers change them, refusals
show beside the field, and a new signing secret is shown once."""

import pytest
from django.urls import reverse
from PIL import Image

from producers.models import Producer
from tests.factories import MembershipFactory, ProducerFactory
from tests.images import encode, files_in, png, upload
from tests.orders.receivers import make_job, send

pytestmark = pytest.mark.django_db


def page(coop):
    return reverse("workbench:coop-settings", args=[coop.slug])


def url(name, coop):
    return reverse(f"workbench:{name}", args=[coop.slug])


PROFILE = {
    "description": "We make stools and benches.",
    "pickup_address": "12 Mill St, Jackson",
    "opening_hours": "Tue–Sat 10 am–6 pm",
    "public_phone": "601-555-0100",
    "website": "https://woodshop.example.org",
    "contact_email": "hello@woodshop.example.org",
    "contact_phone": "601-555-0101",
}


def test_a_manager_saves_the_profile(client, coop, coop_manager):
    client.force_login(coop_manager)

    response = client.post(page(coop), PROFILE, follow=True)

    coop.refresh_from_db()
    assert {field: getattr(coop, field) for field in PROFILE} == PROFILE
    assert "Profile saved" in response.content.decode()


def test_a_bad_profile_field_is_refused_beside_it_and_nothing_is_saved(client, coop, coop_manager):
    client.force_login(coop_manager)
    before = Producer.objects.get(pk=coop.pk).description

    response = client.post(page(coop), {**PROFILE, "contact_email": "not an email"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    coop.refresh_from_db()
    assert coop.description == before
    assert coop.pickup_address == ""


def test_the_profile_form_leaves_the_co_ops_name_and_address_to_staff(client, coop, coop_manager):
    client.force_login(coop_manager)
    name, slug = coop.name, coop.slug

    client.post(page(coop), {**PROFILE, "name": "Renamed", "slug": "renamed", "status": "paused"})

    coop.refresh_from_db()
    assert (coop.name, coop.slug, coop.status) == (name, slug, "active")


def test_a_member_changes_nothing(client, coop, coop_member):
    client.force_login(coop_member)

    response = client.post(page(coop), PROFILE)

    assert response.status_code == 403
    coop.refresh_from_db()
    assert coop.pickup_address == ""


def test_a_member_sees_the_settings_without_forms(client, coop, coop_member):
    client.force_login(coop_member)

    body = client.get(page(coop)).content.decode()

    assert "your co-op's managers make the changes" in body
    assert "Save profile" not in body
    assert "Make a new secret" not in body


# --- Logo -----------------------------------------------------------------------------------


def test_a_logo_is_stored_as_a_small_webp_and_shown_in_the_shop(client, coop, coop_manager, media):
    client.force_login(coop_manager)

    response = client.post(url("coop-logo", coop), {"logo": upload(png((1200, 800)), "logo.png")})

    assert response.status_code == 302
    coop.refresh_from_db()
    assert coop.logo.name.endswith(".webp")
    with Image.open(coop.logo.path) as stored:
        assert (stored.format, stored.width) == ("WEBP", 320)
    shop = client.get(reverse("frontend:producer", args=[coop.slug])).content.decode()
    assert coop.logo.url in shop
    assert coop.logo.url in client.get(page(coop)).content.decode()


def test_a_file_that_is_not_a_picture_is_refused_beside_the_field(
    client, coop, coop_manager, media
):
    client.force_login(coop_manager)

    response = client.post(
        url("coop-logo", coop), {"logo": upload(b"<?php echo 1; ?>", "logo.png", "image/png")}
    )

    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP picture" in response.content.decode()
    coop.refresh_from_db()
    assert not coop.logo
    assert files_in(media) == []


def test_a_picture_with_too_many_pixels_is_refused(client, coop, coop_manager, media):
    client.force_login(coop_manager)
    fifty_megapixels = encode(Image.new("1", (10000, 5000)), "PNG")

    response = client.post(url("coop-logo", coop), {"logo": upload(fifty_megapixels, "big.png")})

    assert response.status_code == 400
    assert "40 megapixels at most" in response.content.decode()
    coop.refresh_from_db()
    assert not coop.logo


def test_a_new_logo_replaces_the_old_file(
    client, coop, coop_manager, media, django_capture_on_commit_callbacks
):
    client.force_login(coop_manager)
    client.post(url("coop-logo", coop), {"logo": upload(png((400, 400)), "one.png")})
    coop.refresh_from_db()
    first = coop.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("coop-logo", coop), {"logo": upload(png((500, 400)), "two.png")})

    coop.refresh_from_db()
    assert coop.logo.name != first
    assert files_in(media) == [coop.logo.name]


def test_a_manager_removes_the_logo(client, coop, coop_manager, media):
    client.force_login(coop_manager)
    client.post(url("coop-logo", coop), {"logo": upload(png((400, 400)), "one.png")})

    client.post(url("coop-logo", coop), {"remove": "1"})

    coop.refresh_from_db()
    assert not coop.logo


# --- Webhook --------------------------------------------------------------------------------


def test_a_manager_sets_the_webhook_address(client, coop, coop_manager):
    client.force_login(coop_manager)

    response = client.post(
        url("coop-webhook", coop), {"webhook_url": "https://hooks.example.org/j"}
    )

    assert response.status_code == 302
    coop.refresh_from_db()
    assert coop.webhook_url == "https://hooks.example.org/j"


def test_a_private_webhook_address_is_refused_beside_the_field(
    client, coop, coop_manager, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(coop_manager)

    response = client.post(
        url("coop-webhook", coop), {"webhook_url": "http://127.0.0.1:8000/admin"}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "not a public address" in body
    assert 'aria-invalid="true"' in body
    coop.refresh_from_db()
    assert coop.webhook_url == ""


def test_rotating_shows_the_new_secret_once(client, coop, coop_manager):
    client.force_login(coop_manager)
    old = coop.webhook_secret

    response = client.post(url("coop-webhook-rotate", coop))

    coop.refresh_from_db()
    assert coop.webhook_secret != old
    body = response.content.decode()
    assert coop.webhook_secret in body
    assert "will not be shown again" in body
    assert response["Cache-Control"] == "no-store"
    assert coop.webhook_secret not in client.get(page(coop)).content.decode()


def test_the_secret_is_never_on_the_page_otherwise(client, coop, coop_manager):
    client.force_login(coop_manager)

    assert coop.webhook_secret not in client.get(page(coop)).content.decode()


def test_a_test_event_reaches_the_receiver_signed_and_its_answer_is_shown(
    client, coop_manager, receiver
):
    coop = coop_manager.memberships.get().producer
    Producer.objects.filter(pk=coop.pk).update(webhook_url=receiver.url)
    receiver.secret = coop.webhook_secret
    client.force_login(coop_manager)

    response = client.post(url("coop-webhook-test", coop))

    assert response.status_code == 200
    assert "HTTP 200" in response.content.decode()
    [request] = receiver.requests
    assert request.verified
    assert request.payload["type"] == "webhook.test"
    assert request.payload["data"]["producer"] == coop.slug


def test_a_test_event_shows_the_receivers_refusal(client, coop_manager, receiver):
    coop = coop_manager.memberships.get().producer
    Producer.objects.filter(pk=coop.pk).update(webhook_url=receiver.url)
    receiver.secret = "whsec_" + "A" * 32  # the receiver holds another secret
    client.force_login(coop_manager)

    body = client.post(url("coop-webhook-test", coop)).content.decode()

    assert "HTTP 401" in body
    assert "deliveries need a 2xx answer" in body


def test_a_test_event_to_a_closed_port_says_what_went_wrong(client, coop_manager, receiver):
    coop = coop_manager.memberships.get().producer
    Producer.objects.filter(pk=coop.pk).update(webhook_url=receiver.url)
    receiver.stop()
    client.force_login(coop_manager)

    body = client.post(url("coop-webhook-test", coop)).content.decode()

    assert "No answer after" in body
    assert "refused" in body.lower()


def test_the_settings_and_the_filtered_log_show_this_co_ops_deliveries_only(
    client, coop_manager, receiver
):
    coop = coop_manager.memberships.get().producer
    Producer.objects.filter(pk=coop.pk).update(webhook_url=receiver.url)
    coop.refresh_from_db()
    other = ProducerFactory(webhook_url=receiver.url)
    MembershipFactory(producer=other, user=coop_manager, role="manager")
    mine, theirs = make_job(producer=coop), make_job(producer=other)
    send(mine), send(theirs)
    client.force_login(coop_manager)

    settings_page = client.get(page(coop)).content.decode()
    log = client.get(reverse("workbench:deliveries") + f"?co-op={coop.slug}").content.decode()

    for body in (settings_page, log):
        assert mine.order.number in body
        assert theirs.order.number not in body


def test_a_second_test_event_at_once_is_not_sent(client, coop_manager, receiver):
    coop = coop_manager.memberships.get().producer
    Producer.objects.filter(pk=coop.pk).update(webhook_url=receiver.url)
    receiver.secret = coop.webhook_secret
    client.force_login(coop_manager)

    client.post(url("coop-webhook-test", coop))
    again = client.post(url("coop-webhook-test", coop))

    assert again.status_code == 429
    assert "Wait a few seconds" in again.content.decode()
    assert len(receiver.requests) == 1
