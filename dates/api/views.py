"""Date endpoints. Thin: validate, call one service or selector, serialize."""

from typing import Any, ClassVar
from uuid import UUID

from django.http import FileResponse, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.api.errors import NotFoundError
from config.api.etag import IF_MATCH, if_match_tags
from config.api.filters import FilterBackend
from config.api.pagination import CreatedAtCursorPagination
from config.api.ratelimit import client_identity, enforce_rate_limit
from config.api.renderers import JSONRenderer
from config.api.requests import AuthedRequest
from config.api.schema import NOT_PAIRED
from config.api.shared_responses import CONTENT
from couples.scoping import require_active_couple
from dates import calendars, photos
from dates import selectors as sel
from dates.api import serializers as s
from dates.api.filters import DateIdeaFilter
from dates.api.renderers import BytesApi, ICalendarRenderer, JpegRenderer
from dates.models import DateIdea, DatePlan
from dates.services import calendar_feeds, ideas, memories, plans

TAGS = ["dates"]
CONFLICT = OpenApiResponse(
    s.DatePlanErrorOutputSerializer,
    description="`invalid_transition` (not in a state that allows this, e.g. the other phone acted first), "
    "`not_your_turn` or `not_started`, with the date's current state.",
)
STALE = OpenApiResponse(s.DatePlanErrorOutputSerializer, description="`version_mismatch`: If-Match is stale.")
ICS = {(200, "text/calendar"): OpenApiTypes.BINARY}


class IdeaCursorPagination(CreatedAtCursorPagination):
    ordering = ("ordering", "id")  # type: ignore[assignment]


def _expected_version(request: AuthedRequest) -> int | None:
    tags = if_match_tags(request)
    if tags is None:
        return None
    if len(tags) != 1 or not next(iter(tags)).isdigit():
        raise serializers.ValidationError({"If-Match": [_('Send the date\'s ETag, e.g. "3".')]}, code="invalid")
    return int(next(iter(tags)))


def _plan_response(request: AuthedRequest, plan: DatePlan, status_code: int = status.HTTP_200_OK) -> Response:
    body: Any = s.DatePlanOutputSerializer(plan, context={"request": request}).data
    return Response(body, status=status_code, headers={"ETag": f'"{plan.version}"'})


