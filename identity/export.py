"""The identity app's part of the personal-data export (accounts.export registry)."""

from collections.abc import Iterable
from typing import Any

from accounts.export import register_not_exported, register_section
from accounts.models import User
from identity.models import SocialIdentity


def _identities(user: User) -> Iterable[dict[str, Any]]:
    for identity in SocialIdentity.objects.filter(user=user).order_by("created_at"):
        yield {
            "id": str(identity.id),
            "provider": identity.provider,
            "subject": identity.subject,
            "email": identity.email,
            "email_verified": identity.email_verified,
            "is_private_email": identity.is_private_email,
            "email_forwarding": identity.email_forwarding,
            "created_at": identity.created_at.isoformat(),
            "last_used_at": identity.last_used_at.isoformat() if identity.last_used_at else None,
        }


def register_sections() -> None:
    register_section("sign_in_identities", SocialIdentity, _identities)
    register_not_exported(
        "identity.emailcode",
        "one-time codes (stored as HMACs) mailed to prove an address; they expire within 15 minutes",
    )
