from django.urls import URLPattern, path

from rituals.api import goals_views as v

urlpatterns: list[URLPattern] = [
    path("goals", v.GoalListApi.as_view(), name="goals"),
    path("goals/<uuid:goal_id>", v.GoalDetailApi.as_view(), name="goal-detail"),
    path("goals/<uuid:goal_id>/accept", v.GoalAcceptApi.as_view(), name="goal-accept"),
    path("goals/<uuid:goal_id>/decline", v.GoalDeclineApi.as_view(), name="goal-decline"),
    path("goals/<uuid:goal_id>/withdraw", v.GoalWithdrawApi.as_view(), name="goal-withdraw"),
    path("goals/<uuid:goal_id>/complete", v.GoalCompleteApi.as_view(), name="goal-complete"),
    path("goals/<uuid:goal_id>/abandon", v.GoalAbandonApi.as_view(), name="goal-abandon"),
]
