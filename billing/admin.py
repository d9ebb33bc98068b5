"""Subscriptions and store events for support staff: read-only, since only the stores change them."""

from django.contrib import admin
from django.http import HttpRequest

from billing.models import StoreEvent, Subscription


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(_ReadOnly):
    list_display = ("id", "user", "store", "product_id", "status", "access_until", "will_renew", "state_signed_at")
    list_filter = ("store", "status", "environment")
    list_select_related = ("user",)
    search_fields = ("user__email", "store_id", "id")
    ordering = ("-updated_at",)


@admin.register(StoreEvent)
class StoreEventAdmin(_ReadOnly):
    list_display = ("event_id", "store", "event_type", "signed_at", "applied", "received_at", "subscription")
    list_filter = ("store", "applied")
    search_fields = ("event_id", "subscription__store_id")
    ordering = ("-received_at",)
    raw_id_fields = ("subscription",)
