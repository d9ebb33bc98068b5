from django.urls import path

from billing.api import views

urlpatterns = [
    path("me/entitlements", views.EntitlementApi.as_view(), name="me-entitlements"),
    path("me/purchases", views.PurchaseApi.as_view(), name="me-purchases"),
    path(
        "billing/app-store/notifications",
        views.AppStoreNotificationApi.as_view(),
        name="billing-app-store-notifications",
    ),
    path("billing/play/notifications", views.PlayNotificationApi.as_view(), name="billing-play-notifications"),
]
