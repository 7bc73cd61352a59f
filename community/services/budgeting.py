"""Participatory budgeting: open a round, propose, moderate, vote, publish, pay the winners.

Every service checks its own rules (a form or serializer in front of it is a courtesy)
and writes nothing when one is broken. Money: a round's budget is promised out of the
fund when it opens, under the fund's lock, so two rounds opened at once cannot both
claim the same dollars; a funded proposal is paid through `disbursement_record`,
which writes the fund's debit.

Results (`round_results_publish`): once voting has ended, each accepted proposal's
approvals are counted; proposals are taken in order of approvals (ties: the smaller
amount first, then the earlier proposal) and funded while the remaining budget covers
them. A proposal that no longer fits is skipped and the next, smaller one may still be
funded. A proposal nobody approved is not funded.
"""

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from backend.money import to_money
from community.budgeting_emails import email_proposal_moderated, round_announce
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
from community.budgeting_locks import (
    ballot_for_update,
    proposal_for_update,
    proposals_for_update,
    round_for_share,
    round_for_update,
)
from community.budgeting_models import Ballot, Phase, Proposal, Round
from community.budgeting_selectors import account_is_eligible, fund_free
from community.lock_objects import fund_for_update
from community.services.fund import disbursement_record

logger = logging.getLogger(__name__)

TITLE_MAX, TEXT_MAX, WHO_MAX = 200, 5000, 200
MAX_ID = 2**63 - 1


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: "Enter an amount in dollars, like 250.00."}) from None
    if not amount.is_finite():
        raise ValidationError({field: "Enter an amount in dollars, like 250.00."})
    if amount <= 0:
        raise ValidationError({field: "Enter an amount above zero."})
    if amount != to_money(amount):
        raise ValidationError({field: "Give the amount to the cent at most."})
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError({field: "Enter an amount above zero."})
    if amount >= Decimal("10000000000"):
        raise ValidationError({field: "That amount is too large."})
    return amount


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > limit:
        raise ValidationError({field: f"Keep it to {limit} characters."})
    return value


def _eligible(user) -> None:
    if not account_is_eligible(user):
        raise NotEligible()


def _phase(round_: Round, *allowed: Phase, doing: str) -> None:
    phase = round_.phase()
    if phase not in allowed:
        raise WrongPhase(
            f"{doing} is not possible now: the round is at “{phase.label}”.", phase=phase.value
        )


@transaction.atomic
def round_open(
    *,
    title: str,
    budget: Decimal,
    proposals_open_at: datetime.datetime,
    proposals_close_at: datetime.datetime,
    voting_open_at: datetime.datetime,
    voting_close_at: datetime.datetime,
    by,
    description: str = "",
) -> Round:
    """Open a round. Its budget must be above zero and no more than the fund holds beyond
    what other rounds have promised (`fund_free`), checked under the fund's lock; raises
    RoundBudgetTooLarge (409 `round_budget_too_large`) otherwise. Queues the announcement
    to every eligible account (a task, after commit)."""
    title = _text(title, "title", TITLE_MAX)
    description = _text(description, "description", TEXT_MAX, required=False)
    budget = _money(budget, "budget")
    if not proposals_open_at < proposals_close_at:
        raise ValidationError({"proposals_close_at": "Proposals must close after they open."})
    if not proposals_close_at <= voting_open_at:
        raise ValidationError({"voting_open_at": "Voting opens once proposals have closed."})
    if not voting_open_at < voting_close_at:
        raise ValidationError({"voting_close_at": "Voting must close after it opens."})
    if voting_close_at <= timezone.now():
        raise ValidationError({"voting_close_at": "Voting must close in the future."})
    fund_for_update()
    free = fund_free()
    if budget > free:
        raise RoundBudgetTooLarge(
            f"The fund has ${free:,.2f} free beyond what other rounds have promised; "
            f"a round of ${budget:,.2f} does not fit.",
            free=str(free),
        )
    round_ = Round.objects.create(
        title=title,
        description=description,
        budget=budget,
        proposals_open_at=proposals_open_at,
        proposals_close_at=proposals_close_at,
        voting_open_at=voting_open_at,
        voting_close_at=voting_close_at,
        created_by=by,
    )
    round_announce.enqueue(round_id=round_.pk, event="opened")
    return round_


@transaction.atomic
def proposal_submit(
    *, round_: Round, by, title: str, description: str, amount: Decimal, carried_out_by: str
) -> Proposal:
    """A proposal from an eligible account, while the round takes proposals; its amount is
    above zero and within the round's budget. It waits for moderation."""
    title = _text(title, "title", TITLE_MAX)
    description = _text(description, "description", TEXT_MAX)
    carried_out_by = _text(carried_out_by, "carried_out_by", WHO_MAX)
    amount = _money(amount, "amount")
    _eligible(by)
    round_ = round_for_share(round_.pk)
    _phase(round_, Phase.PROPOSALS, doing="Proposing")
    if amount > round_.budget:
        raise ProposalOverBudget(
            f"The round's budget is ${round_.budget:,.2f}; this proposal asks for ${amount:,.2f}.",
            budget=str(round_.budget),
        )
    return Proposal.objects.create(
        round=round_,
        proposer=by,
        title=title,
        description=description,
        amount=amount,
        carried_out_by=carried_out_by,
    )


