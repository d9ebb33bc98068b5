"""The fault suite brings its own servers: it must not touch the shared test Redis either."""

import pytest


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    """Overrides tests/conftest.py's: no cache (shared Redis) to clear here."""
