"""Content in the reader's language: approved translations only, a fallback chain, `locale` and
`translated` flags, and the same query counts as the English catalogue."""

from typing import Any

import pytest

from rituals.localization import locale_chain
from rituals.models import PromptDeckTranslation, PromptTranslation, RitualTemplateTranslation
from rituals.models.translations import ReviewStatus
from rituals.selectors.content import ritual_template_published
from tests.rituals.test_content import make_deck, make_template

pytestmark = pytest.mark.django_db
APPROVED = ReviewStatus.APPROVED


def _translate_template(template, locale, status=APPROVED, title=None):
    return RitualTemplateTranslation.objects.create(
        template=template,
        locale=locale,
        status=status,
        title=title or f"{template.title} ({locale})",
        description=f"Beschreibung {locale}",
        why_it_helps=f"Warum {locale}",
    )


@pytest.mark.parametrize(
    ("language", "chain"),
    [
        ("pt-BR", ["pt-br", "pt"]),
        ("pt_br", ["pt-br", "pt"]),
        ("de", ["de"]),
        ("zh-Hant-TW", ["zh-hant-tw", "zh-hant", "zh"]),
        ("en", []),
        ("en-GB", []),
        ("", []),
        (None, []),
    ],
)
def test_the_locale_chain_goes_from_the_most_specific_tag_to_english(language, chain):
    assert locale_chain(language) == chain


def test_a_template_comes_in_the_requested_language_with_its_flags(me):
    template = make_template(title="Six-second kiss")
    _translate_template(template, "de", title="Der Sechs-Sekunden-Kuss")

    body = me.get("/api/v1/ritual-templates", HTTP_ACCEPT_LANGUAGE="de").json()["results"][0]
    detail = me.get(f"/api/v1/ritual-templates/{template.pk}", HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9").json()

    for item in (body, detail):
        assert (item["title"], item["description"], item["why_it_helps"]) == (
            "Der Sechs-Sekunden-Kuss",
            "Beschreibung de",
            "Warum de",
        )
        assert (item["locale"], item["translated"]) == ("de", True)
        assert item["slug"] == template.slug  # untranslated fields are the row's own


def test_english_readers_and_languages_without_a_translation_get_the_original(me):
    template = make_template(title="Six-second kiss")
    _translate_template(template, "de")

    for header in ("en", "es", ""):
        item = me.get("/api/v1/ritual-templates", HTTP_ACCEPT_LANGUAGE=header).json()["results"][0]
        assert (item["title"], item["locale"], item["translated"]) == ("Six-second kiss", "en", False), header


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW])
def test_a_translation_not_yet_approved_never_reaches_the_app(me, status):
    template = make_template(title="Six-second kiss")
    _translate_template(template, "es", status=status, title="Beso de seis segundos")

    item = me.get(f"/api/v1/ritual-templates/{template.pk}", HTTP_ACCEPT_LANGUAGE="es").json()

    assert (item["title"], item["locale"], item["translated"]) == ("Six-second kiss", "en", False)


def test_the_fallback_chain_prefers_the_regional_translation_then_the_language_then_english():
    regional, language_only, untranslated = make_template(), make_template(), make_template(title="Original")
    _translate_template(regional, "pt-BR", title="Brasil")
    _translate_template(regional, "pt", title="Português")
    _translate_template(language_only, "pt", title="Português")
    _translate_template(untranslated, "pt-BR", status=ReviewStatus.DRAFT, title="Rascunho")

    def seen(template):
        item: Any = ritual_template_published(template_id=template.pk, language="pt-BR")
        return item.title_localized, item.content_locale, item.content_translated

    assert seen(regional) == ("Brasil", "pt-br", True)
    assert seen(language_only) == ("Português", "pt", True)
    assert seen(untranslated) == ("Original", "en", False)


def test_locales_are_stored_lower_case_and_once_per_item():
    template = make_template()
    translation = _translate_template(template, "pt-BR")

    assert translation.locale == "pt-br"
    with pytest.raises(Exception, match="template_translation_once_per_locale"):
        _translate_template(template, "PT-br")


