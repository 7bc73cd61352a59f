"""The budgeting API: rounds, proposals, the caller's own ballot, results; staff open
rounds, moderate, publish results and pay the winners. Thin: every rule is in
`community.services.budgeting`, every read in `community.budgeting_selectors`."""

from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community import budgeting_selectors as selectors
from community.api.round_serializers import (
    MAX_ID,
    BallotSerializer,
    DisburseSerializer,
    ModerationSerializer,
    ProposalCreateSerializer,
    ProposalSerializer,
    ResultsSerializer,
    RoundOpenSerializer,
    RoundSerializer,
)
from community.budgeting_models import Proposal, Round
from community.services import budgeting as services

RULE = (
    "Proposals are funded in order of approvals while the remaining budget covers them; "
    "one that no longer fits is skipped and smaller ones after it may still be funded. "
    "Ties: the smaller amount first, then the earlier proposal. A proposal nobody "
    "approved is not funded."
)


class IsStaff(BasePermission):
    message = "Only the fund's staff do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_staff)


class StaffOnly:
    permission_classes = [IsAuthenticated, IsStaff]


def _round(round_id) -> Round:
    if round_id > MAX_ID:
        raise Http404
    return get_object_or_404(Round.objects.all(), pk=round_id)


def _proposal(round_id, proposal_id) -> Proposal:
    if max(round_id, proposal_id) > MAX_ID:
        raise Http404
    return get_object_or_404(
        Proposal.objects.select_related("round"), pk=proposal_id, round_id=round_id
    )


class RoundList(generics.ListAPIView):
    """Every budgeting round, newest first. Staff open one with `POST`: its budget must fit
    in what the fund holds beyond other rounds' promises (`409 round_budget_too_large`)."""

    serializer_class = RoundSerializer

    def get_queryset(self):
        return selectors.rounds_all()

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return [IsAuthenticated(), IsStaff()]

    @extend_schema(request=RoundOpenSerializer, responses={201: RoundSerializer})
    def post(self, request: Request) -> Response:
        data = RoundOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round_ = services.round_open(by=request.user, **data.validated_data)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)


class RoundDetail(generics.RetrieveAPIView):
    serializer_class = RoundSerializer
    permission_classes = [AllowAny]

    def get_object(self) -> Round:
        return _round(self.kwargs["round_id"])


class RoundProposals(APIView):
    """A round's proposals: the accepted ones for everyone, plus the caller's own (with
    their moderation); staff see all. Verified residents and co-op members propose with
    `POST` while the round takes proposals (`403 not_eligible`, `409 wrong_phase`,
    `409 proposal_over_budget`)."""

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(responses=ProposalSerializer(many=True))
    def get(self, request: Request, round_id: int) -> Response:
        proposals = selectors.proposals_visible(_round(round_id), request.user)
        return Response(ProposalSerializer(proposals, many=True).data)

    @extend_schema(request=ProposalCreateSerializer, responses={201: ProposalSerializer})
    def post(self, request: Request, round_id: int) -> Response:
        round_ = _round(round_id)
        data = ProposalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_submit(round_=round_, by=request.user, **data.validated_data)
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


def _ballot_body(round_: Round, user) -> dict:
    ballot = selectors.ballot_of(round_, user)
    approved = list(ballot.approvals.all()) if ballot else []
    return {
        "cast": ballot is not None,
        "approvals": sorted(p.pk for p in approved),
        "total": sum((p.amount for p in approved), Decimal("0.00")),
        "updated_at": ballot.updated_at if ballot else None,
    }


