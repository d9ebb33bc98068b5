"""The content API: the published catalogue of ritual templates and prompt decks.

Content is global (every signed-in user sees the same catalogue, paired or not) and unpublished rows
never leave the server: lists skip them, details answer 404.
"""

import itertools
import uuid
from datetime import time
from typing import Any

import pytest

from rituals.models import Prompt, PromptDeck, RitualTemplate
from rituals.models.choices import Category, LoveLanguage
from tests.conftest import AppClient

_sequence = itertools.count(1)


def make_template(**fields: Any) -> RitualTemplate:
    n = next(_sequence)
    values: dict[str, Any] = {
        "slug": f"template-{n}",
        "title": f"Template {n}",
        "description": "Do it together.",
        "why_it_helps": "Because it helps.",
        "category": Category.AFFECTION,
        "suggested_rrule": "FREQ=DAILY",
        "suggested_time": time(8, 0),
        "duration_minutes": 5,
        "love_languages": [LoveLanguage.TOUCH],
        "is_published": True,
        "ordering": 100,
    }
    return RitualTemplate.objects.create(**{**values, **fields})


def make_deck(*, prompts: int = 0, hidden_prompts: int = 0, **fields: Any) -> PromptDeck:
    n = next(_sequence)
    values: dict[str, Any] = {"slug": f"deck-{n}", "title": f"Deck {n}", "is_published": True}
    deck = PromptDeck.objects.create(**{**values, **fields})
    Prompt.objects.bulk_create(
        [Prompt(deck=deck, text=f"Question {i}?", ordering=i) for i in range(prompts)]
        + [Prompt(deck=deck, text=f"Hidden {i}?", ordering=i, is_published=False) for i in range(hidden_prompts)]
    )
    return deck


