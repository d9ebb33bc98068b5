from django.urls import path

from rituals.api import prompts_views as views

urlpatterns = [
    path("prompts/today", views.PromptTodayApi.as_view(), name="prompts-today"),
    path("prompts/today/answer", views.PromptTodayAnswerApi.as_view(), name="prompts-today-answer"),
    path("prompts/history", views.PromptHistoryApi.as_view(), name="prompts-history"),
]
