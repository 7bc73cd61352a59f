"""Helpers for budgeting tests: a fund with money in it, verified residents, rounds in a phase."""

import datetime
from decimal import Decimal

from django.utils import timezone

from community.budgeting_models import Ballot, Proposal, Round
from community.services.fund import adjustment_record
from producers.accounts import email_verified_mark
from tests.factories import UserFactory

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

# Each phase's dates, as offsets from now: (proposals open, proposals close, voting open,
# voting close).
PHASES = {
    "upcoming": (DAY, 2 * DAY, 3 * DAY, 4 * DAY),
    "proposals": (-DAY, DAY, 2 * DAY, 3 * DAY),
    "between": (-2 * DAY, -DAY, DAY, 2 * DAY),
    "voting": (-3 * DAY, -2 * DAY, -DAY, DAY),
    "counting": (-4 * DAY, -3 * DAY, -2 * DAY, -HOUR),
}


def fund(amount: str) -> None:
    """Put money in the fund (a staff adjustment)."""
    adjustment_record(amount=Decimal(amount), reason="Opening balance", by=staff())


def staff():
    return UserFactory(username="treasurer", is_staff=True)


def resident(username: str | None = None):
    """An account whose email is verified."""
    user = UserFactory(username=username) if username else UserFactory()
    email_verified_mark(user=user)
    return user


def dates(phase: str) -> dict:
    now = timezone.now()
    opens, closes, voting_opens, voting_closes = (now + offset for offset in PHASES[phase])
    return {
        "proposals_open_at": opens,
        "proposals_close_at": closes,
        "voting_open_at": voting_opens,
        "voting_close_at": voting_closes,
    }


def make_round(phase: str = "proposals", budget: str = "1000.00", **fields) -> Round:
    """A round written directly (no fund check), in the phase named."""
    return Round.objects.create(
        title=fields.pop("title", "Westside spring round"),
        budget=Decimal(budget),
        created_by=staff(),
        **dates(phase),
        **fields,
    )


def make_proposal(round_: Round, amount: str = "100.00", *, accepted=True, **fields) -> Proposal:
    return Proposal.objects.create(
        round=round_,
        title=fields.pop("title", "Raised beds at the Center"),
        description=fields.pop("description", "Six cedar beds by the parking lot."),
        amount=Decimal(amount),
        carried_out_by=fields.pop("carried_out_by", "Westside Growers"),
        proposer=fields.pop("proposer", None) or resident(),
        status=Proposal.Status.ACCEPTED if accepted else Proposal.Status.PENDING,
        **fields,
    )


def move_to(round_: Round, phase: str) -> Round:
    Round.objects.filter(pk=round_.pk).update(**dates(phase))
    round_.refresh_from_db()
    return round_


def approvals_of(ballot: Ballot) -> set[int]:
    return set(ballot.approvals.values_list("pk", flat=True))


class BudgetingWorld:
    """Rounds in each phase with money behind them, for the tables that call every route:
    a round taking proposals (with one waiting for moderation), one in its vote, and one
    whose results are out with an unpaid winner."""

    def __init__(self):
        fund("5000.00")
        self.taking = make_round("proposals", budget="500.00", title="Taking proposals")
        self.pending = make_proposal(self.taking, "120.00", accepted=False)
        self.voting = make_round("voting", budget="500.00", title="Voting now")
        self.on_ballot = make_proposal(self.voting, "200.00")
        self.closed = make_round("voting", budget="500.00", title="Results out")
        self.winner = make_proposal(self.closed, "300.00")
        Ballot.objects.create(round=self.closed, voter=resident()).approvals.add(self.winner)
        Round.objects.filter(pk=self.closed.pk).update(results_published_at=timezone.now())
        Proposal.objects.filter(pk=self.winner.pk).update(approvals=1, funded=True)

    def kwargs(self, name: str) -> dict:
        round_ = {
            "round-proposals": self.taking,
            "proposal-moderate": self.taking,
            "round-ballot": self.voting,
            "round-publish": self.voting,
        }.get(name, self.closed)
        proposal = self.pending if name == "proposal-moderate" else self.winner
        return {"round_id": round_.pk, "proposal_id": proposal.pk}

    def bodies(self) -> dict:
        when = dates("proposals")
        return {
            "round-list": {"title": "Summer round", "budget": "100.00", **when},
            "round-proposals": {
                "title": "Shade trees",
                "description": "Ten trees on Dalton St.",
                "amount": "80.00",
                "carried_out_by": "Westside Growers",
            },
            "round-ballot": {"approvals": [self.on_ballot.pk]},
            "proposal-moderate": {"decision": "accept"},
        }


def budgeting_world() -> BudgetingWorld:
    return BudgetingWorld()