class RoundBallot(APIView):
    """The caller's own ballot in the round. `PUT` replaces its approvals whole (one
    ballot per account): only during voting, only the round's accepted proposals, together
    within the budget (`409 wrong_phase`, `proposal_not_on_ballot`, `ballot_over_budget`;
    `403 not_eligible` for an unverified account)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BallotSerializer)
    def get(self, request: Request, round_id: int) -> Response:
        round_ = _round(round_id)
        return Response(BallotSerializer(_ballot_body(round_, request.user)).data)

    @extend_schema(request=BallotSerializer, responses=BallotSerializer)
    def put(self, request: Request, round_id: int) -> Response:
        round_ = _round(round_id)
        data = BallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ballot_cast(
            round_=round_, by=request.user, proposal_ids=data.validated_data["approvals"]
        )
        return Response(BallotSerializer(_ballot_body(round_, request.user)).data)


class RoundResults(APIView):
    """The published counts of a round's accepted proposals, in funding order, and which
    were funded; `published` is false (and the list empty) until staff publish them."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ResultsSerializer)
    def get(self, request: Request, round_id: int) -> Response:
        round_ = _round(round_id)
        published = round_.results_published_at is not None
        body = {
            "published": published,
            "ballots": selectors.round_ballot_count(round_) if published else None,
            "rule": RULE,
            "proposals": selectors.round_results(round_),
        }
        return Response(ResultsSerializer(body).data)


class RoundPublish(StaffOnly, APIView):
    """Count the ballots and publish the results (ends voting now if it is still open);
    `409 wrong_phase` before voting opens. Publishing again changes nothing."""

    @extend_schema(request=None, responses=ResultsSerializer)
    def post(self, request: Request, round_id: int) -> Response:
        round_ = services.round_results_publish(round_=_round(round_id), by=request.user)
        return RoundResults().get(request, round_.pk)


class ProposalModerate(StaffOnly, APIView):
    """Accept a proposal onto the ballot, or reject it with a reason its proposer reads
    (`400` without one); until voting opens (`409 wrong_phase`)."""

    @extend_schema(request=ModerationSerializer, responses=ProposalSerializer)
    def post(self, request: Request, round_id: int, proposal_id: int) -> Response:
        proposal = _proposal(round_id, proposal_id)
        data = ModerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_moderate(
            proposal=proposal,
            accept=data.validated_data["decision"] == "accept",
            reason=data.validated_data["reason"],
            by=request.user,
        )
        return Response(ProposalSerializer(proposal).data)


class ProposalDisburse(StaffOnly, APIView):
    """Pay a funded proposal out of the fund, once (`409 proposal_not_funded`,
    `already_disbursed`, `fund_too_low`); paid to who carries it out unless `paid_to`."""

    @extend_schema(request=DisburseSerializer, responses={201: ProposalSerializer})
    def post(self, request: Request, round_id: int, proposal_id: int) -> Response:
        proposal = _proposal(round_id, proposal_id)
        data = DisburseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_disburse(
            proposal=proposal, by=request.user, paid_to=data.validated_data["paid_to"]
        )
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


class MyProposals(generics.ListAPIView):
    """The caller's own proposals in every round, with how moderation answered."""

    serializer_class = ProposalSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.proposals_of(self.request.user).select_related("disbursement")


urlpatterns = [
    path("community/rounds/", RoundList.as_view(), name="round-list"),
    path("community/rounds/<int:round_id>/", RoundDetail.as_view(), name="round-detail"),
    path(
        "community/rounds/<int:round_id>/proposals/",
        RoundProposals.as_view(),
        name="round-proposals",
    ),
    path("community/rounds/<int:round_id>/ballot/", RoundBallot.as_view(), name="round-ballot"),
    path("community/rounds/<int:round_id>/results/", RoundResults.as_view(), name="round-results"),
    path("community/rounds/<int:round_id>/publish/", RoundPublish.as_view(), name="round-publish"),
    path(
        "community/rounds/<int:round_id>/proposals/<int:proposal_id>/moderate/",
        ProposalModerate.as_view(),
        name="proposal-moderate",
    ),
    path(
        "community/rounds/<int:round_id>/proposals/<int:proposal_id>/disburse/",
        ProposalDisburse.as_view(),
        name="proposal-disburse",
    ),
    path("community/my-proposals/", MyProposals.as_view(), name="my-proposal-list"),
]
