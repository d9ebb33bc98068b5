"""Scheduled publishing: an item with publish_at/unpublish_at appears and disappears on its own.

Proven with time-machine on every path content reaches a phone: the template and deck lists and
details, the quiz catalogue, the daily-prompt pool, and sync (content itself is not a sync table; what
sync carries is the couple's daily prompt, chosen from the live pool). Details, the pool and sync
switch at the scheduled instant; the shared list pages (config/api/shared_responses.py) within
CONTENT_CACHE_SECONDS of it, well within the promised minute (the last tests here).
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from config.api.shared_responses import CONTENT
from quizzes.models import Quiz
from rituals.models import Prompt, PromptDeck, RitualTemplate, RitualTemplateTranslation
from rituals.models.translations import ReviewStatus
from tests.conftest import AppClient
from tests.rituals.test_content import make_deck, make_template

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
PUBLISH = START + timedelta(hours=1)
UNPUBLISH = START + timedelta(hours=3)


def _at(client: AppClient, moment: datetime, path: str) -> tuple[int, dict]:
    """GET `path` as the client at `moment` (signing in again: the access token lives 10 minutes)."""
    with time_machine.travel(moment, tick=False):
        response = client.sign_in(client.user).get(path)
    return response.status_code, response.json()


def _listed(client: AppClient, moment: datetime, path: str) -> list[str]:
    status, body = _at(client, moment, path)
    assert status == 200, body
    return [item["id"] for item in body["results"]]


@pytest.fixture
def scheduled_template() -> RitualTemplate:
    return make_template(title="Summer ritual", publish_at=PUBLISH, unpublish_at=UNPUBLISH)


@pytest.fixture
def scheduled_deck() -> PromptDeck:
    return make_deck(prompts=2, title="Summer deck", publish_at=PUBLISH, unpublish_at=UNPUBLISH)


@pytest.mark.parametrize(
    ("moment", "live"),
    [
        (PUBLISH - timedelta(seconds=1), False),
        (PUBLISH, True),  # publish_at is inclusive
        (UNPUBLISH - timedelta(seconds=1), True),
        (UNPUBLISH, False),  # unpublish_at is exclusive
        (UNPUBLISH + timedelta(days=30), False),
    ],
)
def test_a_scheduled_template_is_in_the_list_and_detail_only_inside_its_window(me, scheduled_template, moment, live):
    always = make_template(title="Always")

    listed = _listed(me, moment, "/api/v1/ritual-templates")
    status, _body = _at(me, moment, f"/api/v1/ritual-templates/{scheduled_template.pk}")

    assert (str(scheduled_template.pk) in listed) is live
    assert str(always.pk) in listed
    assert status == (200 if live else 404)


@pytest.mark.parametrize(("moment", "live"), [(START, False), (PUBLISH, True), (UNPUBLISH, False)])
def test_a_scheduled_deck_is_in_the_list_and_detail_only_inside_its_window(me, scheduled_deck, moment, live):
    listed = _listed(me, moment, "/api/v1/prompt-decks")
    status, _body = _at(me, moment, f"/api/v1/prompt-decks/{scheduled_deck.pk}")

    assert (str(scheduled_deck.pk) in listed) is live
    assert status == (200 if live else 404)


def test_a_scheduled_prompt_counts_and_shows_in_its_deck_only_inside_its_window(me):
    deck = make_deck(prompts=1)
    later = Prompt.objects.create(deck=deck, text="Later?", ordering=50, publish_at=PUBLISH)

    _status, before = _at(me, START, f"/api/v1/prompt-decks/{deck.pk}")
    _status, after = _at(me, PUBLISH, f"/api/v1/prompt-decks/{deck.pk}")

    assert (before["prompt_count"], [p["text"] for p in before["prompts"]]) == (1, ["Question 0?"])
    assert (after["prompt_count"], [p["id"] for p in after["prompts"]][-1]) == (2, str(later.pk))
    assert _listed(me, START, "/api/v1/prompt-decks") == [str(deck.pk)]


def test_an_unpublished_switch_wins_over_the_window(me):
    template = make_template(is_published=False, publish_at=START - timedelta(days=1))

    assert str(template.pk) not in _listed(me, START, "/api/v1/ritual-templates")


def test_a_scheduled_quiz_is_in_the_catalogue_only_inside_its_window(me):
    quiz = Quiz.objects.create(
        slug="summer", title="Summer quiz", kind=Quiz.Kind.KNOW_ME, is_published=True, publish_at=PUBLISH
    )

    assert str(quiz.pk) not in _listed(me, START, "/api/v1/quizzes")
    assert _at(me, START, f"/api/v1/quizzes/{quiz.pk}")[0] == 404
    assert str(quiz.pk) in _listed(me, PUBLISH, "/api/v1/quizzes")
    assert _at(me, PUBLISH, f"/api/v1/quizzes/{quiz.pk}")[0] == 200


def test_the_daily_prompt_pool_and_sync_follow_the_schedule(me, partner, couple):
    deck = make_deck(title="Summer deck", publish_at=PUBLISH, unpublish_at=UNPUBLISH + timedelta(days=1))
    summer = Prompt.objects.create(deck=deck, text="What was your best summer?", ordering=1)

    # Before the deck goes live the pool is empty: no prompt today, nothing to sync.
    assert _at(me, START, "/api/v1/prompts/today") == (
        404,
        {
            "error": {
                "code": "no_prompts_available",
                "message": "There is no conversation prompt yet. Check back later.",
            }
        },
    )
    assert _at(me, START, "/api/v1/sync/pull")[1]["changes"]["daily_prompts"]["updated"] == []

    # Live: the prompt is picked, and the partner's phone receives it through sync.
    status, today = _at(me, PUBLISH, "/api/v1/prompts/today")
    assert (status, today["prompt"]["id"]) == (200, str(summer.pk))
    synced = _at(partner, PUBLISH + timedelta(seconds=30), "/api/v1/sync/pull")[1]["changes"]["daily_prompts"]
    assert [(row["id"], row["prompt_text"]) for row in synced["updated"]] == [
        (today["id"], "What was your best summer?")
    ]

    # After the deck's window the pool is empty again: the next couple-day gets no prompt.
    assert _at(me, UNPUBLISH + timedelta(days=2), "/api/v1/prompts/today")[1]["error"]["code"] == (
        "no_prompts_available"
    )


def test_a_prompt_that_leaves_the_pool_is_never_picked_again(me, couple):
    deck = make_deck()
    leaving = Prompt.objects.create(deck=deck, text="Leaving?", ordering=1, unpublish_at=PUBLISH)
    staying = Prompt.objects.create(deck=deck, text="Staying?", ordering=2)

    picked = {
        _at(me, PUBLISH + timedelta(days=offset), "/api/v1/prompts/today")[1]["prompt"]["id"] for offset in (0, 1)
    }

    assert picked == {str(staying.pk)}
    assert str(leaving.pk) not in picked


def test_unpublish_must_come_after_publish():
    template = make_template(publish_at=PUBLISH, unpublish_at=PUBLISH)

    with pytest.raises(ValidationError) as error:
        template.full_clean()

    assert error.value.error_dict["unpublish_at"][0].code == "unpublish_before_publish"


def test_is_live_agrees_with_the_query(scheduled_template):
    for moment in (START, PUBLISH, UNPUBLISH):
        in_query = RitualTemplate.objects.live(moment).filter(pk=scheduled_template.pk).exists()
        assert scheduled_template.is_live(moment) is in_query


# The shared list pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "item"), [("/api/v1/ritual-templates", "template"), ("/api/v1/prompt-decks", "deck")])
def test_a_shared_list_page_shows_a_scheduled_item_within_the_cache_lifetime_without_any_edit(
    me, scheduled_template, scheduled_deck, settings, path, item
):
    settings.CONTENT_CACHE_SECONDS = 30
    scheduled = {"template": scheduled_template, "deck": scheduled_deck}[item]

    assert str(scheduled.pk) not in _listed(me, PUBLISH - timedelta(seconds=1), path)  # built and kept
    assert str(scheduled.pk) not in _listed(me, PUBLISH + timedelta(seconds=20), path)  # still the kept page
    assert str(scheduled.pk) in _listed(me, PUBLISH + timedelta(seconds=30), path)  # rebuilt: live
    assert str(scheduled.pk) in _listed(me, UNPUBLISH - timedelta(seconds=1), path)
    assert str(scheduled.pk) not in _listed(me, UNPUBLISH + timedelta(seconds=29), path)  # rebuilt: gone


def test_an_edit_reaches_the_shared_list_at_once_and_a_clock_moved_back_never_reuses_a_page(me, settings):
    settings.CONTENT_CACHE_SECONDS = 30
    template = make_template(title="Before")
    assert _titles(me, START) == ["Before"]

    template.title = "After"
    template.save()  # as the admin saves it: the process's pages are dropped
    assert _titles(me, START) == ["After"]

    make_template(title="Later", publish_at=START - timedelta(minutes=1))
    assert "Later" in _titles(me, START)
    assert "Later" not in _titles(me, START - timedelta(minutes=5))  # built later: not reused earlier


def test_the_shared_list_is_kept_per_language_and_never_holds_a_readers_partner_fit(me, partner, couple, settings):
    settings.CONTENT_CACHE_SECONDS = 30
    template = make_template(title="Hug")
    RitualTemplateTranslation.objects.create(
        template=template, locale="de", status=ReviewStatus.APPROVED, title="Umarmung", description="", why_it_helps=""
    )
    english = me.get("/api/v1/ritual-templates")
    german = me.get("/api/v1/ritual-templates", HTTP_ACCEPT_LANGUAGE="de")
    english_again = me.get("/api/v1/ritual-templates")
    fit = me.get("/api/v1/ritual-templates?for=partner")

    assert [t["title"] for t in english.json()["results"]] == ["Hug"]
    assert [t["title"] for t in german.json()["results"]] == ["Umarmung"]
    assert english_again.json() == english.json()
    assert fit.status_code == 200
    assert not [key for key in CONTENT._entries if "for=partner" in str(key)]


def _titles(client: AppClient, moment: datetime) -> list[str]:
    status, body = _at(client, moment, "/api/v1/ritual-templates")
    assert status == 200, body
    return [item["title"] for item in body["results"]]
