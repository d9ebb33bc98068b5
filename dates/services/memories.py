"""A partner's memory of a date: rating, note, photo. One per partner and date, owned by its author."""

import logging
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from couples.scoping import locked_or_404
from dates import photos
from dates.models import DateMemory, DatePlan
from dates.services.plans import PlanStateError, memory_allowed
from sync.changes import stamped_once

logger = logging.getLogger(__name__)


class MemoryTooEarlyError(PlanStateError):
    code = "invalid_transition"
    message = gettext_lazy("A memory can be added once the date has happened.")


@transaction.atomic
@stamped_once
def memory_save(
    *, user: User, plan_id: UUID, rating: int | None = None, note: str | None = None, photo: Any = None
) -> DateMemory:
    """Creates or edits the user's memory of a date (only the fields given). A photo is checked
    and re-encoded before anything is stored (dates.photos); the previous photo is replaced."""
    processed = photos.process_upload(photo) if photo is not None else None
    plan = locked_or_404(DatePlan, user, plan_id)
    if not memory_allowed(plan):
        raise MemoryTooEarlyError(plan=plan, user=user)
    memory = DateMemory.objects.select_for_update().filter(plan=plan, author=user).first()
    now = timezone.now()
    if memory is None:
        memory = DateMemory(plan=plan, author=user, created_at=now)
    memory.plan = plan
    if rating is not None:
        memory.rating = rating
    if note is not None:
        memory.note = note
    old_names = []
    if processed is not None:
        old_names = [name for name in (memory.photo.name, memory.thumbnail.name) if name]
        memory.photo.save("photo.jpg", processed.photo, save=False)
        memory.thumbnail.save("thumb.jpg", processed.thumbnail, save=False)
    memory.updated_at = now
    memory.save()
    if old_names:
        transaction.on_commit(lambda: _delete_files(old_names))
    return memory


def _delete_files(names: list[str]) -> None:
    """Runs after the commit, so the rows are gone already: a store that fails or refuses (an S3
    outage, a denied DeleteObject) must not turn the committed request into a 500 nor keep the
    other files. Each object left behind is logged by its key, for the operator to remove."""
    storage = DateMemory._meta.get_field("photo").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("memory photo not deleted", extra={"key": name})


def memory_files_delete(sender: Any, instance: DateMemory, **kwargs: Any) -> None:
    """post_delete of a memory: its photo and thumbnail leave the storage after the commit."""
    names = [name for name in (instance.photo.name, instance.thumbnail.name) if name]
    if names:
        transaction.on_commit(lambda: _delete_files(names))
