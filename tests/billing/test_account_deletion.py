"""DELETE me with a store subscription: the account goes, the store subscription does not, and the
user is mailed, in their own language, how to cancel it in the store they bought it from."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from accounts.models import User
from accounts.services import account
from billing.models import Subscription
from billing.selectors import cancel_steps
from billing.tasks import send_subscription_notice
from notifications.models import OutboxMessage
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
ME = "/api/v1/me"


def _subscribe(
    user: User,
    *,
    store: str = Subscription.Store.APP_STORE,
    status: str = Subscription.Status.ACTIVE,
    until: datetime = NOW + 20 * DAY,
    started: datetime = NOW - DAY,
) -> Subscription:
    return Subscription.objects.create(
        user=user,
        store=store,
        store_id=f"{store}-{user.pk}",
        product_id="premium_monthly",
        status=status,
        expires_at=until,
        access_until=until,
        will_renew=True,
        started_at=started,
        state_signed_at=NOW - DAY,
    )


def _steps_in(language: str, store: str) -> list[str]:
    with translation.override(language):
        steps = cancel_steps(store)
    with translation.override("en"):
        assert steps != cancel_steps(store), f"the {store} steps are not translated to {language}"
    return steps


def _delete(client, capture) -> None:
    with capture(execute=True):
        response = client.delete(ME, {"password": PASSWORD}, format="json")
    assert response.status_code == 204, response.content
    assert response.content == b""


@pytest.mark.parametrize(
    ("store", "locale", "subject", "manage_url"),
    [
        pytest.param(
            Subscription.Store.APP_STORE,
            "de",
            "Dein Konto ist gelöscht, aber dein App Store-Abo ist nicht gekündigt",
            "https://apps.apple.com/account/subscriptions",
            id="app-store-de",
        ),
        pytest.param(
            Subscription.Store.GOOGLE_PLAY,
            "es-MX",  # falls back to es
            "Hemos eliminado tu cuenta, pero tu suscripción de Google Play no se ha cancelado",
            "https://play.google.com/store/account/subscriptions?sku=premium_monthly&package={package}",
            id="google-play-es",
        ),
    ],
)
def test_deleting_an_account_with_an_active_subscription_mails_the_stores_cancel_steps(
    me, me_user, django_capture_on_commit_callbacks, store, locale, subject, manage_url
):
    me_user.locale = locale
    me_user.save(update_fields=["locale"])
    _subscribe(me_user, store=store)

    _delete(me, django_capture_on_commit_callbacks)

    assert not User.objects.filter(pk=me_user.pk).exists()
    (message,) = mail.outbox
    assert message.to == ["me@example.com"]
    assert message.subject == subject
    language = locale.split("-")[0]
    steps = _steps_in(language, store)
    body = str(message.body)
    assert "\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1)) in body
    assert manage_url.format(package=settings.PLAY_PACKAGE_NAME) in body
    other = next(s for s in Subscription.Store.values if s != store)
    assert _steps_in(language, other)[0] not in body  # the other store's steps end alike
    assert isinstance(message, mail.EmailMultiAlternatives)
    (html,) = message.alternatives
    assert html[1] == "text/html"
    assert f'lang="{language}"' in str(html[0])
    # The address of the deleted account is not kept once the mail is out.
    (row,) = OutboxMessage.objects.filter(task="billing.send_subscription_notice")
    assert row.done_at is not None
    assert row.kwargs == {}


def test_a_subscriber_whose_partner_pays_too_is_mailed(me, me_user, partner_user, django_capture_on_commit_callbacks):
    _subscribe(partner_user, started=NOW - 10 * DAY)
    _subscribe(me_user)  # the later purchaser: told of the duplicate, and theirs is still billed

    _delete(me, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.to == ["me@example.com"]


@pytest.mark.parametrize(
    "situation",
    [
        "no-subscription",
        "expired",
        "access-date-passed",
        "refunded",
        "billing-retry",
        "inherited-from-partner",
        "unverified-address",
    ],
)
def test_no_mail_without_an_active_subscription_of_ones_own(
    me, me_user, partner_user, django_capture_on_commit_callbacks, situation
):
    if situation == "expired":
        _subscribe(me_user, status=Subscription.Status.EXPIRED, until=NOW - DAY)
    elif situation == "access-date-passed":  # the store has not said so yet
        _subscribe(me_user, until=NOW - DAY)
    elif situation == "refunded":
        _subscribe(me_user, status=Subscription.Status.REVOKED)
    elif situation == "billing-retry":
        _subscribe(me_user, status=Subscription.Status.BILLING_RETRY)
    elif situation == "inherited-from-partner":
        _subscribe(partner_user)
    elif situation == "unverified-address":
        _subscribe(me_user)
        User.objects.filter(pk=me_user.pk).update(email_verified_at=None)

    _delete(me, django_capture_on_commit_callbacks)

    assert not User.objects.filter(pk=me_user.pk).exists()
    assert mail.outbox == []
    assert not OutboxMessage.objects.filter(task="billing.send_subscription_notice").exists()


def test_the_mail_leaves_only_after_the_deletion_commits(me, me_user, django_capture_on_commit_callbacks):
    _subscribe(me_user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert me.delete(ME, {"password": PASSWORD}, format="json").status_code == 204
    assert mail.outbox == []

    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_a_wrong_password_deletes_nothing_and_mails_nothing(me, me_user, django_capture_on_commit_callbacks):
    _subscribe(me_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = me.delete(ME, {"password": "not-my-password"}, format="json")

    assert response.status_code == 400
    assert User.objects.filter(pk=me_user.pk).exists()
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


def test_a_deletion_that_fails_after_the_notice_was_queued_mails_nothing(
    me_user, django_capture_on_commit_callbacks, monkeypatch
):
    _subscribe(me_user)

    def fail(user: User) -> None:
        raise RuntimeError("the deletion fails after billing queued its mail")

    monkeypatch.setattr(account, "_before_delete_handlers", [*account._before_delete_handlers, fail])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        account.account_delete(user=me_user, password=PASSWORD)

    assert User.objects.filter(pk=me_user.pk).exists()
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


def test_a_notice_published_twice_is_mailed_once(me, me_user, django_capture_on_commit_callbacks):
    _subscribe(me_user)
    _delete(me, django_capture_on_commit_callbacks)
    (row,) = OutboxMessage.objects.filter(task="billing.send_subscription_notice")

    # The relay published it again (the first copy was slow): its row is done and forgot the address.
    send_subscription_notice.apply(
        kwargs={
            "email": "me@example.com",
            "locale": "en",
            "store": "app_store",
            "manage_url": "",
            "outbox_id": str(row.pk),
        }
    )

    assert len(mail.outbox) == 1


def test_another_users_subscription_does_not_count(me, me_user, django_capture_on_commit_callbacks):
    _subscribe(UserFactory.create())

    _delete(me, django_capture_on_commit_callbacks)

    assert mail.outbox == []
