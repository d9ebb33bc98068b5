"""Content endpoints: the live catalogue of ritual templates and prompt decks, in the reader's language.

Content is global, not couple-owned, so there is no couple scoping here; it still needs a signed-in
user (the default permission). Content that is not live (unpublished, or outside its publish window)
is invisible: lists skip it, details answer 404. The language is the request's (`get_language()`).
The lists are the same for every reader of a language, so each page is built once per process and
reused for a few seconds (config/api/shared_responses.py); `?for=partner` is the reader's own.
"""

from typing import Any
from uuid import UUID

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.api.errors import NotFoundError
from config.api.requests import AuthedRequest
from config.api.shared_responses import CONTENT
from rituals.api import content_serializers as s
from rituals.selectors import content as selectors


class ContentCursorPagination(CursorPagination):
    """Curated order (the admin's `ordering`, then title) with the id as the final tie-break.

    Content has no meaningful creation order, so the cursor rides on `ordering`; ties (several
    templates at the default 100) are resolved by DRF's cursor offset over a fully deterministic
    ordering, so pages never skip or repeat a row.
    """

    ordering: tuple[str, ...] = ("ordering", "title", "id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class PartnerFitCursorPagination(ContentCursorPagination):
    """`?for=partner`: the templates that speak the partner's top love languages first, then curated order."""

    ordering = ("-partner_fit", "ordering", "title", "id")


class RitualTemplateListApi(APIView):
    # Read by drf-spectacular only: documents the cursor envelope and its query parameters.
    pagination_class = ContentCursorPagination

    @extend_schema(
        parameters=[s.RitualTemplateListFilterForInputSerializer],
        responses={200: s.RitualTemplateOutputSerializer(many=True)},
        tags=["content"],
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = s.RitualTemplateListFilterForInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        category = filters.validated_data.get("category") or None
        if filters.validated_data.get("for") == "partner":  # the reader's partner's: not shared
            return Response(self._page(request, category, partner_of=request.user))
        return Response(CONTENT.get_or_build(request, lambda: self._page(request, category)))

    def _page(self, request: AuthedRequest, category: str | None, partner_of: User | None = None) -> Any:
        templates = selectors.ritual_templates_published(category=category, language=get_language())
        paginator: ContentCursorPagination = self.pagination_class()
        if partner_of is not None:
            templates = selectors.ritual_templates_for_partner(templates=templates, user=partner_of)
            paginator = PartnerFitCursorPagination()
        page = paginator.paginate_queryset(templates, request, view=self)
        return paginator.get_paginated_response(s.RITUAL_TEMPLATES_OUTPUT.to_representation(page)).data


class RitualTemplateDetailApi(APIView):
    @extend_schema(responses={200: s.RitualTemplateOutputSerializer}, tags=["content"])
    def get(self, request: AuthedRequest, template_id: UUID) -> Response:
        template = selectors.ritual_template_published(template_id=template_id, language=get_language())
        if template is None:
            raise NotFoundError()
        return Response(s.RitualTemplateOutputSerializer(template).data)


class PromptDeckListApi(APIView):
    pagination_class = ContentCursorPagination

    @extend_schema(responses={200: s.PromptDeckOutputSerializer(many=True)}, tags=["content"])
    def get(self, request: AuthedRequest) -> Response:
        return Response(CONTENT.get_or_build(request, lambda: self._page(request)))

    def _page(self, request: AuthedRequest) -> Any:
        paginator = self.pagination_class()
        decks = selectors.prompt_decks_published(language=get_language())
        page = paginator.paginate_queryset(decks, request, view=self)
        return paginator.get_paginated_response(s.PROMPT_DECKS_OUTPUT.to_representation(page)).data


class PromptDeckDetailApi(APIView):
    @extend_schema(responses={200: s.PromptDeckDetailOutputSerializer}, tags=["content"])
    def get(self, request: AuthedRequest, deck_id: UUID) -> Response:
        deck = selectors.prompt_deck_published(deck_id=deck_id, language=get_language())
        if deck is None:
            raise NotFoundError()
        return Response(s.PromptDeckDetailOutputSerializer(deck).data)
