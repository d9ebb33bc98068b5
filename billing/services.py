"""Writes of the billing app: a purchase the app reports, and the stores' notifications.

Every path ends in `_store_state`, the one rule for how a store state lands in a `Subscription`:
under the row's lock, a state replaces the stored one only if the store signed (App Store) or
reported (Play) it at or after the stored one's instant. So replays and out-of-order deliveries end
in the same row, whatever order they came in. Events are recorded once per event id; a redelivered
event changes nothing and costs no call to the store.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import User
from billing import app_store, google_play
from billing.errors import InvalidSignedPayloadError, PurchaseNotFoundError, PurchaseOwnedElsewhereError
from billing.models import StoreEvent, Subscription
from billing.selectors import cancel_steps, own_active_subscription
from config.i18n import language_for
from couples.selectors import partner_of
from messaging.catalog import EMAIL_ACCOUNT_DELETED_SUBSCRIPTION
from messaging.email import send_message_email
from notifications.models import Notification
from notifications.outbox import outbox_add
from notifications.services import notify_many

logger = logging.getLogger(__name__)

State = app_store.AppStoreState | google_play.PlayState
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PLAY_REVOKED = 12  # SUBSCRIPTION_REVOKED


@dataclass(frozen=True)
class _Event:
    store: str
    event_id: str
    event_type: str
    signed_at: datetime | None


@dataclass(frozen=True)
class Outcome:
    """What a store notification did: `applied` (its state is now the stored one), `stale` (an older
    state than the stored one), `duplicate` (seen before) or `ignored` (not about a subscription)."""

    outcome: str


# The app reports a purchase ------------------------------------------------------------------------


def purchase_record(
    *,
    user: User,
    store: str,
    signed_transaction: str = "",
    signed_renewal_info: str = "",
    purchase_token: str = "",
) -> Subscription:
    """Verifies a purchase the app just made (or restored) and binds it to `user`.

    App Store: the StoreKit 2 transaction's JWS (and, when the app has it, the renewal info's).
    Google Play: the purchase token, whose state is read from the Play Developer API (no database
    transaction is open during that call). Refused when the purchase is another account's.
    """
    state: State
    if store == Subscription.Store.APP_STORE:
        transaction_info = app_store.verify_jws(signed_transaction)
        renewal = app_store.verify_jws(signed_renewal_info) if signed_renewal_info else None
        if renewal is not None and renewal.get("originalTransactionId") != transaction_info.get(
            "originalTransactionId"
        ):
            raise InvalidSignedPayloadError(code="renewal_info_mismatch")
        state = app_store.subscription_state(transaction=transaction_info, renewal=renewal)
        token = state.app_account_token
    else:
        state = _play_state(purchase_token, revoked=False)
        token = state.account_id
    if token and token != str(user.pk):
        raise PurchaseOwnedElsewhereError()
    subscription, _applied = _store_state(store=store, state=state, claimant=user)
    return subscription


# The stores' notifications -------------------------------------------------------------------------


def app_store_notification_receive(*, signed_payload: Any) -> Outcome:
    """An App Store Server Notification v2: the notification's JWS, then its transaction's and
    renewal info's, all verified to Apple's root before anything is read or stored."""
    payload = app_store.verify_jws(signed_payload)
    raw_data = payload.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    event_id, kind, raw_subtype = (
        payload.get("notificationUUID"),
        payload.get("notificationType"),
        payload.get("subtype"),
    )
    subtype = raw_subtype if isinstance(raw_subtype, str) else ""
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 100 or not isinstance(kind, str) or len(kind) > 40:
        raise InvalidSignedPayloadError(code="malformed_signed_payload")
    app_store.check_bundle(data.get("bundleId"))
    signed_at = app_store.from_millis(payload.get("signedDate"))
    event = _Event(Subscription.Store.APP_STORE, event_id, f"{kind}:{subtype}"[:60].rstrip(":"), signed_at)
    if not data.get("signedTransactionInfo"):
        return _record_only(event)  # TEST, CONSUMPTION_REQUEST, …: nothing about a subscription's state
    transaction_info = app_store.verify_jws(data["signedTransactionInfo"])
    renewal = app_store.verify_jws(data["signedRenewalInfo"]) if data.get("signedRenewalInfo") else None
    state = app_store.subscription_state(
        transaction=transaction_info, renewal=renewal, notification_type=kind, subtype=subtype, signed_at=signed_at
    )
    return _receive(store=Subscription.Store.APP_STORE, state=state, event=event)


def play_notification_receive(*, authorization: str, body: Any) -> Outcome:
    """A Play real-time developer notification pushed by Pub/Sub: the push's OIDC token is verified,
    then the subscription's current state is fetched from the Play Developer API."""
    google_play.verify_push_token(authorization)
    pushed = google_play.read_push(body)
    event = _Event(
        Subscription.Store.GOOGLE_PLAY,
        pushed.message_id,
        str(pushed.notification_type) if pushed.notification_type is not None else "other",
        pushed.event_time,
    )
    if StoreEvent.objects.filter(store=event.store, event_id=event.event_id).exists():
        return Outcome("duplicate")  # a redelivery: no call to Google
    if pushed.notification_type is None:
        return _record_only(event)
    try:
        state = _play_state(pushed.purchase_token, revoked=pushed.notification_type == PLAY_REVOKED)
    except PurchaseNotFoundError:
        # A genuine push (its token verified) about a purchase Google does not know: answering an
        # error would only make Pub/Sub redeliver it for days. Recorded, and left alone.
        logger.warning("Play notification %s names a purchase Google does not know", event.event_id)
        return _record_only(event)
    return _receive(store=Subscription.Store.GOOGLE_PLAY, state=state, event=event)


