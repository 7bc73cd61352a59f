"""An open design declined by one co-op and routed to the next: the files follow the job.

The second co-op downloads them with its own link; the first co-op's links, on its
job card and in its webhook, stop working the moment it declines.
"""

import pytest
from django.urls import reverse

from catalog.models import Licence
from catalog.services.designs import design_file_add
from catalog.services.products import product_update
from orders import services
from orders.delivery import job_payload
from orders.models import Job, WebhookDelivery
from producers.models import Membership
from tests import design_samples as samples
from tests.factories import MembershipFactory, ProducerFactory, place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def designs_root(settings, tmp_path):
    settings.DESIGN_FILES_ROOT = tmp_path / "designs"
    settings.SITE_URL = "https://shop.example"


def links_of(job) -> dict[str, str]:
    """name -> path of each design link in the job's webhook payload."""
    (line,) = job_payload(job, "job.routed")["data"]["lines"]
    return {d["name"]: d["url"].removeprefix("https://shop.example") for d in line["design_files"]}


def test_declined_open_design_goes_with_its_files_to_the_next_co_op(client, puzzle):
    product_update(product=puzzle, licence=Licence.CERN_OHL_S_2)
    design_file_add(product=puzzle, upload=samples.upload("frame.svg", samples.SVG))
    design_file_add(product=puzzle, upload=samples.upload("assembly.pdf", samples.PDF))
    second = ProducerFactory(
        name="Second",
        slug="second",
        capabilities=["laser_cutting"],
        webhook_url="https://second.example/hooks",
    )

    first_job = place((puzzle, 1)).jobs.get()
    assert first_job.producer == puzzle.producer
    first_links = links_of(first_job)
    assert set(first_links) == {"frame.svg", "assembly.pdf"}
    assert client.get(first_links["frame.svg"]).status_code == 200

    services.job_decline(job=first_job, by=None, reason="Laser is down")

    second_job = Job.objects.get(order=first_job.order, producer=second)
    assert second_job.status == Job.Status.ROUTED
    # The webhook written when it was re-routed carries the second co-op's own links.
    delivery = WebhookDelivery.objects.get(job=second_job, event="job.routed")
    (line,) = delivery.payload["data"]["lines"]
    second_links = {
        d["name"]: d["url"].removeprefix("https://shop.example") for d in line["design_files"]
    }
    assert set(second_links) == {"frame.svg", "assembly.pdf"}
    assert second_links["frame.svg"] != first_links["frame.svg"]

    # The second co-op, signed in, follows the link on its own job card.
    crew = MembershipFactory(producer=second, role=Membership.Role.MEMBER).user
    client.force_login(crew)
    board = client.get(reverse("workbench:home")).content.decode()
    (card_link,) = [
        f"/designs/{part.split('/')[0]}/"
        for part in board.split('href="/designs/')[1:]
        if "frame.svg" in part.split("</a>")[0]
    ]
    download = client.get(card_link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == samples.SVG
    client.logout()
    # And its webhook receiver, signed in as nobody, downloads both files.
    for path in second_links.values():
        assert client.get(path).status_code == 200

    # The first co-op's links no longer work, and say why.
    for path in first_links.values():
        refused = client.get(path)
        assert refused.status_code == 410
        assert "no longer open at your co-op" in refused.content.decode()
    # Nor does its job card offer links any more.
    first_crew = MembershipFactory(producer=puzzle.producer).user
    client.force_login(first_crew)
    assert 'href="/designs/' not in client.get(reverse("workbench:home")).content.decode()
    # A member of the first co-op cannot use the second co-op's link either.
    assert client.get(second_links["frame.svg"]).status_code == 403
