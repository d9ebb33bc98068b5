"""Per-request context for logs (request id, user hash), the latency histogram and one access line."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.observability import context
from config.observability.metrics import REQUEST_LATENCY

logger = logging.getLogger("couples.access")
# A caller's (load balancer's) X-Request-ID is kept when it looks like an id, so its logs join ours.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class ObservabilityMiddleware:
    """Outermost middleware: binds the request id for every log line of the request, answers it in
    `X-Request-ID`, observes the latency by route pattern (bounded labels) and logs one access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        tokens = (context.request_id.set(rid), context.user_hash.set(""))
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False) and not context.user_hash.get():
                context.bind_user(user.pk)
            match = request.resolver_match
            route = match.route if match is not None else "<unmatched>"
            REQUEST_LATENCY.labels(route or "/", request.method, f"{response.status_code // 100}xx").observe(elapsed)
            response["X-Request-ID"] = rid
            logger.info(
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={"status": response.status_code, "duration_ms": round(elapsed * 1000, 1), "route": route},
            )
            return response
        finally:
            context.request_id.reset(tokens[0])
            context.user_hash.reset(tokens[1])
