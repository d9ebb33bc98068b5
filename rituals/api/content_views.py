"""Content endpoints: the published catalogue of ritual templates and prompt decks.

Content is global, not couple-owned, so there is no couple scoping here; it still needs a signed-in
user (the default permission). Unpublished content is invisible: lists skip it, details answer 404.
"""

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.errors import NotFoundError
from config.api.requests import AuthedRequest
from rituals.api import content_serializers as s
from rituals.selectors import content as selectors


class ContentCursorPagination(CursorPagination):
    """Curated order (the admin's `ordering`, then title) with the id as the final tie-break.

    Content has no meaningful creation order, so the cursor rides on `ordering`; ties (several
    templates at the default 100) are resolved by DRF's cursor offset over a fully deterministic
    ordering, so pages never skip or repeat a row.
    """

    ordering = ("ordering", "title", "id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class RitualTemplateListApi(APIView):
    # Read by drf-spectacular only: documents the cursor envelope and its query parameters.
    pagination_class = ContentCursorPagination

    @extend_schema(
        parameters=[s.RitualTemplateListFilterInputSerializer],
        responses={200: s.RitualTemplateOutputSerializer(many=True)},
        tags=["content"],
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = s.RitualTemplateListFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        templates = selectors.ritual_templates_published(category=filters.validated_data.get("category") or None)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(templates, request, view=self)
        return paginator.get_paginated_response(s.RitualTemplateOutputSerializer(page, many=True).data)


class RitualTemplateDetailApi(APIView):
    @extend_schema(responses={200: s.RitualTemplateOutputSerializer}, tags=["content"])
    def get(self, request: AuthedRequest, template_id: UUID) -> Response:
        template = selectors.ritual_template_published(template_id=template_id)
        if template is None:
            raise NotFoundError()
        return Response(s.RitualTemplateOutputSerializer(template).data)


class PromptDeckListApi(APIView):
    pagination_class = ContentCursorPagination

    @extend_schema(responses={200: s.PromptDeckOutputSerializer(many=True)}, tags=["content"])
    def get(self, request: AuthedRequest) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.prompt_decks_published(), request, view=self)
        return paginator.get_paginated_response(s.PromptDeckOutputSerializer(page, many=True).data)


class PromptDeckDetailApi(APIView):
    @extend_schema(responses={200: s.PromptDeckDetailOutputSerializer}, tags=["content"])
    def get(self, request: AuthedRequest, deck_id: UUID) -> Response:
        deck = selectors.prompt_deck_published(deck_id=deck_id)
        if deck is None:
            raise NotFoundError()
        return Response(s.PromptDeckDetailOutputSerializer(deck).data)
