"""The one error envelope of the API, and the exceptions services raise.

Every 4xx/5xx response under /api/ has this body::

    {"error": {"code": "validation_error", "message": "Some fields are invalid.",
               "fields": {"email": [{"code": "invalid", "message": "Enter a valid email address."}]}}}

`code` is stable and machine-readable; `message` is for humans; `fields` appears on validation
errors only, keyed by field name (nested fields use dots: `items.0.title`).

Services raise Django's `ValidationError` or an `ApplicationError` subclass, never DRF exceptions;
`api_exception_handler` turns all of them into the envelope.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.i18n import StrOrPromise


class ApplicationError(Exception):
    """A business rule refused the request. Subclasses set the status and a stable code."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code = "invalid_request"
    message: StrOrPromise = _("The request cannot be processed.")

    def __init__(
        self, message: StrOrPromise | None = None, *, code: str | None = None, extra: dict[str, Any] | None = None
    ):
        self.message = message or self.message
        if code:
            self.code = code
        self.extra = extra or {}
        super().__init__(self.message)


class ConflictError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    message: StrOrPromise = _("The resource changed; reload it and try again.")


class IdConflictError(ConflictError):
    """A create whose client-chosen id is already taken by another record (not a replay of this one).
    Says nothing about the object that holds the id, nor whose it is."""

    code = "id_conflict"
    message = _("This id is already in use. Generate a new id and try again.")


class NotFoundError(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    message: StrOrPromise = _("Not found.")


class RateLimitedError(exceptions.Throttled):
    default_code = "rate_limited"


_DEFAULT_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ValidationError: "validation_error",
    exceptions.ParseError: "parse_error",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


def envelope(code: str, message: StrOrPromise, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _flatten_field_errors(detail: Any, prefix: str = "") -> dict[str, list[dict[str, str]]]:
    """Turns DRF's nested error detail into {"dotted.field": [{"code", "message"}]}."""
    fields: dict[str, list[dict[str, str]]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_flatten_field_errors(value, name))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, value in enumerate(detail):
            if value:
                fields.update(_flatten_field_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        items = detail if isinstance(detail, list) else [detail]
        fields[prefix or "non_field_errors"] = [
            {"code": getattr(item, "code", "invalid"), "message": str(item)} for item in items
        ]
    return fields


def _validation_response(detail: Any) -> Response:
    return Response(
        envelope("validation_error", _("Some fields are invalid."), fields=_flatten_field_errors(detail)),
        status=status.HTTP_400_BAD_REQUEST,
    )


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    from config.api.outages import unavailable

    outage = unavailable(exc)
    if outage is not None:  # a dependency is down or the request ran out of time: 503, not 500
        body, retry_after = outage
        return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(retry_after)})
    if isinstance(exc, ApplicationError):
        refused = Response(envelope(exc.code, str(exc.message), **exc.extra), status=exc.status_code)
        if "retry_after" in exc.extra:
            refused["Retry-After"] = str(exc.extra["retry_after"])
        return refused
    if isinstance(exc, DjangoValidationError):
        return _validation_response(get_error_detail(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # an unexpected error: Django's handler500 answers with the envelope
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc.detail)

    code = _error_code(exc)
    message = _error_message(exc)
    extra: dict[str, Any] = {}
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        extra["retry_after"] = int(wait)
    response.data = envelope(code, message, **extra)
    return response


def _error_code(exc: exceptions.APIException) -> str:
    detail = exc.detail
    # simplejwt puts its own code ("token_not_valid") in a dict detail.
    if isinstance(detail, dict) and "code" in detail:
        return str(detail["code"])
    code = getattr(detail, "code", None)
    if code and code not in {"invalid", "error"} and code != exc.default_code:
        return str(code)
    for exc_class, default in _DEFAULT_CODES.items():
        if isinstance(exc, exc_class):
            return default
    return str(exc.default_code)


def _error_message(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        return str(detail.get("detail", exc.default_detail))
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail)
    return str(detail)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/healthz", "/readyz"))


def handler404(request: HttpRequest, exception: Exception) -> Any:
    if _wants_json(request):
        return JsonResponse(envelope("not_found", _("Not found.")), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> Any:
    from config.api.outages import current_outage_response

    # Django calls this inside its `except` block: an outage raised outside a view (a middleware, a
    # COMMIT) is still the exception being handled, and answers 503 with Retry-After.
    unavailable = current_outage_response()
    if unavailable is not None:
        return unavailable
    if _wants_json(request):
        return JsonResponse(envelope("server_error", _("Something went wrong on our side.")), status=500)
    from django.views.defaults import server_error

    return server_error(request)


def handler400(request: HttpRequest, exception: Exception) -> Any:
    if _wants_json(request):
        return JsonResponse(envelope("bad_request", _("Bad request.")), status=400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)
