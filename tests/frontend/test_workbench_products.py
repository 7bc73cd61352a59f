"""A co-op's product pages: list, create and edit, on sale or not, pictures, materials."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from catalog import images as image_pipeline
from catalog.models import BillOfMaterialsLine, Product, ProductImage
from catalog.services.images import product_image_add
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from producers.models import Membership
from tests.factories import (
    CategoryFactory,
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    StockLocationFactory,
    UserFactory,
    make_product,
)
from tests.images import encode, files_in, jpeg, truncated_jpeg, upload

pytestmark = pytest.mark.django_db

DRAFT, PUBLISHED, PAUSED, ARCHIVED = (
    Product.Status.DRAFT,
    Product.Status.PUBLISHED,
    Product.Status.PAUSED,
    Product.Status.ARCHIVED,
)
MADE_TO_ORDER = Product.Fulfilment.MADE_TO_ORDER


def url(producer, *parts) -> str:
    return "/".join([f"/workbench/co-ops/{producer.slug}/products", *map(str, parts), ""])


@pytest.fixture
def manager(woodshop):
    return MembershipFactory(producer=woodshop, role=Membership.Role.MANAGER).user


@pytest.fixture
def member(woodshop):
    return MembershipFactory(producer=woodshop).user


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def as_member(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def draft(woodshop):
    return make_product(producer=woodshop, title="Step stool", price="45.00", status=DRAFT)


def with_picture(product, alt="The product on a bench"):
    product_image_add(product=product, upload=upload(jpeg((400, 300))), alt_text=alt)
    return product


def errors_beside(response, field) -> list[str]:
    form = response.context["form"]
    return form.errors.get(field, [])


# --- The products page ----------------------------------------------------------------------


def test_the_products_page_shows_each_good_with_price_status_and_stock(as_manager, woodshop, media):
    bench = make_product(producer=woodshop, title="Garden bench", price=Decimal("1250.00"))
    product_stock_receive(product=bench, quantity=3, by=None, reason="made")
    with_picture(bench, alt="Cedar garden bench")
    make_product(
        producer=woodshop,
        title="Wall shelf",
        status=DRAFT,
        fulfilment=MADE_TO_ORDER,
        lead_time_days=5,
    )

    page = as_manager.get(url(woodshop)).content.decode()

    assert "Garden bench" in page
    assert "$1,250.00" in page
    assert "On sale" in page
    assert "3 ready" in page
    assert 'alt="Cedar garden bench"' in page
    assert re.search(r'src="/media/products/\d+/\w+-320w\.webp"', page)
    assert "Wall shelf" in page
    assert "Draft" in page
    assert "5 days to make" in page


def test_archived_goods_show_only_behind_their_filter(as_manager, woodshop):
    make_product(producer=woodshop, title="Old stool", status=ARCHIVED)
    make_product(producer=woodshop, title="Paused tray", status=PAUSED)

    shelf = as_manager.get(url(woodshop)).content.decode()
    archived = as_manager.get(url(woodshop), {"status": "archived"}).content.decode()

    assert "Old stool" not in shelf
    assert "Paused tray" in shelf
    assert "Old stool" in archived
    assert "Paused tray" not in archived


def test_the_products_page_filters_by_status(as_manager, woodshop, draft):
    make_product(producer=woodshop, title="Planter box")

    page = as_manager.get(url(woodshop), {"status": "draft"}).content.decode()

    assert "Step stool" in page
    assert "Planter box" not in page


def test_an_empty_shop_invites_the_first_product(as_manager, woodshop):
    page = as_manager.get(url(woodshop)).content.decode()

    assert "Add your first product" in page


def test_the_products_page_does_not_list_another_coops_goods(as_manager, woodshop, sewing):
    make_product(producer=sewing, title="Market tote")

    assert "Market tote" not in as_manager.get(url(woodshop)).content.decode()


def _queries_for_products_page(client, producer) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(producer)).status_code == 200
    return len(queries)


def test_the_products_page_costs_the_same_queries_for_many_products(
    as_manager, woodshop, plywood, media, django_assert_max_num_queries
):
    def add(n):
        product = make_product(producer=woodshop, title=f"Board {n}")
        with_picture(product)
        shelf = make_product(producer=woodshop, title=f"Shelf {n}", fulfilment=MADE_TO_ORDER)
        BillOfMaterialsLine.objects.create(product=shelf, material=plywood, quantity=1)

    add(0)
    few = _queries_for_products_page(as_manager, woodshop)
    for n in range(1, 8):
        add(n)

    with django_assert_max_num_queries(few):
        as_manager.get(url(woodshop))


# --- Create and edit ------------------------------------------------------------------------

VALID = {
    "title": "Cedar planter",
    "description": "Raised bed planter, untreated cedar.",
    "price": "85.50",
    "fulfilment": "stock",
    "lead_time_days": "0",
}


def test_a_manager_creates_a_draft_product(as_manager, woodshop):
    garden = CategoryFactory(slug="garden", name="Garden")

    response = as_manager.post(url(woodshop, "new"), {**VALID, "category": garden.pk})

    product = Product.objects.get(title="Cedar planter")
    assert response.status_code == 302
    assert response["Location"] == url(woodshop, product.pk, "pictures")
    assert (product.producer, product.status, product.slug) == (woodshop, DRAFT, "cedar-planter")
    assert product.price == Decimal("85.50")
    assert product.category == garden
    assert product.stock_item is not None  # its finished-goods count, kept in the ledger
    page = as_manager.get(response["Location"]).content.decode()
    assert "Cedar planter is saved as a draft" in page


def test_a_made_to_order_product_keeps_its_lead_time_and_open_design(as_manager, woodshop):
    body = {**VALID, "fulfilment": "made_to_order", "lead_time_days": "7", "open_design": "on"}

    as_manager.post(url(woodshop, "new"), body)

    product = Product.objects.get()
    assert (product.fulfilment, product.lead_time_days, product.open_design) == (
        MADE_TO_ORDER,
        7,
        True,
    )


@pytest.mark.parametrize("price", ["0", "-5.00"])
def test_a_price_of_zero_or_less_is_refused_beside_the_price(as_manager, woodshop, price):
    response = as_manager.post(url(woodshop, "new"), {**VALID, "price": price})

    assert response.status_code == 400
    assert errors_beside(response, "price")
    assert not Product.objects.exists()


def test_an_unknown_category_is_refused_beside_the_category(as_manager, woodshop):
    response = as_manager.post(url(woodshop, "new"), {**VALID, "category": "9999"})

    assert response.status_code == 400
    assert errors_beside(response, "category") == ["Choose one of the categories in the list."]
    assert not Product.objects.exists()


def test_a_slug_taken_by_another_product_is_refused_beside_it(as_manager, woodshop, sewing):
    make_product(producer=sewing, title="Planter", slug="planter")

    response = as_manager.post(url(woodshop, "new"), {**VALID, "slug": "planter"})

    assert response.status_code == 400
    assert errors_beside(response, "slug")
    assert Product.objects.count() == 1


def test_an_open_design_must_be_made_to_order(as_manager, woodshop):
    response = as_manager.post(url(woodshop, "new"), {**VALID, "open_design": "on"})

    assert response.status_code == 400
    assert errors_beside(response, "open_design")
    assert not Product.objects.exists()


def test_a_manager_edits_a_product(as_manager, woodshop, draft):
    body = {**VALID, "title": "Tall step stool", "slug": "tall-step-stool", "price": "1500"}

    response = as_manager.post(url(woodshop, draft.pk), body)

    draft.refresh_from_db()
    assert response.status_code == 302
    assert (draft.title, draft.slug, draft.price) == ("Tall step stool", "tall-step-stool", 1500)
    assert "Saved the changes" in as_manager.get(response["Location"]).content.decode()


def test_a_refused_edit_changes_nothing(as_manager, woodshop, draft):
    body = {**VALID, "title": "Renamed", "price": "0"}

    response = as_manager.post(url(woodshop, draft.pk), body)

    draft.refresh_from_db()
    assert response.status_code == 400
    assert errors_beside(response, "price")
    assert (draft.title, draft.price) == ("Step stool", Decimal("45.00"))


def test_an_empty_slug_keeps_the_products_address(as_manager, woodshop, draft):
    response = as_manager.post(url(woodshop, draft.pk), {**VALID, "slug": ""})

    draft.refresh_from_db()
    assert response.status_code == 302
    assert (draft.title, draft.slug) == ("Cedar planter", "step-stool")


# --- On sale or not -------------------------------------------------------------------------


def test_a_product_without_a_picture_cannot_be_published(as_manager, woodshop, draft):
    response = as_manager.post(url(woodshop, draft.pk, "status", "publish"))

    draft.refresh_from_db()
    assert response.status_code == 409
    assert "Add at least one picture" in response.content.decode()
    assert draft.status == DRAFT


def test_a_made_to_order_product_needs_its_materials_before_sale(as_manager, woodshop, media):
    shelf = with_picture(
        make_product(producer=woodshop, title="Shelf", status=DRAFT, fulfilment=MADE_TO_ORDER)
    )

    response = as_manager.post(url(woodshop, shelf.pk, "status", "publish"))

    shelf.refresh_from_db()
    assert response.status_code == 409
    assert "bill of materials" in response.content.decode()
    assert shelf.status == DRAFT


def test_the_edit_page_says_what_a_draft_still_needs(as_manager, woodshop, draft):
    page = as_manager.get(url(woodshop, draft.pk)).content.decode()

    assert "Before it can go on sale" in page
    assert "Add at least one picture" in page


def test_a_manager_publishes_a_product_and_residents_see_it(
    as_manager, client, woodshop, draft, media
):
    with_picture(draft)

    response = as_manager.post(url(woodshop, draft.pk, "status", "publish"))

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == PUBLISHED
    assert draft.published_at is not None
    assert "Step stool is on sale now." in as_manager.get(response["Location"]).content.decode()
    client.logout()
    assert "Step stool" in client.get("/products/").content.decode()


def test_a_manager_pauses_a_product_and_it_leaves_the_shop(as_manager, client, woodshop):
    product = make_product(producer=woodshop, title="Planter box")

    as_manager.post(url(woodshop, product.pk, "status", "pause"))

    product.refresh_from_db()
    assert product.status == PAUSED
    client.logout()
    assert "Planter box" not in client.get("/products/").content.decode()


def test_a_paused_product_goes_back_on_sale(as_manager, woodshop, draft, media):
    with_picture(draft)
    Product.objects.filter(pk=draft.pk).update(status=PAUSED)

    as_manager.post(url(woodshop, draft.pk, "status", "publish"))

    draft.refresh_from_db()
    assert draft.status == PUBLISHED


def test_a_manager_archives_a_product_and_brings_it_back_as_a_draft(as_manager, woodshop, draft):
    as_manager.post(url(woodshop, draft.pk, "status", "archive"))
    draft.refresh_from_db()
    assert draft.status == ARCHIVED

    as_manager.post(url(woodshop, draft.pk, "status", "draft"))
    draft.refresh_from_db()
    assert draft.status == DRAFT


def test_a_draft_cannot_be_paused(as_manager, woodshop, draft):
    response = as_manager.post(url(woodshop, draft.pk, "status", "pause"))

    draft.refresh_from_db()
    assert response.status_code == 409
    assert "Only goods on sale can be paused." in response.content.decode()
    assert draft.status == DRAFT


def test_an_unknown_status_action_is_not_found(as_manager, woodshop, draft):
    assert as_manager.post(url(woodshop, draft.pk, "status", "explode")).status_code == 404


# --- Who may ----------------------------------------------------------------------------------


def test_a_member_sees_the_products_but_no_buttons(as_member, woodshop, draft):
    page = as_member.get(url(woodshop, draft.pk)).content.decode()

    assert "Step stool" in page
    assert "Publish" not in page
    assert "Save changes" not in page


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (("new",), VALID),
        (("{pk}",), {**VALID, "title": "Changed"}),
        (("{pk}", "status", "archive"), {}),
        (("{pk}", "materials"), {"material": "{material}", "quantity": "1"}),
    ],
    ids=["create", "edit", "archive", "add a material"],
)
def test_a_member_cannot_change_anything(as_member, woodshop, draft, plywood, path, body):
    parts = [part.format(pk=draft.pk) for part in path]
    body = {key: value.format(material=plywood.pk) for key, value in body.items()}

    response = as_member.post(url(woodshop, *parts), body)

    draft.refresh_from_db()
    assert response.status_code == 403
    assert (draft.title, draft.status) == ("Step stool", DRAFT)
    assert Product.objects.count() == 1
    assert not BillOfMaterialsLine.objects.exists()


def test_a_member_cannot_upload_a_picture(as_member, woodshop, draft, media):
    response = as_member.post(
        url(woodshop, draft.pk, "pictures"), {"image": upload(jpeg()), "alt_text": "A stool"}
    )

    assert response.status_code == 403
    assert not ProductImage.objects.exists()
    assert files_in(media) == []


@pytest.mark.parametrize("page", ["", "pictures", "materials"])
def test_another_coops_product_is_not_found_under_ones_own_coop(as_manager, woodshop, sewing, page):
    tote = make_product(producer=sewing, title="Market tote")

    response = as_manager.get(url(woodshop, tote.pk, page) if page else url(woodshop, tote.pk))

    assert response.status_code == 404


def test_another_coops_product_cannot_be_archived(as_manager, woodshop, sewing):
    tote = make_product(producer=sewing, title="Market tote")

    response = as_manager.post(url(woodshop, tote.pk, "status", "archive"))

    tote.refresh_from_db()
    assert response.status_code == 404
    assert tote.status == PUBLISHED


# --- Pictures -------------------------------------------------------------------------------


def test_a_manager_uploads_a_picture_and_sees_its_rendition(as_manager, woodshop, draft, media):
    response = as_manager.post(
        url(woodshop, draft.pk, "pictures"),
        {"image": upload(jpeg((1200, 800))), "alt_text": "Step stool, oak"},
    )

    picture = ProductImage.objects.get()
    assert response.status_code == 302
    assert (picture.product, picture.alt_text) == (draft, "Step stool, oak")
    page = as_manager.get(response["Location"]).content.decode()
    assert "Added the picture to Step stool." in page
    assert f'src="/media/{picture.renditions[0]["name"]}"' in page
    assert 'enctype="multipart/form-data"' in page


BAD_PICTURES = {
    "an HTML page posing as a PNG": (
        b"<!doctype html><html><script>alert(1)</script></html>",
        "photo.png",
        "not a JPEG, PNG or WebP",
    ),
    "a 50-megapixel PNG": (
        encode(Image.new("1", (10000, 5000)), "PNG"),
        "plan.png",
        "40 megapixels at most",
    ),
    "a truncated JPEG": (truncated_jpeg(), "photo.jpg", "truncated or corrupt"),
}


@pytest.mark.parametrize(("data", "name", "message"), BAD_PICTURES.values(), ids=BAD_PICTURES)
def test_a_bad_picture_is_refused_beside_the_field_and_nothing_is_stored(
    as_manager, woodshop, draft, media, data, name, message
):
    response = as_manager.post(
        url(woodshop, draft.pk, "pictures"),
        {"image": upload(data, name=name), "alt_text": "A stool"},
    )

    assert response.status_code == 400
    assert message in " ".join(errors_beside(response, "image"))
    assert not ProductImage.objects.exists()
    assert files_in(media) == []


def test_a_picture_over_the_size_limit_is_refused(as_manager, woodshop, draft, media, monkeypatch):
    monkeypatch.setattr(image_pipeline, "MAX_UPLOAD_BYTES", 1024)

    response = as_manager.post(
        url(woodshop, draft.pk, "pictures"), {"image": upload(jpeg()), "alt_text": "A stool"}
    )

    assert response.status_code == 400
    assert "10 MB at most" in " ".join(errors_beside(response, "image"))
    assert files_in(media) == []


def test_a_picture_needs_words_for_people_who_cannot_see_it(as_manager, woodshop, draft, media):
    response = as_manager.post(
        url(woodshop, draft.pk, "pictures"), {"image": upload(jpeg()), "alt_text": ""}
    )

    assert response.status_code == 400
    assert errors_beside(response, "alt_text") == [
        "Say what the picture shows, for people who cannot see it."
    ]
    assert not ProductImage.objects.exists()


def _gallery(product) -> list[str]:
    return list(ProductImage.objects.filter(product=product).values_list("alt_text", flat=True))


def test_a_manager_moves_a_picture_up_and_down(as_manager, woodshop, draft, media):
    for alt in ("front", "side", "top"):
        with_picture(draft, alt=alt)
    top = ProductImage.objects.get(alt_text="top")

    as_manager.post(url(woodshop, draft.pk, "pictures", top.pk, "move", "up"))
    assert _gallery(draft) == ["front", "top", "side"]

    as_manager.post(url(woodshop, draft.pk, "pictures", top.pk, "move", "up"))
    assert _gallery(draft) == ["top", "front", "side"]

    as_manager.post(url(woodshop, draft.pk, "pictures", top.pk, "move", "down"))
    assert _gallery(draft) == ["front", "top", "side"]


def test_the_first_picture_stays_first_when_moved_up(as_manager, woodshop, draft, media):
    for alt in ("front", "side"):
        with_picture(draft, alt=alt)
    front = ProductImage.objects.get(alt_text="front")

    response = as_manager.post(url(woodshop, draft.pk, "pictures", front.pk, "move", "up"))

    assert response.status_code == 302
    assert _gallery(draft) == ["front", "side"]


def test_removing_a_picture_asks_first_then_deletes_it(as_manager, woodshop, draft, media):
    with_picture(draft, alt="front")
    picture = ProductImage.objects.get()
    remove = url(woodshop, draft.pk, "pictures", picture.pk, "remove")

    confirm = as_manager.get(remove)
    assert confirm.status_code == 200
    assert "Yes, remove it" in confirm.content.decode()
    assert ProductImage.objects.exists()

    response = as_manager.post(remove)

    assert response.status_code == 302
    assert not ProductImage.objects.exists()


def test_another_products_picture_is_not_found(as_manager, woodshop, draft, media):
    other = with_picture(make_product(producer=woodshop, title="Bench"))
    picture = ProductImage.objects.get(product=other)

    response = as_manager.post(url(woodshop, draft.pk, "pictures", picture.pk, "remove"))

    assert response.status_code == 404
    assert ProductImage.objects.filter(pk=picture.pk).exists()


# --- Bill of materials ----------------------------------------------------------------------


@pytest.fixture
def shelf(woodshop):
    return make_product(
        producer=woodshop, title="Wall shelf", status=DRAFT, fulfilment=MADE_TO_ORDER
    )


@pytest.fixture
def screws(woodshop):
    """Counted one by one, kept on the woodshop's own shelf."""
    material = MaterialFactory(sku="SCREW-40", name="Wood screw 40 mm", unit="each")
    shelf = StockLocationFactory(producer=woodshop, code="wood-bench")
    stock_receive(material=material, location=shelf, quantity="200", by=None, reason="in")
    return material


