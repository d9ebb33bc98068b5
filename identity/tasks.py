from celery import shared_task
from django.conf import settings

from accounts.models import User
from identity.models import EmailCode, SocialIdentity
from identity.services.email_codes import email_code_issue, email_codes_purge
from messaging.catalog import EMAIL_LINK_CODE, EMAIL_VERIFICATION_CODE
from messaging.email import send_message_email
from notifications.outbox import outbox_claim

_MESSAGES: dict[str, str] = {
    EmailCode.Purpose.VERIFY.value: EMAIL_VERIFICATION_CODE,
    EmailCode.Purpose.LINK.value: EMAIL_LINK_CODE,
}

_PROVIDER_NAMES = dict(SocialIdentity.Provider.choices)


@shared_task(name="identity.send_email_code")
def send_email_code(user_id: str, purpose: str, email: str, provider: str = "", outbox_id: str | None = None) -> None:
    """Makes a code and mails it to `email`. The code is made here, so it never sits in the broker.

    Started through the outbox (identity.services.email_codes.email_code_send); a copy the relay
    published again finds its row done and sends nothing.
    """
    with outbox_claim(outbox_id) as claimed:
        if not claimed:
            return
        user = User.objects.filter(id=user_id, is_active=True).first()
        if user is None or purpose not in _MESSAGES:
            return
        code = email_code_issue(user=user, purpose=purpose, email=email)
        params = {
            "code": code,
            "minutes": settings.EMAIL_CODE_TTL_MINUTES,
            "provider": _PROVIDER_NAMES.get(provider, provider),
        }
        send_message_email(to=email, key=_MESSAGES[purpose], locale=user.locale, params=params)


@shared_task(name="identity.purge_email_codes")
def purge_email_codes() -> int:
    return email_codes_purge()
