"""Walks the history of every live ritual into its streak checkpoint (0002 left them invalid, and
reads walk the history until a checkpoint is valid). Batches of 500 rituals, one query each.

Self-contained (historical models and the pure functions of rituals.streaks and .recurrence), so
later changes to the services do not change what this migration does."""

from collections import defaultdict

from django.db import migrations
from django.db.models import Case, Count, DateField, When
from django.db.models.functions import TruncDate

from rituals import recurrence
from rituals.streaks import checkpoint_of

BATCH = 500


def _counted(Completion, rituals):
    ids_by_zone = defaultdict(list)
    for ritual in rituals:
        ids_by_zone[ritual.time_zone].append(ritual.pk)
    local_day = Case(
        *(
            When(ritual_id__in=ids, then=TruncDate("occurrence_at", tzinfo=recurrence.zone(name)))
            for name, ids in ids_by_zone.items()
        ),
        output_field=DateField(),
    )
    rows = (
        Completion.objects.filter(ritual_id__in=[ritual.pk for ritual in rituals])
        .annotate(local_day=local_day)
        .values_list("ritual_id", "local_day")
        .annotate(partners=Count("user_id", distinct=True))
        .order_by()
    )
    partners_by_day = defaultdict(dict)
    for ritual_id, day, partners in rows:
        partners_by_day[ritual_id][day] = partners
    return partners_by_day


def backfill(apps, schema_editor):
    Ritual = apps.get_model("rituals", "Ritual")
    Completion = apps.get_model("rituals", "Completion")
    live = Ritual.objects.filter(deleted_at__isnull=True).order_by("pk")
    after = None
    while True:
        page = live if after is None else live.filter(pk__gt=after)
        rituals = list(page[:BATCH])
        if not rituals:
            return
        after = rituals[-1].pk
        partners_by_day = _counted(Completion, rituals)
        for ritual in rituals:
            needed = 2 if ritual.requires_both_confirmation else 1
            counted = {day for day, n in partners_by_day[ritual.pk].items() if n >= needed}
            days = (
                recurrence.occurrence_dates(
                    rrule=ritual.rrule,
                    start_date=ritual.start_date,
                    local_time=ritual.local_time,
                    time_zone=ritual.time_zone,
                    from_day=min(counted),
                )
                if counted
                else iter(())
            )
            checkpoint = checkpoint_of(occurrences=days, completed=counted, grace_days=ritual.grace_days)
            ritual.streak_valid = True
            ritual.streak_last_done, ritual.streak_running = checkpoint.last_done, checkpoint.running
            ritual.streak_longest, ritual.streak_next_due = checkpoint.longest, checkpoint.next_due
        Ritual.objects.bulk_update(
            rituals, ["streak_valid", "streak_last_done", "streak_running", "streak_longest", "streak_next_due"]
        )


class Migration(migrations.Migration):
    dependencies = [("rituals", "0002_ritual_streak_checkpoint")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
