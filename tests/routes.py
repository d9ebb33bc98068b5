"""The routes of the API, found by walking the URL resolver: what the meta-tests check coverage of."""

from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


def api_v1_patterns() -> list[tuple[str, URLPattern]]:
    """Every URL pattern mounted under api/v1/, with its full route (`api/v1/rituals/<uuid:ritual_id>`)."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                found.append((route, pattern))

    walk(get_resolver().url_patterns, "")
    return found
