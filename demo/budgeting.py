"""A budgeting round in its vote, with three accepted proposals, so the round pages have
something to show. Left alone once any round exists."""

import datetime
from decimal import Decimal

from django.utils import timezone

from community.budgeting_models import Proposal, Round
from community.budgeting_selectors import fund_free
from community.services.fund import adjustment_record
from producers.accounts import email_is_verified, email_verified_mark

BUDGET = Decimal("1500.00")
PROPOSALS = [
    (
        "Raised beds behind the Center",
        "Six cedar beds and a rain barrel, so neighbours without a yard can grow greens.",
        "650.00",
        "Freedom Farms",
        "grower",
    ),
    (
        "Benches at the Capitol St bus stops",
        "Four benches built from reclaimed oak at the stops where people wait longest.",
        "480.00",
        "West Jackson Woodshop",
        "woodshop",
    ),
    (
        "Laser-cut street signs for the community garden",
        "Weatherproof signs naming the garden's paths, made at the Fab Lab.",
        "320.00",
        "Capitol Street Sign & Print Co-op",
        "resident",
    ),
]


def seed_budgeting(users: dict) -> int:
    """One round in its voting phase; returns how many rounds were created (0 or 1)."""
    if Round.objects.exists():
        return 0
    admin = users["admin"]
    # The demo residents take part: the resident's email counts as confirmed.
    if not email_is_verified(users["resident"]):
        email_verified_mark(user=users["resident"])
    free = fund_free()
    if free < BUDGET:
        adjustment_record(
            amount=BUDGET - free, reason="Carried over from the fall fundraiser", by=admin
        )
    now = timezone.now()
    day = datetime.timedelta(days=1)
    round_ = Round.objects.create(
        title="Westside spring round",
        description="What should the fund pay for this spring? Propose, then vote.",
        budget=BUDGET,
        proposals_open_at=now - 20 * day,
        proposals_close_at=now - 6 * day,
        voting_open_at=now - 5 * day,
        voting_close_at=now + 9 * day,
        created_by=admin,
    )
    for title, description, amount, who, proposer in PROPOSALS:
        Proposal.objects.create(
            round=round_,
            title=title,
            description=description,
            amount=Decimal(amount),
            carried_out_by=who,
            proposer=users[proposer],
            status=Proposal.Status.ACCEPTED,
            moderated_by=admin,
            moderated_at=now - 6 * day,
        )
    return 1
