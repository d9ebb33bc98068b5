"""PostgreSQL only: the `varchar_pattern_ops` index Django adds beside the unique index of a unique
CharField serves LIKE 'prefix%' lookups, which nothing runs on `dedupe_key`. Every notification insert
maintained it; the unique index (ON CONFLICT DO NOTHING's) stays."""

from django.db import migrations

INDEX = "notifications_notification_dedupe_key_f195c156_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "notifications_notification" ("dedupe_key" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0013_alter_notification_recipient")]

    operations = [migrations.RunPython(drop, create, elidable=False)]
