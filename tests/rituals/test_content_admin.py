"""The content team's admin: search, filters, list editing, the preview, and who may use it."""

from datetime import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rituals.admin.content import schedule_in_words
from rituals.models import Prompt, PromptDeck, RitualTemplate
from rituals.models.choices import Category, LoveLanguage
from tests.factories import UserFactory
from tests.rituals.test_content import make_deck, make_template

TEMPLATES = "/admin/rituals/ritualtemplate/"
DECKS = "/admin/rituals/promptdeck/"
PROMPTS = "/admin/rituals/prompt/"


@pytest.fixture
def staff(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory.create(email="editor@example.com", is_staff=True, is_superuser=True))
    return client


def _listed(response: Any) -> list[Any]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def _template_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Weekly date night",
        "slug": "weekly-date-night",
        "category": Category.DATE_NIGHT,
        "description": "Two hours for the two of you.",
        "why_it_helps": "Part of the magic six hours.",
        "suggested_rrule": "FREQ=WEEKLY;BYDAY=FR",
        "suggested_time": "19:30",
        "duration_minutes": "120",
        "love_languages": [LoveLanguage.TIME, LoveLanguage.WORDS],
        "is_joint": "on",
        "is_published": "on",
        "ordering": "10",
    }
    data.update({"translations-TOTAL_FORMS": "0", "translations-INITIAL_FORMS": "0"})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Who may use it ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [TEMPLATES, DECKS, PROMPTS, f"{TEMPLATES}add/"])
def test_a_signed_in_app_user_who_is_not_staff_is_sent_to_the_login_page(db, path):
    client = Client()
    client.force_login(UserFactory.create(email="member@example.com"))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(f"/admin/login/?next={path}")


def test_an_anonymous_visitor_is_sent_to_the_login_page(db):
    response = Client().get(TEMPLATES)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Ritual templates ----------------------------------------------------------------------------------


def test_the_template_changelist_shows_the_schedule_in_words(staff):
    make_template(title="Weekly state of the union", suggested_rrule="FREQ=WEEKLY;BYDAY=SU", suggested_time=time(19))

    response = staff.get(TEMPLATES)

    assert response.status_code == 200
    assert "Weekly state of the union" in response.content.decode()
    assert "Every Sunday at 19:00" in response.content.decode()


def test_the_template_changelist_searches_title_and_research_text(staff):
    hug = make_template(title="Twenty-second hug", why_it_helps="Oxytocin and calm.")
    make_template(title="Date night")

    assert _listed(staff.get(TEMPLATES, {"q": "twenty"})) == [hug]
    assert _listed(staff.get(TEMPLATES, {"q": "oxytocin"})) == [hug]


def test_the_template_changelist_filters_by_category_published_and_love_language(staff):
    date = make_template(title="Date", category=Category.DATE_NIGHT, love_languages=[LoveLanguage.TIME])
    hug = make_template(title="Hug", category=Category.AFFECTION, love_languages=[LoveLanguage.TOUCH])
    draft = make_template(
        title="Draft", category=Category.AFFECTION, love_languages=[LoveLanguage.TOUCH, LoveLanguage.TIME]
    )
    draft.is_published = False
    draft.save()

    assert _listed(staff.get(TEMPLATES, {"category": "date_night"})) == [date]
    assert _listed(staff.get(TEMPLATES, {"is_published__exact": "0"})) == [draft]
    assert set(_listed(staff.get(TEMPLATES, {"love_language": "touch"}))) == {hug, draft}
    assert set(_listed(staff.get(TEMPLATES, {"love_language": "time"}))) == {date, draft}
    assert _listed(staff.get(TEMPLATES, {"love_language": "gifts"})) == []
    assert _listed(staff.get(TEMPLATES, {"love_language": '"touch"'})) == []


def test_list_editing_saves_ordering_and_published(staff):
    first = make_template(title="First", ordering=10)
    second = make_template(title="Second", ordering=20)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": str(first.pk),
        "form-0-ordering": "30",
        # form-0-is_published left out: an unticked checkbox unpublishes
        "form-1-id": str(second.pk),
        "form-1-ordering": "5",
        "form-1-is_published": "on",
        "_save": "Save",
    }

    response = staff.post(TEMPLATES, data)

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.ordering, first.is_published) == (30, False)
    assert (second.ordering, second.is_published) == (5, True)


