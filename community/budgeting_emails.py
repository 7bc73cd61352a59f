"""Emails about budgeting rounds, through the orders outbox (`orders.emails.email_queue`).

One email per recipient, so nobody sees who else was told. Announcements to many
accounts are written by a task that runs after the change commits, never in the request.
Templates: `community/templates/orders/emails/round_*` and `proposal_moderated*`
(`email_queue` looks them up under `orders/emails/`; the app's own template folder
provides them).
"""

from django.conf import settings
from django.db import transaction
from django.tasks import task

from community.budgeting_models import Proposal, Round
from community.budgeting_selectors import (
    eligible_emails,
    results_emails,
    round_ballot_count,
    round_results,
)
from orders.emails import email_queue, money


def _round_url(round_: Round) -> str:
    return f"{settings.SITE_URL}/community/rounds/{round_.pk}/"


def email_proposal_moderated(*, proposal: Proposal) -> None:
    """Tell the proposer whether their proposal is on the ballot, and why not if it is not."""
    round_ = proposal.round
    email_queue(
        to=[proposal.proposer.email],
        template="proposal_moderated",
        context={
            "proposal": proposal,
            "round": round_,
            "accepted": proposal.status == Proposal.Status.ACCEPTED,
            "amount": money(proposal.amount),
            "mine_url": f"{settings.SITE_URL}/community/my-proposals/",
        },
        kind="round.proposal_moderated",
    )


@task(queue_name="default")
def round_announce(*, round_id: int, event: str) -> int:
    """Queue one email per recipient: every eligible account when a round opens
    (`event="opened"`), everyone who proposed or voted when its results are out
    (`event="results"`). Returns how many were queued."""
    round_ = Round.objects.get(pk=round_id)
    context = {"round": round_, "budget": money(round_.budget), "round_url": _round_url(round_)}
    if event == "opened":
        recipients, template = eligible_emails(), "round_opened"
    else:
        results = round_results(round_)
        for proposal in results:
            proposal.amount_text = money(proposal.amount)
        context |= {"results": results, "ballots": round_ballot_count(round_)}
        recipients, template = results_emails(round_), "round_results"
    with transaction.atomic():
        for address in recipients:
            email_queue(to=[address], template=template, context=context, kind=f"round.{event}")
    return len(recipients)
