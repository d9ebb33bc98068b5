from django.urls import URLPattern, path

from rituals.api import content_views as views

urlpatterns: list[URLPattern] = [
    path("ritual-templates", views.RitualTemplateListApi.as_view(), name="ritual-templates"),
    path(
        "ritual-templates/<uuid:template_id>",
        views.RitualTemplateDetailApi.as_view(),
        name="ritual-template-detail",
    ),
    path("prompt-decks", views.PromptDeckListApi.as_view(), name="prompt-decks"),
    path("prompt-decks/<uuid:deck_id>", views.PromptDeckDetailApi.as_view(), name="prompt-deck-detail"),
]