class DateIdeaListApi(GenericAPIView):
    pagination_class = IdeaCursorPagination
    filter_backends = (FilterBackend,)
    filterset_class = DateIdeaFilter
    queryset = DateIdea.objects.none()  # for the schema's filter parameters; reads use the selector

    @extend_schema(responses={200: s.DateIdeaOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        # The catalogue page is every reader's of the language (shared per process for a few seconds,
        # config/api/shared_responses.py); the reader's own votes go in after.
        return Response(_with_my_votes(CONTENT.get_or_build(request, self._page), user=request.user))

    def _page(self) -> Any:
        # Ideas without a reader: `my_vote` renders null (DRF's rule for an absent nullable attribute).
        page = self.paginate_queryset(self.filter_queryset(sel.ideas_published(language=get_language())))
        return self.get_paginated_response(s.DATE_IDEAS_OUTPUT.to_representation(page or [])).data


def _with_my_votes(body: Any, *, user: User) -> dict[str, Any]:
    """A page of ideas (`my_vote` null: nobody's) with the reader's own vote on each."""
    votes = sel.my_votes(user=user, idea_ids=[UUID(item["id"]) for item in body["results"]])
    results = [{**item, "my_vote": votes.get(UUID(item["id"]))} for item in body["results"]]
    return {**body, "results": results}


class DateIdeaMatchesApi(APIView):
    pagination_class = IdeaCursorPagination

    @extend_schema(
        summary="Ideas you and your partner both liked (your passes and theirs are never shown).",
        responses={200: s.DateIdeaOutputSerializer(many=True)},
        tags=TAGS,
    )
    def get(self, request: AuthedRequest) -> Response:
        paginator = self.pagination_class()
        matches = sel.idea_matches(user=request.user, language=get_language())
        page = paginator.paginate_queryset(matches, request, view=self) or []
        body = paginator.get_paginated_response(s.DATE_IDEAS_OUTPUT.to_representation(page)).data
        return Response(_with_my_votes(body, user=request.user))


class DateIdeaVoteApi(APIView):
    @extend_schema(
        summary="Like or pass an idea, privately.",
        request=s.DateIdeaVoteInputSerializer,
        responses={200: s.DateIdeaVoteOutputSerializer},
        tags=TAGS,
    )
    def put(self, request: AuthedRequest, idea_id: UUID) -> Response:
        data = s.DateIdeaVoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vote = ideas.idea_vote(user=request.user, idea_id=idea_id, vote=data.validated_data["vote"])
        return Response(s.DateIdeaVoteOutputSerializer(vote).data)


class DatePlanListApi(APIView):
    pagination_class = CreatedAtCursorPagination

    @extend_schema(
        parameters=[s.DatePlanListQuerySerializer], responses={200: s.DatePlanOutputSerializer(many=True)}, tags=TAGS
    )
    def get(self, request: AuthedRequest) -> Response:
        query = s.DatePlanListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        statuses = sorted(query.validated_data.get("status", []))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(sel.plans_visible_to(user=request.user, statuses=statuses), request, self)
        data = s.DatePlanOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=s.DatePlanCreateInputSerializer,
        responses={
            201: s.DatePlanOutputSerializer,
            200: OpenApiResponse(s.DatePlanOutputSerializer, description="A replay of a create with the same `id`."),
            404: NOT_PAIRED,
            409: OpenApiResponse(description="`id_conflict`: the id is used by another record."),
        },
        tags=TAGS,
    )
    def post(self, request: AuthedRequest) -> Response:
        data = s.DatePlanCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        couple = require_active_couple(request.user)
        plan, created = plans.plan_propose(
            couple=couple,
            by=request.user,
            offer=_offer(v),
            title=v["title"],
            idea_id=v["idea_id"],
            ritual_id=v["ritual_id"],
            ritual_occurrence_at=v["ritual_occurrence_at"],
            id=v.get("id"),
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return _plan_response(request, sel.plan_with_details(plan), code)


def _offer(v: dict[str, Any]) -> plans.Offer:
    return plans.Offer(
        local_date=v["local_date"],
        local_time=v["local_time"],
        time_zone=v["time_zone"],
        duration_minutes=v["duration_minutes"],
        place=v["place"],
        message=v["message"],
    )


class DatePlanDetailApi(APIView):
    @extend_schema(responses={200: s.DatePlanOutputSerializer}, tags=TAGS)
    def get(self, request: AuthedRequest, plan_id: UUID) -> Response:
        return _plan_response(request, sel.plan_detail(user=request.user, plan_id=plan_id))

    @extend_schema(
        request=s.DatePlanUpdateInputSerializer,
        parameters=[IF_MATCH],
        responses={200: s.DatePlanOutputSerializer, 409: CONFLICT, 412: STALE},
        tags=TAGS,
    )
    def patch(self, request: AuthedRequest, plan_id: UUID) -> Response:
        expected = _expected_version(request)
        data = s.DatePlanUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = plans.plan_update(
            user=request.user, plan_id=plan_id, data=dict(data.validated_data), expected_version=expected
        )
        return _plan_response(request, sel.plan_with_details(plan))


class _PlanTransitionApi(APIView):
    action: ClassVar[str]

    def _transition(self, request: AuthedRequest, plan_id: UUID) -> Response:
        expected = _expected_version(request)
        plan = plans.plan_transition(user=request.user, plan_id=plan_id, action=self.action, expected_version=expected)
        return _plan_response(request, sel.plan_with_details(plan))


def _transition_schema(summary: str, request: Any = None) -> Any:
    return extend_schema(
        summary=summary,
        request=request,
        parameters=[IF_MATCH],
        responses={200: s.DatePlanOutputSerializer, 409: CONFLICT, 412: STALE},
        tags=TAGS,
    )


class DatePlanAcceptApi(_PlanTransitionApi):
    action = "accept"

    @_transition_schema("Accept the offer on the table (when it is your turn).")
    def post(self, request: AuthedRequest, plan_id: UUID) -> Response:
        return self._transition(request, plan_id)


class DatePlanDeclineApi(_PlanTransitionApi):
    action = "decline"

    @_transition_schema("Decline the offer on the table (when it is your turn).")
    def post(self, request: AuthedRequest, plan_id: UUID) -> Response:
        return self._transition(request, plan_id)


class DatePlanWithdrawApi(_PlanTransitionApi):
    action = "withdraw"

    @_transition_schema("Withdraw your proposal before it is accepted (the proposer).")
    def post(self, request: AuthedRequest, plan_id: UUID) -> Response:
        return self._transition(request, plan_id)


class DatePlanCancelApi(_PlanTransitionApi):
    action = "cancel"

    @_transition_schema("Cancel an accepted date (either partner).")
    def post(self, request: AuthedRequest, plan_id: UUID) -> Response:
        return self._transition(request, plan_id)


class DatePlanDoneApi(_PlanTransitionApi):
    action = "done"

    @_transition_schema("Mark an accepted date as done once it started (either partner).")
    def post(self, request: AuthedRequest, plan_id: UUID) -> Response:
        return self._transition(request, plan_id)


class DatePlanCounterApi(APIView):
    @_transition_schema(
        "Answer with another time or place (when it is your turn); the turn flips.", request=s.DateOfferInputSerializer
    )
    def post(self, request: AuthedRequest, plan_id: UUID) -> Response:
        expected = _expected_version(request)
        data = s.DateOfferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = plans.plan_transition(
            user=request.user,
            plan_id=plan_id,
            action="counter",
            expected_version=expected,
            offer=_offer(data.validated_data),
        )
        return _plan_response(request, sel.plan_with_details(plan))


class DateMemoryApi(APIView):
    parser_classes = (MultiPartParser, JSONParser)

    @extend_schema(
        summary="Add or edit your memory of a date: rating, note, photo (multipart for a photo).",
        request={"multipart/form-data": s.DateMemoryInputSerializer, "application/json": s.DateMemoryInputSerializer},
        responses={200: s.DateMemoryOutputSerializer, 409: CONFLICT},
        tags=TAGS,
    )
    def post(self, request: AuthedRequest, plan_id: UUID) -> Response:
        data = s.DateMemoryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        memory = memories.memory_save(user=request.user, plan_id=plan_id, **data.validated_data)
        return Response(s.DateMemoryOutputSerializer(memory, context={"request": request}).data)


class DateMemoryPhotoApi(BytesApi):
    """The photo behind a signed URL: the token is the authorization (short-lived, tamper-proof)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer, JpegRenderer)

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY, 404: None}, tags=TAGS, auth=[])
    def get(self, request: AuthedRequest, token: str) -> FileResponse:
        signed = photos.unsign(token)
        memory = sel.memory_by_id(signed[0]) if signed else None
        field = getattr(memory, signed[1], None) if memory is not None and signed else None
        if field is None or not field.name:
            raise NotFoundError()
        response = FileResponse(field.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=300"
        return response


class DatePlanIcsApi(BytesApi):
    renderer_classes = (JSONRenderer, ICalendarRenderer)

    @extend_schema(summary="The date as one iCalendar event.", responses=ICS, tags=TAGS)
    def get(self, request: AuthedRequest, plan_id: UUID) -> HttpResponse:
        plan = sel.plan_detail(user=request.user, plan_id=plan_id)
        body = calendars.plan_ics(plan)
        return _ics_response(body, f"date-{plan.pk}.ics")


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class CalendarFeedApi(APIView):
    @extend_schema(
        summary="A new secret calendar feed URL, shown once (any previous one stops working).",
        request=s.CalendarFeedInputSerializer,
        responses={201: s.CalendarFeedOutputSerializer, 429: None},
        tags=TAGS,
    )
    def post(self, request: AuthedRequest) -> Response:
        enforce_rate_limit("calendar_feed_create", str(request.user.pk))
        data = s.CalendarFeedInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = calendar_feeds.calendar_feed_create(user=request.user, **data.validated_data)
        url = request.build_absolute_uri(f"/api/v1/calendar-feeds/{token}.ics")
        body = {"url": url, "discreet": data.validated_data["discreet"]}
        return Response(s.CalendarFeedOutputSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke your calendar feed URL.", request=None, responses={204: None}, tags=TAGS)
    def delete(self, request: AuthedRequest) -> Response:
        calendar_feeds.calendar_feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedIcsApi(BytesApi):
    """The subscribed calendar: no sign-in (calendar apps cannot), the secret token is the key."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer, ICalendarRenderer)

    @extend_schema(
        summary="Your calendar feed (accepted dates, rituals).", responses={**ICS, 404: None}, tags=TAGS, auth=[]
    )
    def get(self, request: AuthedRequest, token: str) -> HttpResponse:
        enforce_rate_limit("calendar_feed_read", client_identity(request))
        # Looked up by its SHA-256 through a unique index: the time taken does not depend on how
        # much of a guessed token is right, and a wrong token is the same 404 as a revoked one.
        feed = sel.feed_by_token_hash(calendar_feeds.token_hash(token))
        if feed is None:
            raise NotFoundError()
        return _ics_response(calendars.feed_ics(user=feed.user, discreet=feed.discreet), "couples.ics")
