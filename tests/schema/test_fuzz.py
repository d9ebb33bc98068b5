"""Schema-based fuzzing of every operation under /api/v1/ (schemathesis, in-process over WSGI).

Each operation gets up to MAX_EXAMPLES generated requests (valid and invalid) from the schema the
app serves, sent as a paired user who owns one object of every kind (tests/schema/world.py). Every
response must be a non-5xx with a documented status code, content type, headers and body.

Every example runs in a savepoint that is rolled back: a request that deletes the account, logs out
everywhere or unpairs cannot spoil the next one, and each example meets the same rows (fixed seed,
derandomized generation: a failure reproduces). Redis is not reset between examples, so the
rate-limited operations are also fuzzed into their documented 429.

Bounded for CI time (about 1.5 CPU-minutes for the 61 operations): schemathesis's coverage phase
(hundreds of boundary cases per operation) is off, and a failing example is reported as generated,
not shrunk; rerun one operation locally (`-k "POST and rituals"`) to investigate.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.billing.fakes import FakeGoogle, fake_google_server
from tests.schema.world import FuzzWorld, fuzz_world

MAX_EXAMPLES = 25

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261129,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none", "no-shrink": True},
        "phases": {"coverage": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=CONFIG)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def requests_in_test_transaction() -> Iterator[None]:
    """Lets the app run inside the test's transaction, as Django's test client does.

    Django closes the database connection when a request starts and ends (CONN_MAX_AGE=0); inside
    the test's transaction that would abort it. The test client unhooks this; the WSGI client
    schemathesis uses does not.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def aim_at_world(case: schemathesis.Case, world: FuzzWorld) -> None:
    """Points about half of the generated ids at the world's objects; the rest stay random (404s)."""
    for name, value in case.path_parameters.items():
        if name not in world.path_ids:
            continue
        try:
            generated = uuid.UUID(str(value))
        except ValueError:
            continue  # an invalid id on purpose: keep it
        if generated.int % 2 == 0:
            case.path_parameters[name] = world.path_ids[name]


@pytest.fixture(scope="module")
def fake_google() -> Iterator[FakeGoogle]:
    """The Play Developer API on loopback: a fuzzed purchase token is an unknown purchase (400), not an
    unreachable store (503)."""
    with fake_google_server() as fake:
        yield fake


@pytest.fixture
def world(db: None, requests_in_test_transaction: None, fake_google: FakeGoogle, settings: Any) -> FuzzWorld:
    settings.PLAY_API_BASE_URL = fake_google.url
    settings.PLAY_PUSH_JWKS_URL = f"{fake_google.url}/oauth2/v3/certs"
    return fuzz_world()


@schema.parametrize()
# The world fixture is shared by the examples of one operation on purpose: each runs in a savepoint.
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api_conforms_to_its_schema(case: schemathesis.Case, world: FuzzWorld) -> None:
    aim_at_world(case, world)
    with rolled_back():
        case.call_and_validate(headers={"Authorization": f"Bearer {world.access_token}"}, checks=CHECKS)
