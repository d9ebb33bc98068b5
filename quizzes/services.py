"""Writes of quizzes: submitting a love-language quiz or a know-me quiz, and sharing a ranking.

A submission is checked against the quiz as it is now (every question answered once, with one of its
own options), scored (quizzes.scoring) and stored with the quiz's revision and a snapshot of the
questions and options chosen, so a later edit of the quiz never changes it.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from config.api.errors import ConflictError, NotFoundError
from couples.models import Couple, Membership
from couples.scoping import require_active_couple
from couples.selectors import partner_of
from messaging.catalog import notification_key
from notifications.models import Notification
from notifications.services import notify
from quizzes.models import KnowMeAnswers, LoveLanguageProfile, Option, Question, Quiz, QuizResult
from quizzes.scoring import love_language_ranking, love_language_scores
from quizzes.selectors import love_language_profile
from sync.changes import stamped_once


class KnowMeRevealedError(ConflictError):
    code = "answers_revealed"
    message = gettext_lazy("You both answered, so the answers are revealed and can no longer be changed.")


class NoLoveLanguagesError(NotFoundError):
    code = "no_love_languages"
    message = gettext_lazy("Take the love-language quiz first.")


class WrongQuizKindError(ConflictError):
    code = "wrong_quiz_kind"
    message = gettext_lazy("This quiz is answered differently: check its kind.")


def _questions(quiz: Quiz) -> dict[str, tuple[Question, dict[str, Option]]]:
    """The quiz's questions as they are now, by id, each with its options by id (two queries)."""
    questions: dict[str, tuple[Question, dict[str, Option]]] = {
        str(q.id): (q, {}) for q in Question.objects.filter(quiz=quiz)
    }
    for option in Option.objects.filter(question__quiz=quiz):
        questions[str(option.question_id)][1][str(option.id)] = option
    return questions


def _checked(
    quiz: Quiz, answers: Sequence[Mapping[str, Any]], option_keys: Sequence[str]
) -> list[tuple[Question, list[Option]]]:
    """Each question of the quiz once, with the option(s) named under `option_keys`; else a 400."""
    questions = _questions(quiz)
    seen: dict[str, list[Option]] = {}
    for index, answer in enumerate(answers):
        question_id = str(answer["question_id"])
        if question_id not in questions:
            raise ValidationError(
                {f"answers.{index}.question_id": ValidationError(_("Not a question of this quiz."), code="invalid")}
            )
        if question_id in seen:
            raise ValidationError(
                {f"answers.{index}.question_id": ValidationError(_("Answered twice."), code="duplicate")}
            )
        options = questions[question_id][1]
        chosen = []
        for key in option_keys:
            option = options.get(str(answer[key]))
            if option is None:
                raise ValidationError(
                    {f"answers.{index}.{key}": ValidationError(_("Not an option of this question."), code="invalid")}
                )
            chosen.append(option)
        seen[question_id] = chosen
    missing = [qid for qid in questions if qid not in seen]
    if missing or not questions:
        raise ValidationError({"answers": ValidationError(_("Answer every question of the quiz."), code="incomplete")})
    ordered = sorted(questions.values(), key=lambda pair: (pair[0].ordering, str(pair[0].id)))
    return [(question, seen[str(question.id)]) for question, _options in ordered]


@transaction.atomic
def love_language_quiz_submit(*, quiz: Quiz, user: User, answers: Sequence[Mapping[str, Any]]) -> QuizResult:
    """Scores the user's answers, stores the result and makes it the user's love-language profile.

    The profile keeps its sharing choice across retakes (a new profile starts unshared).
    """
    if quiz.kind != Quiz.Kind.LOVE_LANGUAGE:
        raise WrongQuizKindError()
    checked = _checked(quiz, answers, ["option_id"])
    scores = love_language_scores(options[0].scores for _question, options in checked)
    result = QuizResult.objects.create(
        user=user,
        quiz=quiz,
        quiz_revision=quiz.revision,
        answers=[
            {
                "question_id": str(question.id),
                "question": question.text,
                "option_id": str(options[0].id),
                "option": options[0].text,
            }
            for question, options in checked
        ],
        scores=scores,
        ranking=love_language_ranking(scores),
    )
    LoveLanguageProfile.objects.update_or_create(user=user, defaults={"result": result, "updated_at": timezone.now()})
    return result


