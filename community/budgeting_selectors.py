"""Reads of participatory budgeting, shared by the API and the pages.

Nothing here names who voted for what: ballots are read only by their own voter,
and results only as counts.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from backend.money import to_money
from community.budgeting_models import Ballot, Phase, Proposal, Round
from community.selectors import fund_balance
from producers.accounts import email_is_verified
from producers.models import Membership

# Results fund proposals in this order: most approvals first; on a tie the smaller
# amount first (it leaves more for the next), then the earlier proposal.
FUNDING_ORDER = ["-approvals", "amount", "created_at", "pk"]


def account_is_eligible(user) -> bool:
    """Verified residents and members of any co-op (or the Fab Lab) take part in rounds."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return email_is_verified(user) or Membership.objects.filter(user_id=user.pk).exists()


def eligible_emails() -> list[str]:
    """Every eligible active account's email, once each, sorted (for announcements)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    members = set(
        users.filter(pk__in=Membership.objects.values("user_id")).values_list("email", flat=True)
    )
    verified = {
        email
        for email, proven in users.filter(email_verification__isnull=False).values_list(
            "email", "email_verification__email"
        )
        if email.strip().lower() == proven
    }
    return sorted(members | verified)


def rounds_all() -> QuerySet[Round]:
    return Round.objects.annotate(
        proposal_count=Count("proposals", filter=Q(proposals__status=Proposal.Status.ACCEPTED))
    ).order_by("-proposals_open_at", "-pk")


def rounds_open(now: datetime.datetime | None = None) -> list[Round]:
    """Rounds a resident can act in now: taking proposals or voting (newest first)."""
    now = now or timezone.now()
    return [
        round_
        for round_ in rounds_all().filter(
            results_published_at=None, proposals_open_at__lte=now, voting_close_at__gt=now
        )
        if round_.phase(now) in (Phase.PROPOSALS, Phase.VOTING)
    ]


def round_committed(*, now: datetime.datetime | None = None) -> Decimal:
    """What rounds have promised and not yet paid: the whole budget of a round whose
    results are not out, and the unpaid funded proposals of one whose results are."""
    waiting = Round.objects.filter(results_published_at=None).aggregate(total=Sum("budget"))
    unpaid = Proposal.objects.filter(funded=True, disbursement=None).aggregate(total=Sum("amount"))
    return to_money((waiting["total"] or 0) + (unpaid["total"] or 0))


def fund_free() -> Decimal:
    """What a new round may still spend: the balance minus what rounds have committed."""
    return to_money(fund_balance() - round_committed())


def proposals_on_ballot(round_: Round) -> QuerySet[Proposal]:
    return round_.proposals.filter(status=Proposal.Status.ACCEPTED).order_by("created_at", "pk")


def proposals_visible(round_: Round, user) -> QuerySet[Proposal]:
    """Accepted proposals for everyone; staff see all; a proposer also sees their own."""
    proposals = round_.proposals.select_related("round", "disbursement")
    if getattr(user, "is_staff", False):
        return proposals.order_by("created_at", "pk")
    mine = Q(proposer_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return proposals.filter(Q(status=Proposal.Status.ACCEPTED) | mine).order_by("created_at", "pk")


def proposals_of(user) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(proposer_id=user.pk)
        .select_related("round")
        .order_by("-created_at", "-pk")
    )


def proposals_pending(round_: Round) -> QuerySet[Proposal]:
    return round_.proposals.filter(status=Proposal.Status.PENDING).order_by("created_at", "pk")


def ballot_of(round_: Round, user) -> Ballot | None:
    """The user's own ballot in the round, with its approvals, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Ballot.objects.filter(round=round_, voter_id=user.pk).prefetch_related("approvals").first()
    )


def round_results(round_: Round) -> list[Proposal]:
    """The accepted proposals in funding order, with their published counts (empty until
    the results are out)."""
    if round_.results_published_at is None:
        return []
    return list(
        round_.proposals.filter(status=Proposal.Status.ACCEPTED)
        .select_related("disbursement")
        .order_by(*FUNDING_ORDER)
    )


def round_ballot_count(round_: Round) -> int:
    return Ballot.objects.filter(round=round_).count()


def results_emails(round_: Round) -> list[str]:
    """Who hears that the results are out: everyone who proposed or voted, once each."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    who = users.filter(Q(proposals__round=round_) | Q(ballots__round=round_))
    return sorted(set(who.values_list("email", flat=True)))