def _play_state(purchase_token: str, *, revoked: bool) -> google_play.PlayState:
    """Google's current state of a purchase. Google reports a revoked subscription as EXPIRED; a
    revocation (this notification's, or one stored before) stays on the row, for support."""
    body = google_play.fetch_subscription(purchase_token)
    revoked = (
        revoked
        or Subscription.objects.filter(
            store=Subscription.Store.GOOGLE_PLAY, store_id=purchase_token, status=Subscription.Status.REVOKED
        ).exists()
    )
    return google_play.subscription_state(
        purchase_token=purchase_token,
        body=body,
        read_at=timezone.now(),
        revoked=revoked and body.get("subscriptionState") == "SUBSCRIPTION_STATE_EXPIRED",
    )


@transaction.atomic
def _receive(*, store: str, state: State, event: _Event) -> Outcome:
    """Records the event and lands its state, in one transaction: both happen, or neither."""
    claimed = _claim_event(event)
    if claimed is None:
        return Outcome("duplicate")
    subscription, applied = _store_state(store=store, state=state, claimant=None)
    StoreEvent.objects.filter(pk=claimed.pk).update(subscription=subscription, applied=applied)
    return Outcome("applied" if applied else "stale")


@transaction.atomic
def _record_only(event: _Event) -> Outcome:
    created = _claim_event(event)
    return Outcome("ignored" if created else "duplicate")


def _claim_event(event: _Event) -> StoreEvent | None:
    """Records the event; None when it was recorded before (a replay). A concurrent copy of the same
    event waits on the unique index until the first commits, then lands here as a replay."""
    try:
        with transaction.atomic():
            return StoreEvent.objects.create(
                store=event.store, event_id=event.event_id, event_type=event.event_type, signed_at=event.signed_at
            )
    except IntegrityError:
        return None


def _store_id(state: State) -> str:
    return state.original_transaction_id if isinstance(state, app_store.AppStoreState) else state.purchase_token


def _account_token(state: State) -> str:
    return state.app_account_token if isinstance(state, app_store.AppStoreState) else state.account_id


def _user_of_token(token: str) -> User | None:
    try:
        user_id = uuid.UUID(token)
    except ValueError:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


