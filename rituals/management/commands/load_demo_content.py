"""Loads the starter ritual templates, prompt decks (rituals.demo_content), quizzes and date ideas (with
their approved German and Spanish translations, dates.demo_translations). Safe to run again.

Rows are matched by slug (prompts by their text within the deck, translations by their item and
locale) and updated in place, so a second run changes nothing and ids stay stable. Content the team
added in the admin is left alone.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from dates.demo_content import DATE_IDEAS, load_date_ideas
from rituals.demo_content import PROMPT_DECKS, RITUAL_TEMPLATES
from rituals.models import Prompt, PromptDeck, RitualTemplate


class Command(BaseCommand):
    help = "Loads the demo ritual templates and prompt decks, all published (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        created_templates = 0
        for position, fields in enumerate(RITUAL_TEMPLATES, start=1):
            _, created = RitualTemplate.objects.update_or_create(
                slug=fields["slug"],
                defaults={**fields, "is_published": True, "ordering": position * 10},
            )
            created_templates += created

        created_prompts = prompt_total = 0
        for position, deck_fields in enumerate(PROMPT_DECKS, start=1):
            texts = deck_fields["prompts"]
            deck, _ = PromptDeck.objects.update_or_create(
                slug=deck_fields["slug"],
                defaults={
                    "title": deck_fields["title"],
                    "description": deck_fields["description"],
                    "kind": deck_fields["kind"],
                    "is_published": True,
                    "ordering": position * 10,
                },
            )
            for index, text in enumerate(texts, start=1):
                _, created = Prompt.objects.update_or_create(
                    deck=deck, text=text, defaults={"is_published": True, "ordering": index * 10}
                )
                created_prompts += created
            prompt_total += len(texts)

        # The quizzes app owns its starter content; loaded here so one command sets up the demo.
        from quizzes.demo_content import load_demo_quizzes

        quiz_total, question_total = load_demo_quizzes()
        created_ideas = load_date_ideas()
        self.stdout.write(
            f"Demo content ready: {len(RITUAL_TEMPLATES)} ritual templates ({created_templates} new), "
            f"{len(PROMPT_DECKS)} prompt decks, {prompt_total} prompts ({created_prompts} new), "
            f"{quiz_total} quizzes ({question_total} questions), {len(DATE_IDEAS)} date ideas ({created_ideas} new)."
        )
