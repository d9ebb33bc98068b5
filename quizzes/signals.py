"""Signal wiring of the quizzes app.

- A quiz's revision goes up with every saved or deleted question or option, whatever wrote it (the
  admin, a shell, load_demo_content), so a result always names the revision it was scored on.
- When a couple ends, both members stop sharing their love-language ranking (a new partner sees it
  only once it is shared again).
"""

from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save

from quizzes.models import Option, Question, Quiz


def _bump(quiz_id: Any) -> None:
    Quiz.objects.filter(pk=quiz_id).update(revision=F("revision") + 1)


def _question_changed(sender: Any, instance: Question, **kwargs: Any) -> None:
    _bump(instance.quiz_id)


def _option_changed(sender: Any, instance: Option, **kwargs: Any) -> None:
    quiz_id = Question.objects.filter(pk=instance.question_id).values_list("quiz_id", flat=True).first()
    if quiz_id is not None:
        _bump(quiz_id)


def _couple_ended(sender: Any, couple: Any, **kwargs: Any) -> None:
    from quizzes.services import love_language_sharing_end

    love_language_sharing_end(couple=couple)


def connect() -> None:
    from couples.signals import couple_ended

    couple_ended.connect(_couple_ended, weak=False, dispatch_uid="quizzes.sharing_ends_with_the_couple")
    for signal in (post_save, post_delete):
        signal.connect(_question_changed, sender=Question, weak=False, dispatch_uid=f"quizzes.question.{signal}")
        signal.connect(_option_changed, sender=Option, weak=False, dispatch_uid=f"quizzes.option.{signal}")
