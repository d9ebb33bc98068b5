"""The OpenAPI schema is the API's inventory: every route and method under /api/v1/ is in it.

docs/openapi.yaml is the committed copy; `scripts/checks` fails when it differs from the generated
schema (`make schema` regenerates it).
"""

import re

from django.urls import URLPattern
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import AppClient
from tests.routes import api_v1_patterns

# The schema and its Swagger UI describe the API; they are not part of it.
NOT_OPERATIONS = {"api/v1/schema/", "api/v1/docs/"}


def _api_v1_routes() -> dict[str, URLPattern]:
    """Every URL pattern under api/v1/, as its schema path (`/api/v1/rituals/{ritual_id}`)."""
    return {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route): pattern
        for route, pattern in api_v1_patterns()
        if route not in NOT_OPERATIONS
    }


def _served_methods(pattern: URLPattern) -> set[str]:
    view_class = pattern.callback.view_class  # type: ignore[attr-defined]
    return {
        method
        for method in view_class.http_method_names
        if method not in {"options", "head"} and hasattr(view_class, method)
    }


def test_every_api_route_and_method_is_in_the_schema() -> None:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    routes = _api_v1_routes()
    assert len(routes) > 40, "few routes found under api/v1/: the walk is stale"
    missing = sorted(
        f"{method.upper()} {path}"
        for path, pattern in routes.items()
        for method in _served_methods(pattern)
        if method not in paths.get(path, {})
    )
    assert not missing, f"operations missing from the OpenAPI schema: {missing}"


def test_the_schema_documents_no_route_that_does_not_exist() -> None:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert sorted(set(paths) - set(_api_v1_routes())) == []


def test_an_unpaired_user_reading_any_route_gets_a_documented_status(loner: AppClient) -> None:
    """The fuzzing runs as a paired user; this covers the other side: couple routes answer `not_paired`."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    reads = {path: operations["get"] for path, operations in paths.items() if "get" in operations and "{" not in path}
    assert len(reads) > 15, "few reads found in the schema"
    undocumented = []
    for path, operation in sorted(reads.items()):
        status_code = loner.get(path).status_code
        if str(status_code) not in operation["responses"]:
            undocumented.append(f"GET {path}: {status_code}")
    assert not undocumented, f"statuses an unpaired user gets that the schema does not document: {undocumented}"
