from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications", views.NotificationListApi.as_view(), name="notifications"),
    path("notifications/unread-count", views.NotificationUnreadCountApi.as_view(), name="notifications-unread-count"),
    path("notifications/read-all", views.NotificationReadAllApi.as_view(), name="notifications-read-all"),
    path("notifications/<uuid:notification_id>/read", views.NotificationReadApi.as_view(), name="notification-read"),
    path("me/notification-preferences", views.NotificationPreferencesApi.as_view(), name="notification-preferences"),
]
