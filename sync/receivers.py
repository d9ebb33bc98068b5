"""What a write means for each phone: the audience of a changed record and whether it is now gone.

Saves and deletes of synced models are caught by model signals, inside the writing transaction.
Writes that bypass signals (`QuerySet.update`, `bulk_create`, raw SQL) call `touch` / `touch_ids` /
`touch_notifications` themselves; `tests/sync/test_change_capture.py` checks every service write shows up in a
pull.
"""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.models import User
from couples.models import Membership
from couples.signals import couple_ended
from dates.models import DateMemory, DatePlan
from insights.models import WeeklyReflection, WeeklyReport
from notifications.models import Notification
from rituals.models import CheckIn, Completion, DailyPrompt, Goal, Nudge, PromptAnswer, Ritual
from sync.changes import Change, batch_members, stamp
from sync.models import SyncCounter, SyncState
from sync.tables import TABLE_OF_MODEL, couple_members, shared_records_of


def changes_for(instance: Any, *, gone: bool = False, created: bool = False) -> list[Change]:
    table = TABLE_OF_MODEL[type(instance)]
    record_id = str(instance.pk)
    if isinstance(instance, Notification):
        return [Change(instance.recipient_id, table, record_id, gone)]
    if isinstance(instance, CheckIn):
        changes = [Change(instance.user_id, table, record_id, gone)]
        partners = [member for member in _members(instance.couple_id) if member != instance.user_id]
        if instance.is_shared:
            changes += [Change(member, table, record_id, gone) for member in partners]
        elif partners and not created:
            # A private check-in reaches the partner's phone only as the deletion of one that was
            # shared before (unshared, or deleted): never a trace of one they never held.
            held = SyncState.objects.filter(user_id__in=partners, table=table, record_id=record_id, deleted=False)
            changes += [Change(member, table, record_id, True) for member in held.values_list("user_id", flat=True)]
        return changes
    deleted = gone or getattr(instance, "deleted_at", None) is not None
    couple_id = instance.plan.couple_id if isinstance(instance, DateMemory) else instance.couple_id
    changes = [Change(member, table, record_id, deleted) for member in _members(couple_id)]
    members = [change.user_id for change in changes]
    if isinstance(instance, Ritual) and deleted:
        # A deleted ritual takes its completions off the phones too, and leaves its goals' lists.
        for completion_id in Completion.objects.filter(ritual=instance).values_list("id", flat=True):
            changes += [Change(member, "ritual_completions", str(completion_id), True) for member in members]
        for goal_id in Goal.rituals.through.objects.filter(ritual_id=instance.pk).values_list("goal_id", flat=True):
            changes += [Change(member, "goals", str(goal_id)) for member in members]
    if isinstance(instance, WeeklyReflection) and not gone:
        # The second reflection reveals the first: it changes for both partners too.
        reflections = WeeklyReflection.objects.filter(report_id=instance.report_id).exclude(pk=instance.pk)
        for other_id in reflections.values_list("id", flat=True):
            changes += [Change(member, table, str(other_id)) for member in members]
    if isinstance(instance, PromptAnswer) and not gone:
        # A second answer reveals the first one: the other answer changes for both partners too.
        others = PromptAnswer.objects.filter(daily_prompt_id=instance.daily_prompt_id).exclude(pk=instance.pk)
        for other_id in others.values_list("id", flat=True):
            changes += [Change(member, table, str(other_id)) for member in members]
    return changes


def _members(couple_id: UUID | None) -> list[UUID]:
    return [] if couple_id is None else batch_members(couple_id, couple_members)


def touch(instance: Any) -> None:
    """Records that `instance` changed, for every phone that holds (or held) it."""
    stamp(changes_for(instance))


def touch_created(instances: Iterable[Any]) -> None:
    """Same, for new records inserted with `bulk_create` (which sends no post_save)."""
    stamp([change for instance in instances for change in changes_for(instance, created=True)])


