"""How the OpenAPI schema documents what every view shares: the error envelope and its status codes.

drf-spectacular documents what a view declares. The errors every view can answer come from shared
plumbing instead (authentication, parsing, scoping, rate limits), so `ApiAutoSchema` adds them to each
operation from what the operation itself says, rather than each view repeating them:

- 400 (`validation_error`, `parse_error`) where the operation reads a body, query or header parameters;
- 401 (`not_authenticated`, `authentication_failed`, `token_not_valid`, `session_ended`) where it
  needs a token;
- 404 (`not_found`) where the path names an object (another couple's object is a 404 too, never
  403), and on cursor-paginated lists (an invalid cursor);
- the `Idempotency-Key` header and its 400/409/422 on every POST that needs a token.

A response a view declares with a description only (409 `id_conflict`, 412 `version_mismatch`, ...)
gets the envelope as its body. The schema is committed as docs/openapi.yaml (`make schema`).
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from config.api.output import OutputSerializer


class FieldErrorOutputSerializer(OutputSerializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorOutputSerializer(OutputSerializer):
    code = serializers.CharField(help_text="Stable and machine-readable, e.g. `validation_error`, `not_found`.")
    message = serializers.CharField(help_text="For humans.")
    # The envelope's key. DRF's metaclass pops declared fields off the class, so this does not
    # shadow `Serializer.fields` at runtime; mypy only sees the class attribute.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=FieldErrorOutputSerializer(many=True),
        required=False,
        help_text="Validation errors only: per field (nested fields dotted, `items.0.title`).",
    )


class ErrorEnvelopeOutputSerializer(OutputSerializer):
    """The body of every 4xx/5xx under /api/ (config/api/errors.py). Some codes add context keys."""

    error = ErrorOutputSerializer()


# For views that call `enforce_rate_limit` (config/api/ratelimit.py): spread into `responses`.
RATE_LIMITED: dict[int, OpenApiResponse] = {
    429: OpenApiResponse(
        ErrorEnvelopeOutputSerializer,
        description="`rate_limited`: too many attempts; `retry_after` (and the Retry-After header) says "
        "how many seconds until the window resets.",
    ),
}

# For couple views whose path names no object: they answer 404 to a user without an active couple.
NOT_PAIRED = OpenApiResponse(description="`not_paired`: you are not in an active couple.")

_SHARED_ERRORS = {
    "400": "`validation_error` (with `fields`) or `parse_error` (the body is not JSON).",
    "401": "`not_authenticated`, `authentication_failed`, `token_not_valid` or `session_ended`: sign in again.",
    "404": "`not_found`: no such object, or not yours (never 403); on a list, an invalid cursor.",
    # config/api/outages.py: any endpoint, while a dependency is down or when the request runs too long.
    "503": "`service_unavailable` (the database or the queue is briefly down) or `deadline_exceeded` (the "
    "request ran out of time and was rolled back): retry after `Retry-After` seconds, with the same "
    "Idempotency-Key for a write.",
}

# config/api/idempotency.py: every authenticated POST takes the header, and answers these on misuse.
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x20-\x7e]+$"},
    "description": "A unique string per intended action (a UUID): a retry with the same key, path and body "
    "gets the first response again, with `Idempotent-Replayed: true`, without running twice.",
}
_IDEMPOTENCY_ERRORS = {
    "400": "`invalid_idempotency_key`: 1 to 255 printable ASCII characters.",
    "409": "`idempotency_key_in_progress`: the first request with this key is still running.",
    "422": "`idempotency_key_reused`: the key was used with another path or body.",
}


class ApiAutoSchema(AutoSchema):
    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        # drf-spectacular documents bodies of POST, PUT and PATCH only. A view whose DELETE reads one
        # (DELETE /me takes the password) sets `delete_has_body`; OpenAPI 3.0 allows it, if frowned on.
        if self.method == "DELETE" and getattr(self.view, "delete_has_body", False):
            self.method = "POST"
            try:
                return super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        return super()._get_request_body(direction)

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        envelope = self.resolve_serializer(ErrorEnvelopeOutputSerializer, "response").ref
        responses: dict[str, Any] = operation["responses"]
        for status_code in self._shared_error_codes(operation):
            responses.setdefault(status_code, {"description": _SHARED_ERRORS[status_code]})
        if self.method == "POST" and self._needs_token(operation):
            _document_idempotency_key(operation)
        for status_code, response in responses.items():
            if status_code >= "400" and "content" not in response:
                response["content"] = {"application/json": {"schema": envelope}}
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _shared_error_codes(self, operation: dict[str, Any]) -> list[str]:
        parameters = operation.get("parameters", [])
        codes = []
        if "requestBody" in operation or any(parameter["in"] in {"query", "header"} for parameter in parameters):
            codes.append("400")
        if self._needs_token(operation):
            codes.append("401")
        # DRF's cursor pagination answers an invalid cursor with 404.
        if any(parameter["in"] == "path" or parameter["name"] == "cursor" for parameter in parameters):
            codes.append("404")
        codes.append("503")
        return codes

    @staticmethod
    def _needs_token(operation: dict[str, Any]) -> bool:
        return any(requirement for requirement in operation.get("security", []))


def _document_idempotency_key(operation: dict[str, Any]) -> None:
    operation.setdefault("parameters", []).append({**IDEMPOTENCY_KEY})
    responses = operation["responses"]
    for status_code, description in _IDEMPOTENCY_ERRORS.items():
        if status_code in responses:
            responses[status_code]["description"] = f"{responses[status_code]['description']} Or {description}"
        else:
            responses[status_code] = {"description": description}
