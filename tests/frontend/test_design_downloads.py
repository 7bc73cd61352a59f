"""Design file downloads: a co-op's signed job link, the public files, the pages that show them."""

import time
import types

import pytest
from django.core import signing

from catalog.models import DesignFile, Licence, Product
from catalog.services.designs import design_file_add, design_file_remove
from catalog.services.products import product_update
from orders import design_links
from orders.delivery import job_payload
from orders.design_links import design_link_make
from producers.models import Membership
from tests import design_samples as samples
from tests.factories import MembershipFactory, ProducerFactory, make_product, place

pytestmark = pytest.mark.django_db

SANDBOX = "sandbox; default-src 'none'"


@pytest.fixture(autouse=True)
def designs_root(settings, tmp_path):
    settings.DESIGN_FILES_ROOT = tmp_path / "designs"
    settings.SITE_URL = "https://shop.example"
    return tmp_path / "designs"


@pytest.fixture
def frame(puzzle):
    return design_file_add(product=puzzle, upload=samples.upload("frame.svg", samples.SVG))


@pytest.fixture
def job(puzzle, frame):
    return place((puzzle, 1)).jobs.get()


def link_path(design, job) -> str:
    return design_link_make(design_file=design, job=job).path


def assert_download(response, *, name: str, content_type: str, data: bytes):
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX
    assert b"".join(response.streaming_content) == data


def in_hours(monkeypatch, hours: float):
    """Move the signer's clock on: the link was signed now, it is read `hours` later."""
    later = time.time() + hours * 3600
    monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: later))


# --- The co-op's signed link ------------------------------------------------------------


def test_the_routed_co_op_downloads_an_svg_as_a_sandboxed_attachment(client, job, frame):
    response = client.get(link_path(frame, job))
    assert_download(response, name="frame.svg", content_type="image/svg+xml", data=samples.SVG)


def test_a_pdf_goes_out_as_a_pdf_attachment(client, puzzle, job):
    sheet = design_file_add(product=puzzle, upload=samples.upload("assembly.pdf", samples.PDF))
    response = client.get(link_path(sheet, job))
    assert_download(response, name="assembly.pdf", content_type="application/pdf", data=samples.PDF)


def test_a_link_works_until_its_age_then_says_it_has_expired(client, monkeypatch, job, frame):
    path = link_path(frame, job)

    in_hours(monkeypatch, 71)
    assert client.get(path).status_code == 200

    in_hours(monkeypatch, 73)
    response = client.get(path)
    assert response.status_code == 410
    assert "This design file link no longer works" in response.content.decode()
    assert "has expired" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response


def test_the_age_of_a_link_is_a_setting(client, settings, monkeypatch, job, frame):
    settings.DESIGN_LINK_MAX_AGE_HOURS = 1
    path = link_path(frame, job)
    in_hours(monkeypatch, 2)
    assert client.get(path).status_code == 410


def test_a_changed_link_is_not_known(client, job, frame):
    path = link_path(frame, job)
    response = client.get(path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:])
    assert response.status_code == 404
    assert "We don't know this design file link" in response.content.decode()


def test_a_link_made_for_another_co_op_is_refused(client, job, frame):
    other = ProducerFactory()
    token = signing.dumps(
        {"f": frame.pk, "j": job.pk, "p": other.pk}, salt=design_links.SALT, compress=True
    )
    response = client.get(f"/designs/{token}/")
    assert response.status_code == 403
    assert "This link was made for another co-op" in response.content.decode()


def test_a_member_of_another_co_op_cannot_use_the_link(client, job, frame):
    path = link_path(frame, job)
    outsider = MembershipFactory(producer=ProducerFactory()).user
    client.force_login(outsider)
    assert client.get(path).status_code == 403

    insider = MembershipFactory(producer=job.producer, role=Membership.Role.MEMBER).user
    client.force_login(insider)
    assert client.get(path).status_code == 200


