"""The demo's open designs come with real cut files and licences."""

import pytest

from catalog.design_formats import sniff_design
from catalog.models import DesignFile, Licence
from demo.designs import demo_designs, seed_designs
from tests.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def designs_root(settings, tmp_path):
    settings.DESIGN_FILES_ROOT = tmp_path


def test_every_demo_file_is_what_its_name_says():
    for _, files in demo_designs().values():
        for name, data in files:
            assert sniff_design(data) == name.rsplit(".", 1)[1]


def test_the_open_designs_get_their_files_and_licences_once():
    products = {
        title: make_product(title=title, fulfilment="made_to_order", open_design=True)
        for title in demo_designs()
    }

    assert seed_designs() == 5
    assert seed_designs() == 0

    licences = {title: p.__class__.objects.get(pk=p.pk).licence for title, p in products.items()}
    assert licences == {
        "Laser-cut jigsaw puzzle": Licence.CC_BY_SA_4,
        "Seed library box": Licence.CERN_OHL_S_2,
        "Community fridge sign": Licence.CC_BY_SA_4,
        "Birch clipboard": Licence.ALL_RIGHTS_RESERVED,
    }
    seed_box = DesignFile.objects.filter(product=products["Seed library box"])
    assert sorted(seed_box.values_list("kind", flat=True)) == ["pdf", "svg"]