def test_decks_and_their_prompts_come_translated_prompt_by_prompt(me):
    deck = make_deck(prompts=2, title="Love maps")
    PromptDeckTranslation.objects.create(deck=deck, locale="es", status=APPROVED, title="Mapas del amor")
    first, second = deck.prompts.order_by("ordering")
    PromptTranslation.objects.create(prompt=first, locale="es", status=APPROVED, text="¿Pregunta 0?")
    PromptTranslation.objects.create(prompt=second, locale="es", status=ReviewStatus.DRAFT, text="¿Borrador?")

    listed = me.get("/api/v1/prompt-decks", HTTP_ACCEPT_LANGUAGE="es").json()["results"][0]
    detail = me.get(f"/api/v1/prompt-decks/{deck.pk}", HTTP_ACCEPT_LANGUAGE="es").json()

    assert (listed["title"], listed["locale"], listed["translated"], listed["prompt_count"]) == (
        "Mapas del amor",
        "es",
        True,
        2,
    )
    assert [(p["text"], p["locale"], p["translated"]) for p in detail["prompts"]] == [
        ("¿Pregunta 0?", "es", True),
        ("Question 1?", "en", False),
    ]


@pytest.mark.parametrize("rows", [1, 12])
def test_translated_lists_keep_their_query_counts(me, django_assert_num_queries, rows):
    for _ in range(rows):
        template = make_template()
        for locale in ("de", "es", "pt"):
            _translate_template(template, locale)
        deck = make_deck(prompts=3)
        PromptDeckTranslation.objects.create(deck=deck, locale="de", status=APPROVED, title="Deck de")
        for prompt in deck.prompts.all():
            PromptTranslation.objects.create(prompt=prompt, locale="de", status=APPROVED, text="Frage?")

    with django_assert_num_queries(2):
        templates = me.get("/api/v1/ritual-templates", HTTP_ACCEPT_LANGUAGE="de")
    with django_assert_num_queries(2):
        decks = me.get("/api/v1/prompt-decks", HTTP_ACCEPT_LANGUAGE="de")
    with django_assert_num_queries(2):
        me.get(f"/api/v1/ritual-templates/{template.pk}", HTTP_ACCEPT_LANGUAGE="de")
    with django_assert_num_queries(3):
        detail = me.get(f"/api/v1/prompt-decks/{deck.pk}", HTTP_ACCEPT_LANGUAGE="de")

    assert len(templates.json()["results"]) == rows
    assert {item["locale"] for item in templates.json()["results"]} == {"de"}
    assert [item["prompt_count"] for item in decks.json()["results"]] == [3] * rows  # no join fan-out
    assert {p["text"] for p in detail.json()["prompts"]} == {"Frage?"}


def test_the_daily_prompt_comes_in_the_readers_language_in_rest_and_sync(me, partner, couple):
    deck = make_deck(prompts=1, title="Love maps")
    prompt = deck.prompts.get()
    PromptTranslation.objects.create(prompt=prompt, locale="es", status=APPROVED, text="¿Qué te hizo reír hoy?")
    PromptDeckTranslation.objects.create(deck=deck, locale="es", status=APPROVED, title="Mapas del amor")

    spanish = me.get("/api/v1/prompts/today", HTTP_ACCEPT_LANGUAGE="es").json()
    english = partner.get("/api/v1/prompts/today", HTTP_ACCEPT_LANGUAGE="en").json()
    answered = me.post("/api/v1/prompts/today/answer", {"text": "Todo"}, HTTP_ACCEPT_LANGUAGE="es").json()
    pulled = me.get("/api/v1/sync/pull", HTTP_ACCEPT_LANGUAGE="es").json()["changes"]["daily_prompts"]["updated"]

    assert spanish["id"] == english["id"]  # one daily prompt for the couple, each reads it in their language
    assert spanish["prompt"] == {
        "id": str(prompt.pk),
        "text": "¿Qué te hizo reír hoy?",
        "locale": "es",
        "translated": True,
    }
    assert spanish["deck"]["title"] == "Mapas del amor"
    assert (english["prompt"]["text"], english["prompt"]["translated"], english["deck"]["title"]) == (
        "Question 0?",
        False,
        "Love maps",
    )
    assert answered["prompt"]["text"] == "¿Qué te hizo reír hoy?"
    assert [row["prompt_text"] for row in pulled] == ["¿Qué te hizo reír hoy?"]


def test_the_translated_daily_prompt_keeps_its_query_count(me, partner, couple, django_assert_num_queries):
    deck = make_deck(prompts=1)
    PromptTranslation.objects.create(prompt=deck.prompts.get(), locale="de", status=APPROVED, text="Frage?")
    me.get("/api/v1/prompts/today")  # chosen once

    # As in English (tests/rituals/test_prompts.py): session, the daily prompt joined to its
    # translations, the answers.
    with django_assert_num_queries(3):
        response = me.get("/api/v1/prompts/today", HTTP_ACCEPT_LANGUAGE="de")

    assert response.json()["prompt"]["text"] == "Frage?"