def test_a_removed_file_is_no_longer_served(client, job, frame):
    path = link_path(frame, job)
    design_file_remove(design_file=frame)
    response = client.get(path)
    assert response.status_code == 404
    assert "removed" in response.content.decode()


def test_a_link_to_another_products_file_is_refused(client, job, woodshop):
    stool = make_product(producer=woodshop, title="Stool")
    foreign = design_file_add(product=stool, upload=samples.upload("seat.svg", samples.SVG))
    assert client.get(link_path(foreign, job)).status_code == 404


# --- The job card and the webhook ------------------------------------------------------


def test_the_job_card_links_the_newest_version_of_each_file(client, puzzle, job, frame):
    newer = design_file_add(product=puzzle, upload=samples.upload("frame.svg", samples.SVG))
    manager = MembershipFactory(producer=job.producer, role=Membership.Role.MANAGER).user
    client.force_login(manager)

    page = client.get("/workbench/").content.decode()

    assert "Design files" in page
    assert "frame.svg" in page
    assert "version 2" in page
    assert "version 1" not in page
    (href,) = [part.split('"')[0] for part in page.split('href="/designs/')[1:]]
    download = client.get(f"/designs/{href}")
    assert download.status_code == 200
    assert newer.version == 2


def test_the_webhook_payload_carries_absolute_expiring_links(client, job, frame):
    payload = job_payload(job, "job.routed")

    (line,) = payload["data"]["lines"]
    (design,) = line["design_files"]
    assert design["name"] == "frame.svg"
    assert (design["version"], design["kind"]) == (1, "svg")
    assert design["url"].startswith("https://shop.example/designs/")
    assert design["expires_at"].endswith("+00:00")
    path = design["url"].removeprefix("https://shop.example")
    assert client.get(path).status_code == 200


def test_a_line_without_files_has_an_empty_list(stool):
    payload = job_payload(place((stool, 1)).jobs.get(), "job.routed")
    assert payload["data"]["lines"][0]["design_files"] == []


# --- Public files and the product page --------------------------------------------------


def public_path(design) -> str:
    return f"/products/{design.product.slug}/designs/{design.pk}/"


def test_an_open_licence_makes_the_files_public_with_the_same_headers(client, puzzle, frame):
    product_update(product=puzzle, licence=Licence.CC_BY_SA_4)
    response = client.get(public_path(frame))
    assert_download(response, name="frame.svg", content_type="image/svg+xml", data=samples.SVG)


def test_all_rights_reserved_files_are_not_public(client, puzzle, frame):
    assert puzzle.licence == Licence.ALL_RIGHTS_RESERVED
    assert client.get(public_path(frame)).status_code == 404


def test_a_draft_shares_no_files_whatever_its_licence(client, puzzle, frame):
    product_update(product=puzzle, licence=Licence.CERN_OHL_S_2, status=Product.Status.DRAFT)
    assert client.get(public_path(frame)).status_code == 404


def test_the_product_page_shows_the_licence_and_the_public_files(client, puzzle, frame):
    product_update(product=puzzle, licence=Licence.CERN_OHL_S_2)
    page = client.get(f"/products/{puzzle.slug}/").content.decode()
    assert 'rel="license">CERN-OHL-S 2.0</a>' in page
    assert "https://ohwr.org/cern_ohl_s_v2.txt" in page
    assert public_path(frame) in page
    assert "version 1" in page


def test_the_product_page_says_all_rights_reserved_and_offers_no_files(client, puzzle, frame):
    page = client.get(f"/products/{puzzle.slug}/").content.decode()
    assert "All rights reserved" in page
    assert public_path(frame) not in page


