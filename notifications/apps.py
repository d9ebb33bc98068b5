from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from collections.abc import Iterator
        from typing import Any

        from accounts import export
        from accounts.models import User
        from notifications.models import Notification, NotificationPreference

        def rows(user: User) -> Iterator[dict[str, Any]]:
            for n in Notification.objects.filter(recipient=user).order_by("created_at"):
                yield {
                    "id": str(n.id),
                    "kind": n.kind,
                    "title": n.title,
                    "body": n.body,
                    "data": n.data,
                    "created_at": n.created_at.isoformat(),
                    "read_at": n.read_at.isoformat() if n.read_at else None,
                }

        def preferences(user: User) -> Iterator[dict[str, Any]]:
            for p in NotificationPreference.objects.filter(user=user):
                yield {
                    "push_enabled": p.push_enabled,
                    "muted_kinds": p.muted_kinds,
                    "quiet_hours_start": p.quiet_hours_start.isoformat() if p.quiet_hours_start else None,
                    "quiet_hours_end": p.quiet_hours_end.isoformat() if p.quiet_hours_end else None,
                    "lock_screen": p.lock_screen,
                }

        from couples.signals import couple_ended
        from notifications.reminders import reminders_stop_for_couple

        def stop_reminders(sender: Any, couple: Any, **kwargs: Any) -> None:
            reminders_stop_for_couple(couple=couple)

        # Unpairing stops the couple's reminders in the same transaction that ends the couple.
        couple_ended.connect(stop_reminders, weak=False, dispatch_uid="notifications.stop_reminders")

        export.register_section("notifications", Notification, rows)
        export.register_section("notification_preferences", NotificationPreference, preferences)
