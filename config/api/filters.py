"""The API's filter backend: django-filter's, without its cost when a request filters on nothing."""

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request


class FilterBackend(DjangoFilterBackend):
    """A request that names none of the filterset's parameters is not filtered, so the filterset (a
    Django form built and validated per request, over deep copies of its filters: a quarter of a
    `GET date-ideas`'s CPU) is only built when there is something to filter or to refuse. Filters
    never have defaults in this API, so an absent parameter never filters."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
