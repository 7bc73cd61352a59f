"""The budgeting pages: each phase shows what one can do then; staff pages are staff's."""

import pytest

from community.budgeting_models import Ballot, Proposal, Round
from community.services.budgeting import ballot_cast, round_results_publish
from tests.community.rounds import dates, fund, make_proposal, make_round, resident, staff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def page(client, round_):
    return client.get(f"/community/rounds/{round_.pk}/").content.decode()


def test_the_proposal_phase_invites_an_eligible_account_to_propose(client):
    round_ = make_round("proposals")
    client.force_login(resident())

    html = page(client, round_)

    assert "Propose a project" in html
    assert f'action="/community/rounds/{round_.pk}/propose/"' in html


def test_an_unverified_account_is_asked_to_confirm_its_email_first(client):
    round_ = make_round("proposals")
    client.force_login(UserFactory())

    html = page(client, round_)

    assert "Confirm your email to propose" in html
    assert "Send my proposal" not in html


def test_a_proposal_with_a_zero_amount_shows_the_error_and_writes_nothing(client):
    round_ = make_round("proposals")
    client.force_login(resident())
    body = {"title": "Trees", "description": "Ten", "amount": "0", "carried_out_by": "Growers"}

    response = client.post(f"/community/rounds/{round_.pk}/propose/", body)

    assert response.status_code == 400
    assert "Enter an amount above zero." in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_proposal_is_sent_and_listed_among_my_proposals(client):
    round_ = make_round("proposals")
    client.force_login(resident())
    body = {"title": "Trees", "description": "Ten", "amount": "80", "carried_out_by": "Growers"}

    response = client.post(f"/community/rounds/{round_.pk}/propose/", body, follow=True)

    assert "Waiting for moderation" in response.content.decode()
    assert Proposal.objects.get().title == "Trees"


def test_my_proposals_shows_why_one_was_not_accepted(client):
    me = resident()
    proposal = make_proposal(make_round("proposals"), proposer=me, accepted=False)
    Proposal.objects.filter(pk=proposal.pk).update(status="rejected", moderation_reason="Dup")
    client.force_login(me)

    html = client.get("/community/my-proposals/").content.decode()

    assert "Not accepted" in html
    assert "Why: Dup" in html


@pytest.fixture
def voting():
    round_ = make_round("voting", budget="500.00")
    return round_, [make_proposal(round_, amount) for amount in ("300.00", "150.00", "100.00")]


def test_adding_up_without_scripts_shows_the_total_and_saves_nothing(client, voting):
    round_, (beds, benches, lights) = voting
    client.force_login(resident())

    response = client.post(
        f"/community/rounds/{round_.pk}/ballot/",
        {"approvals": [beds.pk, benches.pk, lights.pk], "action": "add-up"},
    )

    html = response.content.decode()
    assert "$550.00" in html
    assert "more than the budget" in html
    assert not Ballot.objects.exists()


def test_a_ballot_over_budget_is_refused_with_the_reason(client, voting):
    round_, (beds, benches, lights) = voting
    client.force_login(resident())

    response = client.post(
        f"/community/rounds/{round_.pk}/ballot/",
        {"approvals": [beds.pk, benches.pk, lights.pk], "action": "cast"},
    )

    assert response.status_code == 409
    assert "Your ballot was not saved" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_ballot_is_saved_and_shown_ticked(client, voting):
    round_, (beds, _, lights) = voting
    client.force_login(resident())

    client.post(f"/community/rounds/{round_.pk}/ballot/", {"approvals": [beds.pk, lights.pk]})

    html = page(client, round_)
    assert f'value="{beds.pk}" id="approve-{beds.pk}" data-amount="300.00" checked' in html
    assert "$400.00" in html


def test_the_results_show_counts_and_no_names(client, voting):
    round_, (beds, *_) = voting
    voter = resident("voter-jo")
    ballot_cast(round_=round_, by=voter, proposal_ids=[beds.pk])
    round_results_publish(round_=round_, by=staff())

    html = page(client, round_)

    assert "1 ballot counted" in html
    assert "Funded" in html
    assert voter.username not in html


@pytest.mark.parametrize(
    "url",
    ["/community/rounds/new/"],
)
def test_opening_a_round_is_for_staff_only(client, url):
    client.force_login(resident())

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("tail", ["publish/", "proposals/{p}/moderate/", "proposals/{p}/disburse/"])
def test_staff_actions_refuse_everyone_else(client, voting, tail):
    round_, (beds, *_) = voting
    client.force_login(resident())

    response = client.post(f"/community/rounds/{round_.pk}/" + tail.format(p=beds.pk))

    assert response.status_code == 403
    round_.refresh_from_db()
    assert round_.results_published_at is None


def test_staff_open_a_round_from_the_page(client):
    fund("900.00")
    client.force_login(staff())
    when = {key: value.strftime("%Y-%m-%dT%H:%M") for key, value in dates("proposals").items()}

    response = client.post("/community/rounds/new/", {"title": "Fall", "budget": "900", **when})

    assert response.status_code == 302
    assert Round.objects.get().budget == 900


def test_staff_opening_a_round_larger_than_the_fund_see_why(client):
    fund("100.00")
    client.force_login(staff())
    when = {key: value.strftime("%Y-%m-%dT%H:%M") for key, value in dates("proposals").items()}

    response = client.post("/community/rounds/new/", {"title": "Fall", "budget": "101", **when})

    assert response.status_code == 400
    assert "The fund has $100.00 free" in response.content.decode()
    assert not Round.objects.exists()


def test_the_rounds_page_invites_to_the_open_rounds(client):
    make_round("voting", title="Spring vote")
    make_round("upcoming", title="Later")

    html = client.get("/community/rounds/").content.decode()

    assert "Decide what the fund pays for" in html
    assert "Vote</a>" in html


@pytest.mark.parametrize("model", ["round", "proposal"])
def test_the_back_office_lists_rounds_and_proposals(client, voting, model):
    round_, (beds, *_) = voting
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))

    listing = client.get(f"/admin/community/{model}/")
    obj = round_ if model == "round" else beds
    detail = client.get(f"/admin/community/{model}/{obj.pk}/change/")

    assert (listing.status_code, detail.status_code) == (200, 200)


def test_a_ballot_naming_nonsense_is_refused_without_an_error_page(client, voting):
    round_, _ = voting
    client.force_login(resident())

    response = client.post(
        f"/community/rounds/{round_.pk}/ballot/", {"approvals": ["abc", str(2**70), "-3"]}
    )

    assert response.status_code == 409
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("proposals", [3, 12])
def test_a_round_page_in_its_vote_reads_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, proposals
):
    round_ = make_round("voting", budget="5000.00")
    chosen = [make_proposal(round_, "10.00") for _ in range(proposals)]
    voter = resident()
    ballot_cast(round_=round_, by=voter, proposal_ids=[p.pk for p in chosen[:2]])
    client.force_login(voter)

    with django_assert_max_num_queries(9):
        response = client.get(f"/community/rounds/{round_.pk}/")

    assert response.status_code == 200
