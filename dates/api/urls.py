from django.urls import URLPattern, path

from dates.api import views as v

urlpatterns: list[URLPattern] = [
    path("date-ideas", v.DateIdeaListApi.as_view(), name="date-ideas"),
    path("date-ideas/matches", v.DateIdeaMatchesApi.as_view(), name="date-idea-matches"),
    path("date-ideas/<uuid:idea_id>/vote", v.DateIdeaVoteApi.as_view(), name="date-idea-vote"),
    path("dates", v.DatePlanListApi.as_view(), name="dates"),
    path("dates/<uuid:plan_id>", v.DatePlanDetailApi.as_view(), name="date-detail"),
    path("dates/<uuid:plan_id>.ics", v.DatePlanIcsApi.as_view(), name="date-ics"),
    path("dates/<uuid:plan_id>/accept", v.DatePlanAcceptApi.as_view(), name="date-accept"),
    path("dates/<uuid:plan_id>/decline", v.DatePlanDeclineApi.as_view(), name="date-decline"),
    path("dates/<uuid:plan_id>/counter", v.DatePlanCounterApi.as_view(), name="date-counter"),
    path("dates/<uuid:plan_id>/withdraw", v.DatePlanWithdrawApi.as_view(), name="date-withdraw"),
    path("dates/<uuid:plan_id>/cancel", v.DatePlanCancelApi.as_view(), name="date-cancel"),
    path("dates/<uuid:plan_id>/done", v.DatePlanDoneApi.as_view(), name="date-done"),
    path("dates/<uuid:plan_id>/memory", v.DateMemoryApi.as_view(), name="date-memory"),
    path("date-memory-photos/<str:token>", v.DateMemoryPhotoApi.as_view(), name="date-memory-photo"),
    path("me/calendar-feed", v.CalendarFeedApi.as_view(), name="calendar-feed"),
    path("calendar-feeds/<str:token>.ics", v.CalendarFeedIcsApi.as_view(), name="calendar-feed-ics"),
]
