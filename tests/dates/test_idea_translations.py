"""Date ideas in the reader's language: approved translations only, the locale chain, `locale` and
`translated`, the same queries as the English catalogue; the starter catalogue ships complete in
German and Spanish; the admin's translation inline, status per locale, missing filter and preview."""

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from dates.demo_content import DATE_IDEAS
from dates.demo_translations import DATE_IDEA_TRANSLATIONS
from dates.models import DateIdea, DateIdeaTranslation
from dates.selectors import ideas_published
from rituals.models.translations import ReviewStatus
from tests.factories import UserFactory

IDEAS = "/api/v1/date-ideas"
ALL = IDEAS + "?page_size=100"
ADMIN = "/admin/dates/dateidea/"
TEXTS = ("title", "description", "why_it_helps")
ENGLISH = {idea["slug"]: (idea["title"], idea["description"], idea["why_it_helps"]) for idea in DATE_IDEAS}


@pytest.fixture
def catalogue(db: None) -> None:
    call_command("load_demo_content", verbosity=0)


def _results(client: Any, language: str, path: str = ALL) -> dict[str, dict[str, Any]]:
    """The listed ideas by slug, read with this Accept-Language."""
    slugs = {str(pk): slug for pk, slug in DateIdea.objects.values_list("pk", "slug")}
    body = client.get(path, HTTP_ACCEPT_LANGUAGE=language).json()
    return {slugs[item["id"]]: item for item in body["results"]}


def _texts(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(item[field] for field in TEXTS)


def _codes(item: dict[str, Any]) -> dict[str, Any]:
    """Everything but the texts and what language they are in."""
    return {key: value for key, value in item.items() if key not in {*TEXTS, "locale", "translated"}}


def _idea(**fields: Any) -> DateIdea:
    defaults = {
        "slug": "our-idea",
        "title": "Our idea",
        "description": "Something to do.",
        "why_it_helps": "It helps.",
        "setting": DateIdea.Setting.HOME,
        "budget": DateIdea.Budget.FREE,
        "duration_minutes": 60,
        "is_published": True,
    }
    return DateIdea.objects.create(**{**defaults, **fields})


def _translate(idea: DateIdea, locale: str, status: str = ReviewStatus.APPROVED, **texts: str) -> DateIdeaTranslation:
    fields = {"title": f"Titel {locale}", "description": f"Beschreibung {locale}", "why_it_helps": f"Warum {locale}"}
    return DateIdeaTranslation.objects.create(idea=idea, locale=locale, status=status, **{**fields, **texts})


# The reader's language ------------------------------------------------------------------------------


def test_a_german_reader_gets_every_idea_in_german(me, catalogue):
    german, english = _results(me, "de-DE,de;q=0.9"), _results(me, "en")

    assert _texts(german["stargazing"]) == DATE_IDEA_TRANSLATIONS["de"]["stargazing"]
    assert (german["stargazing"]["locale"], german["stargazing"]["translated"]) == ("de", True)
    assert {(item["locale"], item["translated"]) for item in german.values()} == {("de", True)}
    # Codes, ids and the curated order never change with the language.
    assert list(german) == list(english)
    assert {slug: _codes(item) for slug, item in german.items()} == {
        slug: _codes(item) for slug, item in english.items()
    }


@pytest.mark.parametrize("header", ["en", "en-GB", "", "fr"])
def test_english_readers_and_unshipped_languages_get_the_original(me, catalogue, header):
    items = _results(me, header)

    assert {slug: _texts(item) for slug, item in items.items()} == ENGLISH
    assert {(item["locale"], item["translated"]) for item in items.values()} == {("en", False)}


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW])
def test_a_translation_not_yet_approved_never_reaches_the_app(me, status):
    idea = _idea(title="Stargazing")
    _translate(idea, "de", status=status, title="Sterne schauen")

    item = me.get(IDEAS, HTTP_ACCEPT_LANGUAGE="de").json()["results"][0]

    assert (item["title"], item["locale"], item["translated"]) == ("Stargazing", "en", False)