def _bom(product) -> list[tuple[str, Decimal]]:
    return list(
        BillOfMaterialsLine.objects.filter(product=product).values_list("material__sku", "quantity")
    )


def test_a_manager_adds_materials_to_the_bill(as_manager, woodshop, shelf, plywood, screws):
    first = as_manager.post(
        url(woodshop, shelf.pk, "materials"), {"material": plywood.pk, "quantity": "0.5"}
    )
    as_manager.post(url(woodshop, shelf.pk, "materials"), {"material": screws.pk, "quantity": "8"})

    assert first.status_code == 302
    assert sorted(_bom(shelf)) == [("PLY", Decimal("0.500")), ("SCREW-40", Decimal("8.000"))]
    page = as_manager.get(first["Location"]).content.decode()
    assert "Wood screw 40 mm" in page


def test_listing_a_material_again_changes_its_quantity(as_manager, woodshop, shelf, plywood):
    BillOfMaterialsLine.objects.create(product=shelf, material=plywood, quantity=1)

    as_manager.post(url(woodshop, shelf.pk, "materials"), {"material": plywood.pk, "quantity": "2"})

    assert _bom(shelf) == [("PLY", Decimal("2.000"))]


def test_a_fraction_of_a_material_counted_in_each_is_refused(as_manager, woodshop, shelf, screws):
    response = as_manager.post(
        url(woodshop, shelf.pk, "materials"), {"material": screws.pk, "quantity": "1.5"}
    )

    assert response.status_code == 400
    assert errors_beside(response, "quantity") == ["Wood screw 40 mm is counted in whole units."]
    assert _bom(shelf) == []


