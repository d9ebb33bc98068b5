"""Push-token registration."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Device, User


@transaction.atomic
def device_register(*, user: User, platform: str, push_token: str, name: str = "", app_version: str = "") -> Device:
    """Idempotent upsert on the push token: an `INSERT … ON CONFLICT DO UPDATE`, never a read-then-write.

    Registering the same token twice (a retry, or two requests racing) leaves one row with one id;
    a token registered by another account moves to this user, because a phone has one signed-in
    user. Returns the stored row, with the id and creation time of its first registration.
    """
    now = timezone.now()
    candidate = Device(
        user=user,
        platform=platform,
        push_token=push_token,
        name=name,
        app_version=app_version,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    Device.objects.bulk_create(
        [candidate],
        update_conflicts=True,
        unique_fields=["push_token"],
        update_fields=["user", "platform", "name", "app_version", "is_active", "updated_at"],
    )
    # On a conflict the upsert keeps the existing row's id and created_at, but bulk_create returns
    # only database-generated columns, and the UUID is made in Python: `candidate.id` would be an id
    # that exists nowhere. Read the row back; the upsert's row lock (held until commit) keeps a
    # concurrent registration of the same token from changing it in between.
    return Device.objects.get(push_token=push_token)


@transaction.atomic
def device_delete(*, device: Device) -> None:
    device.delete()


def devices_unregister(*, user: User, push_token: str | None = None) -> int:
    """Stops pushes to a signed-out phone (one token), or to every phone of the user (no token)."""
    devices = Device.objects.filter(user=user)
    if push_token is not None:
        devices = devices.filter(push_token=push_token)
    deleted, _ = devices.delete()
    return deleted
