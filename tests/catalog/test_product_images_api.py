"""`/api/v1/products/<slug>/images/`: members of the producer upload and manage pictures."""

import pytest
from PIL import ExifTags, Image

from catalog.models import Product, ProductImage
from catalog.services.images import product_image_add
from tests.images import cutting_board, encode, files_in, jpeg, truncated_jpeg, upload

# Every test stores pictures in its own temporary MEDIA_ROOT.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def images_url(product: Product) -> str:
    return f"/api/v1/products/{product.slug}/images/"


def image_url(image: ProductImage) -> str:
    return f"/api/v1/products/{image.product.slug}/images/{image.pk}/"


def post_picture(client, product: Product, data: bytes, alt_text="A walnut board", **kwargs):
    body = {"image": upload(data, **kwargs), "alt_text": alt_text}
    return client.post(images_url(product), body, format="multipart")


def stored_picture(product: Product, alt_text="A walnut board", **kwargs) -> ProductImage:
    return product_image_add(product=product, upload=upload(jpeg()), alt_text=alt_text, **kwargs)


# --- Uploading --------------------------------------------------------------------------


def test_a_member_uploads_a_picture_and_gets_its_renditions(api, coop, coop_member, media):
    product = cutting_board(coop)

    response = post_picture(api.as_user(coop_member), product, jpeg())

    assert response.status_code == 201
    body = response.json()
    image = ProductImage.objects.get(product=product)
    assert body["id"] == image.pk
    assert body["url"] == f"/media/{image.image.name}"
    assert (body["width"], body["height"]) == (1200, 800)
    assert (body["alt_text"], body["position"]) == ("A walnut board", 0)
    assert [(r["width"], r["height"]) for r in body["renditions"]] == [(320, 213), (960, 640)]
    for rendition in body["renditions"]:
        assert rendition["url"].startswith(f"/media/products/{product.pk}/")
        assert rendition["url"].endswith(".webp")
        assert (media / rendition["url"].removeprefix("/media/")).is_file()


def test_the_stored_file_has_no_gps(api, coop, coop_member, media):
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (32.0, 17.0, 55.0)

    body = post_picture(api.as_user(coop_member), cutting_board(coop), jpeg(exif=exif)).json()

    stored = Image.open(media / body["url"].removeprefix("/media/"))
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}


def test_a_png_named_jpg_is_accepted_for_what_it_is(api, coop, coop_member):
    transparent = encode(Image.new("RGBA", (400, 300), (0, 0, 0, 0)), "PNG")

    response = post_picture(
        api.as_user(coop_member), cutting_board(coop), transparent, name="board.jpg"
    )

    assert response.status_code == 201
    assert response.json()["url"].endswith(".png")


def test_a_new_picture_goes_after_the_others(api, coop, coop_member):
    product = cutting_board(coop)
    stored_picture(product)

    response = post_picture(api.as_user(coop_member), product, jpeg())

    assert response.json()["position"] == 1


def test_the_uploader_may_choose_the_position(api, coop, coop_member):
    product = cutting_board(coop)
    body = {"image": upload(jpeg()), "alt_text": "A walnut board", "position": 7}

    response = api.as_user(coop_member).post(images_url(product), body, format="multipart")

    assert response.json()["position"] == 7


# --- Refusals ---------------------------------------------------------------------------


