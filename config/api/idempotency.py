"""`Idempotency-Key` for every POST under /api/v1/: a retried request gets the first response.

One mechanism for every endpoint, so no view knows about it. For a POST that carries the header and
whose view authenticates its user:

- the first request claims the key (per user), runs the view and stores the response, all in ONE
  database transaction: the view's writes and the stored answer commit together or not at all. A
  5xx or a 429 is not stored (the transaction rolls back, so the client may retry with the same key);
  after any failure, a retry finds the stored answer or nothing of the first attempt;
- a retry with the same key, path and body gets the stored status, body and `ETag`/`Location`
  headers, plus `Idempotent-Replayed: true`, without running the view;
- the same key with another path or body is a 422 `idempotency_key_reused`;
- a duplicate sent while the first request still runs waits for it, then gets its answer replayed
  (a 409 `idempotency_key_in_progress` only for a claim committed without its answer, by an older
  release, until IN_PROGRESS_LEASE ends).

Without the header nothing changes and no query is added. Public endpoints (sign-up, sign-in,
refresh, password reset) have no user to scope a key to and ignore the header; so does a request
whose credentials fail (the view answers its 401 as usual). The rules live in
`accounts.services.idempotency`; records expire after IDEMPOTENCY_TTL_HOURS.

The user is resolved here by running the view's own authentication classes (SessionJWTAuthentication),
one query; the view authenticates again, so a request with the header costs that query twice. The
view runs here, in process_view, inside the claim's transaction (Django does not call it again): each
`transaction.atomic` of the services it calls becomes a savepoint (two statements more).
"""

import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.response import SimpleTemplateResponse
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from accounts.models import IdempotencyRecord, User
from accounts.services import idempotency as services
from config.api.errors import ApplicationError, envelope

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
API_PREFIX = "/api/v1/"
# Response headers that are part of the answer and replayed with it.
KEPT_HEADERS = ("Content-Type", "ETag", "Location")
_KEY = re.compile(r"[\x20-\x7e]{1,255}")


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        """Runs a keyed POST's view in place of Django, inside the key's transaction, or answers for it
        (replay, 409, 422, 400)."""
        if request.method != "POST" or not request.path.startswith(API_PREFIX):
            return None
        key = request.headers.get(HEADER)
        if key is None or getattr(getattr(view_func, "cls", None), "idempotent_by_design", False):
            return None
        user = _authenticated_user(request, view_func)
        if user is None:
            return None
        fingerprint = services.RequestFingerprint(
            method=request.method,
            path=request.get_full_path(),
            body_sha256=hashlib.sha256(request.body).hexdigest(),
        )
        if not _KEY.fullmatch(key):
            return _error_response(services.InvalidIdempotencyKeyError())
        record: IdempotencyRecord | None = None
        try:
            with transaction.atomic():
                record, claimed = services.idempotency_claim(user=user, key=key, request=fingerprint)
                if not claimed:
                    return _replay(record)
                response = view_func(request, *view_args, **view_kwargs)
                _keep_or_roll_back(record, response)
        except ApplicationError as exc:
            return _error_response(exc)
        except Exception:
            # Raised after the view answered: by COMMIT (outcome unknown) or by an after-commit hook.
            # A committed answer is the answer; otherwise the error is (a 503 for an outage).
            committed = _committed_answer(record)
            if committed is None:
                raise
            logger.exception("Idempotency-Key record %s committed, then the request failed", record and record.pk)
            return committed
        return response


def _keep_or_roll_back(record: IdempotencyRecord, response: HttpResponseBase) -> None:
    """Stores the response with the view's writes, or rolls them back with the claim (5xx, 429)."""
    if isinstance(response, SimpleTemplateResponse):
        response.render()  # Django would render it after process_view; the stored body needs it now
    if response.status_code >= 500 or response.status_code == 429:
        transaction.set_rollback(True)
        return
    try:
        body = response.content.decode() if isinstance(response, HttpResponse) else None
    except UnicodeDecodeError:
        body = None
    if body is None:  # a streamed or binary answer is not replayable: keep the writes, forget the key
        services.idempotency_release(record=record)
        return
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    services.idempotency_complete(record=record, status_code=response.status_code, body=body, headers=headers)


def _committed_answer(record: IdempotencyRecord | None) -> HttpResponse | None:
    if record is None:
        return None
    try:
        stored = IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at, completed=True).first()
    except DatabaseError:
        return None
    if stored is None:
        return None
    response = _replay(stored)
    del response[REPLAYED_HEADER]  # it is the first answer, not a replay
    return response


def _authenticated_user(request: HttpRequest, view_func: Callable[..., Any]) -> User | None:
    """The user the view's own authentication classes find, or None (public view, bad credentials)."""
    view_class = getattr(view_func, "cls", None)  # set by APIView.as_view()
    authentication_classes = getattr(view_class, "authentication_classes", ())
    if not authentication_classes:
        return None
    drf_request = Request(request, authenticators=[authentication() for authentication in authentication_classes])
    try:
        user = drf_request.user
    except APIException:
        return None
    return user if isinstance(user, User) else None


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(record.response_body, status=record.response_status)
    if "Content-Type" not in record.response_headers:
        del response["Content-Type"]  # a bodiless answer (204) had none
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _error_response(exc: ApplicationError) -> JsonResponse:
    response = JsonResponse(envelope(exc.code, str(exc.message), **exc.extra), status=exc.status_code)
    if "retry_after" in exc.extra:
        response["Retry-After"] = str(exc.extra["retry_after"])
    return response
