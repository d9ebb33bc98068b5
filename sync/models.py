"""Change tracking for offline sync (WatermelonDB protocol). See docs/sync.md for the proof.

Every write that changes what a user's phone should hold bumps that user's `SyncCounter` under a row
lock, inside the writing transaction, and stamps the changed records in `SyncState` with the new
value. Versions of one user are therefore handed out one transaction at a time, in commit order.
"""

from django.conf import settings
from django.db import models


class SyncCounter(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="sync_counter"
    )
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"sync counter of {self.user_id}: {self.version}"


class SyncState(models.Model):
    """The latest version at which one record changed for one user (and whether it is now gone)."""

    id = models.BigAutoField(primary_key=True)
    # No index of its own: both below start with it, and every write upserts these rows.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    table = models.CharField(max_length=40)
    record_id = models.CharField(max_length=64)
    version = models.BigIntegerField()
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "table", "record_id"], name="sync_state_one_per_record"),
        ]
        # A pull reads one user's changes in a version range: the only index it needs.
        indexes = [models.Index(fields=["user", "version"], name="sync_state_user_version")]

    def __str__(self) -> str:
        return f"{self.table}/{self.record_id} for {self.user_id} at {self.version}"
