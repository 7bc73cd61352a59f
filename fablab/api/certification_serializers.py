from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fablab.models import Certification
from producers.models import Capability

User = get_user_model()


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name"]
        read_only_fields = fields


class CertificationSerializer(serializers.ModelSerializer):
    person = PersonSerializer(read_only=True)
    capability = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    capability_name = serializers.CharField(source="capability.name", read_only=True)
    certified_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    current = serializers.SerializerMethodField(help_text="Not yet run out, today.")

    class Meta:
        model = Certification
        fields = [
            "id",
            "person",
            "capability",
            "capability_name",
            "certified_on",
            "expires_on",
            "current",
            "certified_by",
            "note",
            "reminded_at",
        ]
        read_only_fields = fields

    def get_current(self, certification: Certification) -> bool:
        return certification.is_current()


@extend_schema_field(OpenApiTypes.STR)
class PersonField(serializers.Field):
    """An open account, named by its username (a string) or its id (a number)."""

    default_error_messages = {
        "unknown": "No open account has that username or id.",
        "invalid": "Give a username or an account id.",
    }

    def to_internal_value(self, data):
        people = User.objects.filter(is_active=True)
        if isinstance(data, int) and not isinstance(data, bool):
            person = people.filter(pk=data).first()
        elif isinstance(data, str) and data.strip():
            name = data.strip()
            person = people.filter(username=name).first()
            if person is None and name.isdigit():
                person = people.filter(pk=int(name)).first()
        else:
            self.fail("invalid")
        if person is None:
            self.fail("unknown")
        return person

    def to_representation(self, value):
        return value.username


class CertificationCreateSerializer(serializers.Serializer):
    person = PersonField(help_text="The username (or account id) of the person certified.")
    capability = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Capability.objects.all(),
        error_messages={"does_not_exist": "No capability is called “{value}”."},
        help_text="The capability's slug, e.g. laser-cutting.",
    )
    expires_on = serializers.DateField(help_text="The last day the certification holds.")
    note = serializers.CharField(max_length=240, required=False, allow_blank=True, default="")


class CertificationRenewSerializer(serializers.Serializer):
    expires_on = serializers.DateField(help_text="The new last day the certification holds.")
    note = serializers.CharField(max_length=240, required=False, allow_blank=True)
