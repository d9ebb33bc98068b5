from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.validators import validate_time_zone
from config.api.output import OutputModelSerializer, OutputSerializer
from config.api.serializers import Serializer
from couples import codes
from couples.models import Invite


class InviteOutputSerializer(OutputModelSerializer):
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


class CoupleJoinInputSerializer(Serializer):
    code = serializers.CharField(max_length=32)


class PartnerOutputSerializer(OutputSerializer):
    id = serializers.UUIDField()
    display_name = serializers.CharField()
    time_zone = serializers.CharField()
    # A string, not a DateTimeField: DRF would convert it to UTC and lose the partner's offset.
    local_time = serializers.CharField(
        help_text="The partner's wall-clock time now, ISO 8601 with their UTC offset (2026-11-24T02:10:00-05:00)."
    )
    joined_at = serializers.DateTimeField()


class CoupleOutputSerializer(OutputSerializer):
    id = serializers.UUIDField(source="couple.id")
    status = serializers.CharField(source="couple.status")
    together_since = serializers.DateField(source="couple.together_since", allow_null=True)
    time_zone = serializers.CharField(source="couple.time_zone", help_text="Defines the couple's shared day.")
    created_at = serializers.DateTimeField(source="couple.created_at")
    joined_at = serializers.DateTimeField()
    partner = PartnerOutputSerializer()


# Built once and reused (`GET couple` runs on every app start): DRF deep-copies declared fields per instance.
COUPLE_OUTPUT = CoupleOutputSerializer()


class CoupleUpdateInputSerializer(Serializer):
    together_since = serializers.DateField(required=False, allow_null=True)
    time_zone = serializers.CharField(max_length=64, required=False, validators=[validate_time_zone])


class CoupleUnpairInputSerializer(Serializer):
    confirm = serializers.BooleanField(help_text="Must be true: unpairing ends shared access at once for both.")

    def validate_confirm(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError(_("Set confirm to true to unpair."), code="confirmation_required")
        return value
