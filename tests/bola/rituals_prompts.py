"""BOLA matrix entries of the daily prompt routes."""

from datetime import timedelta

from django.utils import timezone

from rituals.models import DailyPrompt, Prompt, PromptAnswer, PromptDeck
from tests.bola.spec import Route, World


def populate(world: World) -> None:
    """Today's and yesterday's daily prompts of the victims, both answered by both."""
    deck = PromptDeck.objects.create(slug="bola-deck", title="BOLA deck", is_published=True)
    prompt = Prompt.objects.create(deck=deck, text="What made you smile today?")
    today = timezone.now().date()
    for key, day in (("daily_prompt", today), ("daily_prompt_yesterday", today - timedelta(days=1))):
        daily = DailyPrompt.objects.create(couple=world.couple, day=day, prompt=prompt)
        world.objects[key] = daily
        for who, user in (("me", world.me), ("partner", world.partner)):
            world.objects[f"{key}_answer_{who}"] = PromptAnswer.objects.create(
                couple=world.couple, daily_prompt=daily, user=user, text=f"victim answer {who} {day}"
            )


ROUTES: dict[str, Route] = {
    "prompts-today": Route(("GET",)),
    "prompts-today-answer": Route(("POST",), bodies={"POST": {"text": "attacker answer"}}),
    "prompts-history": Route(("GET",)),
}
