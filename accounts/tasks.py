from celery import shared_task
from django.conf import settings

from accounts.idempotency_tasks import purge_idempotency_records  # noqa: F401 (registers the task)
from accounts.models import User
from accounts.services.account import password_reset_link_parts
from accounts.services.sessions import tokens_flush_expired
from messaging.catalog import PASSWORD_RESET_EMAIL
from messaging.email import send_message_email
from notifications.outbox import outbox_claim


@shared_task(name="accounts.send_password_reset_email")
def send_password_reset_email(user_id: str, outbox_id: str | None = None) -> None:
    """Mails a reset link. The token is made here, so it never sits in the broker.

    Started through the outbox (accounts.services.account.password_reset_request): a copy the relay
    published again finds its row done and sends nothing.
    """
    with outbox_claim(outbox_id) as claimed:
        if claimed:
            _send_password_reset_email(user_id)


def _send_password_reset_email(user_id: str) -> None:
    user = User.objects.filter(id=user_id, is_active=True, email_verified_at__isnull=False).first()
    if user is None:
        return
    uid, token = password_reset_link_parts(user)
    link = f"{settings.APP_DEEP_LINK_BASE}/reset-password?uid={uid}&token={token}"
    # In the recipient's language, with the content team's copy if they edited it (messaging).
    send_message_email(to=user.email, key=PASSWORD_RESET_EMAIL, locale=user.locale, params={"link": link})


@shared_task(name="accounts.flush_expired_tokens")
def flush_expired_tokens() -> int:
    return tokens_flush_expired()


@shared_task(name="accounts.purge_expired_data")
def purge_expired_data() -> dict[str, int]:
    """Ended sessions, staff sign-in logs, the admin audit trail and sync tombstones past their
    retention (accounts.services.retention); safe to run twice."""
    from accounts.services.retention import purge_all

    return purge_all()
