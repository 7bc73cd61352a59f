"""The picture pipeline (`catalog.images`) and the picture services."""

import io
import os

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from catalog.admin_images import ProductImageInline
from catalog.images import MAX_UPLOAD_BYTES, prepare_image
from catalog.models import Product, ProductImage
from catalog.services.images import (
    product_image_add,
    product_image_delete,
    product_image_update,
    rendition_urls,
)
from tests.factories import UserFactory
from tests.images import (
    BLUE,
    GPS,
    RED,
    cutting_board,
    encode,
    files_in,
    gps_exif,
    jpeg,
    noisy_jpeg,
    png,
    upload,
)

# Every test stores pictures in its own temporary MEDIA_ROOT.
pytestmark = pytest.mark.usefixtures("media")


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        prepare_image(upload(data, **kwargs))
    return " ".join(caught.value.message_dict["image"])


# --- Metadata ------------------------------------------------------------------------


def test_a_jpeg_with_gps_exif_comes_back_without_it():
    source = jpeg(exif=gps_exif())
    assert opened(source).getexif().get_ifd(GPS)  # the test picture does carry a location

    prepared = prepare_image(upload(source))

    main = opened(prepared.main)
    assert main.getexif().get_ifd(GPS) == {}
    assert "exif" not in main.info
    assert b"Exif" not in prepared.main


def test_renditions_carry_no_exif_either():
    prepared = prepare_image(upload(jpeg(exif=gps_exif())))

    for data, _, _ in prepared.renditions:
        assert "exif" not in opened(data).info
        assert b"Exif" not in data


def test_a_jpeg_comment_is_left_behind():
    main = opened(prepare_image(upload(jpeg(comment=b"Taken at 123 Main St"))).main)

    assert "comment" not in main.info


def test_xmp_is_left_behind():
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">photoshop:City=Jackson</x:xmpmeta>'

    main = opened(prepare_image(upload(jpeg(xmp=xmp))).main)

    assert "xmp" not in main.info


def test_an_icc_profile_is_left_behind():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

    main = opened(prepare_image(upload(jpeg(icc_profile=srgb))).main)

    assert "icc_profile" not in main.info


def test_png_text_chunks_are_left_behind():
    info = PngInfo()
    info.add_text("Author", "Jane Maker, 123 Main St")
    source = png(mode="RGBA", color=(0, 0, 0, 0), pnginfo=info)

    main = opened(prepare_image(upload(source, name="a.png")).main)

    assert "Author" not in main.info


# --- Judged by content -----------------------------------------------------------------


def test_a_png_named_jpg_is_judged_a_png_by_its_content():
    transparent = png(mode="RGBA", color=(0, 0, 0, 0))

    prepared = prepare_image(upload(transparent, name="photo.jpg", content_type="image/jpeg"))

    assert prepared.source_format == "PNG"
    assert prepared.extension == "png"
    assert opened(prepared.main).mode == "RGBA"


def test_an_html_file_named_png_is_refused():
    page = b"<!doctype html><html><body><script>alert(1)</script></body></html>"

    message = refusal(page, name="photo.png", content_type="image/png")

    assert "not a JPEG, PNG or WebP" in message


def test_a_gif_is_refused_though_it_is_a_picture():
    gif = encode(Image.new("RGB", (100, 100), RED), "GIF")

    assert "not a JPEG, PNG or WebP" in refusal(gif, name="photo.png", content_type="image/png")


def test_a_webp_is_accepted():
    webp = encode(Image.new("RGB", (400, 300), RED), "WEBP")

    assert prepare_image(upload(webp, name="a.webp")).source_format == "WEBP"


# --- Size, pixels and corruption --------------------------------------------------------


class UnreadableUpload:
    """Says how big it is; fails the test if anything tries to read it."""

    def __init__(self, size: int) -> None:
        self.size = size

    def seek(self, *args):
        raise AssertionError("the upload was read")

    read = seek