def test_the_preview_renders_the_template_as_the_app_shows_it(staff):
    template = make_template(
        title="Weekly state of the union",
        category=Category.STATE_OF_THE_UNION,
        description="Start with appreciations.\n\nThen one issue each.",
        why_it_helps="Small grievances stay small.",
        suggested_rrule="FREQ=WEEKLY;BYDAY=SU",
        suggested_time=time(19, 0),
        duration_minutes=60,
        love_languages=[LoveLanguage.TIME, LoveLanguage.WORDS],
        is_joint=True,
    )

    html = staff.get(f"{TEMPLATES}{template.pk}/change/").content.decode()

    assert "As the app shows it" in html
    assert "<strong>Weekly state of the union</strong>" in html
    assert "State of the union &middot; Together &middot; 1 h" in html
    assert "<p>Start with appreciations.</p><p>Then one issue each.</p>" in html
    assert "<p>Small grievances stay small.</p>" in html
    assert "Every Sunday at 19:00" in html
    assert "Quality time, Words of affirmation" in html
    assert "Draft: not shown" not in html
    assert "<em></em>" not in html


def test_the_preview_of_a_draft_says_it_is_not_published(staff):
    template = make_template(is_published=False, duration_minutes=90)

    html = staff.get(f"{TEMPLATES}{template.pk}/change/").content.decode()

    assert "<p><em>Draft: not shown in the app until published.</em></p>" in html
    assert "&middot; 1 h 30 min</p>" in html


def test_the_preview_escapes_html_typed_into_the_content(staff):
    template = make_template(
        title="<script>alert('title')</script>",
        description="<img src=x onerror=alert(1)>",
        why_it_helps="<b>bold</b> & brave",
    )

    html = staff.get(f"{TEMPLATES}{template.pk}/change/").content.decode()

    assert "<script>alert(" not in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html
    assert "<strong>&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;</strong>" in html
    assert "<p>&lt;img src=x onerror=alert(1)&gt;</p>" in html
    assert "<p>&lt;b&gt;bold&lt;/b&gt; &amp; brave</p>" in html


def test_the_add_page_asks_to_save_before_previewing(staff):
    response = staff.get(f"{TEMPLATES}add/")

    assert response.status_code == 200
    assert "Save the template to see the preview." in response.content.decode()


def test_the_form_stores_the_rule_in_canonical_form(staff):
    pytest.importorskip("rituals.recurrence", reason="the canonical form comes from rituals.recurrence")
    response = staff.post(f"{TEMPLATES}add/", _template_form(suggested_rrule=" freq=weekly;interval=1;byday=fr "))

    assert response.status_code == 302
    assert RitualTemplate.objects.get().suggested_rrule == "FREQ=WEEKLY;BYDAY=FR"


def test_adding_a_template_saves_love_languages_as_codes(staff):
    response = staff.post(f"{TEMPLATES}add/", _template_form(love_languages=["words", "time"]))

    assert response.status_code == 302
    template = RitualTemplate.objects.get(slug="weekly-date-night")
    assert template.love_languages == ["words", "time"]  # in LoveLanguage order
    assert template.suggested_time == time(19, 30)
    assert template.is_published is True


@pytest.mark.parametrize("rrule", ["FREQ=YEARLY", "every sunday", "FREQ=WEEKLY;BYHOUR=9"])
def test_an_unsupported_rrule_is_refused_by_the_form(staff, rrule):
    response = staff.post(f"{TEMPLATES}add/", _template_form(suggested_rrule=rrule))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["suggested_rrule"]
    assert not RitualTemplate.objects.exists()


def test_an_unknown_love_language_is_refused_by_the_form(staff):
    response = staff.post(f"{TEMPLATES}add/", _template_form(love_languages=["telepathy"]))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["love_languages"]
    assert not RitualTemplate.objects.exists()


@pytest.mark.parametrize(
    ("rrule", "at", "words"),
    [
        ("FREQ=DAILY", time(7, 45), "Every day at 07:45"),
        ("FREQ=DAILY;INTERVAL=2", None, "Every 2 days"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(18, 30), "Every weekday at 18:30"),
        ("FREQ=WEEKLY;BYDAY=TU,TH,SU", None, "Every Tuesday, Thursday and Sunday"),
        ("FREQ=WEEKLY;INTERVAL=4;BYDAY=SA", time(10), "Every 4 weeks on Saturday at 10:00"),
        ("FREQ=MONTHLY;COUNT=12", None, "Every month, 12 times"),
        ("FREQ=MONTHLY;BYDAY=1SA", time(10), "Every month on the first Saturday at 10:00"),
        ("FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR", None, "Every 2 months on the last Friday"),
        ("FREQ=MONTHLY;BYDAY=9SA", None, "FREQ=MONTHLY;BYDAY=9SA"),
        ("FREQ=WEEKLY;UNTIL=20261231T000000Z", None, "Every week, until 2026-12-31"),
        ("FREQ=HOURLY", None, "FREQ=HOURLY"),
    ],
)
def test_schedule_in_words(rrule, at, words):
    assert schedule_in_words(rrule, at) == words