def test_the_api_lists_public_files_and_the_licence(api, puzzle, frame, coop_member):
    product_update(product=puzzle, licence=Licence.CC_BY_NC_SA_4)
    body = api.get(f"/api/v1/products/{puzzle.slug}/").json()
    assert body["licence"] == "cc_by_nc_sa_4"
    (design,) = body["design_files"]
    assert design["url"] == f"https://shop.example{public_path(frame)}"
    assert (design["name"], design["version"], design["sha256"]) == (
        "frame.svg",
        1,
        frame.sha256,
    )


def test_the_api_hides_reserved_files_from_everyone_but_the_co_op(api, puzzle, frame):
    assert api.get(f"/api/v1/products/{puzzle.slug}/").json()["design_files"] == []
    member = MembershipFactory(producer=puzzle.producer).user
    (design,) = api.as_user(member).get(f"/api/v1/products/{puzzle.slug}/").json()["design_files"]
    assert design["name"] == "frame.svg"
    assert design["url"] is None


# --- The workbench's Design files tab ---------------------------------------------------


def designs_url(product) -> str:
    return f"/workbench/co-ops/{product.producer.slug}/products/{product.pk}/designs/"


@pytest.fixture
def as_manager(client, puzzle):
    client.force_login(
        MembershipFactory(producer=puzzle.producer, role=Membership.Role.MANAGER).user
    )
    return client


def test_a_manager_uploads_a_new_version_and_sees_it(as_manager, puzzle, frame):
    response = as_manager.post(
        designs_url(puzzle),
        {"file": samples.upload("frame.svg", samples.SVG), "note": "Thicker tabs"},
        follow=True,
    )
    page = response.content.decode()
    assert "Added frame.svg, version 2, to Puzzle." in page
    assert "version 2 (current)" in page
    assert "version 1 (older)" in page
    assert DesignFile.objects.get(version=2).note == "Thicker tabs"


def test_a_refused_upload_is_shown_next_to_the_field(as_manager, puzzle):
    bad = samples.svg_with(b"<script>alert(1)</script>")
    response = as_manager.post(designs_url(puzzle), {"file": samples.upload("frame.svg", bad)})
    assert response.status_code == 400
    assert "drawings with scripts are refused" in response.content.decode()
    assert not DesignFile.objects.exists()


def test_a_manager_chooses_the_licence(as_manager, puzzle):
    response = as_manager.post(designs_url(puzzle) + "licence/", {"licence": "cc_by_sa_4"})
    assert response.status_code == 302
    assert Product.objects.get(pk=puzzle.pk).licence == "cc_by_sa_4"
    refused = as_manager.post(designs_url(puzzle) + "licence/", {"licence": "public_domain"})
    assert refused.status_code == 400
    assert Product.objects.get(pk=puzzle.pk).licence == "cc_by_sa_4"


def test_a_manager_removes_a_version(as_manager, puzzle, frame, django_capture_on_commit_callbacks):
    url = f"{designs_url(puzzle)}{frame.pk}/remove/"
    assert "Remove frame.svg, version 1?" in as_manager.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert as_manager.post(url).status_code == 302
    assert not DesignFile.objects.exists()


def test_the_co_op_downloads_its_own_reserved_file_from_the_tab(as_manager, puzzle, frame):
    response = as_manager.get(f"{designs_url(puzzle)}{frame.pk}/")
    assert_download(response, name="frame.svg", content_type="image/svg+xml", data=samples.SVG)


def test_the_cached_product_page_and_api_show_a_new_file_at_once(client, api, puzzle):
    product_update(product=puzzle, licence=Licence.CC_BY_SA_4)
    assert "frame.svg" not in client.get(f"/products/{puzzle.slug}/").content.decode()
    assert api.get(f"/api/v1/products/{puzzle.slug}/").json()["design_files"] == []

    added = design_file_add(product=puzzle, upload=samples.upload("frame.svg", samples.SVG))

    assert public_path(added) in client.get(f"/products/{puzzle.slug}/").content.decode()
    (listed,) = api.get(f"/api/v1/products/{puzzle.slug}/").json()["design_files"]
    assert listed["name"] == "frame.svg"
