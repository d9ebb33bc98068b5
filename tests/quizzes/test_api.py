"""Quizzes and love languages over the API: the catalogue, submitting, versioned results, sharing with
the partner, templates for the partner's languages, and the know-me quiz's mutual reveal."""

from typing import Any

import pytest
from django.test import Client

from notifications.models import Notification
from quizzes.demo_content import LOVE_LANGUAGE_QUESTIONS, load_demo_quizzes
from quizzes.models import (
    KnowMeAnswers,
    Option,
    OptionTranslation,
    Question,
    QuestionTranslation,
    Quiz,
    QuizResult,
    QuizTranslation,
)
from rituals.models.choices import LoveLanguage
from tests.conftest import AppClient
from tests.factories import UserFactory
from tests.rituals.test_content import make_template

pytestmark = pytest.mark.django_db
QUIZZES = "/api/v1/quizzes"
MINE = "/api/v1/me/love-languages"
COUPLE = "/api/v1/couple/love-languages"


def favouring(quiz: Quiz, *languages: str) -> list[dict[str, str]]:
    """Answers that pick, on each question, the option of the first of `languages` offered (else the first)."""
    answers = []
    for question in quiz.questions.order_by("ordering"):
        options = list(question.options.order_by("ordering"))
        best = next((o for lang in languages for o in options if lang in o.scores), options[0])
        answers.append({"question_id": str(question.id), "option_id": str(best.id)})
    return answers


def take(client: AppClient, quiz: Quiz, answers: list[dict[str, str]]) -> Any:
    return client.post(f"{QUIZZES}/{quiz.pk}/attempts", {"answers": answers})


def know_me_answers(quiz: Quiz, own: int, guess: int) -> list[dict[str, str]]:
    """Option number `own` for myself and `guess` for my partner on every question."""
    answers = []
    for question in quiz.questions.order_by("ordering"):
        options = list(question.options.order_by("ordering"))
        answers.append(
            {
                "question_id": str(question.id),
                "self_option_id": str(options[own].id),
                "guess_option_id": str(options[guess].id),
            }
        )
    return answers


# Catalogue ------------------------------------------------------------------------------------------


def test_the_catalogue_lists_live_quizzes_in_one_query(me, quizzes, django_assert_num_queries):
    Quiz.objects.create(slug="draft", title="Draft", kind=Quiz.Kind.KNOW_ME)

    with django_assert_num_queries(2):  # the session, the quizzes
        response = me.get(QUIZZES)

    assert [(q["slug"], q["kind"]) for q in response.json()["results"]] == [
        ("love-languages", "love_language"),
        ("how-well-do-you-know-me", "know_me"),
    ]


def test_a_quiz_detail_has_its_questions_and_options_but_never_the_scores(me, love_quiz, django_assert_num_queries):
    with django_assert_num_queries(4):  # the session, the quiz, its questions, their options
        response = me.get(f"{QUIZZES}/{love_quiz.pk}")

    body = response.json()
    assert len(body["questions"]) == len(LOVE_LANGUAGE_QUESTIONS) >= 20
    assert body["questions"][0]["text"] == LOVE_LANGUAGE_QUESTIONS[0][0]
    assert [o["text"] for o in body["questions"][0]["options"]] == [
        LOVE_LANGUAGE_QUESTIONS[0][1][0],
        LOVE_LANGUAGE_QUESTIONS[0][2][0],
    ]
    assert "scores" not in response.content.decode()
    assert set(body["questions"][0]["options"][0]) == {"id", "text", "locale", "translated"}


def test_a_draft_quiz_is_a_404(me):
    draft = Quiz.objects.create(slug="draft", title="Draft", kind=Quiz.Kind.KNOW_ME)

    assert me.get(f"{QUIZZES}/{draft.pk}").status_code == 404
    assert take(me, draft, []).status_code == 404


def test_the_demo_quizzes_load_once(quizzes):
    revisions = dict(Quiz.objects.values_list("slug", "revision"))
    questions = Question.objects.count()

    load_demo_quizzes()

    assert dict(Quiz.objects.values_list("slug", "revision")) == revisions
    assert Question.objects.count() == questions == len(LOVE_LANGUAGE_QUESTIONS) + 6


# Love-language results ------------------------------------------------------------------------------


