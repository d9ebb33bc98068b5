"""simplejwt's OutstandingToken gets one row per refresh; the daily flush deletes by expires_at."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_session_current_refresh"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS outstandingtoken_expires_at ON token_blacklist_outstandingtoken (expires_at)",
            reverse_sql="DROP INDEX IF EXISTS outstandingtoken_expires_at",
        ),
    ]
