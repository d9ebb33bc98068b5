"""`manage.py load_demo_content` (run by `make run`): the starter catalogue, loaded idempotently."""

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.validators import validate_slug

from dates.demo_content import DATE_IDEAS
from rituals.demo_content import PROMPT_DECKS, RITUAL_TEMPLATES
from rituals.models import Prompt, PromptDeck, RitualTemplate
from rituals.models.choices import Category, LoveLanguage

# The rituals the product promises (issue 4), by the slug the demo content gives them.
PROMISED_RITUALS = {
    "twenty-second-hug",
    "six-second-kiss",
    "weekly-date-night",
    "state-of-the-union",
    "daily-appreciation",
    "stress-reducing-conversation",
    "parting-question",
    "bedtime-hug",
    "tech-free-dinner",
    "weekend-adventure",
    "active-listening",
    "three-good-things",
    "shared-values-talk",
}
# The subset in canonical order; numbered BYDAY days (1SA, -1FR) only with MONTHLY.
_DAY = r"(MO|TU|WE|TH|FR|SA|SU)"
SUPPORTED_RRULE = re.compile(
    r"^(FREQ=(DAILY|WEEKLY|MONTHLY)(;INTERVAL=[1-9]\d*)?(;BYDAY=" + _DAY + r"(," + _DAY + r")*)?"
    r"|FREQ=MONTHLY(;INTERVAL=[1-9]\d*)?;BYDAY=-?[1-5]" + _DAY + r"(,-?[1-5]" + _DAY + r")*)"
    r"(;COUNT=[1-9]\d*|;UNTIL=\d{8}(T\d{6}Z)?)?$"
)


def _load() -> str:
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    return out.getvalue()


def _snapshot() -> list[list[Any]]:
    """Every content row; `updated_at` left out since auto_now touches it on every save."""
    templates = [
        {key: value for key, value in row.items() if key != "updated_at"}
        for row in RitualTemplate.objects.order_by("slug").values()
    ]
    return [
        templates,
        list(PromptDeck.objects.order_by("slug").values()),
        list(Prompt.objects.order_by("id").values()),
    ]


# The data itself (no database) ---------------------------------------------------------------------


def test_the_catalogue_has_at_least_15_templates_and_3_decks_of_20_prompts():
    assert len(RITUAL_TEMPLATES) >= 15
    assert len(PROMPT_DECKS) >= 3
    for deck in PROMPT_DECKS:
        assert len(deck["prompts"]) >= 20, deck["slug"]
        assert len(set(deck["prompts"])) == len(deck["prompts"]), f"{deck['slug']} repeats a prompt"


def test_the_catalogue_covers_the_promised_rituals():
    missing = PROMISED_RITUALS - {template["slug"] for template in RITUAL_TEMPLATES}
    assert not missing


def test_the_decks_include_love_maps_and_conversation_decks():
    kinds = {deck["slug"]: deck["kind"] for deck in PROMPT_DECKS}
    assert kinds["love-maps"] == PromptDeck.Kind.LOVE_MAP
    assert set(kinds.values()) <= set(PromptDeck.Kind.values)
    assert PromptDeck.Kind.CONVERSATION in kinds.values()


@pytest.mark.parametrize("template", RITUAL_TEMPLATES, ids=lambda t: t["slug"])
def test_each_template_is_complete_and_valid(template):
    validate_slug(template["slug"])
    assert len(template["slug"]) <= 80
    assert 0 < len(template["title"]) <= 120
    assert len(template["description"]) >= 80, "say what to actually do"
    assert len(template["why_it_helps"]) >= 80, "say why, in plain words"
    assert template["category"] in Category.values
    assert template["love_languages"], "tag at least one love language"
    assert set(template["love_languages"]) <= set(LoveLanguage.values)
    assert 0 < template["duration_minutes"] <= 24 * 60
    assert isinstance(template["is_joint"], bool)
    assert SUPPORTED_RRULE.match(template["suggested_rrule"]), template["suggested_rrule"]
    assert not re.search(r"\d+ ?%", template["why_it_helps"]), "no made-up statistics"


