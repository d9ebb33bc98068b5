from django.urls import URLPattern, path

from rituals.api import checkins_views as v

urlpatterns: list[URLPattern] = [
    path("check-ins", v.CheckInListApi.as_view(), name="check-ins"),
    path("check-ins/summary", v.CheckInSummaryApi.as_view(), name="check-ins-summary"),
]
