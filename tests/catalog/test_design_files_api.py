"""The design files API: a producer's members upload versions; bad files answer 400."""

import pytest

from catalog.models import DesignFile
from tests import design_samples as samples
from tests.factories import MembershipFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def designs_root(settings, tmp_path):
    settings.DESIGN_FILES_ROOT = tmp_path


@pytest.fixture
def product():
    return make_product(title="Jigsaw", fulfilment="made_to_order", open_design=True)


def url(product) -> str:
    return f"/api/v1/products/{product.slug}/design-files/"


def test_a_member_uploads_versions_and_lists_them(api, product):
    api.as_user(MembershipFactory(producer=product.producer).user)
    for note in ("First cut", "Thicker tabs"):
        response = api.post(
            url(product),
            {"file": samples.upload("frame.svg", samples.SVG), "note": note},
            format="multipart",
        )
        assert response.status_code == 201
    assert response.json()["version"] == 2
    assert response.json()["kind"] == "svg"

    listed = api.get(url(product)).json()
    assert [(d["name"], d["version"], d["note"]) for d in listed] == [
        ("frame.svg", 2, "Thicker tabs"),
        ("frame.svg", 1, "First cut"),
    ]


def test_a_bad_file_answers_400_naming_the_file_and_keeps_nothing(api, product):
    api.as_user(MembershipFactory(producer=product.producer).user)
    bad = samples.svg_with(b'<rect onclick="alert(1)"/>')
    response = api.post(
        url(product), {"file": samples.upload("frame.svg", bad)}, format="multipart"
    )
    assert response.status_code == 400
    assert "scripts are refused" in response.json()["errors"]["file"][0]
    assert not DesignFile.objects.exists()


def test_another_co_ops_member_may_not_upload(api, product):
    api.as_user(MembershipFactory().user)
    response = api.post(
        url(product), {"file": samples.upload("frame.svg", samples.SVG)}, format="multipart"
    )
    assert response.status_code == 403
    assert not DesignFile.objects.exists()