def _walk(client: AppClient, url: str) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list, following `next` links."""
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200
        items += response.json()["results"]
        next_url = response.json()["next"]
    return items


# Authentication ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["ritual-templates", "prompt-decks"])
def test_content_lists_need_a_signed_in_user(anon, path):
    response = anon.get(f"/api/v1/{path}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_content_details_need_a_signed_in_user(anon):
    template, deck = make_template(), make_deck(prompts=1)

    for url in (f"/api/v1/ritual-templates/{template.pk}", f"/api/v1/prompt-decks/{deck.pk}"):
        response = anon.get(url)
        assert response.status_code == 401, url
        assert str(template.pk) not in response.content.decode()


# Ritual templates ----------------------------------------------------------------------------------


def test_templates_list_published_ones_in_curated_order_with_every_field(me):
    later = make_template(title="B later", ordering=20)
    first = make_template(
        slug="six-second-kiss",
        title="The six-second kiss",
        description="Kiss for six seconds.",
        why_it_helps="A kiss with potential.",
        category=Category.AFFECTION,
        suggested_rrule="FREQ=WEEKLY;BYDAY=MO,TU",
        suggested_time=time(7, 45),
        duration_minutes=1,
        love_languages=[LoveLanguage.TOUCH, LoveLanguage.WORDS],
        is_joint=True,
        ordering=10,
    )
    same_order_earlier_title = make_template(title="A earlier", ordering=20)
    make_template(title="Draft", ordering=1, is_published=False)

    response = me.get("/api/v1/ritual-templates")

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [str(first.pk), str(same_order_earlier_title.pk), str(later.pk)]
    assert body["results"][0] == {
        "id": str(first.pk),
        "slug": "six-second-kiss",
        "title": "The six-second kiss",
        "description": "Kiss for six seconds.",
        "why_it_helps": "A kiss with potential.",
        "category": "affection",
        "suggested_rrule": "FREQ=WEEKLY;BYDAY=MO,TU",
        "suggested_time": "07:45:00",
        "duration_minutes": 1,
        "love_languages": ["touch", "words"],
        "is_joint": True,
        "ordering": 10,
        "locale": "en",
        "translated": False,
    }
    assert body["next"] is None
    assert body["previous"] is None


def test_a_template_without_a_suggested_time_has_null(me):
    make_template(suggested_time=None)

    assert me.get("/api/v1/ritual-templates").json()["results"][0]["suggested_time"] is None


def test_templates_filter_by_category(me):
    date_night = make_template(category=Category.DATE_NIGHT)
    make_template(category=Category.GRATITUDE)
    make_template(category=Category.DATE_NIGHT, is_published=False)

    response = me.get("/api/v1/ritual-templates", {"category": "date_night"})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(date_night.pk)]


def test_an_empty_category_filter_means_all(me):
    make_template(category=Category.DATE_NIGHT)
    make_template(category=Category.GRATITUDE)

    response = me.get("/api/v1/ritual-templates?category=")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_an_unknown_category_is_a_400_naming_the_field(me):
    response = me.get("/api/v1/ritual-templates", {"category": "naps"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [item["code"] for item in error["fields"]["category"]] == ["invalid_choice"]


def test_templates_paginate_by_cursor_without_skipping_or_repeating_ties(me):
    # Seven share the default ordering: the cursor must page through the ties deterministically.
    templates = [make_template(title=f"Ritual {i:02d}", ordering=100) for i in range(7)]
    templates += [make_template(title=f"Early {i}", ordering=5 + i) for i in range(3)]
    expected = [str(t.pk) for t in sorted(templates, key=lambda t: (t.ordering, t.title, str(t.pk)))]

    seen = [item["id"] for item in _walk(me, "/api/v1/ritual-templates?page_size=3")]

    assert seen == expected


def test_the_page_size_is_capped_at_100(me):
    RitualTemplate.objects.bulk_create(
        [
            RitualTemplate(
                slug=f"bulk-{i}", title=f"Bulk {i:03d}", description="d", why_it_helps="w", category="affection"
            )
            for i in range(105)
        ]
    )
    RitualTemplate.objects.update(is_published=True)

    response = me.get("/api/v1/ritual-templates", {"page_size": 500})

    assert len(response.json()["results"]) == 100
    assert response.json()["next"]


def test_an_unpaired_user_sees_the_catalogue_too(loner):
    template = make_template()

    assert [item["id"] for item in loner.get("/api/v1/ritual-templates").json()["results"]] == [str(template.pk)]
    assert loner.get(f"/api/v1/ritual-templates/{template.pk}").status_code == 200


def test_a_published_template_has_a_detail(me):
    template = make_template(title="Weekly date night", category=Category.DATE_NIGHT)

    response = me.get(f"/api/v1/ritual-templates/{template.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == str(template.pk)
    assert response.json()["title"] == "Weekly date night"
    assert response.json()["category"] == "date_night"


@pytest.mark.parametrize("published", [False, None])
def test_an_unpublished_or_unknown_template_is_a_404(me, published):
    target = make_template(is_published=False).pk if published is False else uuid.uuid4()

    response = me.get(f"/api/v1/ritual-templates/{target}")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


@pytest.mark.parametrize("rows", [1, 30])
def test_the_template_list_costs_two_queries_whatever_its_size(me, django_assert_num_queries, rows):
    for _ in range(rows):
        make_template()

    # 1: the token's user and session; 2: one page of templates.
    with django_assert_num_queries(2):
        response = me.get("/api/v1/ritual-templates", {"page_size": 50})

    assert len(response.json()["results"]) == rows


def test_the_template_detail_costs_two_queries(me, django_assert_num_queries):
    template = make_template()

    with django_assert_num_queries(2):
        assert me.get(f"/api/v1/ritual-templates/{template.pk}").status_code == 200


# Prompt decks --------------------------------------------------------------------------------------


def test_decks_list_published_ones_with_their_published_prompt_count(me):
    love_maps = make_deck(
        slug="love-maps", title="Love maps", kind=PromptDeck.Kind.LOVE_MAP, ordering=1, prompts=3, hidden_prompts=2
    )
    empty = make_deck(title="Empty", ordering=2)
    make_deck(title="Draft deck", ordering=0, prompts=5, is_published=False)

    response = me.get("/api/v1/prompt-decks")

    assert response.status_code == 200
    body = response.json()
    assert body["results"] == [
        {
            "id": str(love_maps.pk),
            "slug": "love-maps",
            "title": "Love maps",
            "description": "",
            "kind": "love_map",
            "ordering": 1,
            "prompt_count": 3,
            "locale": "en",
            "translated": False,
        },
        {
            "id": str(empty.pk),
            "slug": empty.slug,
            "title": "Empty",
            "description": "",
            "kind": "conversation",
            "ordering": 2,
            "prompt_count": 0,
            "locale": "en",
            "translated": False,
        },
    ]
    assert body["next"] is None


def test_a_deck_detail_lists_its_published_prompts_in_order(me):
    deck = make_deck(title="Everyday connection")
    second = Prompt.objects.create(deck=deck, text="Second?", ordering=20)
    first = Prompt.objects.create(deck=deck, text="First?", ordering=10)
    Prompt.objects.create(deck=deck, text="Hidden?", ordering=5, is_published=False)
    other_deck_prompt = Prompt.objects.create(deck=make_deck(), text="Elsewhere?", ordering=1)

    response = me.get(f"/api/v1/prompt-decks/{deck.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Everyday connection"
    assert body["prompt_count"] == 2
    assert body["prompts"] == [
        {"id": str(first.pk), "text": "First?", "ordering": 10, "locale": "en", "translated": False},
        {"id": str(second.pk), "text": "Second?", "ordering": 20, "locale": "en", "translated": False},
    ]
    assert str(other_deck_prompt.pk) not in response.content.decode()


@pytest.mark.parametrize("published", [False, None])
def test_an_unpublished_or_unknown_deck_is_a_404(me, published):
    target = make_deck(prompts=2, is_published=False).pk if published is False else uuid.uuid4()

    response = me.get(f"/api/v1/prompt-decks/{target}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "Question" not in response.content.decode()


def test_decks_paginate_by_cursor(me):
    decks = [make_deck(title=f"Deck {i:02d}", ordering=100) for i in range(5)]

    seen = [item["id"] for item in _walk(me, "/api/v1/prompt-decks?page_size=2")]

    assert seen == [str(d.pk) for d in sorted(decks, key=lambda d: (d.title, str(d.pk)))]


@pytest.mark.parametrize("rows", [1, 30])
def test_the_deck_list_costs_two_queries_whatever_its_size(me, django_assert_num_queries, rows):
    for _ in range(rows):
        make_deck(prompts=3)

    with django_assert_num_queries(2):
        response = me.get("/api/v1/prompt-decks", {"page_size": 50})

    assert [item["prompt_count"] for item in response.json()["results"]] == [3] * rows


@pytest.mark.parametrize("prompts", [1, 30])
def test_the_deck_detail_costs_three_queries_whatever_its_size(me, django_assert_num_queries, prompts):
    deck = make_deck(prompts=prompts, hidden_prompts=2)

    # 1: the token's user and session; 2: the deck with its count; 3: its published prompts.
    with django_assert_num_queries(3):
        response = me.get(f"/api/v1/prompt-decks/{deck.pk}")

    assert len(response.json()["prompts"]) == prompts