REFUSED = {
    "an HTML file named .png": (
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
    "a GIF": (encode(Image.new("RGB", (50, 50)), "GIF"), "photo.gif", "not a JPEG, PNG or WebP"),
}


@pytest.mark.parametrize(("data", "name", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_upload_answers_400_and_stores_nothing(
    api, coop, coop_member, media, data, name, message
):
    response = post_picture(api.as_user(coop_member), cutting_board(coop), data, name=name)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert message in body["errors"]["image"][0]
    assert files_in(media) == []
    assert not ProductImage.objects.exists()


def test_a_file_over_10_mb_is_refused(api, coop, coop_member, media):
    too_big = jpeg() + b"\0" * (10 * 1024 * 1024)

    response = post_picture(api.as_user(coop_member), cutting_board(coop), too_big)

    assert response.status_code == 400
    assert "10 MB at most" in response.json()["errors"]["image"][0]
    assert files_in(media) == []


def test_a_picture_needs_an_alt_text(api, coop, coop_member, media):
    response = post_picture(api.as_user(coop_member), cutting_board(coop), jpeg(), alt_text=" ")

    assert response.status_code == 400
    assert "alt_text" in response.json()["errors"]
    assert files_in(media) == []
    assert not ProductImage.objects.exists()


# --- Who may ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_asked_to_sign_in(api, coop, method):
    response = getattr(api, method)(images_url(cutting_board(coop)))

    assert response.status_code == 401


def test_another_coops_member_cannot_upload_to_a_published_product(api, coop, other_manager, media):
    response = post_picture(api.as_user(other_manager), cutting_board(coop), jpeg())

    assert response.status_code == 403
    assert files_in(media) == []
    assert not ProductImage.objects.exists()


def test_another_coops_member_cannot_find_a_draft(api, coop, other_manager):
    draft = cutting_board(coop, status="draft")

    response = post_picture(api.as_user(other_manager), draft, jpeg())

    assert response.status_code == 404


def test_a_resident_without_a_coop_cannot_upload(api, coop, resident):
    response = post_picture(api.as_user(resident), cutting_board(coop), jpeg())

    assert response.status_code == 403


def test_a_member_may_add_pictures_to_their_own_draft(api, coop, coop_member):
    draft = cutting_board(coop, status="draft")

    assert post_picture(api.as_user(coop_member), draft, jpeg()).status_code == 201


def test_platform_staff_may_add_pictures_to_any_product(api, coop, staff):
    assert post_picture(api.as_user(staff), cutting_board(coop), jpeg()).status_code == 201


def test_another_coops_member_cannot_list_the_pictures(api, coop, other_manager):
    product = cutting_board(coop)
    stored_picture(product)

    assert api.as_user(other_manager).get(images_url(product)).status_code == 403


def test_another_coops_member_cannot_delete_a_picture(api, coop, other_manager, media):
    image = stored_picture(cutting_board(coop))

    response = api.as_user(other_manager).delete(image_url(image))

    assert response.status_code == 403
    assert ProductImage.objects.filter(pk=image.pk).exists()
    assert len(files_in(media)) == 3


def test_another_coops_member_cannot_change_a_pictures_alt_text(api, coop, other_manager):
    image = stored_picture(cutting_board(coop))

    response = api.as_user(other_manager).patch(
        image_url(image), {"alt_text": "Spam"}, format="json"
    )

    assert response.status_code == 403
    image.refresh_from_db()
    assert image.alt_text == "A walnut board"


def test_a_picture_is_not_found_through_another_product(api, coop, coop_member):
    image = stored_picture(cutting_board(coop))
    other = cutting_board(coop, title="Stool", slug="stool")

    url = f"/api/v1/products/{other.slug}/images/{image.pk}/"

    assert api.as_user(coop_member).delete(url).status_code == 404


# --- Listing, changing and deleting -------------------------------------------------------


def test_members_list_the_pictures_in_gallery_order(api, coop, coop_member):
    product = cutting_board(coop)
    stored_picture(product, alt_text="Back", position=2)
    stored_picture(product, alt_text="Front", position=0)

    response = api.as_user(coop_member).get(images_url(product))

    assert response.status_code == 200
    assert [i["alt_text"] for i in response.json()] == ["Front", "Back"]
    assert [r["width"] for r in response.json()[0]["renditions"]] == [320, 960]


def test_a_member_changes_the_alt_text_and_position(api, coop, coop_member):
    image = stored_picture(cutting_board(coop))

    response = api.as_user(coop_member).patch(
        image_url(image), {"alt_text": "The board, oiled", "position": 3}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["alt_text"], response.json()["position"]) == ("The board, oiled", 3)
    image.refresh_from_db()
    assert (image.alt_text, image.position) == ("The board, oiled", 3)


def test_deleting_a_picture_removes_its_row_and_files(
    api, coop, coop_member, media, django_capture_on_commit_callbacks
):
    image = stored_picture(cutting_board(coop))

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(coop_member).delete(image_url(image))

    assert response.status_code == 204
    assert not ProductImage.objects.exists()
    assert files_in(media) == []
