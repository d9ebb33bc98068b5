"""The daily prompt: one question per couple-day for both partners, answered with a mutual reveal."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from accounts.export import user_data_export
from couples.models import Couple
from notifications.models import Notification
from rituals.models import DailyPrompt, Prompt, PromptAnswer, PromptDeck
from tests.concurrency import race
from tests.conftest import AppClient
from tests.factories import UserFactory, pair

pytestmark = pytest.mark.django_db

TODAY = "/api/v1/prompts/today"
ANSWER = "/api/v1/prompts/today/answer"
HISTORY = "/api/v1/prompts/history"


def _deck(size: int = 3, *, slug: str = "talk", published: bool = True) -> list[Prompt]:
    deck = PromptDeck.objects.create(slug=slug, title=f"Deck {slug}", is_published=published)
    return [Prompt.objects.create(deck=deck, text=f"{slug} question {i}", ordering=i) for i in range(size)]


@pytest.fixture
def prompts(db) -> list[Prompt]:
    """A published deck of three, plus prompts that must never be chosen (unpublished ones)."""
    chosen = _deck(3)
    _deck(2, slug="hidden-deck", published=False)
    Prompt.objects.create(deck=chosen[0].deck, text="unpublished question", is_published=False)
    return chosen


def _error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _answer(client: AppClient, text: str, **extra) -> dict:
    response = client.post(ANSWER, {"text": text, **extra})
    assert response.status_code == 200, response.content
    return response.json()


# One prompt per couple-day -----------------------------------------------------------------------


def test_both_partners_get_the_same_prompt_of_the_day(me, partner, couple, prompts):
    mine = me.get(TODAY)
    theirs = partner.get(TODAY)

    assert mine.status_code == theirs.status_code == 200
    body = mine.json()
    assert body["id"] == theirs.json()["id"]
    assert body["prompt"] == theirs.json()["prompt"]
    assert body["prompt"]["text"] in {p.text for p in prompts}
    assert body["deck"] == {"id": str(prompts[0].deck_id), "title": "Deck talk", "kind": "conversation"}
    assert body["my_answer"] is None
    assert (body["partner_answered"], body["partner_answer"], body["revealed"]) == (False, None, False)
    daily = DailyPrompt.objects.get()
    assert (daily.couple, str(daily.id), str(daily.prompt_id)) == (couple, body["id"], body["prompt"]["id"])


@pytest.mark.django_db(transaction=True)
def test_both_phones_asking_at_the_same_instant_get_one_prompt():
    _deck(20)
    for _ in range(10):
        first, second = UserFactory.create(), UserFactory.create()
        couple = pair(first, second)
        clients = [AppClient().sign_in(first), AppClient().sign_in(second)]

        responses = race(*[lambda c=c: c.get(TODAY) for c in clients])

        assert [r.status_code for r in responses] == [200, 200]
        bodies = [r.json() for r in responses]
        assert bodies[0]["id"] == bodies[1]["id"]
        assert bodies[0]["prompt"] == bodies[1]["prompt"]
        assert DailyPrompt.objects.filter(couple=couple).count() == 1


def test_no_prompt_repeats_until_the_deck_is_exhausted(me, partner, couple, prompts):
    seen = []
    for offset in range(4):
        with _travel(datetime(2026, 4, 1, 12, 0, tzinfo=UTC) + timedelta(days=offset)):
            client = (me, partner)[offset % 2]
            client.sign_in(client.user)
            body = client.get(TODAY).json()
            assert body["day"] == (date(2026, 4, 1) + timedelta(days=offset)).isoformat()
            seen.append(body["prompt"]["id"])

    assert sorted(seen[:3]) == sorted(str(p.id) for p in prompts)  # every prompt once
    assert seen[3] == seen[0]  # then the least recently used one comes back first
    assert DailyPrompt.objects.filter(couple=couple).count() == 4


def test_each_couple_walks_the_deck_on_its_own(me, partner, stranger, prompts):
    with _travel(datetime(2026, 4, 1, 12, 0, tzinfo=UTC)):
        for client in (me, stranger):
            client.sign_in(client.user).get(TODAY)
    # The stranger's couple having had a prompt does not make it "used" for us, and vice versa.
    assert DailyPrompt.objects.count() == 2
    assert DailyPrompt.objects.values("couple").distinct().count() == 2


def test_the_couple_day_follows_the_couples_time_zone(me, partner, couple, prompts):
    couple.time_zone = "Asia/Tokyo"
    couple.save()
    # 14:59 UTC is 23:59 in Tokyo on 10 March; me is in Berlin (15:59) and partner in New York (10:59).
    with _travel(datetime(2026, 3, 10, 14, 59, tzinfo=UTC)):
        me.sign_in(me.user)
        before = me.get(TODAY).json()
    with _travel(datetime(2026, 3, 10, 15, 0, tzinfo=UTC)):  # midnight in Tokyo: a new couple-day
        partner.sign_in(partner.user)
        after = partner.get(TODAY).json()

    assert before["day"] == "2026-03-10"
    assert after["day"] == "2026-03-11"  # still 11:00 on 10 March for the partner, but the couple's day turned
    assert before["id"] != after["id"]
    assert before["prompt"]["id"] != after["prompt"]["id"]
    assert list(DailyPrompt.objects.order_by("day").values_list("day", flat=True)) == [
        date(2026, 3, 10),
        date(2026, 3, 11),
    ]


def test_without_published_prompts_there_is_a_clear_404(me, partner):
    _deck(2, slug="draft", published=False)
    assert _error(me.get(TODAY)) == (404, "no_prompts_available")
    assert not DailyPrompt.objects.exists()


def test_an_unpaired_user_has_no_prompt(loner, prompts):
    assert _error(loner.get(TODAY)) == (404, "not_paired")
    assert _error(loner.post(ANSWER, {"text": "hi"})) == (404, "not_paired")
    assert _error(loner.get(HISTORY)) == (404, "not_paired")
    assert not DailyPrompt.objects.exists()


# Answering with a mutual reveal ------------------------------------------------------------------


def test_the_partners_answer_stays_hidden_until_both_answered(me, partner, prompts):
    mine = _answer(me, "A walk by the river")

    assert mine["my_answer"]["text"] == "A walk by the river"
    assert (mine["partner_answered"], mine["partner_answer"], mine["revealed"]) == (False, None, False)

    waiting = partner.get(TODAY)
    assert waiting.json()["partner_answered"] is True
    assert waiting.json()["partner_answer"] is None
    assert waiting.json()["my_answer"] is None
    assert "A walk by the river" not in waiting.content.decode()  # nowhere in the response

    theirs = _answer(partner, "Cooking together")
    assert theirs["revealed"] is True
    assert theirs["partner_answer"]["text"] == "A walk by the river"
    assert theirs["my_answer"]["text"] == "Cooking together"

    revealed = me.get(TODAY).json()
    assert revealed["revealed"] is True
    assert revealed["partner_answer"]["text"] == "Cooking together"
    assert PromptAnswer.objects.count() == 2


def test_answers_can_be_edited_until_both_answered_then_they_are_locked(me, partner, prompts):
    _answer(me, "first draft")
    edited = _answer(me, "  second thought  ")
    assert edited["my_answer"]["text"] == "second thought"
    assert PromptAnswer.objects.get(user=me.user).text == "second thought"

    _answer(partner, "mine")
    locked = me.post(ANSWER, {"text": "third try after reading theirs"})
    assert _error(locked) == (409, "answers_revealed")
    assert _error(partner.post(ANSWER, {"text": "edit"})) == (409, "answers_revealed")
    assert PromptAnswer.objects.get(user=me.user).text == "second thought"
    assert PromptAnswer.objects.get(user=partner.user).text == "mine"


def test_the_partner_is_told_once_per_answer(me, partner, prompts):
    daily_id = me.get(TODAY).json()["id"]
    _answer(me, "one")
    _answer(me, "one, edited")
    _answer(partner, "two")

    to_partner = Notification.objects.get(recipient=partner.user)
    assert to_partner.kind == Notification.Kind.PROMPT_ANSWERED
    assert to_partner.title == "Me answered today's question"
    assert to_partner.data == {"screen": "prompt_today", "daily_prompt_id": daily_id}
    assert "one" not in to_partner.body  # the push never gives the answer away
    to_me = Notification.objects.get(recipient=me.user)
    assert to_me.body == "You both answered: see each other's answers."


@pytest.mark.parametrize(("text", "code"), [("", "blank"), ("   ", "blank"), ("x" * 2001, "max_length")])
def test_an_answer_needs_words_and_not_too_many(me, partner, prompts, text, code):
    response = me.post(ANSWER, {"text": text})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["text"][0]["code"] == code
    assert not PromptAnswer.objects.exists()


def test_an_answer_to_yesterdays_prompt_after_midnight_is_refused(me, partner, couple, prompts):
    with _travel(datetime(2026, 3, 10, 23, 59, tzinfo=UTC)):  # the couple's zone is UTC
        me.sign_in(me.user)
        shown = me.get(TODAY).json()
    with _travel(datetime(2026, 3, 11, 0, 0, 30, tzinfo=UTC)):
        me.sign_in(me.user)
        late = me.post(ANSWER, {"text": "typed before midnight", "daily_prompt_id": shown["id"]})
        assert _error(late) == (409, "prompt_day_over")
        current = me.get(TODAY).json()
        assert _answer(me, "for today", daily_prompt_id=current["id"])["my_answer"]["text"] == "for today"
    assert PromptAnswer.objects.get().daily_prompt_id == uuid.UUID(current["id"])


# History ------------------------------------------------------------------------------------------


def _walk_days(me, partner, plan: list[tuple[str | None, str | None]], start: datetime) -> list[str]:
    """One day per entry: (my answer, partner's answer), None meaning no answer that day."""
    ids = []
    for offset, (mine, theirs) in enumerate(plan):
        with _travel(start + timedelta(days=offset)):
            me.sign_in(me.user), partner.sign_in(partner.user)
            ids.append(me.get(TODAY).json()["id"])
            if mine:
                _answer(me, mine)
            if theirs:
                _answer(partner, theirs)
    return ids


def test_history_reveals_only_the_days_both_answered(me, partner, prompts):
    start = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    ids = _walk_days(me, partner, [("m1", "p1"), (None, "p2"), ("m3", None), ("m4", "p4")], start)

    with _travel(start + timedelta(days=3)):  # day 4 is today: not history yet
        me.sign_in(me.user)
        body = me.get(HISTORY).json()

    assert [item["id"] for item in body["results"]] == [ids[2], ids[1], ids[0]]  # newest first
    day3, day2, day1 = body["results"]
    assert (day1["my_answer"]["text"], day1["partner_answer"]["text"], day1["revealed"]) == ("m1", "p1", True)
    assert (day2["my_answer"], day2["partner_answered"], day2["partner_answer"]) == (None, True, None)
    assert (day3["my_answer"]["text"], day3["partner_answered"], day3["partner_answer"]) == ("m3", False, None)
    assert "p2" not in str(body)
    assert day1["day"] == "2026-04-01"


def test_history_is_cursor_paginated(me, partner, couple, prompts):
    _seed_history(couple, me.user, partner.user, 5)
    first = me.get(HISTORY, {"page_size": 2}).json()
    second = me.get(first["next"]).json()
    days = [item["day"] for item in first["results"] + second["results"]]
    assert days == sorted(days, reverse=True)
    assert len(set(days)) == 4


def _seed_history(couple: Couple, me_user, partner_user, count: int) -> None:
    prompt = Prompt.objects.filter(is_published=True).first()
    today = datetime.now(UTC).date()
    dailies = DailyPrompt.objects.bulk_create(
        [DailyPrompt(couple=couple, day=today - timedelta(days=i + 1), prompt=prompt) for i in range(count)]
    )
    PromptAnswer.objects.bulk_create(
        [
            PromptAnswer(couple=couple, daily_prompt=daily, user=user, text=f"answer {i}")
            for i, daily in enumerate(dailies)
            for user in (me_user, partner_user)
        ]
    )


@pytest.mark.parametrize("count", [1, 30])
def test_history_takes_three_queries_whatever_its_length(
    me, partner, couple, prompts, count, django_assert_num_queries
):
    _seed_history(couple, me.user, partner.user, count)
    # session+user with membership+couple, the page (with prompt and deck), the answers of the page
    with django_assert_num_queries(3):
        response = me.get(HISTORY, {"page_size": 100})
    assert len(response.json()["results"]) == count
    assert all(item["revealed"] for item in response.json()["results"])


def test_today_takes_a_fixed_number_of_queries(me, partner, prompts, django_assert_num_queries):
    # session+user with membership+couple, lookup, savepoint, pick, insert, re-read, release, answers
    # + 1 for sync: the counter bump with the state upsert (sync.changes); who holds the record is
    # the couple authentication loaded (couples.selectors.known_members).
    with django_assert_num_queries(9):
        me.get(TODAY)
    # Once chosen: session+user with membership+couple, lookup, answers (no transaction for a read)
    with django_assert_num_queries(3):
        partner.get(TODAY)


def test_answering_takes_a_fixed_number_of_queries(me, partner, prompts, django_assert_num_queries):
    me.get(TODAY)
    # session+user with membership+couple and the partner, lookup, savepoint, lock,
    # answers, insert, notify, release, then the answers for the response
    # + 3 for sync, once for the answer and the notification (sync.changes.stamped_once), and the
    # other answer a second answer reveals.
    # + 1: the message copy of the notification (messaging.render.Copy.load).
    with django_assert_num_queries(12):
        _answer(me, "hello")


# Export and admin --------------------------------------------------------------------------------


def test_the_export_has_my_answers_and_never_my_partners(me, partner, prompts):
    _answer(me, "my-own-words")
    _answer(partner, "partner-private-words")

    rows = user_data_export(user=me.user)["prompt_answers"]

    assert [row["text"] for row in rows] == ["my-own-words"]
    assert rows[0]["prompt"] in {p.text for p in prompts}
    assert "partner-private-words" not in str(user_data_export(user=me.user))


def test_the_admin_list_never_shows_answers(me, partner, prompts):
    daily_id = _answer(me, "secret-answer-words")["id"]
    staff = Client()
    staff.force_login(UserFactory.create(email="admin@example.com", is_staff=True, is_superuser=True))

    listing = staff.get("/admin/rituals/dailyprompt/")

    assert listing.status_code == 200
    assert daily_id in listing.content.decode()
    assert "secret-answer-words" not in listing.content.decode()
    assert staff.get(f"/admin/rituals/dailyprompt/{daily_id}/change/").status_code == 200
    assert staff.get("/admin/rituals/promptanswer/").status_code == 404  # no list page of answers at all
