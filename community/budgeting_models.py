"""Participatory budgeting: rounds, the proposals residents make, and their ballots.

A round moves through phases by its dates (see `Round.phase`): upcoming, proposals,
between (moderation finishes), voting, then counting once voting has ended until staff
publish the results, then closed. Results are written onto the proposals when staff
publish them (`approvals`, `funded`), so what was funded never changes afterwards.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from backend.money import MONEY


class Phase(models.TextChoices):
    UPCOMING = "upcoming", "Opens soon"
    PROPOSALS = "proposals", "Taking proposals"
    BETWEEN = "between", "Proposals closed, voting opens soon"
    VOTING = "voting", "Voting"
    COUNTING = "counting", "Voting closed, results coming"
    CLOSED = "closed", "Results out"


class Round(models.Model):
    """A budgeting round: how much of the fund it spends, and when each phase runs."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    budget = models.DecimalField(**MONEY)
    proposals_open_at = models.DateTimeField()
    proposals_close_at = models.DateTimeField()
    voting_open_at = models.DateTimeField()
    voting_close_at = models.DateTimeField()
    # Set when staff publish the results (the proposals' counts are written then).
    results_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-proposals_open_at", "-pk"]
        db_table = "community_round"
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="round_budget_positive"),
            models.CheckConstraint(
                condition=Q(proposals_open_at__lt=F("proposals_close_at"))
                & Q(proposals_close_at__lte=F("voting_open_at"))
                & Q(voting_open_at__lt=F("voting_close_at")),
                name="round_phases_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def phase(self, now: datetime.datetime | None = None) -> Phase:
        now = now or timezone.now()
        if self.results_published_at is not None:
            return Phase.CLOSED
        if now < self.proposals_open_at:
            return Phase.UPCOMING
        if now < self.proposals_close_at:
            return Phase.PROPOSALS
        if now < self.voting_open_at:
            return Phase.BETWEEN
        if now < self.voting_close_at:
            return Phase.VOTING
        return Phase.COUNTING

    @property
    def phase_label(self) -> str:
        return self.phase().label


class Proposal(models.Model):
    """A project a resident or co-op member asks the round to fund."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Not accepted"

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(max_length=200)
    description = models.TextField()
    amount = models.DecimalField(**MONEY)
    carried_out_by = models.CharField(max_length=200, help_text="Who carries the project out.")
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Shown to the proposer; required when a proposal is not accepted.
    moderation_reason = models.CharField(max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # Written when the round's results are published.
    approvals = models.PositiveIntegerField(null=True, blank=True)
    funded = models.BooleanField(default=False)
    # The payment of a funded proposal: one, at most.
    disbursement = models.OneToOneField(
        "community.Disbursement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        db_table = "community_proposal"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="proposal_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(moderation_reason=""),
                name="proposal_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(funded=False) | Q(status="accepted"),
                name="proposal_funded_only_if_accepted",
            ),
            models.CheckConstraint(
                condition=Q(disbursement__isnull=True) | Q(funded=True),
                name="proposal_paid_only_if_funded",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Ballot(models.Model):
    """One account's approvals in one round; changed in place until voting closes.

    Never shown with its voter's name to anyone but the voter.
    """

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ballots"
    )
    approvals = models.ManyToManyField(Proposal, related_name="ballots", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "community_ballot"
        constraints = [
            models.UniqueConstraint(fields=["round", "voter"], name="ballot_one_per_account"),
        ]

    def __str__(self) -> str:
        return f"Ballot {self.pk} in {self.round_id}"
