"""Quiz endpoints (the live catalogue, submitting a quiz, a know-me quiz's couple view) and love languages."""

from uuid import UUID

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.errors import NotFoundError
from config.api.requests import AuthedRequest
from config.api.schema import NOT_PAIRED
from quizzes import selectors, services
from quizzes.api import serializers as s
from quizzes.models import Quiz
from rituals.api.content_views import ContentCursorPagination

NO_LOVE_LANGUAGES = OpenApiResponse(description="`no_love_languages`: the user has not taken the quiz yet.")


def _live_quiz_or_404(quiz_id: UUID) -> Quiz:
    quiz = selectors.quiz_live(quiz_id=quiz_id, language=get_language())
    if quiz is None:
        raise NotFoundError()
    return quiz


class QuizListApi(APIView):
    pagination_class = ContentCursorPagination

    @extend_schema(responses={200: s.QuizOutputSerializer(many=True)}, tags=["quizzes"])
    def get(self, request: AuthedRequest) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.quizzes_live(language=get_language()), request, view=self)
        return paginator.get_paginated_response(s.QuizOutputSerializer(page, many=True).data)


class QuizDetailApi(APIView):
    @extend_schema(responses={200: s.QuizDetailOutputSerializer}, tags=["quizzes"])
    def get(self, request: AuthedRequest, quiz_id: UUID) -> Response:
        return Response(s.QuizDetailOutputSerializer(_live_quiz_or_404(quiz_id)).data)


class QuizAttemptApi(APIView):
    @extend_schema(
        request=s.QuizAttemptInputSerializer,
        responses={
            201: s.QuizAttemptOutputSerializer,
            404: OpenApiResponse(description="`not_found` (no live quiz), `not_paired` (know-me quizzes)."),
            409: OpenApiResponse(description="`answers_revealed`: both partners answered this know-me quiz."),
        },
        tags=["quizzes"],
    )
    def post(self, request: AuthedRequest, quiz_id: UUID) -> Response:
        quiz = _live_quiz_or_404(quiz_id)
        data = s.QuizAttemptInputSerializer(data=request.data, context={"kind": quiz.kind})
        data.is_valid(raise_exception=True)
        answers = data.validated_data["answers"]
        if quiz.kind == Quiz.Kind.LOVE_LANGUAGE:
            result = services.love_language_quiz_submit(quiz=quiz, user=request.user, answers=answers)
            body = {"kind": quiz.kind, "love_languages": result, "know_me": None}
        else:
            services.know_me_quiz_submit(quiz=quiz, user=request.user, answers=answers)
            view = selectors.know_me_view(quiz=quiz, user=request.user)
            body = {"kind": quiz.kind, "love_languages": None, "know_me": view}
        return Response(s.QuizAttemptOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class QuizKnowMeApi(APIView):
    @extend_schema(
        responses={200: s.KnowMeOutputSerializer, 404: OpenApiResponse(description="`not_found`, `not_paired`.")},
        tags=["quizzes"],
    )
    def get(self, request: AuthedRequest, quiz_id: UUID) -> Response:
        quiz = _live_quiz_or_404(quiz_id)
        if quiz.kind != Quiz.Kind.KNOW_ME:
            raise NotFoundError()
        view = selectors.know_me_view(quiz=quiz, user=request.user, require_couple=True)
        return Response(s.KnowMeOutputSerializer(view).data)


class MeLoveLanguagesApi(APIView):
    @extend_schema(responses={200: s.LoveLanguageProfileOutputSerializer}, tags=["quizzes"])
    def get(self, request: AuthedRequest) -> Response:
        return Response(s.LoveLanguageProfileOutputSerializer(selectors.my_love_languages(user=request.user)).data)

    @extend_schema(
        request=s.LoveLanguageSharingInputSerializer,
        responses={200: s.LoveLanguageProfileOutputSerializer, 404: NO_LOVE_LANGUAGES},
        tags=["quizzes"],
    )
    def put(self, request: AuthedRequest) -> Response:
        data = s.LoveLanguageSharingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.love_language_sharing_set(user=request.user, **data.validated_data)
        return Response(s.LoveLanguageProfileOutputSerializer(selectors.LoveLanguages(profile=profile)).data)


class CoupleLoveLanguagesApi(APIView):
    @extend_schema(responses={200: s.CoupleLoveLanguagesOutputSerializer, 404: NOT_PAIRED}, tags=["quizzes"])
    def get(self, request: AuthedRequest) -> Response:
        return Response(s.CoupleLoveLanguagesOutputSerializer(selectors.couple_love_languages(user=request.user)).data)