def test_taking_the_love_language_quiz_gives_a_deterministic_ranking(me, love_quiz):
    response = take(me, love_quiz, favouring(love_quiz, "touch", "time", "words", "acts"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "love_language"
    assert body["know_me"] is None
    result = body["love_languages"]
    # Touch wins each of its 8 questions; time the 6 left to it; words 4; acts 2; gifts none.
    assert result["scores"] == {"touch": 8, "time": 6, "words": 4, "acts": 2, "gifts": 0}
    assert result["ranking"] == ["touch", "time", "words", "acts", "gifts"]
    assert result["quiz_revision"] == love_quiz.revision
    mine = me.get(MINE).json()
    assert (mine["taken"], mine["ranking"], mine["scores"]) == (True, result["ranking"], result["scores"])


def test_the_same_answers_always_give_the_same_result(me, partner, love_quiz):
    answers = favouring(love_quiz, "gifts", "acts")

    first = take(me, love_quiz, answers).json()["love_languages"]
    second = take(partner, love_quiz, answers).json()["love_languages"]

    assert (first["scores"], first["ranking"]) == (second["scores"], second["ranking"])


def test_editing_the_quiz_never_changes_a_stored_result(me, love_quiz):
    before = take(me, love_quiz, favouring(love_quiz, "words")).json()["love_languages"]
    question = love_quiz.questions.order_by("ordering").first()
    option = question.options.order_by("ordering").first()
    option.text, option.scores = "Rewritten", {"gifts": 5}
    option.save()
    Question.objects.create(quiz=love_quiz, text="A new question?", ordering=999)
    love_quiz.refresh_from_db()

    assert love_quiz.revision > before["quiz_revision"]
    stored = QuizResult.objects.get(pk=before["id"])
    assert (stored.scores, stored.ranking, stored.quiz_revision) == (
        before["scores"],
        before["ranking"],
        before["quiz_revision"],
    )
    assert stored.answers[0]["option"] == LOVE_LANGUAGE_QUESTIONS[0][1][0]  # the text as it was answered
    assert me.get(MINE).json()["ranking"] == before["ranking"]


def test_a_retake_is_scored_on_the_new_revision_and_keeps_the_sharing_choice(me, love_quiz):
    take(me, love_quiz, favouring(love_quiz, "words"))
    me.put(MINE, {"shared_with_partner": True})
    Option.objects.filter(question__quiz=love_quiz)[0].save()  # any edit bumps the revision
    love_quiz.refresh_from_db()

    again = take(me, love_quiz, favouring(love_quiz, "acts")).json()["love_languages"]

    mine = me.get(MINE).json()
    assert again["quiz_revision"] == love_quiz.revision == mine["quiz_revision"]
    assert (mine["ranking"][0], mine["shared_with_partner"]) == ("acts", True)
    assert QuizResult.objects.filter(user=me.user).count() == 2


@pytest.mark.parametrize(
    ("mangle", "field", "code"),
    [
        (lambda answers: answers[:-1], "answers", "incomplete"),
        (lambda answers: [*answers, answers[0]], "answers.20.question_id", "duplicate"),
        (
            lambda answers: [{**answers[0], "option_id": answers[1]["option_id"]}, *answers[1:]],
            "answers.0.option_id",
            "invalid",
        ),
        (lambda answers: [{"question_id": answers[0]["question_id"]}, *answers[1:]], "answers.0.option_id", "required"),
        (lambda answers: [], "answers", "empty"),
    ],
)
def test_invalid_answers_are_a_400_naming_the_answer(me, love_quiz, mangle, field, code):
    response = take(me, love_quiz, mangle(favouring(love_quiz)))

    assert response.status_code == 400, response.content
    assert [e["code"] for e in response.json()["error"]["fields"][field]] == [code]
    assert not QuizResult.objects.exists()


def test_a_question_of_another_quiz_is_refused(me, love_quiz, know_me):
    answers = favouring(love_quiz)
    answers[0]["question_id"] = str(know_me.questions.first().pk)

    response = take(me, love_quiz, answers)

    assert response.json()["error"]["fields"]["answers.0.question_id"][0]["code"] == "invalid"


NOT_TAKEN = {
    "taken": False,
    "ranking": None,
    "scores": None,
    "quiz_revision": None,
    "shared_with_partner": False,
    "updated_at": None,
}


def test_before_the_quiz_my_love_languages_are_empty_and_cannot_be_shared(me):
    assert me.get(MINE).json() == NOT_TAKEN  # an app start reads it: a 200, not a 404

    response = me.put(MINE, {"shared_with_partner": True})

    assert (response.status_code, response.json()["error"]["code"]) == (404, "no_love_languages")


def test_my_love_languages_cost_two_queries(me, love_quiz, django_assert_num_queries):
    take(me, love_quiz, favouring(love_quiz))

    with django_assert_num_queries(2):
        assert me.get(MINE).status_code == 200


# Sharing with the partner ---------------------------------------------------------------------------


def test_the_partner_sees_a_ranking_only_while_it_is_shared(me, partner, love_quiz):
    take(me, love_quiz, favouring(love_quiz, "touch"))

    assert partner.get(COUPLE).json() == {"me": NOT_TAKEN, "partner": None}  # not shared by default
    assert me.put(MINE, {"shared_with_partner": True}).json()["shared_with_partner"] is True
    shared = partner.get(COUPLE).json()["partner"]
    assert (shared["ranking"][0], shared["shared_with_partner"]) == ("touch", True)
    me.put(MINE, {"shared_with_partner": False})
    assert partner.get(COUPLE).json()["partner"] is None
    assert me.get(COUPLE).json()["me"]["ranking"][0] == "touch"  # always mine to see


def test_a_stranger_never_sees_a_shared_ranking(me, partner, stranger, love_quiz):
    take(me, love_quiz, favouring(love_quiz, "touch"))
    me.put(MINE, {"shared_with_partner": True})

    body = stranger.get(COUPLE).json()

    assert body == {"me": NOT_TAKEN, "partner": None}


def test_couple_love_languages_need_a_couple(loner):
    response = loner.get(COUPLE)

    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_paired")


def test_couple_love_languages_cost_a_constant_number_of_queries(me, partner, love_quiz, django_assert_num_queries):
    take(me, love_quiz, favouring(love_quiz))
    take(partner, love_quiz, favouring(love_quiz))
    partner.put(MINE, {"shared_with_partner": True})

    with django_assert_num_queries(3):  # session with membership and partner, my profile, partner's profile
        assert me.get(COUPLE).status_code == 200


# Ritual templates for the partner's languages -----------------------------------------------------


def test_templates_for_the_partner_come_in_the_order_of_the_partners_shared_languages(me, partner, love_quiz):
    gifts = make_template(title="A gifts ritual", love_languages=[LoveLanguage.GIFTS], ordering=1)
    both = make_template(title="Touch and time", love_languages=[LoveLanguage.TOUCH, LoveLanguage.TIME], ordering=3)
    touch = make_template(title="A touch ritual", love_languages=[LoveLanguage.TOUCH], ordering=2)
    time = make_template(title="A time ritual", love_languages=[LoveLanguage.TIME], ordering=4)
    curated = [str(t.pk) for t in (gifts, touch, both, time)]
    take(partner, love_quiz, favouring(love_quiz, "touch", "time", "words", "acts"))

    def order() -> list[str]:
        return [t["id"] for t in me.get("/api/v1/ritual-templates?for=partner").json()["results"]]

    assert order() == curated  # not shared: nothing is read from the partner's answers
    partner.put(MINE, {"shared_with_partner": True})
    assert order() == [str(t.pk) for t in (both, touch, time, gifts)]  # touch 3 + time 2, touch, time, none
    assert [t["id"] for t in me.get("/api/v1/ritual-templates").json()["results"]] == curated


def test_templates_for_the_partner_page_without_gaps_and_keep_a_pinned_query_count(
    me, partner, love_quiz, django_assert_num_queries
):
    made = [make_template(love_languages=[LoveLanguage.TOUCH if i % 2 else LoveLanguage.GIFTS]) for i in range(7)]
    take(partner, love_quiz, favouring(love_quiz, "touch"))
    partner.put(MINE, {"shared_with_partner": True})

    with django_assert_num_queries(3):  # session with membership and partner, partner's profile, templates
        first = me.get("/api/v1/ritual-templates?for=partner&page_size=3").json()
    seen, page = [t["id"] for t in first["results"]], first
    while page["next"]:
        page = me.get(page["next"]).json()
        seen += [t["id"] for t in page["results"]]

    assert sorted(seen) == sorted(str(t.pk) for t in made)
    assert len(seen) == len(set(seen))
    assert set(seen[:3]) == {str(t.pk) for t in made if t.love_languages == [LoveLanguage.TOUCH]}


def test_an_unknown_for_is_a_400(me):
    response = me.get("/api/v1/ritual-templates?for=me")

    assert response.json()["error"]["fields"]["for"][0]["code"] == "invalid_choice"


# How well do you know me ----------------------------------------------------------------------------


def test_know_me_answers_are_revealed_and_scored_only_once_both_answered(me, partner, know_me):
    know_me_url = f"{QUIZZES}/{know_me.pk}/know-me"
    first = take(me, know_me, know_me_answers(know_me, own=0, guess=1))

    assert first.status_code == 201, first.content
    mine = first.json()["know_me"]
    assert (mine["partner_answered"], mine["revealed"], mine["partner_answers"], mine["my_score"]) == (
        False,
        False,
        None,
        None,
    )
    waiting = partner.get(know_me_url).json()
    assert (waiting["partner_answered"], waiting["partner_answers"], waiting["my_answers"]) == (True, None, None)
    assert "self_option" not in partner.get(know_me_url).content.decode()

    # The partner answers option 1 for themselves (what I guessed) and guesses 2 (I said 0).
    both = take(partner, know_me, know_me_answers(know_me, own=1, guess=2)).json()["know_me"]

    assert (both["revealed"], both["my_score"], both["partner_score"], both["question_count"]) == (True, 0, 6, 6)
    seen_by_me = me.get(know_me_url).json()
    assert (seen_by_me["my_score"], seen_by_me["partner_score"]) == (6, 0)
    assert [a["self_option_id"] for a in seen_by_me["partner_answers"]] == [
        a["self_option_id"] for a in know_me_answers(know_me, own=1, guess=2)
    ]


def test_know_me_answers_can_be_changed_until_the_reveal_then_they_are_locked(me, partner, know_me):
    take(me, know_me, know_me_answers(know_me, own=0, guess=0))
    changed = take(me, know_me, know_me_answers(know_me, own=2, guess=3))
    assert changed.status_code == 201
    assert KnowMeAnswers.objects.get(user=me.user).answers[0]["self_option_id"] == str(
        know_me.questions.order_by("ordering").first().options.order_by("ordering")[2].pk
    )
    take(partner, know_me, know_me_answers(know_me, own=0, guess=0))

    response = take(me, know_me, know_me_answers(know_me, own=1, guess=1))

    assert (response.status_code, response.json()["error"]["code"]) == (409, "answers_revealed")


def test_know_me_needs_a_couple_and_a_know_me_quiz(loner, me, know_me, love_quiz):
    assert loner.get(f"{QUIZZES}/{know_me.pk}/know-me").json()["error"]["code"] == "not_paired"
    assert take(loner, know_me, know_me_answers(know_me, 0, 0)).json()["error"]["code"] == "not_paired"
    assert me.get(f"{QUIZZES}/{love_quiz.pk}/know-me").status_code == 404
    wrong = take(me, know_me, favouring(love_quiz))
    assert wrong.status_code == 400  # love-language answers have no self/guess options


def test_another_couple_never_sees_our_know_me_answers(me, partner, stranger, know_me):
    take(me, know_me, know_me_answers(know_me, own=0, guess=1))
    take(partner, know_me, know_me_answers(know_me, own=1, guess=0))

    theirs = stranger.get(f"{QUIZZES}/{know_me.pk}/know-me").json()

    assert (theirs["partner_answered"], theirs["my_answers"], theirs["partner_answers"]) == (False, None, None)


def test_the_know_me_view_costs_a_constant_number_of_queries(me, partner, know_me, django_assert_num_queries):
    take(me, know_me, know_me_answers(know_me, own=0, guess=1))
    take(partner, know_me, know_me_answers(know_me, own=1, guess=0))

    with django_assert_num_queries(5):  # session (with the membership), quiz + questions + options, answers
        assert me.get(f"{QUIZZES}/{know_me.pk}/know-me").status_code == 200


# Export and admin -----------------------------------------------------------------------------------


def test_the_export_holds_my_results_and_never_the_partners(me, partner, love_quiz, know_me):
    take(me, love_quiz, favouring(love_quiz, "words"))
    take(partner, love_quiz, favouring(love_quiz, "gifts"))
    partner.put(MINE, {"shared_with_partner": True})
    take(me, know_me, know_me_answers(know_me, own=0, guess=1))
    take(partner, know_me, know_me_answers(know_me, own=3, guess=2))

    export = me.get("/api/v1/me/export").json()

    assert [r["ranking"][0] for r in export["quiz_results"]] == ["words"]
    assert [p["ranking"][0] for p in export["love_language_profile"]] == ["words"]
    assert len(export["know_me_answers"]) == 1
    partner_option = know_me.questions.order_by("ordering").first().options.order_by("ordering")[3].text
    assert partner_option not in str(export["know_me_answers"])
    assert str(QuizResult.objects.get(user=partner.user).pk) not in str(export)


@pytest.mark.parametrize("path", ["quizresult", "lovelanguageprofile", "knowmeanswers"])
def test_admin_pages_show_no_ranking_score_or_answer(me, partner, love_quiz, know_me, path):
    take(me, love_quiz, favouring(love_quiz, "gifts"))
    take(me, know_me, know_me_answers(know_me, own=0, guess=1))
    staff = Client()
    staff.force_login(UserFactory.create(email="staff@example.com", is_staff=True, is_superuser=True))

    listing = staff.get(f"/admin/quizzes/{path}/")
    row = {
        "quizresult": QuizResult.objects.get(user=me.user).pk,
        "lovelanguageprofile": me.user.pk,
        "knowmeanswers": KnowMeAnswers.objects.get(user=me.user).pk,
    }[path]
    detail = staff.get(f"/admin/quizzes/{path}/{row}/change/")

    assert listing.status_code == detail.status_code == 200
    for page in (listing.content.decode(), detail.content.decode()):
        assert "gifts" not in page.lower()  # neither the code nor "Receiving gifts"
        first_option = know_me.questions.order_by("ordering").first().options.order_by("ordering")[0].text
        assert first_option not in page


def test_each_partner_is_told_once_when_the_other_answers_and_never_what(me, partner, know_me):
    take(me, know_me, know_me_answers(know_me, own=0, guess=1))
    take(me, know_me, know_me_answers(know_me, own=2, guess=1))  # a change before the reveal: no new ping
    take(partner, know_me, know_me_answers(know_me, own=1, guess=0))

    told_partner = Notification.objects.filter(recipient=partner.user, kind="know_me_answered")
    told_me = Notification.objects.filter(recipient=me.user, kind="know_me_answered")
    assert [n.body for n in told_partner] == ["Answer it too to see how well you know each other."]
    assert [n.body for n in told_me] == ["You both answered: see how well you know each other."]
    note = told_me.get()
    assert note.data == {"screen": "quiz_know_me", "quiz_id": str(know_me.pk)}
    assert "How well do you know me?" in note.title
    options = Option.objects.filter(question__quiz=know_me).values_list("text", flat=True)
    assert not [text for text in options if text in note.title + note.body]


# In the reader's language ---------------------------------------------------------------------------


def test_a_quiz_comes_in_the_readers_language_and_results_keep_the_source_text(
    me, love_quiz, django_assert_num_queries
):
    QuizTranslation.objects.create(quiz=love_quiz, locale="es", status="approved", title="Tus lenguajes del amor")
    question = love_quiz.questions.order_by("ordering")[0]
    QuestionTranslation.objects.create(question=question, locale="es", status="approved", text="¿Qué te animaría?")
    option = question.options.order_by("ordering")[0]
    OptionTranslation.objects.create(option=option, locale="es", status="approved", text="Una nota")
    OptionTranslation.objects.create(
        option=question.options.order_by("ordering")[1], locale="es", status="draft", text="Borrador"
    )

    with django_assert_num_queries(2):
        listed = me.get(QUIZZES, HTTP_ACCEPT_LANGUAGE="es").json()["results"]
    with django_assert_num_queries(4):
        detail = me.get(f"{QUIZZES}/{love_quiz.pk}", HTTP_ACCEPT_LANGUAGE="es").json()

    assert (listed[0]["title"], listed[0]["locale"], listed[0]["translated"]) == ("Tus lenguajes del amor", "es", True)
    assert (listed[1]["locale"], listed[1]["translated"]) == ("en", False)
    first = detail["questions"][0]
    assert (first["text"], first["locale"]) == ("¿Qué te animaría?", "es")
    assert [(o["text"], o["translated"]) for o in first["options"]] == [
        ("Una nota", True),
        (LOVE_LANGUAGE_QUESTIONS[0][2][0], False),  # a draft never reaches the app
    ]
    assert detail["questions"][1]["locale"] == "en"

    result = take(me, love_quiz, favouring(love_quiz, "words")).json()["love_languages"]
    assert QuizResult.objects.get(pk=result["id"]).answers[0]["question"] == LOVE_LANGUAGE_QUESTIONS[0][0]
