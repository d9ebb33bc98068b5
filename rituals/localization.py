"""Content in the reader's language, joined in the same query as the content itself.

`locale_chain("pt-BR")` is `["pt-br", "pt"]`: the most specific tag first, then each shorter one;
English (the source, `SOURCE_LOCALE`) ends every chain implicitly, since it is the row's own text.
`localized(queryset, ...)` adds one LEFT JOIN per locale of the chain (a `FilteredRelation` on the
translation, approved ones only) and annotates, for each translated field `f`, `f_localized` (the
first translation of the chain that exists, else the English field), `content_locale` (the locale
that text is in) and `content_translated` (whether it is a translation). No extra query, whatever
the page size.
"""

from collections.abc import Sequence
from typing import Any

from django.db.models import BooleanField, Case, CharField, F, FilteredRelation, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from rituals.models.translations import SOURCE_LOCALE, ReviewStatus

# Never join more than this many translations (a tag like zh-hant-tw has three levels).
MAX_CHAIN = 3


def locale_chain(language: str | None) -> list[str]:
    """The locales to try, most specific first, without the source language: `pt-BR` -> `[pt-br, pt]`."""
    if not language:
        return []
    parts = language.replace("_", "-").lower().split("-")
    chain = ["-".join(parts[:length]) for length in range(len(parts), 0, -1)]
    return [tag for tag in chain if tag != SOURCE_LOCALE and tag.split("-")[0] != SOURCE_LOCALE][:MAX_CHAIN]


def localized(
    queryset: QuerySet,
    *,
    relation: str,
    fields: Sequence[str],
    language: str | None,
    approved_only: bool = True,
    prefix: str = "",
) -> QuerySet:
    """`queryset` with `<field>_localized`, `content_locale` and `content_translated` annotated.

    `relation` is the path to the translations from the queryset's model (`translations`, or
    `prompt__translations` from a daily prompt); `fields` are named as on the translation, and the
    source field is found at the same path without the relation's last step. `approved_only=False`
    is the admin's preview, which shows drafts too. `prefix` names the annotations (`prompt_text_localized`,
    `prompt_content_locale` …) so one queryset can carry two translated relations.
    """
    chain = locale_chain(language)
    owner = relation.rsplit("__", 1)[0] + "__" if "__" in relation else ""
    aliases = []
    for index, locale in enumerate(chain):
        condition = Q(**{f"{relation}__locale": locale})
        if approved_only:
            condition &= Q(**{f"{relation}__status": ReviewStatus.APPROVED})
        alias = f"_{prefix}translation_{index}"
        queryset = queryset.alias(**{alias: FilteredRelation(relation, condition=condition)})
        aliases.append((alias, locale))
    annotations: dict[str, Any] = {
        f"{prefix}{field}_localized": Coalesce(*[F(f"{alias}__{field}") for alias, _ in aliases], F(f"{owner}{field}"))
        if aliases
        else F(f"{owner}{field}")
        for field in fields
    }
    found = [When(**{f"{alias}__id__isnull": False}, then=Value(locale)) for alias, locale in aliases]
    annotations[f"{prefix}content_locale"] = (
        Case(*found, default=Value(SOURCE_LOCALE), output_field=CharField())
        if found
        else Value(SOURCE_LOCALE, output_field=CharField())
    )
    translated = [When(**{f"{alias}__id__isnull": False}, then=Value(True)) for alias, _ in aliases]
    annotations[f"{prefix}content_translated"] = (
        Case(*translated, default=Value(False), output_field=BooleanField())
        if translated
        else Value(False, output_field=BooleanField())
    )
    return queryset.annotate(**annotations)