@pytest.mark.parametrize("quantity", ["0", "-1", "lots"])
def test_a_quantity_that_is_not_positive_is_refused(as_manager, woodshop, shelf, plywood, quantity):
    response = as_manager.post(
        url(woodshop, shelf.pk, "materials"), {"material": plywood.pk, "quantity": quantity}
    )

    assert response.status_code == 400
    assert errors_beside(response, "quantity")
    assert _bom(shelf) == []


def test_an_unknown_material_is_refused_beside_the_field(as_manager, woodshop, shelf):
    response = as_manager.post(
        url(woodshop, shelf.pk, "materials"), {"material": "99999", "quantity": "1"}
    )

    assert response.status_code == 400
    assert errors_beside(response, "material")
    assert _bom(shelf) == []


def test_a_finished_good_is_not_a_material(as_manager, woodshop, shelf, stool):
    response = as_manager.post(
        url(woodshop, shelf.pk, "materials"), {"material": stool.stock_item_id, "quantity": "1"}
    )

    assert response.status_code == 400
    assert errors_beside(response, "material")
    assert _bom(shelf) == []


def test_another_coops_shelf_material_is_not_offered(as_manager, woodshop, shelf, plywood):
    thread = MaterialFactory(sku="THREAD", name="Cotton thread")
    sewing_room = StockLocationFactory(producer=ProducerFactory(), code="sewing-room")
    stock_receive(material=thread, location=sewing_room, quantity="5", by=None, reason="in")

    page = as_manager.get(url(woodshop, shelf.pk, "materials"))
    response = as_manager.post(
        url(woodshop, shelf.pk, "materials"), {"material": thread.pk, "quantity": "1"}
    )

    offered = list(page.context["form"].fields["material"].queryset)
    assert offered == [plywood]
    assert response.status_code == 400
    assert _bom(shelf) == []


