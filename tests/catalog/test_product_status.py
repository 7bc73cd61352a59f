"""Publishing, pausing and un-archiving products; moving pictures in a gallery."""

import threading

import pytest
from django.db import connection

from backend.errors import InvalidTransition
from catalog.exceptions import ProductNotReady
from catalog.models import BillOfMaterialsLine, Product, ProductImage
from catalog.services.images import product_image_add, product_image_move
from catalog.services.product_status import (
    product_pause,
    product_publish,
    product_unarchive,
)
from catalog.services.products import product_archive
from tests.factories import MaterialFactory, ProducerFactory, make_product
from tests.images import jpeg, upload

Status = Product.Status


def picture(product, alt="A picture") -> ProductImage:
    return product_image_add(product=product, upload=upload(jpeg((64, 48))), alt_text=alt)


@pytest.fixture
def draft(db):
    return make_product(producer=ProducerFactory(), title="Bench", status=Status.DRAFT)


@pytest.mark.django_db
def test_publishing_a_draft_without_a_picture_is_refused_with_what_it_lacks(draft):
    with pytest.raises(ProductNotReady) as refused:
        product_publish(product=draft)

    draft.refresh_from_db()
    assert refused.value.missing == ["Add at least one picture, so residents see what they buy."]
    assert draft.status == Status.DRAFT


@pytest.mark.django_db
def test_a_made_to_order_product_needs_a_bill_of_materials_to_go_on_sale(media):
    product = make_product(
        title="Shelf", status=Status.DRAFT, fulfilment=Product.Fulfilment.MADE_TO_ORDER
    )
    picture(product)

    with pytest.raises(ProductNotReady, match="bill of materials"):
        product_publish(product=product)

    BillOfMaterialsLine.objects.create(product=product, material=MaterialFactory(), quantity=1)
    assert product_publish(product=product).status == Status.PUBLISHED


@pytest.mark.django_db
def test_publishing_stamps_the_first_publication_once(draft, media):
    picture(draft)

    product_publish(product=draft)
    first = Product.objects.get(pk=draft.pk).published_at
    product_pause(product=draft)
    product_publish(product=draft)

    assert first is not None
    assert Product.objects.get(pk=draft.pk).published_at == first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "change"),
    [
        (Status.PUBLISHED, product_publish),
        (Status.DRAFT, product_pause),
        (Status.ARCHIVED, product_pause),
        (Status.ARCHIVED, product_publish),
        (Status.DRAFT, product_unarchive),
    ],
    ids=["publish twice", "pause a draft", "pause archived", "publish archived", "unarchive"],
)
def test_a_change_the_status_does_not_allow_is_refused(draft, status, change):
    Product.objects.filter(pk=draft.pk).update(status=status)
    draft.refresh_from_db()

    with pytest.raises(InvalidTransition):
        change(product=draft)

    assert Product.objects.get(pk=draft.pk).status == status


@pytest.mark.django_db
def test_the_status_is_judged_as_stored_not_as_held_in_memory(draft):
    stale = Product.objects.get(pk=draft.pk)
    product_archive(product=draft)

    with pytest.raises(InvalidTransition):
        product_pause(product=stale)


@pytest.mark.django_db
def test_an_archived_product_comes_back_as_a_draft(draft):
    product_archive(product=draft)

    assert product_unarchive(product=draft).status == Status.DRAFT
    assert Product.objects.get(pk=draft.pk).status == Status.DRAFT


@pytest.mark.django_db
def test_a_paused_product_is_not_in_the_public_catalog(draft, media):
    picture(draft)
    product_publish(product=draft)

    product_pause(product=draft)

    assert not Product.objects.published().filter(pk=draft.pk).exists()


# --- Moving pictures --------------------------------------------------------------------


def _order(product) -> list[str]:
    return list(ProductImage.objects.filter(product=product).values_list("alt_text", flat=True))


@pytest.mark.django_db
def test_moving_a_picture_swaps_it_with_its_neighbour(draft, media):
    for alt in ("a", "b", "c"):
        picture(draft, alt)

    moved = product_image_move(image=ProductImage.objects.get(alt_text="c"), by=-1)

    assert _order(draft) == ["a", "c", "b"]
    assert moved.position == 1


@pytest.mark.django_db
def test_a_picture_at_the_end_stays_there(draft, media):
    for alt in ("a", "b"):
        picture(draft, alt)

    product_image_move(image=ProductImage.objects.get(alt_text="b"), by=1)

    assert _order(draft) == ["a", "b"]


@pytest.mark.django_db
def test_moving_numbers_a_gallery_with_equal_positions(draft, media):
    for alt in ("a", "b", "c"):
        picture(draft, alt)
    ProductImage.objects.filter(product=draft).update(position=0)

    product_image_move(image=ProductImage.objects.get(alt_text="a"), by=1)

    positions = list(ProductImage.objects.filter(product=draft).values_list("alt_text", "position"))
    assert positions == [("b", 0), ("a", 1), ("c", 2)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_moves_at_the_same_time_leave_every_picture_its_own_place(media):
    product = make_product(title="Bench", status=Status.DRAFT)
    pictures = [picture(product, f"view {n}") for n in range(8)]
    barrier = threading.Barrier(len(pictures))
    errors = []

    def move(pk):
        try:
            image = ProductImage.objects.get(pk=pk)
            barrier.wait(timeout=30)
            product_image_move(image=image, by=-1)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(p.pk,)) for p in pictures]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    positions = sorted(
        ProductImage.objects.filter(product=product).values_list("position", flat=True)
    )
    assert errors == []
    assert positions == list(range(8))
