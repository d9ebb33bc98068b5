from typing import Any

from django.conf import settings
from rest_framework import serializers

from accounts.validators import validate_time_zone
from config.api.fields import datetime_output
from couples import codes
from couples.models import Invite
from couples.selectors import CoupleView


class InviteOutputSerializer(serializers.ModelSerializer):
    code = serializers.SerializerMethodField()
    deep_link = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invite
        fields = ["id", "code", "deep_link", "status", "created_at", "expires_at"]
        read_only_fields = fields

    def get_code(self, invite: Invite) -> str:
        return codes.display(invite.code)

    def get_deep_link(self, invite: Invite) -> str:
        return f"{settings.APP_DEEP_LINK_BASE}/join?code={codes.display(invite.code)}"


class CoupleJoinInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)


class PartnerOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    display_name = serializers.CharField()
    time_zone = serializers.CharField()
    # A string, not a DateTimeField: DRF would convert it to UTC and lose the partner's offset.
    local_time = serializers.CharField(
        help_text="The partner's wall-clock time now, ISO 8601 with their UTC offset (2026-11-24T02:10:00-05:00)."
    )
    joined_at = serializers.DateTimeField()


class CoupleOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="couple.id")
    status = serializers.CharField(source="couple.status")
    together_since = serializers.DateField(source="couple.together_since", allow_null=True)
    time_zone = serializers.CharField(source="couple.time_zone", help_text="Defines the couple's shared day.")
    created_at = serializers.DateTimeField(source="couple.created_at")
    joined_at = serializers.DateTimeField()
    partner = PartnerOutputSerializer()


_DATE = serializers.DateField(read_only=True)  # one instance for every call


def couple_output(view: CoupleView) -> dict[str, Any]:
    """What `CoupleOutputSerializer(view)` renders, built directly: `GET couple` is read on every app
    start, and building the serializer's fields per request cost more than its query
    (tests/couples/test_couple.py checks the two agree)."""
    couple, partner = view.couple, view.partner
    instant = datetime_output()
    return {
        "id": str(couple.id),
        "status": str(couple.status),
        "together_since": _DATE.to_representation(couple.together_since) if couple.together_since else None,
        "time_zone": str(couple.time_zone),
        "created_at": instant(couple.created_at),
        "joined_at": instant(view.joined_at),
        "partner": {
            "id": str(partner.id),
            "display_name": str(partner.display_name),
            "time_zone": str(partner.time_zone),
            "local_time": str(partner.local_time),
            "joined_at": instant(partner.joined_at),
        },
    }


class CoupleUpdateInputSerializer(serializers.Serializer):
    together_since = serializers.DateField(required=False, allow_null=True)
    time_zone = serializers.CharField(max_length=64, required=False, validators=[validate_time_zone])


class CoupleUnpairInputSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="Must be true: unpairing ends shared access at once for both.")

    def validate_confirm(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError("Set confirm to true to unpair.", code="confirmation_required")
        return value
