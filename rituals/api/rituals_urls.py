from django.urls import URLPattern, path

from rituals.api import rituals_views as views

urlpatterns: list[URLPattern] = [
    path("rituals", views.RitualListApi.as_view(), name="rituals"),
    # Before the <uuid> route, so "today" is never read as an id.
    path("rituals/today", views.RitualsTodayApi.as_view(), name="rituals-today"),
    path("rituals/<uuid:ritual_id>", views.RitualDetailApi.as_view(), name="ritual-detail"),
    path("rituals/<uuid:ritual_id>/occurrences", views.RitualOccurrencesApi.as_view(), name="ritual-occurrences"),
    path("rituals/<uuid:ritual_id>/completions", views.RitualCompletionsApi.as_view(), name="ritual-completions"),
]