# Prompt decks and prompts --------------------------------------------------------------------------


def test_the_deck_changelist_searches_filters_and_counts_prompts(staff):
    love_maps = make_deck(title="Love maps", kind=PromptDeck.Kind.LOVE_MAP, prompts=3, hidden_prompts=1)
    make_deck(title="Everyday connection", prompts=2)

    response = staff.get(DECKS, {"q": "love"})

    assert _listed(response) == [love_maps]
    assert "3 / 4" in response.content.decode()
    assert _listed(staff.get(DECKS, {"kind__exact": "love_map"})) == [love_maps]


def test_the_deck_changelist_costs_the_same_queries_for_1_or_30_decks(staff):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(DECKS).status_code == 200
        return len(captured)

    make_deck(prompts=2)
    one = count()
    for _ in range(29):
        make_deck(prompts=2)

    assert count() == one


def test_deck_list_editing_saves_ordering_and_published(staff):
    deck = make_deck(ordering=10)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(deck.pk),
        "form-0-ordering": "3",
        "_save": "Save",
    }

    assert staff.post(DECKS, data).status_code == 302
    deck.refresh_from_db()
    assert (deck.ordering, deck.is_published) == (3, False)


def test_the_deck_preview_lists_published_prompts_escaped(staff):
    deck = make_deck(title="<i>Love</i> maps", kind=PromptDeck.Kind.LOVE_MAP)
    Prompt.objects.create(deck=deck, text="Who is your <b>closest</b> friend?", ordering=2)
    Prompt.objects.create(deck=deck, text="What is worrying you?", ordering=1)
    Prompt.objects.create(deck=deck, text="Hidden question", ordering=0, is_published=False)

    html = staff.get(f"{DECKS}{deck.pk}/change/").content.decode()

    assert "<strong>&lt;i&gt;Love&lt;/i&gt; maps</strong>" in html
    assert "Love map questions &middot; 2 published prompts" in html
    assert "<ol><li>What is worrying you?</li><li>Who is your &lt;b&gt;closest&lt;/b&gt; friend?</li></ol>" in html
    assert "<li>Hidden question</li>" not in html


def test_prompts_are_edited_inline_on_the_deck(staff):
    deck = make_deck(title="Everyday connection", slug="everyday-connection")
    data = {
        "title": "Everyday connection",
        "slug": "everyday-connection",
        "kind": "conversation",
        "description": "",
        "is_published": "on",
        "ordering": "1",
        "prompts-TOTAL_FORMS": "1",
        "prompts-INITIAL_FORMS": "0",
        "prompts-MIN_NUM_FORMS": "0",
        "prompts-MAX_NUM_FORMS": "1000",
        "prompts-0-text": "What made you laugh today?",
        "prompts-0-is_published": "on",
        "prompts-0-ordering": "10",
        "prompts-0-deck": str(deck.pk),
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
    }

    response = staff.post(f"{DECKS}{deck.pk}/change/", data)

    assert response.status_code == 302
    assert list(deck.prompts.values_list("text", "is_published", "ordering")) == [
        ("What made you laugh today?", True, 10)
    ]


def test_the_prompt_changelist_searches_filters_and_edits(staff):
    love_maps = make_deck(title="Love maps", kind=PromptDeck.Kind.LOVE_MAP)
    everyday = make_deck(title="Everyday")
    dream = Prompt.objects.create(deck=love_maps, text="What is a dream you have?", ordering=1)
    laugh = Prompt.objects.create(deck=everyday, text="What made you laugh?", ordering=1)

    assert _listed(staff.get(PROMPTS, {"q": "dream"})) == [dream]
    assert _listed(staff.get(PROMPTS, {"deck__kind__exact": "love_map"})) == [dream]
    assert _listed(staff.get(PROMPTS, {"deck__id__exact": str(everyday.pk)})) == [laugh]

    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(laugh.pk),
        "form-0-ordering": "7",
        "_save": "Save",
    }
    assert staff.post(f"{PROMPTS}?q=laugh", data).status_code == 302
    laugh.refresh_from_db()
    assert (laugh.ordering, laugh.is_published) == (7, False)
