"""What the budgeting API reads and writes. Ballots are shown only to their own voter."""

from rest_framework import serializers

from backend.fields import StrictDecimalField
from community.budgeting_models import Proposal, Round

MONEY_FIELD = {"max_digits": 12, "decimal_places": 2}
MAX_ID = 2**63 - 1  # the largest primary key the database holds


class RoundSerializer(serializers.ModelSerializer):
    phase = serializers.SerializerMethodField()
    phase_label = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id",
            "title",
            "description",
            "budget",
            "phase",
            "phase_label",
            "proposals_open_at",
            "proposals_close_at",
            "voting_open_at",
            "voting_close_at",
            "results_published_at",
        ]
        read_only_fields = fields

    def get_phase(self, round_: Round) -> str:
        return round_.phase().value

    def get_phase_label(self, round_: Round) -> str:
        return round_.phase().label


class RoundOpenSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    budget = StrictDecimalField(**MONEY_FIELD)
    proposals_open_at = serializers.DateTimeField()
    proposals_close_at = serializers.DateTimeField()
    voting_open_at = serializers.DateTimeField()
    voting_close_at = serializers.DateTimeField()


class ProposalSerializer(serializers.ModelSerializer):
    """A proposal; `status` and `moderation_reason` are filled only for its proposer and
    staff (others see accepted proposals only)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    paid = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "round",
            "title",
            "description",
            "amount",
            "carried_out_by",
            "status",
            "status_label",
            "moderation_reason",
            "approvals",
            "funded",
            "paid",
            "created_at",
        ]
        read_only_fields = fields

    def get_paid(self, proposal: Proposal) -> bool:
        return proposal.disbursement_id is not None


class ProposalCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)
    amount = StrictDecimalField(**MONEY_FIELD)
    carried_out_by = serializers.CharField(max_length=200)


class ModerationSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DisburseSerializer(serializers.Serializer):
    paid_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class BallotSerializer(serializers.Serializer):
    """The caller's own ballot: which proposals it approves and what they cost together."""

    cast = serializers.BooleanField(read_only=True)
    approvals = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=500,
        allow_empty=True,
    )
    total = serializers.DecimalField(**MONEY_FIELD, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ResultSerializer(serializers.ModelSerializer):
    """One accepted proposal's published count; never who voted for it."""

    paid = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = ["id", "title", "amount", "carried_out_by", "approvals", "funded", "paid"]
        read_only_fields = fields

    def get_paid(self, proposal: Proposal) -> bool:
        return proposal.disbursement_id is not None


class ResultsSerializer(serializers.Serializer):
    published = serializers.BooleanField()
    ballots = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField()
    proposals = ResultSerializer(many=True)