def test_a_manager_removes_a_line(as_manager, woodshop, shelf, plywood, screws):
    BillOfMaterialsLine.objects.create(product=shelf, material=plywood, quantity=1)
    line = BillOfMaterialsLine.objects.create(product=shelf, material=screws, quantity=4)

    response = as_manager.post(url(woodshop, shelf.pk, "materials", line.pk, "remove"))

    assert response.status_code == 302
    assert _bom(shelf) == [("PLY", Decimal("1.000"))]


def test_another_products_line_is_not_found(as_manager, woodshop, shelf, plywood):
    other = make_product(producer=woodshop, title="Bench", fulfilment=MADE_TO_ORDER)
    line = BillOfMaterialsLine.objects.create(product=other, material=plywood, quantity=1)

    response = as_manager.post(url(woodshop, shelf.pk, "materials", line.pk, "remove"))

    assert response.status_code == 404
    assert BillOfMaterialsLine.objects.filter(pk=line.pk).exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, woodshop):
    response = client.get(url(woodshop))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_a_resident_without_a_coop_is_turned_away(client, woodshop):
    client.force_login(UserFactory())

    assert client.get(url(woodshop)).status_code == 403


def test_a_member_previews_a_paused_product_in_the_shop_and_residents_do_not(
    as_member, client, woodshop
):
    product = make_product(producer=woodshop, title="Planter box", status=PAUSED)

    preview = as_member.get(f"/products/{product.slug}/")
    client.logout()
    public = client.get(f"/products/{product.slug}/")

    assert preview.status_code == 200
    assert "Paused: only your co-op sees this page." in preview.content.decode()
    assert public.status_code == 404
