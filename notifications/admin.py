"""The notification outbox for support staff. List pages never show message text (it can be a
partner's private words); the change page shows it read-only for the one row being investigated."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db.models import QuerySet
from django.http import HttpRequest

from notifications.models import Notification, NotificationPreference, ReminderSchedule
from notifications.tasks import enqueue_pushes


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "recipient", "kind", "push_state", "push_attempts", "created_at", "push_sent_at", "is_read")
    list_filter = ("push_state", "kind")
    list_select_related = ("recipient",)
    search_fields = ("recipient__email", "id")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ("retry_push",)
    readonly_fields = (
        *("id", "recipient", "kind", "title", "body", "data", "dedupe_key", "created_at", "read_at"),
        *("push_state", "push_attempts", "push_last_error", "push_not_before", "push_lease_until", "push_sent_at"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(boolean=True, description="read")
    def is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None

    @admin.action(description="Retry the push of the selected failed notifications")
    def retry_push(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        failed = list(queryset.filter(push_state=Notification.PushState.FAILED).values_list("id", flat=True))
        Notification.objects.filter(id__in=failed, push_state=Notification.PushState.FAILED).update(
            push_state=Notification.PushState.PENDING, push_attempts=0, push_not_before=None, push_last_error=""
        )
        enqueue_pushes([str(pk) for pk in failed])
        # The admin's audit trail: who retried what (Django does not log custom bulk actions).
        if failed and request.user.pk is not None:
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=Notification.objects.filter(id__in=failed),
                action_flag=CHANGE,
                change_message="Push retried (admin action)",
            )
        skipped = queryset.count() - len(failed)
        self.message_user(
            request,
            f"{len(failed)} push(es) queued again."
            + (f" {skipped} selected row(s) were not failed and were left alone." if skipped else ""),
            messages.SUCCESS,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "push_enabled", "quiet_hours_start", "quiet_hours_end", "lock_screen", "updated_at")
    list_filter = ("push_enabled", "lock_screen")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    readonly_fields = ("user",)


@admin.register(ReminderSchedule)
class ReminderScheduleAdmin(admin.ModelAdmin):
    list_display = ("kind", "ritual", "date_plan", "stage", "occurrence_at", "fire_at")
    list_filter = ("kind",)
    list_select_related = ("ritual", "date_plan")
    ordering = ("fire_at",)
    readonly_fields = ("kind", "ritual", "date_plan", "stage", "occurrence_at", "fire_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
