"""The broken rules of participatory budgeting, each with its own `code` (409 unless said)."""

from rest_framework import status

from backend.errors import DomainError


class RoundBudgetTooLarge(DomainError):
    code = "round_budget_too_large"
    default_detail = "The fund does not have that much free for a new round."


class NotEligible(DomainError):
    code = "not_eligible"
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = (
        "Only residents who verified their email and members of a co-op take part in rounds."
    )


class WrongPhase(DomainError):
    code = "wrong_phase"
    default_detail = "The round is not in the phase for that."


class BallotOverBudget(DomainError):
    code = "ballot_over_budget"
    default_detail = "The proposals approved cost more than the round's budget."


class ProposalNotOnBallot(DomainError):
    code = "proposal_not_on_ballot"
    default_detail = "A ballot can approve only this round's accepted proposals."


class ProposalOverBudget(DomainError):
    code = "proposal_over_budget"
    default_detail = "A proposal cannot ask for more than the round's budget."


class NotFunded(DomainError):
    code = "proposal_not_funded"
    default_detail = "Only a proposal the results funded is paid."


class AlreadyDisbursed(DomainError):
    code = "already_disbursed"
    default_detail = "This proposal has been paid already."