def touch_notifications(recipients_and_ids: Iterable[tuple[UUID, UUID]]) -> None:
    """Same, for notifications written in bulk, from their recipient and id alone (a notification's
    audience is its recipient): no re-read, no model instance."""
    table = TABLE_OF_MODEL[Notification]
    stamp([Change(recipient_id, table, str(pk)) for recipient_id, pk in recipients_and_ids])


def touch_ids(model: type[Any], ids: Iterable[Any]) -> None:
    """Same, for rows written in bulk (`update`, `bulk_create`)."""
    changes: list[Change] = []
    for instance in model.objects.filter(pk__in=list(ids)):
        changes += changes_for(instance)
    stamp(changes)


def touch_partner_profiles(user_ids: Iterable[UUID]) -> None:
    """A profile (name, zone) or a pairing changed: each person's partner holds a fresh copy."""
    changes: list[Change] = []
    for membership in Membership.objects.filter(user_id__in=list(user_ids), is_active=True):
        for member in _members(membership.couple_id):
            if member != membership.user_id:
                changes.append(Change(member, "partner_profiles", str(membership.user_id)))
    stamp(changes)


def _on_save(sender: Any, instance: Any, raw: bool = False, created: bool = False, **kwargs: Any) -> None:
    if not raw:
        stamp(changes_for(instance, created=created))


def _on_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    stamp(changes_for(instance, gone=True))


def _on_user_save(sender: Any, instance: User, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    if raw or (update_fields is not None and not {"display_name", "time_zone"} & set(update_fields)):
        return
    touch_partner_profiles([instance.pk])


def _on_user_deleted(sender: Any, instance: User, **kwargs: Any) -> None:
    """Drops the sync rows of a deleted account, after the cascade.

    Deleting an account deletes its records, whose delete signals stamp tombstones for every member,
    the departing user included, possibly after the cascade already removed that user's counter.
    Those rows would point at the deleted user and fail the deferred foreign key at COMMIT. The
    user's row is deleted last, so by now every stamp for them is written: remove them all.
    """
    SyncState.objects.filter(user_id=instance.pk).delete()
    SyncCounter.objects.filter(user_id=instance.pk).delete()


def _on_goal_rituals(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Goal):
        touch(instance)


def _on_couple_ended(sender: Any, couple: Any, **kwargs: Any) -> None:
    """Unpair: every shared record and the partner's profile leave both phones (tombstones)."""
    members = list(Membership.objects.filter(couple=couple).values_list("user_id", flat=True))
    # A shared check-in stays with its author (docs/privacy.md): it leaves the other phone only.
    changes = [
        Change(member, table, record_id, True)
        for table, record_id, author in shared_records_of(couple.pk)
        for member in members
        if member != author
    ]
    for member in members:
        changes += [Change(member, "partner_profiles", str(other), True) for other in members if other != member]
    stamp(changes)


def connect() -> None:
    for model in (
        Ritual,
        Completion,
        Goal,
        CheckIn,
        Nudge,
        DailyPrompt,
        PromptAnswer,
        Notification,
        WeeklyReport,
        WeeklyReflection,
        DatePlan,
        DateMemory,
    ):
        post_save.connect(_on_save, sender=model, weak=False, dispatch_uid=f"sync.save.{model.__name__}")
        post_delete.connect(_on_delete, sender=model, weak=False, dispatch_uid=f"sync.delete.{model.__name__}")
    post_save.connect(_on_user_save, sender=User, weak=False, dispatch_uid="sync.user")
    post_delete.connect(_on_user_deleted, sender=User, weak=False, dispatch_uid="sync.user_deleted")
    m2m_changed.connect(_on_goal_rituals, sender=Goal.rituals.through, weak=False, dispatch_uid="sync.goal_rituals")
    couple_ended.connect(_on_couple_ended, weak=False, dispatch_uid="sync.couple_ended")
