"""BOLA matrix entries of the quiz and love-language routes.

Quizzes are global content: a live quiz is everybody's, so the routes addressed by id point at a
draft (the matrix demands 404). What must never leak are the victims' results: both victims took the
love-language quiz and share it with each other, and both answered the know-me quiz (revealed to
each other); no attacker may see any of it, or change it.
"""

from quizzes import services
from quizzes.demo_content import load_demo_quizzes
from quizzes.models import Quiz
from tests.bola.spec import Route, World


def populate(world: World) -> None:
    load_demo_quizzes()
    love = Quiz.objects.get(kind=Quiz.Kind.LOVE_LANGUAGE)
    know_me = Quiz.objects.get(kind=Quiz.Kind.KNOW_ME)
    for who, user in (("me", world.me), ("partner", world.partner)):
        answers = [
            {"question_id": q.id, "option_id": q.options.order_by("ordering")[0].id}
            for q in love.questions.order_by("ordering")
        ]
        world.objects[f"quiz_result_{who}"] = services.love_language_quiz_submit(quiz=love, user=user, answers=answers)
        services.love_language_sharing_set(user=user, shared_with_partner=True)
        guesses = [
            {
                "question_id": q.id,
                "self_option_id": q.options.order_by("ordering")[0].id,
                "guess_option_id": q.options.order_by("ordering")[1].id,
            }
            for q in know_me.questions.order_by("ordering")
        ]
        world.objects[f"know_me_{who}"] = services.know_me_quiz_submit(quiz=know_me, user=user, answers=guesses)
    world.objects["quiz_draft"] = Quiz.objects.create(slug="bola-draft-quiz", title="Draft", kind=Quiz.Kind.KNOW_ME)


def _draft(world: World) -> dict[str, object]:
    return {"quiz_id": world.objects["quiz_draft"].pk}


ROUTES: dict[str, Route] = {
    "quizzes": Route(("GET",)),
    "quiz-detail": Route(("GET",), object_kwargs=_draft),
    "quiz-attempts": Route(("POST",), object_kwargs=_draft, bodies={"POST": {"answers": []}}),
    "quiz-know-me": Route(("GET",), object_kwargs=_draft),
    "me-love-languages": Route(("GET", "PUT"), bodies={"PUT": {"shared_with_partner": False}}),
    "couple-love-languages": Route(("GET",)),
}