def test_a_regional_spanish_reader_falls_back_to_spanish(me, catalogue):
    mexican = _results(me, "es-MX,es;q=0.9")

    assert _texts(mexican["home-spa"]) == DATE_IDEA_TRANSLATIONS["es"]["home-spa"]
    assert {(item["locale"], item["translated"]) for item in mexican.values()} == {("es", True)}


def test_the_locale_chain_prefers_the_regional_translation_then_the_language_then_english(db):
    regional, language_only, untranslated = _idea(slug="a"), _idea(slug="b"), _idea(slug="c", title="Original")
    _translate(regional, "es-MX", title="México")
    _translate(regional, "es", title="España")
    _translate(language_only, "es", title="España")
    _translate(untranslated, "es-mx", status=ReviewStatus.DRAFT, title="Borrador")

    ideas: Any = ideas_published(language="es-MX")
    seen = [(i.slug, i.title_localized, i.content_locale, i.content_translated) for i in ideas]

    assert sorted(seen) == [("a", "México", "es-mx", True), ("b", "España", "es", True), ("c", "Original", "en", False)]


def test_an_approved_translation_shows_at_once_though_the_list_is_shared(me, partner):
    idea = _idea(title="Stargazing")
    assert me.get(IDEAS, HTTP_ACCEPT_LANGUAGE="de").json()["results"][0]["title"] == "Stargazing"

    translation = _translate(idea, "de", status=ReviewStatus.DRAFT, title="Sterne schauen")
    assert partner.get(IDEAS, HTTP_ACCEPT_LANGUAGE="de").json()["results"][0]["title"] == "Stargazing"
    translation.status = ReviewStatus.APPROVED
    translation.save()

    assert partner.get(IDEAS, HTTP_ACCEPT_LANGUAGE="de").json()["results"][0]["title"] == "Sterne schauen"
    # Each language has its own shared page.
    assert me.get(IDEAS, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["title"] == "Stargazing"


def test_matches_come_in_each_readers_language(me, partner, catalogue):
    idea = DateIdea.objects.get(slug="stargazing")
    for client in (me, partner):
        client.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "like"}, format="json")

    mine = me.get(IDEAS + "/matches", HTTP_ACCEPT_LANGUAGE="de").json()["results"]
    theirs = partner.get(IDEAS + "/matches", HTTP_ACCEPT_LANGUAGE="es").json()["results"]

    assert [(m["title"], m["locale"], m["translated"]) for m in mine] == [
        (DATE_IDEA_TRANSLATIONS["de"]["stargazing"][0], "de", True)
    ]
    assert [(m["title"], m["locale"], m["translated"], m["my_vote"]) for m in theirs] == [
        (DATE_IDEA_TRANSLATIONS["es"]["stargazing"][0], "es", True, "like")
    ]


def test_translated_lists_keep_their_query_counts(me, partner, catalogue, django_assert_num_queries):
    for idea in DateIdea.objects.all()[:10]:
        me.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "like"}, format="json")
        partner.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "like"}, format="json")
    me.get(IDEAS)

    # As in English (tests/dates/test_ideas.py): the session, the page with its translation joined,
    # the reader's votes; once the page is shared, the session and the votes.
    with django_assert_num_queries(3):
        body = me.get(IDEAS + "?page_size=50", HTTP_ACCEPT_LANGUAGE="de").json()
    with django_assert_num_queries(2):
        again = partner.get(IDEAS + "?page_size=50", HTTP_ACCEPT_LANGUAGE="de").json()
    with django_assert_num_queries(3):
        matches = me.get(IDEAS + "/matches", HTTP_ACCEPT_LANGUAGE="es").json()["results"]

    assert len(body["results"]) == len(DATE_IDEAS)
    assert again["results"] == body["results"]
    assert {item["locale"] for item in body["results"]} == {"de"}
    assert len(matches) == 10
    assert {item["locale"] for item in matches} == {"es"}


# The starter catalogue ------------------------------------------------------------------------------


