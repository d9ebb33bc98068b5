from django.urls import path

from rituals.api import nudges_views as views

urlpatterns = [
    path("nudges", views.NudgeListApi.as_view(), name="nudges"),
    path("nudges/<uuid:nudge_id>/respond", views.NudgeRespondApi.as_view(), name="nudge-respond"),
    path("nudges/<uuid:nudge_id>/seen", views.NudgeSeenApi.as_view(), name="nudge-seen"),
]
