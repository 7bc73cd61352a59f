"""The API changes a product's status by the same rules as the workbench's buttons."""

import pytest

from catalog.models import Product
from catalog.services.images import product_image_add
from tests.factories import make_product
from tests.images import jpeg, upload

pytestmark = pytest.mark.django_db

Status = Product.Status


@pytest.fixture
def draft(coop):
    return make_product(producer=coop, title="Bench", status=Status.DRAFT)


def test_publishing_a_draft_without_a_picture_is_refused_with_what_it_lacks(
    api, draft, coop_member
):
    response = api.as_user(coop_member).patch(
        f"/api/v1/products/{draft.slug}/", {"status": "published"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "product_not_ready"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_refused_publication_keeps_the_other_fields_of_the_request_unsaved(
    api, draft, coop_member
):
    api.as_user(coop_member).patch(
        f"/api/v1/products/{draft.slug}/",
        {"status": "published", "title": "Garden bench"},
        format="json",
    )

    draft.refresh_from_db()
    assert draft.title == "Bench"


def test_a_draft_with_a_picture_is_published(api, draft, coop_member, media):
    product_image_add(product=draft, upload=upload(jpeg((64, 48))), alt_text="A bench")

    response = api.as_user(coop_member).patch(
        f"/api/v1/products/{draft.slug}/", {"status": "published"}, format="json"
    )

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.published_at is not None


def test_an_archived_product_cannot_be_paused(api, coop, coop_member):
    archived = make_product(producer=coop, title="Old stool", status=Status.ARCHIVED)

    response = api.as_user(coop_member).patch(
        f"/api/v1/products/{archived.slug}/", {"status": "paused"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_a_product_created_as_published_without_a_picture_is_not_created(api, coop_member):
    response = api.as_user(coop_member).post(
        "/api/v1/products/", {"title": "Lamp", "price": "40.00", "status": "published"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "product_not_ready"
    assert not Product.objects.filter(title="Lamp").exists()
