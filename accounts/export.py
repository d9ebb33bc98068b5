"""The personal-data export (`GET /me/export`) and the registry that keeps it complete.

Every model that references the user must either register an export section here or be listed as
deliberately not exported, with the reason. `tests/accounts/test_user_data_coverage.py` walks every
relation to the user and fails when a new model is in neither list, and when account deletion
would leave its rows behind: a relation must cascade, or be deleted by `account_delete`, or be
registered here as detached (SET_NULL) with the reason the row outlives its author (a shared
record of the couple, archived with it; see docs/privacy.md).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from accounts.models import AuthSession, Device, User


@dataclass(frozen=True)
class ExportSection:
    key: str
    model: type[models.Model]
    rows: Callable[[User], Iterable[dict[str, Any]]]


_sections: dict[str, ExportSection] = {}
_not_exported: dict[str, str] = {}
_detached_on_deletion: dict[str, str] = {}


def register_section(key: str, model: type[models.Model], rows: Callable[[User], Iterable[dict[str, Any]]]) -> None:
    _sections[key] = ExportSection(key=key, model=model, rows=rows)


def register_not_exported(model_label: str, reason: str) -> None:
    _not_exported[model_label] = reason


def register_detached_on_deletion(field_label: str, reason: str) -> None:
    """Declares that `app_label.model.field` (an on_delete=SET_NULL key to the user) keeps its row.

    For records the couple owns rather than the user (docs/privacy.md): the row stays with the
    ended couple, and the reference to the deleted user becomes NULL.
    """
    _detached_on_deletion[field_label] = reason


def detached_on_deletion_fields() -> dict[str, str]:
    return dict(_detached_on_deletion)


def section_keys() -> list[str]:
    return list(_sections)


def exported_model_labels() -> set[str]:
    return {section.model._meta.label_lower for section in _sections.values()}


def not_exported_model_labels() -> dict[str, str]:
    return dict(_not_exported)


def user_data_export(*, user: User) -> dict[str, Any]:
    """All data the user owns, as JSON-ready dicts, one key per section."""
    return {
        "exported_at": timezone.now().isoformat(),
        **{key: list(section.rows(user)) for key, section in _sections.items()},
    }


def _profile(user: User) -> Iterable[dict[str, Any]]:
    yield {
        "id": str(user.id),
        "email": user.email,
        "display_name": user.display_name,
        "time_zone": user.time_zone,
        "locale": user.locale,
        "date_joined": user.date_joined.isoformat(),
        "email_verified_at": user.email_verified_at.isoformat() if user.email_verified_at else None,
    }


def _devices(user: User) -> Iterable[dict[str, Any]]:
    for device in Device.objects.filter(user=user).order_by("created_at"):
        yield {
            "id": str(device.id),
            "platform": device.platform,
            "name": device.name,
            "app_version": device.app_version,
            "push_token_hint": device.push_token_hint,
            "is_active": device.is_active,
            "created_at": device.created_at.isoformat(),
        }


def _sessions(user: User) -> Iterable[dict[str, Any]]:
    for session in AuthSession.objects.filter(user=user).order_by("created_at"):
        yield {
            "id": str(session.id),
            "user_agent": session.user_agent,
            "created_at": session.created_at.isoformat(),
            "refreshed_at": session.refreshed_at.isoformat() if session.refreshed_at else None,
            "revoked_at": session.revoked_at.isoformat() if session.revoked_at else None,
        }


def register_builtin_sections() -> None:
    register_section("profile", User, _profile)
    register_section("devices", Device, _devices)
    register_section("sessions", AuthSession, _sessions)
    register_not_exported(
        "token_blacklist.outstandingtoken", "refresh token texts are credentials; the sessions section lists them"
    )
    register_not_exported("admin.logentry", "audit trail of actions a staff member took in the admin")
    register_not_exported(
        "accounts.tombstonewatermark", "sync bookkeeping: how far the user's sync tombstones were purged"
    )
    register_not_exported(
        "otp_totp.totpdevice", "the secret key of a staff member's authenticator app (a credential, never exported)"
    )
    register_not_exported(
        "accounts.idempotencyrecord",
        "copies of responses to the user's own POSTs, kept IDEMPOTENCY_TTL_HOURS for retries; "
        "the records they created are in the other sections",
    )
    # The auto-created tables behind User.groups and User.user_permissions.
    for through in (User.groups.through, User.user_permissions.through):
        register_not_exported(through._meta.label_lower, "admin permission grants of staff accounts, not personal data")
