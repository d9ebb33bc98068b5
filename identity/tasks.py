from celery import shared_task
from django.conf import settings

from accounts.models import User
from config.email import send_templated_email
from identity.models import EmailCode, SocialIdentity
from identity.services.email_codes import email_code_issue, email_codes_purge
from notifications.outbox import outbox_claim

_TEMPLATES: dict[str, str] = {
    EmailCode.Purpose.VERIFY.value: "identity/email/verification_code",
    EmailCode.Purpose.LINK.value: "identity/email/link_code",
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
        if user is None or purpose not in _TEMPLATES:
            return
        code = email_code_issue(user=user, purpose=purpose, email=email)
        context = {
            "code": code,
            "minutes": settings.EMAIL_CODE_TTL_MINUTES,
            "provider": _PROVIDER_NAMES.get(provider, provider),
        }
        send_templated_email(to=email, template=_TEMPLATES[purpose], context=context, locale=user.locale)


@shared_task(name="identity.purge_email_codes")
def purge_email_codes() -> int:
    return email_codes_purge()
