"""The demo's budgeting round: in its vote, three accepted proposals, within the fund."""

import pytest

from community.budgeting_models import Phase, Round
from community.budgeting_selectors import account_is_eligible, fund_free
from demo.budgeting import seed_budgeting
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    names = ["admin", "resident", "grower", "woodshop"]
    return {name: UserFactory(username=name, is_staff=name == "admin") for name in names}


def test_the_demo_round_is_voting_on_three_accepted_proposals_within_the_fund(users):
    assert seed_budgeting(users) == 1

    round_ = Round.objects.get()
    assert round_.phase() == Phase.VOTING
    assert list(round_.proposals.values_list("status", flat=True)) == ["accepted"] * 3
    assert fund_free() >= 0
    assert account_is_eligible(users["resident"])


def test_seeding_the_demo_round_again_adds_nothing(users):
    seed_budgeting(users)

    assert seed_budgeting(users) == 0
    assert Round.objects.count() == 1
