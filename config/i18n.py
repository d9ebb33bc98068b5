"""Which language the API answers in, decided in one place.

Order: the request's `Accept-Language` (its languages by preference, each with its fallback
chain), then the signed-in user's `locale`, then English. A language tag falls back along its
chain before the next candidate is tried: `pt-BR` → `pt` → (next candidate) → `en`.

`LanguageMiddleware` activates the header's language (or English) for the whole request; DRF
authenticates inside the view, so `SessionJWTAuthentication` calls `activate_for_user` once the
user is known, which switches to the user's locale only when the header named no shipped language.
Views, services and serializers then read `django.utils.translation.get_language()`.

Pushes and e-mails never use the request's language: they are rendered for their recipient with
`language_for(user.locale)` (messaging.render).
"""

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
else:
    StrOrPromise = str  # a plain or a lazy (gettext_lazy) string: an annotation only

# Set on the request by the middleware: the language the header asked for, if it named a shipped one.
_HEADER_LANGUAGE = "_header_language"


def shipped_languages() -> list[str]:
    """The language codes of settings.LANGUAGES (lower case, `en` first)."""
    return [code.lower() for code, _ in settings.LANGUAGES]


def fallback_chain(tag: str) -> list[str]:
    """A tag and its ever more general forms, lower case: `zh-Hant-TW` → zh-hant-tw, zh-hant, zh."""
    parts = tag.strip().replace("_", "-").lower().split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1) if parts[0]]


def resolve(candidates: Iterable[str | None]) -> str:
    """The first shipped language along the candidates' fallback chains, else LANGUAGE_CODE (`en`)."""
    shipped = set(shipped_languages())
    for candidate in candidates:
        for tag in fallback_chain(candidate or ""):
            if tag in shipped:
                return tag
    return settings.LANGUAGE_CODE


def _header_language(header: str) -> str | None:
    """The shipped language the Accept-Language header prefers most, or None (absent, `*`, or only
    languages we do not ship)."""
    wanted = [tag for tag, _ in parse_accept_lang_header(header) if tag != "*"]
    shipped = set(shipped_languages())
    for tag in wanted:
        for variant in fallback_chain(tag):
            if variant in shipped:
                return variant
    return None


def language_for(locale: str | None) -> str:
    """The language to write to a user in when no request says otherwise (pushes, e-mails)."""
    return resolve([locale])


def activate_for_user(request: HttpRequest, user: object) -> None:
    """Called once the request's user is known: their `locale` applies unless the header chose."""
    if getattr(request, _HEADER_LANGUAGE, None) is None:
        translation.activate(language_for(getattr(user, "locale", None)))
        request.LANGUAGE_CODE = translation.get_language()


class LanguageMiddleware:
    """Activates the response language for the request (see the module docstring) and says it in
    `Content-Language`; responses vary by `Accept-Language`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = _header_language(request.headers.get("Accept-Language", ""))
        setattr(request, _HEADER_LANGUAGE, language)
        user = getattr(request, "user", None)  # the admin's session user; API users come later
        if language is None and user is not None and user.is_authenticated:
            language = language_for(getattr(user, "locale", None))
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
            patch_vary_headers(response, ("Accept-Language",))
            return response
        finally:
            translation.deactivate()
