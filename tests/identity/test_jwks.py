"""How long a provider's key set is kept: its Cache-Control header, bounded."""

import pytest

from identity.jwks import cache_lifetime


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("public, max-age=21600, must-revalidate, no-transform", 21600),  # Google's header
        ('max-age="120"', 120),
        ("private, MAX-AGE=5", 5),
        ("no-store", 0),
        ("no-cache, max-age=600", 0),
        ("max-age=999999999", 86400),  # capped at JWKS_MAX_AGE_CAP_SECONDS
        ("public", 3600),  # nothing usable: JWKS_DEFAULT_MAX_AGE_SECONDS
        ("", 3600),
        (None, 3600),
        ("s-maxage=60", 3600),  # a shared-cache directive, not ours
    ],
)
def test_cache_lifetime(header, seconds, settings):
    settings.JWKS_MAX_AGE_CAP_SECONDS = 86400
    settings.JWKS_DEFAULT_MAX_AGE_SECONDS = 3600
    assert cache_lifetime(header) == seconds