def test_the_starter_catalogue_is_complete_in_german_and_spanish_once(catalogue):
    call_command("load_demo_content", verbosity=0)  # again: nothing added

    for locale in ("de", "es"):
        assert set(DATE_IDEA_TRANSLATIONS[locale]) == set(ENGLISH), locale
        missing = DateIdea.objects.filter(is_published=True).exclude(
            translations__locale=locale, translations__status=ReviewStatus.APPROVED
        )
        assert not missing.exists(), (locale, list(missing.values_list("slug", flat=True)))
        for slug, texts in DATE_IDEA_TRANSLATIONS[locale].items():
            assert all(text.strip() for text in texts), (locale, slug)
            assert not set(texts) & set(ENGLISH[slug]), (locale, slug)  # translated, not copied
    assert DateIdeaTranslation.objects.count() == 2 * len(DATE_IDEAS)


# The admin ------------------------------------------------------------------------------------------


@pytest.fixture
def staff(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory.create(email="editor@example.com", is_staff=True, is_superuser=True))
    return client


def test_the_list_shows_each_locales_status_and_filters_the_missing_ones(staff, catalogue):
    own = _idea(title="Our own idea")
    _translate(own, "de", status=ReviewStatus.DRAFT)

    html = staff.get(ADMIN).content.decode()
    missing_de = staff.get(ADMIN, {"missing_translation": "de"})
    missing_es = staff.get(ADMIN, {"missing_translation": "es"})

    assert "de: Approved · es: Approved" in html
    assert "de: Draft · es: missing" in html
    assert [idea.title for idea in missing_de.context["cl"].result_list] == ["Our own idea"]
    assert [idea.title for idea in missing_es.context["cl"].result_list] == ["Our own idea"]


def test_the_change_page_has_the_translation_inline_and_every_preview_locale(staff):
    idea = _idea()
    _translate(idea, "de", status=ReviewStatus.DRAFT, title="Unsere Idee")

    response = staff.get(f"{ADMIN}{idea.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="translations-TOTAL_FORMS"' in html
    assert 'value="Unsere Idee"' in html
    for locale in ("en", "de", "es"):
        assert f'href="{ADMIN}{idea.pk}/preview/{locale}/"' in html
    assert staff.get(f"{ADMIN}{idea.pk}/history/").status_code == 200


def test_preview_as_locale_shows_drafts_and_says_what_the_app_shows(staff):
    idea = _idea(title="Stargazing")
    _translate(idea, "de", status=ReviewStatus.DRAFT, title="Sterne schauen")
    _translate(idea, "es", title="Mirar las estrellas")

    draft = staff.get(f"{ADMIN}{idea.pk}/preview/de/").content.decode()
    approved = staff.get(f"{ADMIN}{idea.pk}/preview/es/").content.decode()

    assert "<strong>Sterne schauen</strong>" in draft
    assert "The de translation is draft: the app shows English until it is approved." in draft
    assert "<strong>Mirar las estrellas</strong>" in approved
    assert "The approved es translation, as the app shows it." in approved
    assert staff.get(f"{ADMIN}{idea.pk}/preview/xx/").status_code == 404
    assert Client().get(f"{ADMIN}{idea.pk}/preview/de/").status_code == 302  # sign in first


def test_an_idea_and_its_translation_added_in_the_admin_reach_a_german_reader(staff, me):
    form = {
        "title": "Sunday bakery run",
        "slug": "sunday-bakery-run",
        "description": "Walk to the bakery together.",
        "why_it_helps": "Small rituals add up.",
        "setting": "out",
        "budget": "low",
        "duration_minutes": "45",
        "season": "any",
        "love_languages": "[]",
        "tags": "[]",
        "is_published": "on",
        "ordering": "5",
        "translations-TOTAL_FORMS": "1",
        "translations-INITIAL_FORMS": "0",
        "translations-0-locale": "de",
        "translations-0-title": "Sonntags zum Bäcker",
        "translations-0-description": "Geht zusammen zum Bäcker.",
        "translations-0-why_it_helps": "Kleine Rituale summieren sich.",
        "translations-0-status": ReviewStatus.APPROVED,
    }

    response = staff.post(f"{ADMIN}add/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    item = me.get(IDEAS, HTTP_ACCEPT_LANGUAGE="de").json()["results"][0]
    assert (item["title"], item["locale"], item["translated"]) == ("Sonntags zum Bäcker", "de", True)
