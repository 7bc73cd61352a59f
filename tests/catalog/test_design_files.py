"""Design files: judged by their content, versioned by name, refused whole when bad."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import DesignFile, Licence, Product, design_storage
from catalog.services.designs import design_file_add, design_file_remove
from catalog.services.products import product_update
from tests import design_samples as samples
from tests.factories import UserFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def designs_root(settings, tmp_path):
    settings.DESIGN_FILES_ROOT = tmp_path / "designs"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "designs"


@pytest.fixture
def product():
    return make_product(title="Jigsaw", fulfilment="made_to_order", open_design=True)


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def refusal(product, name, data) -> str:
    with pytest.raises(ValidationError) as caught:
        design_file_add(product=product, upload=samples.upload(name, data))
    assert not DesignFile.objects.exists()
    return " ".join(caught.value.message_dict["file"])


# --- What is accepted -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("frame.svg", samples.SVG, "svg"),
        ("frame.dxf", samples.DXF, "dxf"),
        ("cube.stl", samples.STL_ASCII, "stl"),
        ("cube-binary.stl", samples.stl_binary(3), "stl"),
        ("cube.3mf", samples.three_mf(), "3mf"),
        ("assembly.pdf", samples.PDF, "pdf"),
    ],
)
def test_each_kind_of_design_is_stored_outside_the_public_media(
    product, designs_root, name, data, kind
):
    maker = UserFactory()
    design = design_file_add(product=product, upload=samples.upload(name, data), uploaded_by=maker)

    design.refresh_from_db()
    assert (design.name, design.kind, design.version, design.size) == (name, kind, 1, len(data))
    assert design.uploaded_by == maker
    assert len(design.sha256) == 64
    (path,) = stored_files(designs_root)
    assert path.read_bytes() == data
    assert str(path).startswith(str(designs_root))
    with pytest.raises(ValueError, match="no public address"):
        design_storage.url(design.file.name)


def test_a_binary_stl_whose_header_says_solid_is_still_an_stl(product):
    data = samples.stl_binary(1)
    data = b"solid exported".ljust(80, b" ") + data[80:]
    assert design_file_add(product=product, upload=samples.upload("x.stl", data)).kind == "stl"


def test_uploading_the_same_name_again_adds_a_version(product, designs_root):
    first = design_file_add(product=product, upload=samples.upload("frame.svg", samples.SVG))
    second = design_file_add(
        product=product, upload=samples.upload("frame.svg", samples.SVG), note="Thicker tabs"
    )
    other = design_file_add(product=product, upload=samples.upload("lid.svg", samples.SVG))

    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert second.note == "Thicker tabs"
    assert first.file.name != second.file.name
    assert len(stored_files(designs_root)) == 3


def test_a_name_with_folders_and_spaces_is_cleaned(product):
    design = design_file_add(
        product=product, upload=samples.upload("../../etc/Frame v2.svg", samples.SVG)
    )
    assert design.name == "Frame_v2.svg"


def test_one_version_of_a_name_is_kept_once(product):
    design = design_file_add(product=product, upload=samples.upload("frame.svg", samples.SVG))
    with pytest.raises(IntegrityError), transaction.atomic():
        DesignFile.objects.create(
            product=product, name="frame.svg", kind="svg", version=design.version, sha256="0"
        )


# --- Bad input: a clear error, nothing saved --------------------------------------------


def test_a_file_over_the_size_limit_is_refused(settings, product, designs_root):
    settings.DESIGN_FILE_MAX_BYTES = 100
    message = refusal(product, "frame.svg", samples.SVG + b" " * 100)
    assert "design files may be 0.0 MB at most" in message
    assert stored_files(designs_root) == []


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("frame.svg", samples.PDF, "named frame.svg but its content is a PDF, not an SVG"),
        ("cube.stl", samples.SVG, "its content is an SVG drawing, not an STL model"),
        ("drawing.pdf", samples.DXF, "its content is a DXF drawing, not a PDF"),
        ("frame.dxf", b"hello, this is a letter", "not an SVG, DXF, STL, 3MF or PDF"),
        ("cube.stl", bytes(range(256)) * 4, "not an SVG, DXF, STL, 3MF or PDF"),
        ("cube.3mf", samples.three_mf(with_model=False), "without a 3D model in it"),
        ("frame.exe", samples.SVG, "must be SVG, DXF, STL, 3MF or PDF"),
        ("frame", samples.SVG, "must be SVG, DXF, STL, 3MF or PDF"),
        ("empty.svg", b"", "The file is empty"),
        ("page.svg", b"<html><body>hi</body></html>", "its root element is not <svg>"),
        ("broken.svg", b"<svg><g></svg>", "not well-formed XML"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(
    product, designs_root, name, data, said
):
    assert said in refusal(product, name, data)
    assert stored_files(designs_root) == []


@pytest.mark.parametrize(
    "data",
    [
        samples.svg_with(b"<script>alert(1)</script>"),
        samples.svg_with(b'<script href="https://evil.example/x.js"/>'),
        samples.svg_with(b'<g xmlns:h="http://www.w3.org/1999/xhtml"><h:script>1</h:script></g>'),
        samples.svg_with(b'<rect width="1" height="1" onclick="alert(1)"/>'),
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        samples.svg_with(b'<a href="javascript:alert(1)"><text>x</text></a>'),
        samples.svg_with(
            b'<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href=" java\tscript:alert(1)">'
            b"<text>x</text></a>"
        ),
        samples.svg_with(b'<set attributeName="href" to="javascript:alert(1)"/>'),
        samples.svg_with(b"<foreignObject><div>hi</div></foreignObject>"),
        samples.svg_with(b"<g/>", prolog=b'<?xml-stylesheet href="https://evil.example/x.xsl"?>'),
    ],
)
def test_an_svg_that_could_run_a_script_is_refused(product, designs_root, data):
    assert "scripts are refused" in refusal(product, "frame.svg", data)
    assert stored_files(designs_root) == []


@pytest.mark.parametrize(
    ("prolog", "body", "said"),
    [
        (
            b'<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>',
            b"<text>&lol2;</text>",
            "declares XML entities",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
            b"<text>&secret;</text>",
            "declares XML entities",
        ),
    ],
)
def test_an_svg_with_entities_is_refused(product, prolog, body, said):
    assert said in refusal(product, "frame.svg", samples.svg_with(body, prolog=prolog))


def test_an_svg_with_a_plain_doctype_is_accepted(product):
    doctype = (
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
    )
    design = design_file_add(
        product=product,
        upload=samples.upload("frame.svg", samples.svg_with(b"<g/>", prolog=doctype)),
    )
    assert design.kind == "svg"


def test_an_over_long_note_is_refused_before_anything_is_stored(product, designs_root):
    with pytest.raises(ValidationError) as caught:
        design_file_add(
            product=product, upload=samples.upload("frame.svg", samples.SVG), note="x" * 241
        )
    assert "note" in caught.value.message_dict
    assert stored_files(designs_root) == []


def test_a_failed_save_leaves_no_file_behind(product, designs_root, monkeypatch):
    def fail(*args, **kwargs):
        raise IntegrityError("boom")

    monkeypatch.setattr(DesignFile, "save", fail)
    with pytest.raises(IntegrityError):
        design_file_add(product=product, upload=samples.upload("frame.svg", samples.SVG))
    assert stored_files(designs_root) == []


# --- Removing ---------------------------------------------------------------------------


def test_removing_a_version_deletes_its_file_once_committed(
    product, designs_root, django_capture_on_commit_callbacks
):
    design = design_file_add(product=product, upload=samples.upload("frame.svg", samples.SVG))
    with django_capture_on_commit_callbacks(execute=True):
        design_file_remove(design_file=design)

    assert not DesignFile.objects.exists()
    assert stored_files(designs_root) == []


# --- Licences ---------------------------------------------------------------------------


def test_a_product_is_all_rights_reserved_until_its_co_op_chooses(product):
    assert product.licence == Licence.ALL_RIGHTS_RESERVED
    product_update(product=product, licence=Licence.CERN_OHL_S_2)
    assert Product.objects.get(pk=product.pk).get_licence_display() == "CERN-OHL-S 2.0"


def test_a_licence_outside_the_list_is_refused(product):
    with pytest.raises(ValidationError) as caught:
        product_update(product=product, licence="wtfpl")
    assert "licence" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(licence="wtfpl")
    assert Product.objects.get(pk=product.pk).price == Decimal("25.00")


def test_staff_read_design_files_in_the_back_office_but_add_none_there(client, product):
    design_file_add(product=product, upload=samples.upload("frame.svg", samples.SVG))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/catalog/designfile/")
    assert listing.status_code == 200
    assert "frame.svg" in listing.content.decode()
    assert client.get("/admin/catalog/designfile/add/").status_code == 403
