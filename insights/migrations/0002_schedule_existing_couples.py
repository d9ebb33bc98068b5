"""Active couples paired before weekly reports existed start theirs at the running week."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations
from django.utils import timezone


def _bounds(week_start, time_zone):
    tz = ZoneInfo(time_zone)

    def midnight(day):
        return datetime.combine(day, datetime.min.time()).replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))

    return midnight(week_start), midnight(week_start + timedelta(days=7))


def forwards(apps, schema_editor):
    Couple = apps.get_model("couples", "Couple")
    ReportSchedule = apps.get_model("insights", "ReportSchedule")
    now = timezone.now()
    rows = []
    for couple_id, time_zone in Couple.objects.filter(status="active").values_list("id", "time_zone").iterator():
        today = now.astimezone(ZoneInfo(time_zone)).date()
        week_start = today - timedelta(days=today.weekday())
        starts_at, ends_at = _bounds(week_start, time_zone)
        rows.append(ReportSchedule(couple_id=couple_id, week_start=week_start, starts_at=starts_at, due_at=ends_at))
    ReportSchedule.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_weekly_reports"), ("couples", "0002_couple_time_zone")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