def test_a_file_over_10_mb_is_refused_without_being_read():
    with pytest.raises(ValidationError) as caught:
        prepare_image(UnreadableUpload(MAX_UPLOAD_BYTES + 1))

    assert "10 MB at most" in caught.value.message_dict["image"][0]


def test_a_file_of_exactly_10_mb_passes_the_size_check():
    exactly = upload(jpeg())
    exactly.size = MAX_UPLOAD_BYTES

    assert prepare_image(exactly).width == 1200


def test_a_50_megapixel_png_is_refused():
    fifty_megapixels = encode(Image.new("1", (10000, 5000)), "PNG")
    assert len(fifty_megapixels) < 100_000  # tiny on disk: it is the pixel count that matters

    assert "40 megapixels at most" in refusal(fifty_megapixels, name="a.png")


def test_a_picture_beyond_pillows_own_bomb_limit_is_refused_too():
    hundred_megapixels = encode(Image.new("1", (10000, 10000)), "PNG")

    assert "40 megapixels at most" in refusal(hundred_megapixels, name="a.png")


def test_a_truncated_jpeg_is_refused():
    whole = noisy_jpeg()

    assert "truncated or corrupt" in refusal(whole[: len(whole) // 2])


def test_a_truncated_png_is_refused():
    whole = encode(Image.frombytes("RGB", (300, 200), os.urandom(300 * 200 * 3)), "PNG")

    assert "truncated or corrupt" in refusal(whole[: len(whole) // 2], name="a.png")


def test_an_empty_file_is_refused():
    assert "empty" in refusal(b"")


# --- Orientation, formats and sizes -----------------------------------------------------


def test_the_exif_orientation_is_applied_to_the_pixels():
    # Left half red, right half blue, stored sideways: orientation 6 means
    # "turn 90° clockwise to display", which brings the left half to the top.
    sideways = Image.new("RGB", (200, 100), BLUE)
    sideways.paste(RED, (0, 0, 100, 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6

    prepared = prepare_image(upload(encode(sideways, "JPEG", exif=exif, quality=95)))

    main = opened(prepared.main).convert("RGB")
    assert (prepared.width, prepared.height) == (100, 200)
    assert main.size == (100, 200)
    top, bottom = main.getpixel((50, 40)), main.getpixel((50, 160))
    assert top[0] > 150 > top[2]
    assert bottom[2] > 150 > bottom[0]


def test_renditions_are_webp_320_and_960_px_wide():
    prepared = prepare_image(upload(jpeg(size=(1200, 800))))

    assert [(w, h) for _, w, h in prepared.renditions] == [(320, 213), (960, 640)]
    for data, width, height in prepared.renditions:
        rendition = opened(data)
        assert rendition.format == "WEBP"
        assert rendition.size == (width, height)


def test_renditions_never_upscale():
    prepared = prepare_image(upload(jpeg(size=(500, 400))))

    assert [(w, h) for _, w, h in prepared.renditions] == [(320, 256)]


def test_a_picture_narrower_than_320_px_gets_one_rendition_at_its_own_width():
    prepared = prepare_image(upload(jpeg(size=(200, 100))))

    assert [(w, h) for _, w, h in prepared.renditions] == [(200, 100)]


def test_the_main_image_is_at_most_2000_px_on_its_long_side():
    prepared = prepare_image(upload(jpeg(size=(1000, 3000))))

    assert (prepared.width, prepared.height) == (667, 2000)
    assert opened(prepared.main).size == (667, 2000)


def test_an_opaque_picture_is_stored_as_jpeg():
    prepared = prepare_image(upload(png(), name="a.png"))

    assert prepared.extension == "jpg"
    assert opened(prepared.main).format == "JPEG"


def test_a_picture_with_transparency_is_stored_as_png_with_its_alpha():
    prepared = prepare_image(upload(png(mode="RGBA", color=(0, 0, 0, 0)), name="a.png"))

    assert prepared.extension == "png"
    main = opened(prepared.main)
    assert (main.format, main.mode) == ("PNG", "RGBA")
    assert opened(prepared.renditions[0][0]).mode == "RGBA"


def test_an_alpha_channel_with_nothing_see_through_is_stored_as_jpeg():
    prepared = prepare_image(upload(png(mode="RGBA", color=(*RED, 255)), name="a.png"))

    assert prepared.extension == "jpg"


# --- Services ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_adding_a_picture_stores_it_and_its_renditions_in_the_products_folder(coop, media):
    product = cutting_board(coop)

    image = product_image_add(product=product, upload=upload(jpeg()), alt_text="A walnut board")

    folder = f"products/{product.pk}/"
    names = [image.image.name, *(r["name"] for r in image.renditions)]
    assert all(name.startswith(folder) for name in names)
    assert files_in(media) == sorted(names)
    assert (image.width, image.height) == (1200, 800)
    assert [(r["width"], r["height"]) for r in image.renditions] == [(320, 213), (960, 640)]


@pytest.mark.django_db
def test_the_uploaders_file_name_is_not_kept(coop):
    product = cutting_board(coop)

    image = product_image_add(
        product=product, upload=upload(jpeg(), name="jane-at-home.jpg"), alt_text="A board"
    )

    assert "jane" not in image.image.name


@pytest.mark.django_db
def test_a_new_picture_goes_after_the_others(coop):
    product = cutting_board(coop)
    product_image_add(product=product, upload=upload(jpeg()), alt_text="Front", position=4)

    image = product_image_add(product=product, upload=upload(jpeg()), alt_text="Back")

    assert image.position == 5


@pytest.mark.django_db
def test_a_refused_upload_stores_no_file_and_no_row(coop, media):
    product = cutting_board(coop)

    with pytest.raises(ValidationError):
        product_image_add(product=product, upload=upload(noisy_jpeg()[:500]), alt_text="A board")

    assert files_in(media) == []
    assert not ProductImage.objects.exists()


@pytest.mark.django_db
def test_a_blank_alt_text_is_refused_before_any_file_is_stored(coop, media):
    product = cutting_board(coop)

    with pytest.raises(ValidationError) as caught:
        product_image_add(product=product, upload=upload(jpeg()), alt_text="   ")

    assert "alt_text" in caught.value.message_dict
    assert files_in(media) == []


@pytest.mark.django_db
def test_stored_files_are_deleted_when_the_row_cannot_be_written(coop, media, monkeypatch):
    product = cutting_board(coop)

    def fail(*args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(ProductImage, "save", fail)

    with pytest.raises(DatabaseError):
        product_image_add(product=product, upload=upload(jpeg()), alt_text="A board")

    assert files_in(media) == []


@pytest.mark.django_db
def test_deleting_a_picture_removes_its_row_and_files(
    coop, media, django_capture_on_commit_callbacks
):
    image = product_image_add(product=cutting_board(coop), upload=upload(jpeg()), alt_text="A")

    with django_capture_on_commit_callbacks(execute=True):
        product_image_delete(image=image)

    assert not ProductImage.objects.exists()
    assert files_in(media) == []


@pytest.mark.django_db
def test_a_deleted_pictures_files_stay_until_the_deletion_commits(
    coop, media, django_capture_on_commit_callbacks
):
    image = product_image_add(product=cutting_board(coop), upload=upload(jpeg()), alt_text="A")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        product_image_delete(image=image)

    assert len(files_in(media)) == 3
    for callback in callbacks:
        callback()
    assert files_in(media) == []


@pytest.mark.django_db
def test_updating_a_picture_changes_its_alt_text_and_position(coop):
    image = product_image_add(product=cutting_board(coop), upload=upload(jpeg()), alt_text="A")

    product_image_update(image=image, alt_text="The board, oiled", position=3)

    image.refresh_from_db()
    assert (image.alt_text, image.position) == ("The board, oiled", 3)


@pytest.mark.django_db
def test_rendition_urls_give_each_renditions_url_width_and_height(coop):
    image = product_image_add(product=cutting_board(coop), upload=upload(jpeg()), alt_text="A")

    urls = rendition_urls(image)

    assert urls == [
        {"url": default_storage.url(r["name"]), "width": r["width"], "height": r["height"]}
        for r in image.renditions
    ]
    assert [(u["width"], u["height"]) for u in urls] == [(320, 213), (960, 640)]
    assert all(u["url"].startswith("/media/products/") for u in urls)


# --- Admin ------------------------------------------------------------------------------


@pytest.fixture
def superuser():
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


def admin_formset(product, superuser, rf, data=None, files=None):
    request = rf.post("/")
    request.user = superuser
    formset_class = ProductImageInline(Product, admin.site).get_formset(request, product)
    prefix = formset_class.get_default_prefix()
    existing = list(product.images.all())
    management = {
        f"{prefix}-TOTAL_FORMS": str(len(existing) + 1),
        f"{prefix}-INITIAL_FORMS": str(len(existing)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, image in enumerate(existing):
        management[f"{prefix}-{n}-id"] = str(image.pk)
        management[f"{prefix}-{n}-alt_text"] = image.alt_text
        management[f"{prefix}-{n}-position"] = str(image.position)
    data = {key.replace("N-", f"{prefix}-"): value for key, value in (data or {}).items()}
    files = {key.replace("N-", f"{prefix}-"): value for key, value in (files or {}).items()}
    return formset_class({**management, **data}, files, instance=product, prefix=prefix)


@pytest.mark.django_db
def test_the_admin_stores_an_uploaded_picture_with_its_renditions(coop, superuser, rf, media):
    product = cutting_board(coop)
    formset = admin_formset(
        product,
        superuser,
        rf,
        data={"N-0-alt_text": "A board"},
        files={"N-0-upload": upload(jpeg())},
    )

    assert formset.is_valid(), formset.errors
    formset.save()

    image = ProductImage.objects.get(product=product)
    assert [r["width"] for r in image.renditions] == [320, 960]
    assert len(files_in(media)) == 3


@pytest.mark.django_db
def test_the_admin_refuses_a_file_that_is_not_a_picture(coop, superuser, rf, media):
    page = upload(b"<html></html>", name="photo.png", content_type="image/png")
    formset = admin_formset(
        cutting_board(coop), superuser, rf, data={"N-0-alt_text": "A"}, files={"N-0-upload": page}
    )

    assert not formset.is_valid()
    assert "not a JPEG, PNG or WebP" in formset.errors[0]["upload"][0]
    assert files_in(media) == []


@pytest.mark.django_db
def test_deleting_a_picture_in_the_admin_removes_its_files(
    coop, superuser, rf, media, django_capture_on_commit_callbacks
):
    product = cutting_board(coop)
    product_image_add(product=product, upload=upload(jpeg()), alt_text="A board")
    formset = admin_formset(product, superuser, rf, data={"N-0-DELETE": "on"})

    assert formset.is_valid(), formset.errors
    with django_capture_on_commit_callbacks(execute=True):
        formset.save()

    assert not ProductImage.objects.exists()
    assert files_in(media) == []


@pytest.mark.django_db
def test_the_product_admin_page_shows_the_pictures(client, coop, superuser, monkeypatch):
    # Whether or not the product admin lists the inline yet, render the page with it.
    product_admin = admin.site._registry[Product]
    others = [i for i in product_admin.inlines if i is not ProductImageInline]
    monkeypatch.setattr(product_admin, "inlines", [ProductImageInline, *others])
    product = cutting_board(coop)
    product_image_add(product=product, upload=upload(jpeg()), alt_text="A walnut board")
    client.force_login(superuser)

    response = client.get(f"/admin/catalog/product/{product.pk}/change/")

    assert response.status_code == 200
    assert "320×213" in response.text
    assert 'enctype="multipart/form-data"' in response.text