@transaction.atomic
def love_language_sharing_set(*, user: User, shared_with_partner: bool) -> LoveLanguageProfile:
    """Shares the user's ranking with the partner, or stops sharing it (404 before the quiz was taken)."""
    profile = love_language_profile(user=user)
    if profile is None:
        raise NoLoveLanguagesError()
    profile.shared_with_partner = shared_with_partner
    profile.updated_at = timezone.now()
    profile.save(update_fields=["shared_with_partner", "updated_at"])
    return profile


def _tell_partner(*, quiz: Quiz, couple: Couple, user: User, revealed: bool) -> None:
    """One notification per partner, quiz and couple: a change of answers before the reveal does not ping again."""
    partner = partner_of(user=user)
    if partner is None:
        return
    notify(
        recipient=partner,
        kind=Notification.Kind.KNOW_ME_ANSWERED,
        message=notification_key(Notification.Kind.KNOW_ME_ANSWERED, "both" if revealed else ""),
        params={"partner_name": user.display_name, "quiz_title": quiz.title},
        data={"screen": "quiz_know_me", "quiz_id": str(quiz.id)},
        dedupe_key=f"know_me_answered:{couple.pk}:{quiz.pk}:{user.pk}",
    )


@transaction.atomic
@stamped_once
def know_me_quiz_submit(*, quiz: Quiz, user: User, answers: Sequence[Mapping[str, Any]]) -> KnowMeAnswers:
    """Records (or, before the reveal, replaces) the user's own answers and guesses of the partner's.

    The couple row is locked (`FOR NO KEY UPDATE`, the aggregate of this write), so two partners
    submitting at once are applied one after the other: once both answered, the answers are revealed
    to both and locked (409 `answers_revealed`). The partner is told once (`know_me_answered`); the
    notification never contains an answer.
    """
    if quiz.kind != Quiz.Kind.KNOW_ME:
        raise WrongQuizKindError()
    couple = require_active_couple(user)
    checked = _checked(quiz, answers, ["self_option_id", "guess_option_id"])
    list(Couple.objects.select_for_update(no_key=True).filter(pk=couple.pk).values_list("pk", flat=True))
    existing = {a.user_id: a for a in KnowMeAnswers.objects.filter(couple=couple, quiz=quiz)}
    if user.pk in existing and len(existing) == 2:
        raise KnowMeRevealedError()
    snapshot = [
        {
            "question_id": str(question.id),
            "question": question.text,
            "self_option_id": str(own.id),
            "self_option": own.text,
            "guess_option_id": str(guess.id),
            "guess_option": guess.text,
        }
        for question, (own, guess) in checked
    ]
    mine = existing.get(user.pk)
    if mine is not None:
        mine.answers, mine.quiz_revision, mine.updated_at = snapshot, quiz.revision, timezone.now()
        mine.save(update_fields=["answers", "quiz_revision", "updated_at"])
        return mine
    try:
        with transaction.atomic():
            mine = KnowMeAnswers.objects.create(
                couple=couple, user=user, quiz=quiz, quiz_revision=quiz.revision, answers=snapshot
            )
    except IntegrityError as exc:  # pragma: no cover - the couple lock serializes the couple's submissions
        raise ConflictError() from exc
    _tell_partner(quiz=quiz, couple=couple, user=user, revealed=bool(existing))
    return mine


def love_language_sharing_end(*, couple: Couple) -> int:
    """Stops both members sharing their ranking when their couple ends (`couples.signals.couple_ended`).

    Sharing is a choice made for one partner: a later partner sees a ranking only once it is shared
    again. Runs inside the transaction that ends the couple. Returns how many profiles changed.
    """
    members = Membership.objects.filter(couple=couple).values("user_id")
    return LoveLanguageProfile.objects.filter(user__in=members, shared_with_partner=True).update(
        shared_with_partner=False, updated_at=timezone.now()
    )
