"""Budgeting rounds through their services: every rule holds, and a broken one writes nothing."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from community.budgeting_exceptions import (
    AlreadyDisbursed,
    BallotOverBudget,
    NotEligible,
    NotFunded,
    ProposalNotOnBallot,
    ProposalOverBudget,
    RoundBudgetTooLarge,
    WrongPhase,
)
from community.budgeting_models import Ballot, Proposal, Round
from community.budgeting_selectors import fund_free, round_committed, round_results
from community.models import FundEntry
from community.selectors import fund_balance, fund_drift
from community.services.budgeting import (
    ballot_cast,
    proposal_disburse,
    proposal_moderate,
    proposal_submit,
    round_open,
    round_results_publish,
)
from orders.models import Email
from tests.community.rounds import (
    approvals_of,
    dates,
    fund,
    make_proposal,
    make_round,
    move_to,
    resident,
    staff,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def open_round(budget: str = "500.00", phase: str = "proposals") -> Round:
    return round_open(title="Spring round", budget=Decimal(budget), by=staff(), **dates(phase))


def propose(round_, by, amount: str = "200.00", **fields) -> Proposal:
    body = {
        "title": "Benches on Capitol St",
        "description": "Four benches at the bus stops.",
        "carried_out_by": "West Jackson Woodshop",
    } | fields
    return proposal_submit(round_=round_, by=by, amount=Decimal(amount), **body)


# --- Opening a round -------------------------------------------------------------------


def test_a_round_within_the_fund_opens_and_is_announced_to_eligible_accounts_only():
    fund("800.00")
    verified = resident("verified-pat")
    member = MembershipFactory(user=UserFactory(username="coop-lee")).user
    UserFactory(username="unverified-sam")

    round_ = open_round("500.00")

    assert round_.budget == Decimal("500.00")
    told = sorted(e.recipients[0] for e in Email.objects.filter(kind="round.opened"))
    assert told == sorted([verified.email, member.email])


def test_a_round_larger_than_the_balance_is_refused_and_nothing_is_written():
    fund("300.00")

    with pytest.raises(RoundBudgetTooLarge) as refused:
        open_round("300.01")

    assert refused.value.code == "round_budget_too_large"
    assert refused.value.extra == {"free": "300.00"}
    assert not Round.objects.exists()
    assert not Email.objects.filter(kind="round.opened").exists()


def test_a_round_cannot_take_money_another_open_round_has_promised():
    fund("800.00")
    open_round("500.00")

    with pytest.raises(RoundBudgetTooLarge):
        open_round("300.01")

    assert Round.objects.count() == 1
    assert fund_free() == Decimal("300.00")


@pytest.mark.parametrize("budget", ["0", "-50", "0.001", "NaN"])
def test_a_round_of_nothing_or_less_is_refused(budget):
    fund("800.00")

    with pytest.raises(ValidationError) as refused:
        open_round(budget)

    assert "budget" in refused.value.message_dict
    assert not Round.objects.exists()


def test_a_round_whose_voting_opens_before_proposals_close_is_refused():
    fund("800.00")
    when = dates("proposals")
    when["voting_open_at"] = when["proposals_open_at"]

    with pytest.raises(ValidationError) as refused:
        round_open(title="Round", budget=Decimal("10"), by=staff(), **when)

    assert "voting_open_at" in refused.value.message_dict
    assert not Round.objects.exists()


# --- Proposals -------------------------------------------------------------------------


def test_a_verified_resident_proposes_and_the_proposal_waits_for_moderation():
    round_ = make_round("proposals")

    proposal = propose(round_, resident())

    assert proposal.status == Proposal.Status.PENDING
    assert proposal.amount == Decimal("200.00")


def test_a_coop_member_without_a_verified_email_may_propose():
    member = MembershipFactory(user=UserFactory()).user

    proposal = propose(make_round("proposals"), member)

    assert proposal.proposer == member


def test_an_unverified_account_cannot_propose():
    round_ = make_round("proposals")

    with pytest.raises(NotEligible) as refused:
        propose(round_, UserFactory())

    assert refused.value.status_code == 403
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-1", "12.345"])
def test_a_proposal_of_nothing_or_less_is_refused(amount):
    with pytest.raises(ValidationError) as refused:
        propose(make_round("proposals"), resident(), amount)

    assert "amount" in refused.value.message_dict
    assert not Proposal.objects.exists()


def test_a_proposal_larger_than_the_round_budget_is_refused():
    round_ = make_round("proposals", budget="1000.00")

    with pytest.raises(ProposalOverBudget):
        propose(round_, resident(), "1000.01")

    assert not Proposal.objects.exists()


@pytest.mark.parametrize("phase", ["upcoming", "between", "voting", "counting"])
def test_a_proposal_outside_the_proposal_phase_is_refused(phase):
    with pytest.raises(WrongPhase):
        propose(make_round(phase), resident())

    assert not Proposal.objects.exists()


@pytest.mark.parametrize("field", ["title", "description", "carried_out_by"])
def test_a_proposal_without_its_text_is_refused(field):
    with pytest.raises(ValidationError) as refused:
        propose(make_round("proposals"), resident(), **{field: "  "})

    assert field in refused.value.message_dict


# --- Moderation ------------------------------------------------------------------------


def test_a_rejected_proposal_keeps_its_reason_and_the_proposer_is_told_it():
    proposal = make_proposal(make_round("proposals"), accepted=False)

    proposal_moderate(proposal=proposal, accept=False, reason="Outside Jackson", by=staff())

    proposal.refresh_from_db()
    assert (proposal.status, proposal.moderation_reason) == ("rejected", "Outside Jackson")
    email = Email.objects.get(kind="round.proposal_moderated")
    assert email.recipients == [proposal.proposer.email]
    assert "Outside Jackson" in email.body_text


def test_rejecting_without_a_reason_is_refused():
    proposal = make_proposal(make_round("proposals"), accepted=False)

    with pytest.raises(ValidationError):
        proposal_moderate(proposal=proposal, accept=False, reason=" ", by=staff())

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING


def test_moderating_once_voting_has_opened_is_refused():
    proposal = make_proposal(make_round("voting"))

    with pytest.raises(WrongPhase):
        proposal_moderate(proposal=proposal, accept=False, reason="Late", by=staff())

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED


# --- Ballots ---------------------------------------------------------------------------


@pytest.fixture
def voting():
    round_ = make_round("voting", budget="500.00")
    proposals = [make_proposal(round_, amount) for amount in ("300.00", "150.00", "100.00")]
    return round_, proposals


def test_a_ballot_approves_proposals_within_the_budget(voting):
    round_, (beds, benches, _) = voting

    ballot = ballot_cast(round_=round_, by=resident(), proposal_ids=[beds.pk, benches.pk])

    assert approvals_of(ballot) == {beds.pk, benches.pk}


def test_a_second_ballot_replaces_the_first_and_the_account_still_has_one(voting):
    round_, (beds, benches, lights) = voting
    voter = resident()
    ballot_cast(round_=round_, by=voter, proposal_ids=[beds.pk, benches.pk])

    ballot = ballot_cast(round_=round_, by=voter, proposal_ids=[lights.pk])

    assert Ballot.objects.filter(voter=voter).count() == 1
    assert approvals_of(ballot) == {lights.pk}


def test_a_ballot_over_the_budget_is_refused_and_the_earlier_one_stands(voting):
    round_, (beds, benches, lights) = voting
    voter = resident()
    ballot = ballot_cast(round_=round_, by=voter, proposal_ids=[lights.pk])

    with pytest.raises(BallotOverBudget) as refused:
        ballot_cast(round_=round_, by=voter, proposal_ids=[beds.pk, benches.pk, lights.pk])

    assert refused.value.extra == {"total": "550.00", "budget": "500.00"}
    assert approvals_of(ballot) == {lights.pk}


@pytest.mark.parametrize("phase", ["proposals", "between", "counting"])
def test_a_ballot_outside_the_voting_phase_is_refused(voting, phase):
    round_, (beds, *_) = voting
    move_to(round_, phase)

    with pytest.raises(WrongPhase):
        ballot_cast(round_=round_, by=resident(), proposal_ids=[beds.pk])

    assert not Ballot.objects.exists()


def test_a_ballot_after_the_results_are_published_is_refused(voting):
    round_, (beds, *_) = voting
    round_ = round_results_publish(round_=round_, by=staff())

    with pytest.raises(WrongPhase):
        ballot_cast(round_=round_, by=resident(), proposal_ids=[beds.pk])

    assert not Ballot.objects.exists()


def test_a_ballot_naming_a_rejected_pending_unknown_or_other_rounds_proposal_is_refused(voting):
    round_, (beds, *_) = voting
    pending = make_proposal(round_, accepted=False)
    elsewhere = make_proposal(make_round("voting"))

    for wrong in (pending.pk, elsewhere.pk, 999_999, 2**70, -1):
        with pytest.raises(ProposalNotOnBallot) as refused:
            ballot_cast(round_=round_, by=resident(), proposal_ids=[beds.pk, wrong])
        assert refused.value.extra == {"proposals": [wrong]}

    assert not Ballot.objects.exists()


def test_an_unverified_account_cannot_vote(voting):
    round_, (beds, *_) = voting

    with pytest.raises(NotEligible):
        ballot_cast(round_=round_, by=UserFactory(), proposal_ids=[beds.pk])

    assert not Ballot.objects.exists()


def test_an_empty_ballot_is_a_ballot_that_approves_nothing(voting):
    round_, _ = voting

    ballot = ballot_cast(round_=round_, by=resident(), proposal_ids=[])

    assert approvals_of(ballot) == set()


# --- Results ---------------------------------------------------------------------------


def vote(round_, *ballots):
    for ids in ballots:
        ballot_cast(round_=round_, by=resident(), proposal_ids=[p.pk for p in ids])


def test_results_fund_by_approvals_and_skip_what_no_longer_fits():
    round_ = make_round("voting", budget="600.00")
    beds = make_proposal(round_, "300.00", title="Beds")
    library = make_proposal(round_, "250.00", title="Library")
    lights = make_proposal(round_, "150.00", title="Lights")
    paint = make_proposal(round_, "50.00", title="Paint")
    make_proposal(round_, "10.00", title="Unloved")
    vote(
        round_, [beds, library], [beds, lights], [beds, library], [library, lights], [lights, paint]
    )

    round_ = round_results_publish(round_=round_, by=staff())

    assert [(p.title, p.approvals, p.funded) for p in round_results(round_)] == [
        ("Lights", 3, True),  # a three-way tie on approvals: the smallest amount first
        ("Library", 3, True),
        ("Beds", 3, False),  # 300 no longer fits in the 200 left
        ("Paint", 1, True),  # but the next, smaller one does
        ("Unloved", 0, False),  # nobody approved it
    ]


def test_on_equal_approvals_and_amounts_the_earlier_proposal_is_funded():
    round_ = make_round("voting", budget="200.00")
    first = make_proposal(round_, "200.00", title="First")
    second = make_proposal(round_, "200.00", title="Second")
    vote(round_, [first], [second])

    round_ = round_results_publish(round_=round_, by=staff())

    assert [(p.title, p.funded) for p in round_results(round_)] == [
        ("First", True),
        ("Second", False),
    ]


def test_publishing_during_voting_ends_it_and_tells_proposers_and_voters(voting):
    round_, (beds, *_) = voting
    voter = resident("voter-kim")
    ballot_cast(round_=round_, by=voter, proposal_ids=[beds.pk])

    round_ = round_results_publish(round_=round_, by=staff())

    assert round_.phase() == "closed"
    told = sorted(e.recipients[0] for e in Email.objects.filter(kind="round.results"))
    proposers = [p.proposer.email for p in Proposal.objects.filter(round=round_)]
    assert told == sorted([voter.email, *proposers])
    assert "1 ballot" in Email.objects.filter(kind="round.results").first().body_text


def test_publishing_twice_changes_nothing(voting):
    round_, (beds, *_) = voting
    vote(round_, [beds])
    first = round_results_publish(round_=round_, by=staff()).results_published_at
    told = Email.objects.filter(kind="round.results").count()

    again = round_results_publish(round_=round_, by=staff())

    assert again.results_published_at == first
    assert Email.objects.filter(kind="round.results").count() == told


def test_publishing_before_voting_opens_is_refused():
    round_ = make_round("between")

    with pytest.raises(WrongPhase):
        round_results_publish(round_=round_, by=staff())

    round_.refresh_from_db()
    assert round_.results_published_at is None


# --- Paying the winners ----------------------------------------------------------------


@pytest.fixture
def published():
    fund("1000.00")
    round_ = open_round("500.00", phase="proposals")
    winner = make_proposal(round_, "300.00", title="Beds")
    loser = make_proposal(round_, "250.00", title="Library")
    move_to(round_, "voting")
    vote(round_, [winner], [winner], [loser])
    round_ = round_results_publish(round_=round_, by=staff())
    winner.refresh_from_db()
    loser.refresh_from_db()
    return round_, winner, loser


def test_a_funded_proposal_is_paid_once_with_its_debit_on_the_ledger(published):
    _, winner, _ = published

    paid = proposal_disburse(proposal=winner, by=staff())

    assert paid.disbursement.amount == Decimal("300.00")
    assert paid.disbursement.paid_to == "Westside Growers"
    assert FundEntry.objects.get(kind="disbursement").amount == Decimal("-300.00")
    assert fund_balance() == Decimal("700.00")
    assert fund_drift() == []


def test_paying_a_proposal_twice_is_refused(published):
    _, winner, _ = published
    proposal_disburse(proposal=winner, by=staff())

    with pytest.raises(AlreadyDisbursed):
        proposal_disburse(proposal=winner, by=staff())

    assert fund_balance() == Decimal("700.00")


def test_paying_a_proposal_the_results_did_not_fund_is_refused(published):
    _, _, loser = published

    with pytest.raises(NotFunded):
        proposal_disburse(proposal=loser, by=staff())

    assert fund_balance() == Decimal("1000.00")


def test_after_the_results_a_round_keeps_only_its_unpaid_winners_promised(published):
    _, winner, _ = published

    assert round_committed() == Decimal("300.00")
    proposal_disburse(proposal=winner, by=staff())
    assert round_committed() == Decimal("0.00")
    assert fund_free() == Decimal("700.00")


def test_the_command_publishes_only_rounds_whose_voting_has_ended():
    ended = make_round("counting", title="Ended")
    still_voting = make_round("voting", title="Still voting")

    call_command("publish_round_results", stdout=io.StringIO())

    ended.refresh_from_db()
    still_voting.refresh_from_db()
    assert ended.results_published_at is not None
    assert still_voting.results_published_at is None
