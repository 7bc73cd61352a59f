"""Participatory budgeting pages: the rounds, a round (propose, vote, results), my proposals;
for staff: open a round, moderate, publish results, pay a winner. Thin: the rules are in
`community.services.budgeting`, the reads in `community.budgeting_selectors`."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from backend.errors import DomainError
from community import budgeting_selectors as selectors
from community.budgeting_models import Phase, Proposal, Round
from community.services import budgeting as services
from frontend.budgeting_forms import ModerationForm, ProposalForm, RoundForm

RULE = (
    "Proposals are funded in order of approvals while the money left covers them. One that "
    "no longer fits is skipped, and a smaller one after it may still be funded. On a tie, "
    "the smaller amount goes first, then the earlier proposal. A proposal nobody approved "
    "is not funded."
)


def _staff(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


def _errors_to_form(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def round_list(request):
    return render(
        request,
        "frontend/community/round_list.html",
        {"rounds": selectors.rounds_all(), "open_rounds": selectors.rounds_open()},
    )


def _ballot_rows(proposals, chosen: set[int]) -> tuple[list[dict], Decimal]:
    rows = [{"proposal": p, "checked": p.pk in chosen} for p in proposals]
    total = sum((p.amount for p in proposals if p.pk in chosen), Decimal("0.00"))
    return rows, total


def round_detail(request, pk: int, *, proposal_form=None, chosen=None, status=200):
    """The round at its phase; `chosen` (ids) re-shows a ballot that was not saved."""
    round_ = get_object_or_404(Round, pk=pk)
    phase = round_.phase()
    user = request.user
    eligible = selectors.account_is_eligible(user)
    ballot = selectors.ballot_of(round_, user) if phase == Phase.VOTING else None
    on_ballot = list(selectors.proposals_on_ballot(round_))
    if chosen is None:
        chosen = {p.pk for p in ballot.approvals.all()} if ballot else set()
    rows, total = _ballot_rows(on_ballot, chosen)
    visible = list(selectors.proposals_visible(round_, user))
    context = {
        "round": round_,
        "phase": phase,
        "Phase": Phase,
        "eligible": eligible,
        "proposals": [p for p in visible if p.status == Proposal.Status.ACCEPTED],
        "mine": [p for p in visible if p.proposer_id == user.pk and p.status != "accepted"],
        "pending": [p for p in visible if p.status == Proposal.Status.PENDING]
        if user.is_staff
        else [],
        "proposal_form": proposal_form or ProposalForm(),
        "ballot": ballot,
        "ballot_rows": rows,
        "ballot_total": total,
        "over_budget": total > round_.budget,
        "results": selectors.round_results(round_),
        "ballots": selectors.round_ballot_count(round_) if phase == Phase.CLOSED else None,
        "rule": RULE,
        "moderation_form": ModerationForm(),
    }
    return render(request, "frontend/community/round_detail.html", context, status=status)


@login_required
@require_POST
def round_propose(request, pk: int):
    round_ = get_object_or_404(Round, pk=pk)
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_submit(round_=round_, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, "Thank you: your proposal waits for moderation.")
            return redirect("frontend:my_proposals")
    return round_detail(request, pk, proposal_form=form, status=400)


@login_required
@require_POST
def round_ballot(request, pk: int):
    """Save the ballot, or (the "Add up" button, for browsers without scripts) show what
    the ticked proposals come to without saving."""
    round_ = get_object_or_404(Round, pk=pk)
    # What is not a whole number names no proposal; the service refuses the rest by name.
    chosen = {int(v) for v in request.POST.getlist("approvals") if v.isascii() and v.isdigit()}
    if request.POST.get("action") == "add-up":
        return round_detail(request, pk, chosen=chosen)
    try:
        services.ballot_cast(round_=round_, by=request.user, proposal_ids=sorted(chosen))
    except DomainError as error:
        messages.error(request, f"Your ballot was not saved. {error.detail}")
        return round_detail(request, pk, chosen=chosen, status=409)
    messages.success(request, "Your ballot is saved. You can change it until voting closes.")
    return redirect("frontend:round", pk=pk)


@login_required
def my_proposals(request):
    return render(
        request,
        "frontend/community/round_my_proposals.html",
        {"proposals": selectors.proposals_of(request.user)},
    )


@login_required
def round_new(request):
    _staff(request)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_open(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        except DomainError as error:
            form.add_error("budget", error.detail)
        else:
            messages.success(request, "The round is open; eligible accounts are being told.")
            return redirect("frontend:round", pk=round_.pk)
    return render(
        request,
        "frontend/community/round_new.html",
        {"form": form, "free": selectors.fund_free()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def proposal_moderate(request, pk: int, proposal_pk: int):
    _staff(request)
    proposal = get_object_or_404(Proposal, pk=proposal_pk, round_id=pk)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_moderate(
                proposal=proposal,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError:
            messages.error(request, "Say why the proposal is not accepted: its proposer reads it.")
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, f"“{proposal.title}” is moderated; its proposer is told.")
    return redirect("frontend:round", pk=pk)


@login_required
@require_POST
def round_publish(request, pk: int):
    _staff(request)
    try:
        services.round_results_publish(round_=get_object_or_404(Round, pk=pk), by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, "The results are out; proposers and voters are told.")
    return redirect("frontend:round", pk=pk)


@login_required
@require_POST
def proposal_disburse(request, pk: int, proposal_pk: int):
    _staff(request)
    proposal = get_object_or_404(Proposal, pk=proposal_pk, round_id=pk)
    try:
        services.proposal_disburse(proposal=proposal, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"“{proposal.title}” is paid; the fund's ledger shows it.")
    return redirect("frontend:round", pk=pk)
