"""Validators shared by every app that stores a time zone or a locale."""

import re
import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_LOCALE_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


@lru_cache(maxsize=1)
def _known_time_zones() -> frozenset[str]:
    # "localtime" and "posixrules" are files of the tz database, not zones: they mean whatever the
    # server's zone is.
    return frozenset(zoneinfo.available_timezones() - {"localtime", "posixrules"})


def validate_time_zone(value: str) -> None:
    """Accepts IANA zone names only (`Europe/Berlin`, `UTC`), never fixed offsets like `+02:00`."""
    if value not in _known_time_zones():
        raise ValidationError(
            _("%(value)s is not a known IANA time zone (for example Europe/Berlin)."),
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_locale(value: str) -> None:
    """Accepts a BCP 47 language tag such as `en`, `pt-BR` or `zh-Hant-TW`."""
    if not _LOCALE_RE.match(value):
        raise ValidationError(
            _("%(value)s is not a language tag (for example en or pt-BR)."),
            code="invalid_locale",
            params={"value": value},
        )
