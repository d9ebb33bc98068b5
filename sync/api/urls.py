from django.urls import path

from sync.api import views

urlpatterns = [
    path("sync/pull", views.SyncPullApi.as_view(), name="sync-pull"),
    path("sync/push", views.SyncPushApi.as_view(), name="sync-push"),
]
