"""The production URLconf plus the two baselines every endpoint is compared with (benchmark only).

- `bench/constant`: a bare Django view returning constant JSON: the floor of the stack (gunicorn,
  WSGI, the production middleware) with no authentication, database or serializer.
- `bench/one-query/<couple_id>`: a bare Django view doing one indexed query (primary key) with
  `.values()`: what "at least half the throughput of one indexed query" is measured against.
"""

from django.http import Http404, HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path

from config.urls import handler400, handler404, handler500
from config.urls import urlpatterns as production_urlpatterns
from couples.models import Couple

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]

CONSTANT = {"status": "ok", "items": [1, 2, 3]}


def constant(request: HttpRequest) -> JsonResponse:
    return JsonResponse(CONSTANT)


def one_query(request: HttpRequest, couple_id: str) -> JsonResponse:
    row = Couple.objects.filter(pk=couple_id).values("id", "status", "time_zone", "created_at").first()
    if row is None:
        raise Http404
    return JsonResponse(row)


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/constant", constant, name="bench-constant"),
    path("bench/one-query/<uuid:couple_id>", one_query, name="bench-one-query"),
    *production_urlpatterns,  # type: ignore[list-item]  # config.urls leaves its list unannotated
]
