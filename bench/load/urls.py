"""The production URLconf plus the baselines every endpoint is compared with (benchmark only).

- `bench/constant`: a bare Django view returning constant JSON: the floor of the stack (gunicorn,
  WSGI, the production middleware) with no authentication, database or serializer.
- `bench/one-query/<couple_id>`: a bare Django view doing one indexed query (primary key) with
  `.values()`: what "at least half the throughput of one indexed query" is measured against.
- `POST bench/one-insert/<couple_id>`: a bare Django view inserting one row (its JSON body) in a
  transaction: what "a third of the throughput of one INSERT" is measured against. The table,
  `bench_load_write` (id, couple_id, body, created_at; primary key and an index on couple_id), is the
  benchmark's own (`WRITE_TABLE`, created by the runner): no model, so plain SQL.
"""

import json
import uuid

from django.db import connection, transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

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


WRITE_TABLE = """
    CREATE TABLE IF NOT EXISTS bench_load_write (
        id uuid PRIMARY KEY, couple_id uuid NOT NULL, body jsonb NOT NULL, created_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS bench_load_write_couple ON bench_load_write (couple_id);
"""


@csrf_exempt  # no session, no cookie: like the API's token-authenticated writes
@require_POST
def one_insert(request: HttpRequest, couple_id: uuid.UUID) -> JsonResponse:
    body = json.loads(request.body or b"{}")
    row_id = uuid.uuid4()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_load_write (id, couple_id, body, created_at) VALUES (%s, %s, %s, %s)",
            [row_id, couple_id, json.dumps(body), timezone.now()],
        )
    return JsonResponse({"id": str(row_id)}, status=201)


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/constant", constant, name="bench-constant"),
    path("bench/one-query/<uuid:couple_id>", one_query, name="bench-one-query"),
    path("bench/one-insert/<uuid:couple_id>", one_insert, name="bench-one-insert"),
    *production_urlpatterns,  # type: ignore[list-item]  # config.urls leaves its list unannotated
]
