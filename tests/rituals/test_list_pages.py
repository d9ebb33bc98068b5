"""GET /rituals reads its first page in plain SQL (RitualCursorPagination): the same page, the
same links and the same scoping as CursorPagination over the queryset."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api.pagination import CreatedAtCursorPagination
from couples.models import Couple
from rituals.api.rituals_views import RitualCursorPagination, RitualListApi
from rituals.selectors.rituals import newest_rituals_of, rituals_of
from tests.rituals.test_api_rituals import make_ritual

START = datetime(2026, 1, 1, tzinfo=UTC)


def paginate(paginator, user, params, first_page=None):
    request = Request(APIRequestFactory().get("/api/v1/rituals", params))
    request.user = user
    if first_page is None:
        page = paginator.paginate_queryset(rituals_of(user=user), request, view=RitualListApi())
    else:
        queryset = lambda: rituals_of(user=user)  # noqa: E731
        page = paginator.paginate(request, RitualListApi(), queryset=queryset, first_page=first_page)
    if page is None:
        return None
    ids = [str(ritual.pk) for ritual in page]
    return ids, paginator.get_paginated_response(ids).data


@pytest.mark.parametrize("count", [0, 1, 3, 20, 21, 25])
def test_the_first_page_and_its_links_equal_cursor_paginations(me_user, partner_user, couple, stranger_user, count):
    for index in range(count):
        make_ritual(couple, me_user, created_at=START + timedelta(hours=index))
    make_ritual(couple, me_user, created_at=START + timedelta(days=9), deleted_at=START)
    make_ritual(Couple.objects.get(memberships__user=stranger_user), created_at=START + timedelta(days=9))

    for user in (me_user, partner_user, stranger_user):
        for params in (
            {},
            {"page_size": "2"},
            {"page_size": "20"},
            {"page_size": "0"},
            {"page_size": "x"},
            {"page_size": "500"},
        ):
            first_page = lambda limit, user=user: newest_rituals_of(user=user, limit=limit)  # noqa: E731
            fast = paginate(RitualCursorPagination(), user, params, first_page)
            assert fast == paginate(CreatedAtCursorPagination(), user, params), (user, params)


def test_later_pages_go_through_the_queryset(me_user, couple):
    for index in range(5):
        make_ritual(couple, me_user, created_at=START + timedelta(hours=index))
    _, first = paginate(
        RitualCursorPagination(),
        me_user,
        {"page_size": "2"},
        lambda limit: list(rituals_of(user=me_user).order_by("-created_at")[:limit]),
    )
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    params = {"page_size": "2", "cursor": cursor}

    def unused(limit: int) -> list:
        raise AssertionError("a cursor page reads through the queryset")

    assert paginate(RitualCursorPagination(), me_user, params, unused) == paginate(
        CreatedAtCursorPagination(), me_user, params
    )
