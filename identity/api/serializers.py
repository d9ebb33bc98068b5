from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.validators import validate_locale, validate_time_zone
from config.api.output import OutputModelSerializer, OutputSerializer
from config.api.serializers import Serializer
from identity.models import SocialIdentity

_TOKEN_MAX = 8192


class AppleSignInInputSerializer(Serializer):
    identity_token = serializers.CharField(
        max_length=_TOKEN_MAX, help_text="The `identityToken` (a JWT) Sign in with Apple gave the app."
    )
    nonce = serializers.CharField(
        max_length=256,
        help_text="The raw nonce; the app passed its SHA-256 (hex) to Apple, and the token's `nonce` claim must be it.",
    )
    display_name = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="The name Apple gives the app on the first sign-in only; used when the account is created.",
    )
    time_zone = serializers.CharField(max_length=64, required=False, default="UTC")
    locale = serializers.CharField(max_length=35, required=False, default="en", validators=[validate_locale])

    def validate_time_zone(self, value: str) -> str:
        validate_time_zone(value)
        return value


class GoogleSignInInputSerializer(Serializer):
    id_token = serializers.CharField(max_length=_TOKEN_MAX, help_text="The Google ID token (a JWT).")
    nonce = serializers.CharField(
        max_length=256,
        required=False,
        help_text="The nonce the app passed to Google, if any: the token's `nonce` claim must equal it.",
    )
    display_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    time_zone = serializers.CharField(max_length=64, required=False, default="UTC")
    locale = serializers.CharField(max_length=35, required=False, default="en", validators=[validate_locale])

    def validate_time_zone(self, value: str) -> str:
        validate_time_zone(value)
        return value


class SocialLinkCodeInputSerializer(Serializer):
    link_token = serializers.CharField(max_length=4096, help_text="The `link_token` of the 409 `account_exists`.")


class SocialLinkInputSerializer(Serializer):
    link_token = serializers.CharField(max_length=4096, help_text="The `link_token` of the 409 `account_exists`.")
    password = serializers.CharField(max_length=128, trim_whitespace=False, required=False)
    code = serializers.RegexField(r"^\d{6}$", required=False, help_text="The 6-digit code mailed to the account.")

    def validate(self, attrs: dict[str, str]) -> dict[str, str]:
        if bool(attrs.get("password")) == bool(attrs.get("code")):
            raise serializers.ValidationError(
                {"password": [_("Send either the account's password or the code we e-mailed to it.")]},
                code="password_or_code",
            )
        return attrs


class AppleNotificationInputSerializer(Serializer):
    payload = serializers.CharField(max_length=_TOKEN_MAX, help_text="Apple's signed JWT.")


class EmailCodeConfirmInputSerializer(Serializer):
    code = serializers.RegexField(r"^\d{6}$", help_text="The 6-digit code from the e-mail.")


class EmailChangeInputSerializer(Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, required=False, help_text="Required when the account has a password."
    )


class IdentityLinkInputSerializer(Serializer):
    provider = serializers.ChoiceField(choices=SocialIdentity.Provider.choices)
    token = serializers.CharField(max_length=_TOKEN_MAX, help_text="Apple's identity token or Google's ID token.")
    nonce = serializers.CharField(
        max_length=256, required=False, help_text="As for `auth/apple` (required) and `auth/google` (optional)."
    )


class IdentityOutputSerializer(OutputModelSerializer):
    class Meta:
        model = SocialIdentity
        fields = ["id", "provider", "email", "is_private_email", "email_forwarding", "created_at", "last_used_at"]
        read_only_fields = fields


class AppleNotificationOutputSerializer(OutputSerializer):
    result = serializers.ChoiceField(choices=["applied", "stale", "ignored"])
