from rest_framework import serializers

from accounts.models import Device, User
from accounts.validators import validate_locale, validate_time_zone
from config.api.output import OutputModelSerializer, OutputSerializer
from config.api.serializers import Serializer


class TokenPairOutputSerializer(OutputSerializer):
    token_type = serializers.CharField(default="Bearer")
    access = serializers.CharField()
    refresh = serializers.CharField()
    access_expires_at = serializers.DateTimeField()
    refresh_expires_at = serializers.DateTimeField()


class MeOutputSerializer(OutputModelSerializer):
    email_verified = serializers.BooleanField(
        read_only=True,
        help_text="The user proved they read mail at `email`; password resets go only to verified addresses.",
    )

    class Meta:
        model = User
        fields = ["id", "email", "email_verified", "display_name", "time_zone", "locale", "date_joined"]
        read_only_fields = fields


class RegisterInputSerializer(Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    display_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    time_zone = serializers.CharField(max_length=64, required=False, default="UTC", allow_blank=True)
    locale = serializers.CharField(max_length=35, required=False, default="en", validators=[validate_locale])

    def validate_time_zone(self, value: str) -> str:
        # Runs for "" too (field validators are skipped for blanks), so "" is an invalid_time_zone.
        validate_time_zone(value)
        return value


class RegisterOutputSerializer(OutputSerializer):
    user = MeOutputSerializer()
    tokens = TokenPairOutputSerializer()


class TokenObtainInputSerializer(Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenRefreshInputSerializer(Serializer):
    refresh = serializers.CharField(max_length=2048)


class LogoutInputSerializer(Serializer):
    push_token = serializers.CharField(
        max_length=512, required=False, help_text="This phone's push token: it stops receiving pushes."
    )


class PasswordChangeInputSerializer(Serializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordResetInputSerializer(Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class DetailOutputSerializer(OutputSerializer):
    detail = serializers.CharField()


class MeUpdateInputSerializer(Serializer):
    display_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    time_zone = serializers.CharField(max_length=64, required=False, allow_blank=True)
    locale = serializers.CharField(max_length=35, required=False, validators=[validate_locale])

    def validate_time_zone(self, value: str) -> str:
        validate_time_zone(value)
        return value


class MeDeleteInputSerializer(Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class DeviceInputSerializer(Serializer):
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    push_token = serializers.CharField(max_length=512)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    app_version = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class DeviceOutputSerializer(OutputModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "platform", "push_token", "name", "app_version", "is_active", "created_at", "updated_at"]
        read_only_fields = fields
