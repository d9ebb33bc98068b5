"""How insights follows the couple's life: a new couple starts its weekly reports, a zone change
moves the running week's end, an ended couple's schedule and pending deliveries stop."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from couples.models import Couple
from couples.signals import couple_ended
from insights import services
from rituals.models import CheckIn, Completion, PromptAnswer


@receiver(post_save, sender=Couple, dispatch_uid="insights_couple_saved")
def _couple_saved(sender: type[Couple], instance: Couple, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw") or not instance.is_active:
        return
    if created:
        services.schedule_start(couple=instance)
    else:
        services.schedule_follow_zone(couple=instance)


@receiver(couple_ended, dispatch_uid="insights_couple_ended")
def _couple_ended(sender: type[Couple], couple: Couple, **kwargs: Any) -> None:
    services.schedule_stop(couple=couple)


@receiver(post_save, sender=Completion, dispatch_uid="insights_widget_completion")
@receiver(post_save, sender=PromptAnswer, dispatch_uid="insights_widget_answer")
@receiver(post_save, sender=CheckIn, dispatch_uid="insights_widget_check_in")
def _partner_acted(sender: type[Any], instance: Any, created: bool, **kwargs: Any) -> None:
    """What the partner's widget shows changed (a completion, an answer, a shared check-in): wake it."""
    if kwargs.get("raw") or (isinstance(instance, CheckIn) and not instance.is_shared):
        return
    services.widget_refresh_partner_of(user_id=instance.user_id, couple_id=instance.couple_id)
