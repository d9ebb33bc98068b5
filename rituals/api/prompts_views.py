"""Daily prompt endpoints: today's question, answering it, and the couple's past questions."""

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import CreatedAtCursorPagination
from config.api.requests import AuthedRequest
from config.api.schema import NOT_PAIRED
from rituals.api import prompts_serializers as s
from rituals.models import DailyPrompt
from rituals.selectors import prompts as selectors
from rituals.services import prompts as services

NO_PROMPTS = OpenApiResponse(description="`not_paired`, or `no_prompts_available`: no published prompt to pick.")


class DailyPromptCursorPagination(CreatedAtCursorPagination):
    # One prompt per couple-day: the day is a unique, meaningful order for the couple's history.
    ordering = "-day"


def _today_response(request: AuthedRequest, daily_prompt: DailyPrompt) -> Response:
    view = selectors.daily_prompt_view(daily_prompt=daily_prompt, user=request.user)
    return Response(s.DAILY_PROMPT_OUTPUT.to_representation(view))


class PromptTodayApi(APIView):
    @extend_schema(responses={200: s.DailyPromptOutputSerializer, 404: NO_PROMPTS}, tags=["prompts"])
    def get(self, request: AuthedRequest) -> Response:
        # A GET that may create the row: the prompt of the day is chosen by whoever asks first.
        return _today_response(request, services.prompt_today_for(user=request.user, language=get_language()))


class PromptTodayAnswerApi(APIView):
    @extend_schema(
        request=s.PromptAnswerInputSerializer,
        responses={
            200: s.DailyPromptOutputSerializer,
            404: NO_PROMPTS,
            409: OpenApiResponse(
                description="`answers_revealed` (both answered: answers are final) or `prompt_day_over` "
                "(`daily_prompt_id` names an earlier day's prompt)."
            ),
        },
        tags=["prompts"],
    )
    def post(self, request: AuthedRequest) -> Response:
        data = s.PromptAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        daily_prompt = services.prompt_answer_today(user=request.user, language=get_language(), **data.validated_data)
        return _today_response(request, daily_prompt)


class PromptHistoryApi(APIView):
    pagination_class = DailyPromptCursorPagination

    @extend_schema(responses={200: s.DailyPromptOutputSerializer(many=True), 404: NOT_PAIRED}, tags=["prompts"])
    def get(self, request: AuthedRequest) -> Response:
        paginator = self.pagination_class()
        history = selectors.prompt_history(user=request.user, language=get_language())
        page = paginator.paginate_queryset(history, request, view=self)
        views = selectors.daily_prompt_views(daily_prompts=page or [], user=request.user)
        return paginator.get_paginated_response(s.DAILY_PROMPTS_OUTPUT.to_representation(views))