def test_slugs_are_unique():
    assert len({t["slug"] for t in RITUAL_TEMPLATES}) == len(RITUAL_TEMPLATES)
    assert len({d["slug"] for d in PROMPT_DECKS}) == len(PROMPT_DECKS)


def test_every_category_has_at_least_one_template():
    assert {t["category"] for t in RITUAL_TEMPLATES} == set(Category.values)


def test_prompts_fit_the_model_and_are_questions_or_invitations():
    max_length = Prompt._meta.get_field("text").max_length
    assert max_length is not None
    for deck in PROMPT_DECKS:
        for text in deck["prompts"]:
            assert 10 <= len(text) <= max_length, text
            assert text.endswith(("?", ".")), text


def test_every_suggested_rrule_parses_with_the_rituals_parser():
    recurrence = pytest.importorskip("rituals.recurrence", reason="rituals.recurrence has not landed yet")
    for template in RITUAL_TEMPLATES:
        parsed = recurrence.parse_rrule(template["suggested_rrule"])  # raises ValidationError if refused
        assert parsed["text"] == template["suggested_rrule"], "store rules in the parser's canonical form"


# The command ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_loads_everything_published_in_order():
    out = _load()

    templates = list(RitualTemplate.objects.order_by("ordering"))
    assert len(templates) == len(RITUAL_TEMPLATES) >= 15
    assert all(template.is_published for template in templates)
    assert [t.slug for t in templates] == [t["slug"] for t in RITUAL_TEMPLATES]
    assert len({t.ordering for t in templates}) == len(templates)
    decks = list(PromptDeck.objects.order_by("ordering"))
    assert [d.slug for d in decks] == [d["slug"] for d in PROMPT_DECKS]
    for deck, data in zip(decks, PROMPT_DECKS, strict=True):
        assert deck.is_published
        prompts = list(deck.prompts.order_by("ordering").values_list("text", "is_published"))
        assert prompts == [(text, True) for text in data["prompts"]]
        assert len(prompts) >= 20
    total = sum(len(d["prompts"]) for d in PROMPT_DECKS)
    assert out == (
        f"Demo content ready: {len(RITUAL_TEMPLATES)} ritual templates ({len(RITUAL_TEMPLATES)} new), "
        f"{len(PROMPT_DECKS)} prompt decks, {total} prompts ({total} new), 2 quizzes (26 questions), "
        f"{len(DATE_IDEAS)} date ideas ({len(DATE_IDEAS)} new).\n"
    )


@pytest.mark.django_db
def test_running_the_command_twice_changes_nothing():
    _load()
    before = _snapshot()

    out = _load()

    assert _snapshot() == before
    assert "(0 new)" in out
    assert out.count("(0 new)") == 3


@pytest.mark.django_db
def test_the_command_restores_demo_rows_and_leaves_the_teams_own_content_alone():
    _load()
    RitualTemplate.objects.filter(slug="six-second-kiss").update(title="Edited", is_published=False)
    own = RitualTemplate.objects.create(
        slug="our-own", title="Our own", description="d", why_it_helps="w", category=Category.GRATITUDE
    )
    love_maps = PromptDeck.objects.get(slug="love-maps")
    own_prompt = Prompt.objects.create(deck=love_maps, text="A prompt the team added?", ordering=999)

    _load()

    kiss = RitualTemplate.objects.get(slug="six-second-kiss")
    assert (kiss.title, kiss.is_published) == ("The six-second kiss", True)
    own.refresh_from_db()
    assert own.title == "Our own"
    assert own.is_published is False
    assert Prompt.objects.filter(pk=own_prompt.pk).exists()
    assert love_maps.prompts.count() == len(PROMPT_DECKS[0]["prompts"]) + 1


@pytest.mark.django_db
def test_the_loaded_catalogue_is_served_by_the_api(me):
    _load()

    templates = me.get("/api/v1/ritual-templates", {"page_size": 100}).json()["results"]
    decks = me.get("/api/v1/prompt-decks").json()["results"]

    assert [t["slug"] for t in templates] == [t["slug"] for t in RITUAL_TEMPLATES]
    assert [d["prompt_count"] for d in decks] == [len(d["prompts"]) for d in PROMPT_DECKS]
