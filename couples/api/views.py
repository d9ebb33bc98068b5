"""Pairing, the partner view and unpairing."""

from dataclasses import replace

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.errors import NotFoundError
from config.api.etag import IF_MATCH, STALE, etag_of, if_match_lock
from config.api.pagination import CreatedAtCursorPagination
from config.api.ratelimit import client_identity, enforce_rate_limit
from config.api.requests import AuthedRequest
from config.api.schema import NOT_PAIRED, RATE_LIMITED
from couples import selectors, services
from couples.api import serializers as s
from couples.models import Couple


def _couple_etag(couple: Couple) -> str:
    # The couple's own fields only: the partner's profile is not what PATCH couple edits, and their
    # local time changes every minute.
    return etag_of(couple.id, couple.status, couple.together_since, couple.time_zone)


def _couple_output(view: selectors.CoupleView, status_code: int = status.HTTP_200_OK) -> Response:
    body = s.COUPLE_OUTPUT.to_representation(view)
    return Response(body, status=status_code, headers={"ETag": _couple_etag(view.couple)})


def _couple_response(request: AuthedRequest, status_code: int = status.HTTP_200_OK) -> Response:
    return _couple_output(selectors.couple_view(user=request.user), status_code)


class InviteListApi(APIView):
    pagination_class = CreatedAtCursorPagination

    @extend_schema(responses={200: s.InviteOutputSerializer(many=True)}, tags=["couple"])
    def get(self, request: AuthedRequest) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.invites_of(user=request.user), request, view=self)
        return paginator.get_paginated_response(s.InviteOutputSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={
            201: s.InviteOutputSerializer,
            409: OpenApiResponse(description="`already_paired`, or `too_many_invites` (revoke an open one first)."),
        },
        tags=["couple"],
    )
    def post(self, request: AuthedRequest) -> Response:
        invite = services.invite_create(inviter=request.user)
        return Response(s.InviteOutputSerializer(invite).data, status=status.HTTP_201_CREATED)


class InviteDetailApi(APIView):
    @extend_schema(
        responses={204: None, 409: OpenApiResponse(description="`invite_already_used`: it was accepted.")},
        tags=["couple"],
    )
    def delete(self, request: AuthedRequest, invite_id: str) -> Response:
        invite = selectors.invites_of(user=request.user).filter(id=invite_id).first()
        if invite is None:
            raise NotFoundError()
        services.invite_revoke(invite=invite)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CoupleJoinApi(APIView):
    @extend_schema(
        request=s.CoupleJoinInputSerializer,
        responses={
            201: s.CoupleOutputSerializer,
            400: OpenApiResponse(
                description="`validation_error`, or `invite_is_own`: you cannot join your own invite."
            ),
            404: OpenApiResponse(description="`invite_not_found`: no invite has this code."),
            409: OpenApiResponse(description="`already_paired`, `inviter_already_paired` or `invite_already_used`."),
            410: OpenApiResponse(description="`invite_expired` or `invite_revoked`."),
            **RATE_LIMITED,
        },
        tags=["couple"],
    )
    def post(self, request: AuthedRequest) -> Response:
        # Counted before the code is even read: every guess costs, right or wrong.
        enforce_rate_limit("couple_join_ip", client_identity(request))
        enforce_rate_limit("couple_join_user", str(request.user.pk))
        data = s.CoupleJoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.invite_accept(code=data.validated_data["code"], user=request.user)
        return _couple_response(request, status.HTTP_201_CREATED)


class CoupleApi(APIView):
    @extend_schema(responses={200: s.CoupleOutputSerializer, 404: NOT_PAIRED}, tags=["couple"])
    def get(self, request: AuthedRequest) -> Response:
        return _couple_response(request)

    @extend_schema(
        request=s.CoupleUpdateInputSerializer,
        parameters=[IF_MATCH],
        responses={200: s.CoupleOutputSerializer, 404: NOT_PAIRED, 412: STALE},
        tags=["couple"],
    )
    def patch(self, request: AuthedRequest) -> Response:
        view = selectors.couple_view(user=request.user)
        data = s.CoupleUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with if_match_lock(request, Couple.objects.filter(pk=view.couple.pk), etag=_couple_etag) as locked:
            couple = services.couple_update(couple=locked or view.couple, data=data.validated_data)
        return _couple_output(replace(view, couple=couple))


class CoupleUnpairApi(APIView):
    @extend_schema(request=s.CoupleUnpairInputSerializer, responses={204: None, 404: NOT_PAIRED}, tags=["couple"])
    def post(self, request: AuthedRequest) -> Response:
        data = s.CoupleUnpairInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.couple_unpair(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
