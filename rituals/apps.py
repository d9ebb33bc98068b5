from importlib import import_module
from typing import Any

from django.apps import AppConfig

AREAS = ("content", "rituals", "goals", "checkins", "nudges", "prompts")


class RitualsConfig(AppConfig):
    name = "rituals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from config.api.shared_responses import CONTENT
        from notifications.signals import pushes_sent
        from rituals.models import (
            Prompt,
            PromptDeck,
            PromptDeckTranslation,
            PromptTranslation,
            RitualTemplate,
            RitualTemplateTranslation,
        )
        from rituals.services import streaks

        # An edit of the curated content reaches this process's next list at once (the others within
        # CONTENT_CACHE_SECONDS).
        CONTENT.clear_on_change(
            RitualTemplate, RitualTemplateTranslation, PromptDeck, PromptDeckTranslation, Prompt, PromptTranslation
        )
        streaks.connect()  # completions written outside completion_record invalidate the streak checkpoint
        pushes_sent.connect(_record_nudge_delivery, weak=False, dispatch_uid="rituals.nudge_delivery")
        # Each area registers its sections of the personal-data export (accounts.export).
        for area in AREAS:
            try:
                module = import_module(f"rituals.exports.{area}")
            except ModuleNotFoundError as exc:
                if exc.name != f"rituals.exports.{area}":
                    raise
                continue
            module.register()


def _record_nudge_delivery(sender: Any, notifications: list[Any], **kwargs: Any) -> None:
    from notifications.models import Notification
    from rituals.services.nudges import nudges_mark_delivered

    nudge_ids = [
        n.data["nudge_id"] for n in notifications if n.kind == Notification.Kind.NUDGE and "nudge_id" in n.data
    ]
    if nudge_ids:
        nudges_mark_delivered(nudge_ids=nudge_ids)
