"""The budgeting API: clear answers to bad input, nothing changed; no ballot shown with a name."""

from decimal import Decimal

import pytest

from community.budgeting_models import Ballot, Proposal, Round
from community.services.budgeting import ballot_cast, round_results_publish
from tests.community.rounds import dates, fund, make_proposal, make_round, resident, staff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROPOSAL = {
    "title": "Shade trees",
    "description": "Ten trees on Dalton St.",
    "amount": "80.00",
    "carried_out_by": "Westside Growers",
}


def rounds_url(round_, tail=""):
    return f"/api/v1/community/rounds/{round_.pk}/{tail}"


def test_a_verified_resident_proposes_and_sees_it_waiting(api):
    round_ = make_round("proposals")

    response = api.as_user(resident()).post(rounds_url(round_, "proposals/"), PROPOSAL)

    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert response.json()["amount"] == "80.00"


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1e3", ""])
def test_a_proposal_with_a_bad_amount_is_a_400_naming_the_amount(api, amount):
    round_ = make_round("proposals")

    response = api.as_user(resident()).post(
        rounds_url(round_, "proposals/"), PROPOSAL | {"amount": amount}
    )

    assert response.status_code == 400
    assert "amount" in response.json()["errors"]
    assert not Proposal.objects.exists()


def test_a_proposal_over_the_round_budget_is_a_409(api):
    round_ = make_round("proposals", budget="50.00")

    response = api.as_user(resident()).post(rounds_url(round_, "proposals/"), PROPOSAL)

    assert response.status_code == 409
    assert response.json()["code"] == "proposal_over_budget"
    assert response.json()["budget"] == "50.00"


def test_an_unverified_account_is_told_why_it_cannot_propose(api):
    round_ = make_round("proposals")

    response = api.as_user(UserFactory()).post(rounds_url(round_, "proposals/"), PROPOSAL)

    assert response.status_code == 403
    assert response.json()["code"] == "not_eligible"
    assert not Proposal.objects.exists()


def test_others_see_only_accepted_proposals_and_a_proposer_sees_their_rejection(api):
    round_ = make_round("proposals")
    proposer = resident()
    make_proposal(round_, title="Accepted one")
    rejected = make_proposal(round_, title="Rejected one", proposer=proposer, accepted=False)
    Proposal.objects.filter(pk=rejected.pk).update(status="rejected", moderation_reason="Dup")

    public = api.get(rounds_url(round_, "proposals/")).json()
    own = api.as_user(proposer).get("/api/v1/community/my-proposals/").json()["results"]

    assert [p["title"] for p in public] == ["Accepted one"]
    assert [(p["title"], p["moderation_reason"]) for p in own] == [("Rejected one", "Dup")]


@pytest.fixture
def voting():
    round_ = make_round("voting", budget="500.00")
    return round_, [make_proposal(round_, amount) for amount in ("300.00", "150.00", "100.00")]


def test_a_ballot_is_put_and_read_back_by_its_voter(api, voting):
    round_, (beds, benches, _) = voting
    api.as_user(resident())

    put = api.put(
        rounds_url(round_, "ballot/"), {"approvals": [beds.pk, benches.pk]}, format="json"
    )
    read = api.get(rounds_url(round_, "ballot/"))

    assert put.status_code == 200
    assert read.json()["approvals"] == sorted([beds.pk, benches.pk])
    assert read.json()["total"] == "450.00"


def test_a_ballot_over_budget_is_a_409_and_the_earlier_ballot_stands(api, voting):
    round_, (beds, benches, lights) = voting
    voter = resident()
    ballot_cast(round_=round_, by=voter, proposal_ids=[lights.pk])

    response = api.as_user(voter).put(
        rounds_url(round_, "ballot/"),
        {"approvals": [beds.pk, benches.pk, lights.pk]},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "ballot_over_budget"
    assert api.get(rounds_url(round_, "ballot/")).json()["approvals"] == [lights.pk]


@pytest.mark.parametrize("approvals", [["x"], [0], "12", None])
def test_a_malformed_ballot_is_a_400(api, voting, approvals):
    round_, _ = voting

    response = api.as_user(resident()).put(
        rounds_url(round_, "ballot/"), {"approvals": approvals}, format="json"
    )

    assert response.status_code == 400
    assert "approvals" in response.json()["errors"]
    assert not Ballot.objects.exists()


def test_a_ballot_before_voting_opens_is_a_409(api):
    round_ = make_round("between")
    proposal = make_proposal(round_)

    response = api.as_user(resident()).put(
        rounds_url(round_, "ballot/"), {"approvals": [proposal.pk]}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "wrong_phase"


def test_results_publish_counts_and_never_a_voter(api, voting, django_assert_max_num_queries):
    round_, (beds, *_) = voting
    voters = [resident(f"voter-{n}") for n in range(3)]
    for voter in voters:
        ballot_cast(round_=round_, by=voter, proposal_ids=[beds.pk])
    round_results_publish(round_=round_, by=staff())

    with django_assert_max_num_queries(4):
        response = api.get(rounds_url(round_, "results/"))

    body = response.json()
    assert body["published"] is True
    assert body["ballots"] == 3
    assert body["proposals"][0] == {
        "id": beds.pk,
        "title": beds.title,
        "amount": "300.00",
        "carried_out_by": "Westside Growers",
        "approvals": 3,
        "funded": True,
        "paid": False,
    }
    text = response.content.decode()
    assert not any(v.username in text or v.email in text for v in voters)


def test_staff_opening_a_round_larger_than_the_fund_get_a_409_with_what_is_free(api):
    fund("250.00")

    response = api.as_user(staff()).post(
        "/api/v1/community/rounds/",
        {"title": "Big round", "budget": "250.01", **dates("proposals")},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "round_budget_too_large"
    assert response.json()["free"] == "250.00"
    assert not Round.objects.exists()


def test_staff_pay_a_winner_and_a_second_time_is_a_409(api, voting):
    fund("1000.00")
    round_, (beds, *_) = voting
    ballot_cast(round_=round_, by=resident(), proposal_ids=[beds.pk])
    round_results_publish(round_=round_, by=staff())
    api.as_user(staff())

    paid = api.post(rounds_url(round_, f"proposals/{beds.pk}/disburse/"), {})
    again = api.post(rounds_url(round_, f"proposals/{beds.pk}/disburse/"), {})

    assert paid.status_code == 201
    assert paid.json()["paid"] is True
    assert again.status_code == 409
    assert again.json()["code"] == "already_disbursed"


def test_the_rounds_list_reads_in_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    for _ in range(5):
        make_proposal(make_round("voting"))

    with django_assert_max_num_queries(3):
        response = api.get("/api/v1/community/rounds/")

    assert response.json()["count"] == 5
    assert Decimal(response.json()["results"][0]["budget"]) == Decimal("1000.00")
