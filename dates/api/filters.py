"""Filters of `GET date-ideas` (django-filter; exact and list lookups only, no regex)."""

import django_filters
from django.db.models import QuerySet

from dates.models import DateIdea

LOVE_LANGUAGES = [("words", "words"), ("acts", "acts"), ("gifts", "gifts"), ("time", "time"), ("touch", "touch")]


class DateIdeaFilter(django_filters.FilterSet):
    setting = django_filters.MultipleChoiceFilter(choices=DateIdea.Setting.choices)
    budget = django_filters.MultipleChoiceFilter(choices=DateIdea.Budget.choices)
    season = django_filters.ChoiceFilter(
        choices=DateIdea.Season.choices, method="filter_season", help_text="Ideas for this season (and any season)."
    )
    long_distance_friendly = django_filters.BooleanFilter()
    max_duration_minutes = django_filters.NumberFilter(field_name="duration_minutes", lookup_expr="lte", min_value=0)
    love_language = django_filters.ChoiceFilter(choices=LOVE_LANGUAGES, method="filter_love_language")
    tag = django_filters.CharFilter(max_length=40, method="filter_tag")

    class Meta:
        model = DateIdea
        fields = ["setting", "budget", "season", "long_distance_friendly"]

    def filter_season(self, queryset: QuerySet[DateIdea], name: str, value: str) -> QuerySet[DateIdea]:
        return queryset.filter(season__in=[value, DateIdea.Season.ANY])

    # JSON lists are matched on their text ('"time"' with its quotes), which SQLite and PostgreSQL
    # both answer (JSON `contains` is PostgreSQL-only, and the embedded default runs every route).
    def filter_love_language(self, queryset: QuerySet[DateIdea], name: str, value: str) -> QuerySet[DateIdea]:
        return queryset.filter(love_languages__icontains=f'"{value}"')

    def filter_tag(self, queryset: QuerySet[DateIdea], name: str, value: str) -> QuerySet[DateIdea]:
        return queryset.filter(tags__icontains=f'"{value.replace(chr(34), "")}"')
