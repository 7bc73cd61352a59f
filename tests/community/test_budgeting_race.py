"""Budgeting under load: real threads on PostgreSQL.

SQLite runs one writer at a time, so these races cannot happen there and the tests are
skipped (see `pytest_collection_modifyitems` in tests/conftest.py).
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from community.budgeting_exceptions import RoundBudgetTooLarge
from community.budgeting_models import Ballot, Round
from community.selectors import fund_balance, fund_drift
from community.services.budgeting import (
    ballot_cast,
    proposal_disburse,
    round_open,
    round_results_publish,
)
from tests.community.rounds import (
    approvals_of,
    dates,
    fund,
    make_proposal,
    make_round,
    resident,
    staff,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def together(calls) -> tuple[list, list[BaseException]]:
    """Run the calls in threads released at the same moment; (results, errors)."""
    barrier = threading.Barrier(len(calls))
    done, errors = [], []

    def run(call):
        try:
            barrier.wait()
            done.append(call())
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, errors


def test_one_account_submitting_two_ballots_at_once_ends_with_one_ballot_of_one_set():
    round_ = make_round("voting", budget="500.00")
    beds, benches, lights = (make_proposal(round_, "150.00") for _ in range(3))
    sets = [{beds.pk, benches.pk}, {lights.pk}]

    for _ in range(4):
        for first in (None, {beds.pk}):  # a first ballot, then a ballot changed
            voter = resident()
            if first:
                ballot_cast(round_=round_, by=voter, proposal_ids=first)

            done, errors = together(
                [
                    lambda ids=ids, voter=voter: ballot_cast(
                        round_=round_, by=voter, proposal_ids=ids
                    )
                    for ids in sets
                ]
            )

            assert errors == []
            assert len(done) == 2
            assert Ballot.objects.filter(voter=voter).count() == 1
            assert approvals_of(Ballot.objects.get(voter=voter)) in sets


def test_two_rounds_opened_at_once_cannot_both_claim_the_same_money():
    fund("600.00")
    treasurers = [UserFactory(username=f"treasurer-{n}", is_staff=True) for n in range(3)]

    done, errors = together(
        [
            lambda by=by: round_open(
                title="Round", budget=Decimal("400.00"), by=by, **dates("proposals")
            )
            for by in treasurers
        ]
    )

    assert len(done) == 1
    assert len(errors) == 2
    assert all(isinstance(error, RoundBudgetTooLarge) for error in errors)
    assert Round.objects.count() == 1


def test_a_ballot_racing_the_results_is_either_counted_or_refused():
    round_ = make_round("voting", budget="500.00")
    beds = make_proposal(round_, "150.00")
    voters = [resident() for _ in range(4)]

    calls = [
        lambda voter=voter: ballot_cast(round_=round_, by=voter, proposal_ids=[beds.pk])
        for voter in voters
    ]
    done, errors = together([*calls, lambda: round_results_publish(round_=round_, by=staff())])

    beds.refresh_from_db()
    assert beds.approvals == Ballot.objects.filter(round=round_).count()
    assert len(done) + len(errors) == 5


def test_paying_the_same_winner_twice_at_once_pays_it_once():
    fund("1000.00")
    round_ = make_round("voting", budget="500.00")
    winner = make_proposal(round_, "300.00")
    ballot_cast(round_=round_, by=resident(), proposal_ids=[winner.pk])
    round_results_publish(round_=round_, by=staff())
    treasurers = [UserFactory(username=f"payer-{n}", is_staff=True) for n in range(3)]

    done, errors = together(
        [lambda by=by: proposal_disburse(proposal=winner, by=by) for by in treasurers]
    )

    assert len(done) == 1
    assert [error.code for error in errors] == ["already_disbursed"] * 2
    assert fund_balance() == Decimal("700.00")
    assert fund_drift() == []
