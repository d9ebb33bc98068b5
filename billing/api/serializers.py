from django.utils.translation import gettext as _
from rest_framework import serializers

from billing.google_play import valid_purchase_token
from billing.models import Subscription
from config.api.output import OutputSerializer
from config.api.serializers import Serializer


class StoreSubscriptionOutputSerializer(OutputSerializer):
    store = serializers.ChoiceField(choices=Subscription.Store.choices)
    product_id = serializers.CharField()
    status = serializers.ChoiceField(choices=Subscription.Status.choices)
    active = serializers.BooleanField()
    until = serializers.DateTimeField(allow_null=True)
    will_renew = serializers.BooleanField()
    manage_url = serializers.URLField(help_text="The store's page where the buyer manages or cancels it.")
    cancel_steps = serializers.ListField(child=serializers.CharField(), help_text="How to cancel, in the store.")


class DuplicateSubscriptionOutputSerializer(OutputSerializer):
    partner_until = serializers.DateTimeField(allow_null=True)
    subscription = StoreSubscriptionOutputSerializer(help_text="Your own subscription, the one to cancel.")
    message = serializers.CharField()


class EntitlementOutputSerializer(OutputSerializer):
    premium = serializers.BooleanField()
    source = serializers.ChoiceField(  # type: ignore[assignment]  # the response key
        choices=[("own", "own"), ("partner", "partner")], allow_null=True, help_text="Whose subscription gives it."
    )
    until = serializers.DateTimeField(allow_null=True, help_text="Premium lasts at least until then.")
    will_renew = serializers.BooleanField()
    in_grace_period = serializers.BooleanField(help_text="A payment failed; the store keeps access while it retries.")
    subscription = StoreSubscriptionOutputSerializer(
        allow_null=True, help_text="Your own subscription (active, or the latest), null if you never bought one."
    )
    duplicate = DuplicateSubscriptionOutputSerializer(
        allow_null=True, help_text="Set for the later purchaser when both partners pay: cancel yours."
    )


ENTITLEMENT_OUTPUT = EntitlementOutputSerializer()


class PurchaseInputSerializer(Serializer):
    store = serializers.ChoiceField(choices=Subscription.Store.choices)
    signed_transaction = serializers.CharField(
        required=False, max_length=65536, help_text="App Store: StoreKit 2 `Transaction.jwsRepresentation`."
    )
    signed_renewal_info = serializers.CharField(
        required=False, max_length=65536, help_text="App Store: `RenewalInfo.jwsRepresentation`, when available."
    )
    purchase_token = serializers.CharField(
        required=False, max_length=1000, help_text="Google Play: `Purchase.getPurchaseToken()`."
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["store"] == Subscription.Store.APP_STORE and not attrs.get("signed_transaction"):
            raise serializers.ValidationError({"signed_transaction": _("Required for the App Store.")}, code="required")
        if attrs["store"] == Subscription.Store.GOOGLE_PLAY:
            token = attrs.get("purchase_token", "")
            if not token:
                raise serializers.ValidationError({"purchase_token": _("Required for Google Play.")}, code="required")
            if not valid_purchase_token(token):
                raise serializers.ValidationError({"purchase_token": _("Not a purchase token.")}, code="invalid")
        return attrs


class AppStoreNotificationInputSerializer(Serializer):
    signedPayload = serializers.CharField(max_length=65536)


class PubSubMessageInputSerializer(Serializer):
    data = serializers.CharField(max_length=65536)  # type: ignore[assignment]  # Pub/Sub field name
    messageId = serializers.CharField(max_length=100)
    publishTime = serializers.CharField(required=False, max_length=40)
    attributes = serializers.DictField(child=serializers.CharField(), required=False)


class PlayNotificationInputSerializer(Serializer):
    message = PubSubMessageInputSerializer()
    subscription = serializers.CharField(required=False, max_length=300)


class StoreNotificationOutputSerializer(OutputSerializer):
    outcome = serializers.ChoiceField(
        choices=[("applied", "applied"), ("stale", "stale"), ("duplicate", "duplicate"), ("ignored", "ignored")],
        help_text="applied: the state is now ours; stale: older than ours; duplicate: seen before; "
        "ignored: not about a subscription.",
    )
