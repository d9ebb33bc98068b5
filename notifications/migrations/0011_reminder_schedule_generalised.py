"""ReminderSchedule serves every kind of reminder: a ritual's or a date's (one subject each).

The ritual was the primary key; the table gets its own id. Changing a primary key in place is
different on every backend, so the rows move to a new table (one INSERT … SELECT), which then
takes the old one's name.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_ritual_schedules(apps, schema_editor):
    new = apps.get_model("notifications", "ReminderScheduleNew")._meta.db_table
    old = apps.get_model("notifications", "ReminderSchedule")._meta.db_table
    schema_editor.execute(
        f"INSERT INTO {new} (kind, ritual_id, stage, occurrence_at, fire_at) "
        f"SELECT 'ritual', ritual_id, '', occurrence_at, fire_at FROM {old}"
    )


def copy_back(apps, schema_editor):
    new = apps.get_model("notifications", "ReminderScheduleNew")._meta.db_table
    old = apps.get_model("notifications", "ReminderSchedule")._meta.db_table
    schema_editor.execute(
        f"INSERT INTO {old} (ritual_id, occurrence_at, fire_at) "
        f"SELECT ritual_id, occurrence_at, fire_at FROM {new} WHERE kind = 'ritual'"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dates", "0001_initial"),
        ("notifications", "0010_insights_kinds"),
        ("rituals", "0003_backfill_streak_checkpoints"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReminderScheduleNew",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[("ritual", "Ritual"), ("date", "Date")],
                        default="ritual",
                        db_default="ritual",
                        max_length=10,
                    ),
                ),
                (
                    "ritual",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="rituals.ritual",
                    ),
                ),
                (
                    "date_plan",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="dates.dateplan",
                    ),
                ),
                ("stage", models.CharField(blank=True, db_default="", default="", max_length=20)),
                ("occurrence_at", models.DateTimeField()),
                ("fire_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(copy_ritual_schedules, copy_back),
        migrations.DeleteModel(name="ReminderSchedule"),
        migrations.RenameModel(old_name="ReminderScheduleNew", new_name="ReminderSchedule"),
        migrations.AlterField(
            model_name="reminderschedule",
            name="ritual",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reminder_schedule",
                to="rituals.ritual",
            ),
        ),
        migrations.AlterField(
            model_name="reminderschedule",
            name="date_plan",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reminder_schedule",
                to="dates.dateplan",
            ),
        ),
        migrations.AddIndex(
            model_name="reminderschedule",
            index=models.Index(fields=["fire_at"], name="reminder_fire_at"),
        ),
        migrations.AddConstraint(
            model_name="reminderschedule",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("date_plan__isnull", True), ("kind", "ritual"), ("ritual__isnull", False)),
                    models.Q(("date_plan__isnull", False), ("kind", "date"), ("ritual__isnull", True)),
                    _connector="OR",
                ),
                name="reminder_one_subject_of_its_kind",
            ),
        ),
    ]
