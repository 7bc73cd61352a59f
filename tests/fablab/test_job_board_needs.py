"""The job board says, before a job starts, what it needs and who at the co-op is certified."""

import re
from html import unescape

import pytest

from fablab.models import Certification
from fablab.services.certifications import certification_grant
from orders.services import job_start
from tests.fablab.days import days_from_today
from tests.factories import make_stocked_product, place

pytestmark = pytest.mark.django_db

BOARD = "/workbench/"


def board(client, user) -> str:
    client.force_login(user)
    # The words as read: markup (the emphasis on "nobody …") taken out.
    return re.sub(r"<[^>]+>", "", unescape(client.get(BOARD).content.decode()))


def test_a_job_nobody_is_certified_for_says_so_before_it_is_started(client, accepted_job, maker):
    content = board(client, maker)

    assert "Laser cutting: nobody at Woodshop is certified yet, so it cannot start" in content
    assert "Book machine time" in content


def test_a_job_names_the_certified_members_and_when_they_run_out(
    client, accepted_job, maker, laser
):
    maker.first_name, maker.last_name = "Marcus", "Hill"
    maker.save()
    until = days_from_today(90)
    certification_grant(person=maker, capability=laser, expires_on=until, by=None)

    content = board(client, maker)

    assert f"Laser cutting: certified Marcus Hill (until {until.day} {until:%b %Y})" in content


def test_an_expired_certification_does_not_count_on_the_board(client, accepted_job, maker, laser):
    Certification.objects.create(
        person=maker,
        capability=laser,
        certified_on=days_from_today(-100),
        expires_on=days_from_today(-1),
    )

    assert "nobody at Woodshop is certified yet" in board(client, maker)


def test_a_started_job_no_longer_lists_what_it_needs(client, accepted_job, maker, laser):
    certification_grant(person=maker, capability=laser, expires_on=days_from_today(30), by=None)
    job_start(job=accepted_job, by=maker)

    assert "Book machine time" not in board(client, maker)


def test_a_job_whose_goods_need_no_capability_lists_none(client, maker, cutshop):
    job = place((make_stocked_product(producer=cutshop, title="Plain box"), 1)).jobs.get()

    content = board(client, maker)

    assert f"Order {job.order.number}" in content
    assert "Book machine time" not in content
