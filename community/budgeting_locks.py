"""The locks budgeting rounds take, in one place.

Ballots of one round take the round's row FOR SHARE (many at once); publishing the
results takes it FOR UPDATE, so it waits for every ballot in flight and no ballot
lands after the count. Opening a round takes the fund's lock (community.lock_objects).
"""

from django.db import connection

from community.budgeting_models import Ballot, Proposal, Round


def round_for_share(pk: int) -> Round:
    """The round, read again after a shared lock that publishing its results waits for."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM community_round WHERE id = %s FOR SHARE", [pk])
    return Round.objects.get(pk=pk)


def round_for_update(pk: int) -> Round:
    return Round.objects.select_for_update(of=("self",)).get(pk=pk)


def ballot_for_update(pk: int) -> Ballot:
    return Ballot.objects.select_for_update(of=("self",)).get(pk=pk)


def proposal_for_update(pk: int) -> Proposal:
    return Proposal.objects.select_for_update(of=("self",)).select_related("round").get(pk=pk)


def proposals_for_update(round_id: int) -> list[Proposal]:
    return list(
        Proposal.objects.select_for_update(of=("self",)).filter(round_id=round_id).order_by("pk")
    )
