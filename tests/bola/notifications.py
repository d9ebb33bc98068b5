"""BOLA matrix entries of the inbox and the notification preferences."""

from notifications.models import Notification, NotificationPreference
from tests.bola.spec import Route, World


def populate(world: World) -> None:
    world.objects["notification"] = Notification.objects.create(
        recipient=world.me, kind=Notification.Kind.NUDGE, title="Sam sent you a hug", dedupe_key="victim-note"
    )
    world.objects["partner_notification"] = Notification.objects.create(
        recipient=world.partner, kind=Notification.Kind.NUDGE, title="Alex sent you a hug", dedupe_key="victim-note-2"
    )
    NotificationPreference.objects.create(user=world.me, push_enabled=False)


ROUTES: dict[str, Route] = {
    "notifications": Route(("GET",)),
    "notifications-unread-count": Route(("GET",)),
    "notifications-read-all": Route(("POST",)),
    "notification-read": Route(("POST",), object_kwargs=lambda w: {"notification_id": w.objects["notification"].pk}),
    "notification-preferences": Route(
        ("GET", "PUT"),
        bodies={
            "PUT": {
                "push_enabled": True,
                "muted_kinds": [],
                "quiet_hours_start": None,
                "quiet_hours_end": None,
                "lock_screen": "full",
            }
        },
    ),
}