@transaction.atomic
def proposal_moderate(*, proposal: Proposal, accept: bool, reason: str, by) -> Proposal:
    """Accept a proposal onto the ballot, or reject it with a reason the proposer reads.
    Possible (and changeable) until voting opens; emails the proposer."""
    reason = _text(reason, "reason", 500, required=not accept)
    proposal = proposal_for_update(proposal.pk)
    _phase(
        proposal.round,
        Phase.UPCOMING,
        Phase.PROPOSALS,
        Phase.BETWEEN,
        doing="Moderating",
    )
    proposal.status = Proposal.Status.ACCEPTED if accept else Proposal.Status.REJECTED
    proposal.moderation_reason = reason
    proposal.moderated_by = by
    proposal.moderated_at = timezone.now()
    proposal.save(update_fields=["status", "moderation_reason", "moderated_by", "moderated_at"])
    email_proposal_moderated(proposal=proposal)
    return proposal


@transaction.atomic
def ballot_cast(*, round_: Round, by, proposal_ids: list[int]) -> Ballot:
    """Put the account's one ballot in the round: these approvals replace any before.

    Only in the voting phase, only by an eligible account, only the round's accepted
    proposals, together within the budget. One ballot per account (a unique constraint);
    a second submit at the same moment waits on the ballot's row lock and replaces the
    first's approvals whole. Holds the round FOR SHARE so publishing waits for it.
    """
    ids = sorted(set(proposal_ids))
    _eligible(by)
    round_ = round_for_share(round_.pk)
    _phase(round_, Phase.VOTING, doing="Voting")
    # An id no row can have is simply unknown (never sent to the database).
    storable = [pk for pk in ids if 0 < pk <= MAX_ID]
    proposals = list(
        Proposal.objects.filter(pk__in=storable, round=round_, status=Proposal.Status.ACCEPTED)
    )
    if len(proposals) != len(ids):
        unknown = sorted(set(ids) - {p.pk for p in proposals})
        raise ProposalNotOnBallot(proposals=unknown)
    total = sum((p.amount for p in proposals), Decimal("0"))
    if total > round_.budget:
        raise BallotOverBudget(
            f"The proposals approved come to ${total:,.2f}; the round's budget is "
            f"${round_.budget:,.2f}.",
            total=str(to_money(total)),
            budget=str(round_.budget),
        )
    try:
        # A savepoint: the loser of two first ballots at once meets the constraint here
        # and carries on with the winner's row.
        with transaction.atomic():
            ballot = Ballot.objects.create(round=round_, voter=by)
    except IntegrityError:
        ballot = Ballot.objects.get(round=round_, voter=by)
    ballot = ballot_for_update(ballot.pk)
    ballot.approvals.set(proposals)
    ballot.save(update_fields=["updated_at"])
    return ballot


@transaction.atomic
def round_results_publish(*, round_: Round, by, now: datetime.datetime | None = None) -> Round:
    """Count the ballots and publish which proposals are funded (see the module's rule).

    Staff may publish once voting has opened; publishing during voting ends it now.
    Locks the round FOR UPDATE (waits for ballots in flight) and its proposals; a second
    publish changes nothing. Queues the results email to proposers and voters.
    """
    round_ = round_for_update(round_.pk)
    if round_.results_published_at is not None:
        return round_
    now = now or timezone.now()
    _phase(round_, Phase.VOTING, Phase.COUNTING, doing="Publishing results")
    proposals_for_update(round_.pk)
    counted = list(
        round_.proposals.filter(status=Proposal.Status.ACCEPTED)
        .annotate(approvals_now=Count("ballots"))
        .order_by("pk")
    )
    for proposal in counted:
        proposal.approvals = proposal.approvals_now
    # FUNDING_ORDER, the order the results are shown in.
    counted.sort(key=lambda p: (-p.approvals, p.amount, p.created_at, p.pk))
    remaining = round_.budget
    for proposal in counted:
        proposal.funded = proposal.approvals > 0 and proposal.amount <= remaining
        if proposal.funded:
            remaining -= proposal.amount
    Proposal.objects.bulk_update(counted, ["approvals", "funded"])
    round_.voting_close_at = min(round_.voting_close_at, now)
    round_.results_published_at = now
    round_.save(update_fields=["voting_close_at", "results_published_at"])
    round_announce.enqueue(round_id=round_.pk, event="results")
    logger.info("Results of round %s published by %s", round_.pk, getattr(by, "pk", None))
    return round_


@transaction.atomic
def proposal_disburse(*, proposal: Proposal, by, paid_to: str = "") -> Proposal:
    """Pay a funded proposal its amount out of the fund (once), writing the fund's debit
    through `disbursement_record` (which refuses with `fund_too_low` beyond the balance).
    Raises NotFunded for a proposal the results did not fund, AlreadyDisbursed when paid."""
    proposal = proposal_for_update(proposal.pk)
    if not proposal.funded:
        raise NotFunded()
    if proposal.disbursement_id is not None:
        raise AlreadyDisbursed()
    disbursement = disbursement_record(
        amount=proposal.amount,
        paid_to=_text(paid_to, "paid_to", 200, required=False) or proposal.carried_out_by,
        purpose=f"{proposal.round.title}: {proposal.title}"[:500],
        by=by,
        for_round_winner=True,
    )
    proposal.disbursement = disbursement
    proposal.save(update_fields=["disbursement"])
    return proposal