@transaction.atomic
def _store_state(*, store: str, state: State, claimant: User | None) -> tuple[Subscription, bool]:
    """Lands `state` in its subscription row (see the module docstring); `claimant`: the user who
    reports the purchase (None for a store notification). Returns the row and whether the state
    replaced the stored one."""
    store_id = _store_id(state)
    if not Subscription.objects.filter(store=store, store_id=store_id).exists():
        placeholder = Subscription(
            store=store, store_id=store_id, status=Subscription.Status.PENDING, state_signed_at=EPOCH
        )
        Subscription.objects.bulk_create([placeholder], ignore_conflicts=True)  # a concurrent insert wins
    row = Subscription.objects.select_for_update(no_key=True).get(store=store, store_id=store_id)
    if claimant is not None and row.user_id not in (None, claimant.pk):
        raise PurchaseOwnedElsewhereError()
    now = timezone.now()
    before = (row.gives_access(now), row.access_until, row.will_renew, row.user_id)
    if row.user_id is None:  # bound once: by the reporting user, else by the purchase's account token
        row.user = claimant or _user_of_token(_account_token(state))
    applied = state.signed_at >= row.state_signed_at
    if applied:
        row.product_id = state.product_id or row.product_id
        row.status = state.status
        row.expires_at = state.expires_at
        row.access_until = state.access_until
        row.will_renew = state.will_renew
        row.started_at = state.started_at or row.started_at
        row.state_signed_at = state.signed_at
        row.environment = state.environment
    row.updated_at = now
    row.save()
    if row.user is not None and (row.gives_access(now), row.access_until, row.will_renew, row.user_id) != before:
        entitlement_changed(users=[row.user], reason=f"{row.id}:{int(row.state_signed_at.timestamp() * 1000)}")
    return row, applied


def store_events_purge(*, now: datetime) -> int:
    """Deletes store events older than STORE_EVENT_RETENTION_DAYS; returns how many."""
    cutoff = now - timedelta(days=settings.STORE_EVENT_RETENTION_DAYS)
    deleted, _by_model = StoreEvent.objects.filter(received_at__lt=cutoff).delete()
    return deleted


def entitlement_changed(*, users: list[User], reason: str) -> None:
    """Tells the phones of these users and of their partners that premium may have changed: a silent
    push (`entitlement_changed`), after which the app reads `GET me/entitlements`. Once per reason."""
    recipients: dict[Any, User] = {}
    for user in users:
        recipients[user.pk] = user
        partner = partner_of(user=user)
        if partner is not None:
            recipients[partner.pk] = partner
    notify_many(
        [
            {
                "recipient": recipient,
                "kind": Notification.Kind.ENTITLEMENT_CHANGED,
                "data": {"screen": "entitlements"},
                "dedupe_key": f"entitlement:{reason}:{recipient.pk}"[:200],
            }
            for recipient in recipients.values()
        ]
    )


# Account deletion --------------------------------------------------------------------------------


def subscription_notice_before_account_deletion(user: User) -> None:
    """Registered with accounts: an account deleted while its own store subscription gives access
    gets an e-mail saying the store subscription goes on, with that store's steps to cancel it.

    Everything the mail needs (address, locale, store) is read here, while the user row exists; the
    mail goes through the outbox in the deletion's transaction, so it leaves only once the deletion
    commits. Premium inherited from the partner is not the user's to cancel: no mail. Nor for an
    unverified address: nobody proved they read it (an Apple relay that stopped forwarding is one).
    """
    from billing.tasks import send_subscription_notice  # the task module imports this one

    if not user.email_verified:
        return
    subscription = own_active_subscription(user=user)
    if subscription is None:
        return
    outbox_add(
        task=send_subscription_notice,
        kwargs={
            "email": user.email,
            "locale": user.locale,
            "store": subscription.store,
            "manage_url": subscription.manage_url,
        },
    )


def subscription_notice_send(*, email: str, locale: str, store: str, manage_url: str) -> None:
    """Mails the account-deletion notice (`email.account_deleted_subscription`) in the recipient's
    language, with the store's cancel steps as `GET me/entitlements` gives them, numbered."""
    with translation.override(language_for(locale)):
        steps = "\n".join(f"{number}. {step}" for number, step in enumerate(cancel_steps(store), start=1))
    params = {"store_name": Subscription.Store(store).label, "cancel_steps": steps, "manage_url": manage_url}
    send_message_email(to=email, key=EMAIL_ACCOUNT_DELETED_SUBSCRIPTION, locale=locale, params=params)
