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
