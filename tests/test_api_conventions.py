"""API conventions (DESIGN §3): one error envelope, probes, the OpenAPI schema and offline docs."""

import re
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from tests.conftest import AppClient


def _assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return body["error"]


def test_tests_run_with_debug_off():
    # The envelope of 404 and 500 comes from handler404/handler500, which Django uses only then.
    assert settings.DEBUG is False


# Error envelope ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here", "/api/v1/devices/not-a-uuid", "/api/v1/me/", "/api/v2/me", "/api/"]
)
def test_an_unknown_api_route_is_a_404_envelope(anon, path):
    error = _assert_envelope(anon.get(path), 404, "not_found")

    assert error == {"code": "not_found", "message": "Not found."}


def test_an_unknown_route_is_a_404_envelope_for_a_signed_in_user_too(me):
    _assert_envelope(me.post("/api/v1/nothing-here", {"a": 1}, format="json"), 404, "not_found")


def test_an_unknown_route_outside_the_api_is_an_html_404(anon):
    response = anon.get("/no-such-page")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path"),
    [("put", "/api/v1/me"), ("post", "/api/v1/me"), ("delete", "/api/v1/devices"), ("get", "/api/v1/auth/logout")],
)
def test_a_wrong_method_is_a_405_envelope(me, method, path):
    error = _assert_envelope(getattr(me, method)(path, {}, format="json"), 405, "method_not_allowed")

    assert method.upper() in error["message"]


def test_a_wrong_method_on_a_public_route_is_a_405_envelope(anon, db):
    _assert_envelope(anon.get("/api/v1/auth/register"), 405, "method_not_allowed")


def test_an_unhandled_error_in_a_view_is_a_500_envelope_without_details(me_user):
    client = AppClient(raise_request_exception=False).sign_in(me_user)

    with mock.patch("accounts.api.views.selectors.devices_of", side_effect=RuntimeError("secret internals")):
        response = client.get("/api/v1/devices")

    error = _assert_envelope(response, 500, "server_error")
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert error == {"code": "server_error", "message": "Something went wrong on our side."}


def test_an_unhandled_database_error_is_a_500_envelope(me_user):
    client = AppClient(raise_request_exception=False).sign_in(me_user)

    with mock.patch("accounts.api.views.user_data_export", side_effect=ConnectionError("db is gone")):
        response = client.get("/api/v1/me/export")

    _assert_envelope(response, 500, "server_error")


def test_a_request_for_a_host_not_allowed_is_a_400_envelope(anon):
    response = anon.get("/api/v1/me", HTTP_HOST="evil.example.org")

    _assert_envelope(response, 400, "bad_request")


def test_validation_errors_name_each_field(anon, db):
    response = anon.post("/api/v1/auth/register", {"email": "not-an-email"}, format="json")

    error = _assert_envelope(response, 400, "validation_error")
    assert [item["code"] for item in error["fields"]["email"]] == ["invalid"]
    assert [item["code"] for item in error["fields"]["password"]] == ["required"]


def test_a_json_body_that_is_not_an_object_is_a_400_envelope(me):
    response = me.post("/api/v1/devices", data="[1, 2]", content_type="application/json")

    error = _assert_envelope(response, 400, "validation_error")
    assert "non_field_errors" in error["fields"]


# Probes --------------------------------------------------------------------------------------------


def test_healthz_answers_without_touching_the_database(anon, db):
    with CaptureQueriesContext(connection) as captured:
        response = anon.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert captured.captured_queries == []


def test_healthz_answers_when_the_database_and_redis_are_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    client = APIClient(raise_request_exception=True)

    # No `db` fixture: pytest-django makes any database access raise here.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database_and_redis_ready(anon, db):
    response = anon.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "ok"
    assert set(body["checks"].values()) == {"ok"}


def test_readyz_is_503_when_redis_is_unreachable(anon, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = anon.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"] == "unavailable"
    assert body["checks"]["database"] == "ok"


def test_readyz_is_503_when_the_broker_is_unreachable(anon, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/1"

    response = anon.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"] == "unavailable"
    assert body["checks"]["redis"] == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(anon, db):
    with mock.patch("config.api.health.connection.cursor", side_effect=OSError("connection refused")):
        response = anon.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert "connection refused" not in response.content.decode()


# Schema and docs -----------------------------------------------------------------------------------

DOCUMENTED_PATHS = {
    "/api/v1/auth/register": {"post"},
    "/api/v1/auth/token": {"post"},
    "/api/v1/auth/token/refresh": {"post"},
    "/api/v1/auth/logout": {"post"},
    "/api/v1/auth/logout-all": {"post"},
    "/api/v1/auth/password/change": {"post"},
    "/api/v1/auth/password/reset": {"post"},
    "/api/v1/auth/password/reset/confirm": {"post"},
    "/api/v1/me": {"get", "patch", "delete"},
    "/api/v1/me/export": {"get"},
    "/api/v1/devices": {"get", "post"},
    "/api/v1/devices/{device_id}": {"delete"},
}


@pytest.fixture
def schema(anon, db) -> dict:
    response = anon.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_an_openapi_3_document(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Couples API"
    assert schema["info"]["version"] == "1.0.0"


def test_the_schema_documents_every_account_and_device_operation(schema):
    for path, methods in DOCUMENTED_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def _generate_schema() -> tuple[dict, list[str], list[str]]:
    """The schema as `manage.py spectacular` builds it, with the warnings and errors it reported."""
    GENERATOR_STATS.reset()
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return generated, list(GENERATOR_STATS._warn_cache), list(GENERATOR_STATS._error_cache)


def test_the_schema_builds_without_errors_and_validates_against_openapi_3():
    generated, _, errors = _generate_schema()

    assert errors == []
    validate_schema(generated)  # raises on a document that is not valid OpenAPI 3


def test_the_schema_builds_without_warnings():
    # A warning means a view the generator could not understand: e.g. an authentication class with
    # no OpenAPI extension, which leaves the schema without its security scheme.
    _, warnings, _ = _generate_schema()

    assert warnings == []


def test_the_schema_declares_bearer_authentication_except_on_public_routes(schema):
    schemes = schema["components"]["securitySchemes"]
    assert any(scheme.get("scheme") == "bearer" for scheme in schemes.values())
    me = schema["paths"]["/api/v1/me"]["get"]
    assert me["security"]
    assert {} not in me["security"]
    register = schema["paths"]["/api/v1/auth/register"]["post"]
    assert register.get("security", [{}]) == [{}]


def test_the_schema_is_served_as_yaml_by_default(anon, db):
    response = anon.get("/api/v1/schema/")

    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


def test_the_swagger_ui_is_served_from_local_assets(anon, db):
    response = anon.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="swagger-ui">' in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in html
    assert "/api/v1/schema/" in html
    # Nothing is fetched from a CDN: the docs work on a machine with no internet access.
    assert re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html) == []


def test_the_swagger_ui_assets_exist_in_the_installed_sidecar():
    from django.contrib.staticfiles import finders

    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "favicon-32x32.png"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"), asset
