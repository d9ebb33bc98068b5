"""The quiz admin: curating questions and options with their points, revisions and history."""

import pytest
from django.test import Client

from quizzes.models import Option, Question, QuestionTranslation, Quiz, QuizTranslation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory.create(email="quiz-editor@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def staff(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def _option_form(question: Question, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {
        "quiz": str(question.quiz_id),
        "text": question.text,
        "ordering": str(question.ordering),
        "options-TOTAL_FORMS": str(len(rows)),
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
    }
    for index, row in enumerate(rows):
        data.update({f"options-{index}-{key}": value for key, value in row.items()})
        data[f"options-{index}-question"] = str(question.pk)
    return data


@pytest.fixture
def question() -> Question:
    quiz = Quiz.objects.create(slug="ll", title="Love languages", kind=Quiz.Kind.LOVE_LANGUAGE, is_published=True)
    return Question.objects.create(quiz=quiz, text="Which would mean more?", ordering=10)


def test_options_and_their_points_are_curated_inline_and_bump_the_revision(staff, editor, question):
    before = Quiz.objects.get(pk=question.quiz_id).revision

    response = staff.post(
        f"/admin/quizzes/question/{question.pk}/change/",
        _option_form(
            question,
            [
                {"text": "A long hug", "ordering": "1", "scores": '{"touch": 2}'},
                {"text": "A kind note", "ordering": "2", "scores": '{"words": 1, "time": 1}'},
            ],
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(question.options.order_by("ordering").values_list("text", "scores")) == [
        ("A long hug", {"touch": 2}),
        ("A kind note", {"words": 1, "time": 1}),
    ]
    assert Quiz.objects.get(pk=question.quiz_id).revision > before
    history = Option.history.filter(text="A long hug").get()
    assert history.history_user == editor


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ('{"telepathy": 1}', "telepathy is not a love language"),
        ('{"touch": 11}', "Points are whole numbers from 0 to 10."),
        ('{"touch": 1.5}', "Points are whole numbers from 0 to 10."),
        ("[1, 2]", "Write the points as {&quot;words&quot;: 1}."),
    ],
)
def test_invalid_points_are_refused_with_a_message(staff, question, scores, message):
    response = staff.post(
        f"/admin/quizzes/question/{question.pk}/change/",
        _option_form(question, [{"text": "A long hug", "ordering": "1", "scores": scores}]),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not question.options.exists()


def test_the_quiz_list_counts_questions_in_one_query_and_shows_the_revision(
    staff, question, django_assert_max_num_queries
):
    for index in range(5):
        quiz = Quiz.objects.create(slug=f"quiz-{index}", title=f"Quiz {index}", kind=Quiz.Kind.KNOW_ME)
        Question.objects.create(quiz=quiz, text="Q?")

    with django_assert_max_num_queries(10):
        response = staff.get("/admin/quizzes/quiz/")

    assert response.status_code == 200
    assert [q.questions_counted for q in response.context["cl"].result_list][:1] == [1]


def test_quiz_translations_have_a_status_column_a_missing_filter_and_a_preview_as_locale(staff, question):
    quiz = question.quiz
    QuizTranslation.objects.create(quiz=quiz, locale="de", status="approved", title="Liebessprachen")
    QuestionTranslation.objects.create(question=question, locale="de", status="draft", text="Was bedeutet mehr?")
    Quiz.objects.create(slug="other", title="Untranslated", kind=Quiz.Kind.KNOW_ME)

    listing = staff.get("/admin/quizzes/quiz/")
    missing_de = staff.get("/admin/quizzes/quiz/", {"missing_translation": "de"})
    preview = staff.get(f"/admin/quizzes/quiz/{quiz.pk}/preview/de/").content.decode()

    assert "de: Approved · es: missing" in listing.content.decode()
    assert [q.title for q in missing_de.context["cl"].result_list] == ["Untranslated"]
    assert "<strong>Liebessprachen</strong>" in preview
    assert "Was bedeutet mehr?" in preview  # drafts show in the preview, never in the app
    question_page = staff.get(f"/admin/quizzes/question/{question.pk}/preview/de/").content.decode()
    assert "The de translation is draft" in question_page
