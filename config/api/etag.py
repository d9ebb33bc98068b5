"""ETag / If-Match: optimistic concurrency for PATCH, with the goals' conventions.

GET and PATCH answer with `ETag: "<tag>"`. A PATCH that sends `If-Match` naming a tag the resource
no longer has is refused with 412 `version_mismatch` and changes nothing. `If-Match: *` or no header
writes unconditionally. `W/"tag"`, `"tag"` and a bare `tag` are accepted, like for goals (whose
tag is their `version`); a list (`"a", "b"`) matches if any of its tags does.

The check runs on the row locked for the write, in the write's transaction, so two PATCHes sent
with the same tag cannot both pass it: the second waits for the first, sees the new tag, gets a 412.
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.request import Request

from config.api.errors import ApplicationError

Row = TypeVar("Row", bound=models.Model)

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the representation you edit: the write fails with 412 `version_mismatch` "
    "if it changed since.",
)
STALE = OpenApiResponse(description="`version_mismatch`: If-Match is stale; `etag` in the error is the current one.")


class VersionMismatchError(ApplicationError):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    code = "version_mismatch"
    message = _("This changed since you loaded it (If-Match). Reload it and try again.")

    def __init__(self, *, etag: str) -> None:
        super().__init__(extra={"etag": etag})


def etag_of(*parts: object) -> str:
    """A strong ETag over JSON-able parts (dates and UUIDs allowed): a hash, so it says nothing."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def if_match_tags(request: Request) -> set[str] | None:
    """The tags an If-Match header names, without `W/` and quotes; None without one or with `*`."""
    raw = request.headers.get("If-Match", "").strip()
    if raw in {"", "*"}:
        return None
    tags = {part.strip().removeprefix("W/").strip('"') for part in raw.split(",")}
    return {tag for tag in tags if tag}


def if_match_check(request: Request, *, etag: Callable[[Row], str]) -> Callable[[Row], None] | None:
    """The request's If-Match as a check for a write to run on the row it has locked (raising
    `VersionMismatchError`, 412, unless `etag(row)` is among the tags); None without If-Match."""
    tags = if_match_tags(request)
    if tags is None:
        return None

    def check(row: Row) -> None:
        current = etag(row)
        if _bare(current) not in tags:
            raise VersionMismatchError(etag=current)

    return check


def _bare(etag: str) -> str:
    return etag.removeprefix("W/").strip('"')


@contextmanager
def if_match_lock(
    request: Request, rows: "models.QuerySet[Row]", *, etag: Callable[[Row], str]
) -> Iterator[Row | None]:
    """Holds the write to the request's If-Match.

    Without If-Match: yields None, costs nothing; write as usual. With it: opens a transaction,
    locks the one row of `rows` and raises `VersionMismatchError` (412) unless `etag(row)` is among
    the tags; else yields the locked row, which the write must use, and commits after it.
    """
    check = if_match_check(request, etag=etag)
    if check is None:
        yield None
        return
    with transaction.atomic():
        row = rows.select_for_update().get()
        check(row)
        yield row
