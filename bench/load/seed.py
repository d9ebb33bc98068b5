"""Fills the load benchmark's database with couples and a year of their history, in bulk SQL.

Every table is written by one `INSERT … SELECT` over `generate_series` (no row goes through Python),
so 10,000 couples with a year of history load in minutes. The rows are what the real write paths
would have left after a year (the services, the reminder dispatcher and the sync stamps):

- two partners per couple (in one of the dispatch benchmark's ~20 zones), their memberships, one
  device each and one signed-in session each (the benchmark's tokens are minted for it);
- three rituals per couple, created a year ago: a daily one, a twice-weekly one that needs both
  confirmations and a weekly one paused two months ago; a reminder
  schedule for each active ritual at its next occurrence;
- completions: each partner did most past occurrences (a seeded pseudo-random choice), at the
  occurrence's instant computed in the ritual's zone exactly as `rituals.recurrence` does for these
  rules (the smoke test checks that the API reads them back);
- check-ins (every third day per partner, half of them shared), four goals in different states
  (one linked to a ritual), a nudge every third day (half answered);
- notifications as the dispatcher and `notify()` write them: a reminder per occurrence per
  partner, "partner completed" per completion, nudges, responses and goal events; read except for
  the last few days;
- sync state: one stamp per record and holder, versions increasing with the time of the change
  (records changed in the same second share a version, as records written in one transaction do),
  and each partner's counter at their latest version.

`SECONDS_PER_VERSION` and the record times make `cursor_at(instant)` the cursor a phone that last
pulled at that instant would hold: the benchmark's incremental pulls ask for one day of changes.
"""

import io
import time
from datetime import datetime, timedelta
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from bench.dispatch.seed import ZONES

HISTORY_DAYS = 365
# (title, category, rrule, local time, requires both, is joint, paused days ago or None)
RITUALS = [
    ("Morning hug", "affection", "FREQ=DAILY", "07:30", False, True, None),
    ("Evening walk", "shared_experience", "FREQ=WEEKLY;BYDAY=TU,SA", "19:00", True, True, None),
    ("Weekly date night", "date_night", "FREQ=WEEKLY;BYDAY=FR", "20:00", False, True, 60),
]
# ISO day numbers (Monday = 1) of each rule, for the SQL that expands the occurrences.
RULE_DAYS = {
    "FREQ=DAILY": [1, 2, 3, 4, 5, 6, 7],
    "FREQ=WEEKLY;BYDAY=TU,SA": [2, 6],
    "FREQ=WEEKLY;BYDAY=FR": [5],
}
COMPLETION_PERCENT = 70  # share of past occurrences each partner completed
SECONDS_PER_VERSION = 1


def _epoch(now: datetime) -> datetime:
    """Version 1 is one second after this instant (before any seeded record)."""
    return now - timedelta(days=HISTORY_DAYS + 30)


def cursor_at(instant: datetime, *, now: datetime) -> int:
    """The sync cursor of a phone that pulled at `instant` (every change up to then)."""
    return int((instant - _epoch(now)).total_seconds()) // SECONDS_PER_VERSION


# Each statement reads %(now)s (the seeding instant), %(couples)s and %(zones)s. The helper tables
# (bench_couple, bench_occurrence) are temporary: they live as long as the seeding connection.
STATEMENTS: list[tuple[str, str]] = [
    (
        "couples",
        """
        CREATE TEMP TABLE bench_couple ON COMMIT DROP AS
        SELECT n, gen_random_uuid() AS couple_id, gen_random_uuid() AS u1, gen_random_uuid() AS u2,
               (%(zones)s::text[])[1 + n %% cardinality(%(zones)s::text[])] AS zone,
               %(now)s::timestamptz - interval '400 days' + (n %% 86400) * interval '1 second' AS joined_at
        FROM generate_series(0, %(couples)s - 1) AS n;
        INSERT INTO accounts_user (id, password, last_login, is_superuser, email, display_name, time_zone, locale,
                                   is_active, is_staff, date_joined)
        SELECT u, '!', NULL, false, format('bench-load-%%s-%%s@example.com', lpad(n::text, 6, '0'), side),
               format('Partner %%s-%%s', n, side), zone, 'en', true, false, joined_at - interval '1 day'
        FROM bench_couple, LATERAL (VALUES (u1, 'a'), (u2, 'b')) AS p(u, side);
        INSERT INTO couples_couple (id, status, together_since, time_zone, created_at, ended_at, end_reason)
        SELECT couple_id, 'active', date '2019-06-01' + n %% 1500, zone, joined_at, NULL, '' FROM bench_couple;
        INSERT INTO couples_membership (id, is_active, joined_at, left_at, couple_id, user_id)
        SELECT gen_random_uuid(), true, joined_at, NULL, couple_id, u
        FROM bench_couple, LATERAL (VALUES (u1), (u2)) AS p(u);
        INSERT INTO accounts_device (id, platform, push_token, name, app_version, is_active, created_at, updated_at,
                                     user_id)
        SELECT gen_random_uuid(), CASE WHEN side = 1 THEN 'ios' ELSE 'android' END,
               format('bench-load-%%s:APA91b%%s', u, repeat('x', 120)), 'Phone', '1.4.2', true, joined_at, joined_at, u
        FROM bench_couple, LATERAL (VALUES (u1, 1), (u2, 2)) AS p(u, side);
        INSERT INTO accounts_authsession (id, user_agent, created_at, refreshed_at, revoked_at, previous_refresh_jti,
                                          user_id, current_refresh_id)
        SELECT gen_random_uuid(), 'CouplesApp/1.4.2 (bench)', %(now)s, NULL, NULL, '', u, NULL
        FROM bench_couple, LATERAL (VALUES (u1), (u2)) AS p(u);
        """,
    ),
    (
        "rituals",
        """
        CREATE TEMP TABLE bench_ritual ON COMMIT DROP AS
        SELECT c.*, gen_random_uuid() AS ritual_id, r.*
        FROM bench_couple c, unnest(%(r_title)s::text[], %(r_category)s::text[], %(r_rrule)s::text[],
                                    %(r_time)s::time[], %(r_both)s::bool[], %(r_joint)s::bool[], %(r_paused)s::int[],
                                    %(r_days)s::text[]) WITH ORDINALITY
             AS r(title, category, rrule, local_time, both_confirm, joint, paused_days, iso_days, k);
        INSERT INTO rituals_ritual (id, title, description, category, rrule, start_date, local_time, time_zone,
                                    duration_minutes, reminder_offset_minutes, is_joint, requires_both_confirmation,
                                    status, grace_days, created_at, updated_at, deleted_at, couple_id, created_by_id,
                                    template_id)
        SELECT ritual_id, title, '', category, rrule, (%(now)s::timestamptz AT TIME ZONE zone)::date - %(days)s,
               local_time, zone, 15, CASE WHEN k %% 2 = 0 THEN 0 ELSE 10 END, joint, both_confirm,
               CASE WHEN paused_days IS NULL THEN 'active' ELSE 'paused' END, 1,
               %(now)s::timestamptz - (%(days)s + 1) * interval '1 day',
               %(now)s::timestamptz - coalesce(paused_days, %(days)s + 1) * interval '1 day',
               NULL, couple_id, CASE WHEN k %% 2 = 0 THEN u1 ELSE u2 END, NULL
        FROM bench_ritual;
        -- Every past occurrence: the local time on each matching local date, as an instant in the zone.
        CREATE TEMP TABLE bench_occurrence ON COMMIT DROP AS
        SELECT r.ritual_id, r.couple_id, r.u1, r.u2, r.title, r.both_confirm, r.paused_days, r.k,
               ((day + r.local_time) AT TIME ZONE r.zone) AS occurrence_at
        FROM bench_ritual r,
             -- Dates (date + integer): date + time is the wall-clock timestamp AT TIME ZONE places in the zone.
             generate_series(0, %(days)s) AS i,
             LATERAL (SELECT (%(now)s::timestamptz AT TIME ZONE r.zone)::date - %(days)s + i AS day) AS d
        WHERE extract(isodow FROM day)::int = ANY (string_to_array(r.iso_days, ',')::int[])
          AND ((day + r.local_time) AT TIME ZONE r.zone) < %(now)s::timestamptz
              - coalesce(r.paused_days, 0) * interval '1 day';
        """,
    ),
    (
        "completions",
        """
        CREATE TEMP TABLE bench_completion ON COMMIT DROP AS
        SELECT gen_random_uuid() AS id, o.ritual_id, o.couple_id, o.title, p.u AS user_id, p.other AS partner_id,
               o.occurrence_at, o.occurrence_at + interval '25 minutes' AS created_at
        FROM bench_occurrence o, LATERAL (VALUES (o.u1, o.u2, 1), (o.u2, o.u1, 2)) AS p(u, other, side)
        -- A fixed pseudo-random choice per (ritual, occurrence, partner): the same data every run.
        WHERE abs(hashtext(o.ritual_id::text || o.occurrence_at::text || p.side)) %% 100 < %(percent)s;
        INSERT INTO rituals_completion (id, occurrence_at, note, connection_rating, created_at, couple_id, user_id,
                                        ritual_id)
        SELECT id, occurrence_at, CASE WHEN extract(day FROM occurrence_at) = 1 THEN 'Lovely one.' ELSE '' END,
               CASE WHEN extract(dow FROM occurrence_at) = 0 THEN 4 END, created_at, couple_id, user_id, ritual_id
        FROM bench_completion;
        INSERT INTO notifications_reminderschedule (ritual_id, occurrence_at, fire_at)
        SELECT r.ritual_id, next_at, next_at - r_offset * interval '1 minute'
        FROM (SELECT br.ritual_id, rr.reminder_offset_minutes AS r_offset,
                     min((day + br.local_time) AT TIME ZONE br.zone) AS next_at
              FROM bench_ritual br JOIN rituals_ritual rr ON rr.id = br.ritual_id,
                   generate_series(0, 8) AS i,
                   LATERAL (SELECT (%(now)s::timestamptz AT TIME ZONE br.zone)::date + i AS day) AS d
              WHERE br.paused_days IS NULL
                AND extract(isodow FROM day)::int = ANY (string_to_array(br.iso_days, ',')::int[])
                AND ((day + br.local_time) AT TIME ZONE br.zone) > %(now)s::timestamptz
              GROUP BY br.ritual_id, rr.reminder_offset_minutes) AS r;
        """,
    ),
    (
        "check-ins, goals, nudges",
        """
        INSERT INTO rituals_checkin (id, mood, connection, note, is_shared, local_date, created_at, couple_id, user_id)
        SELECT gen_random_uuid(), 1 + (d + side) %% 5, 1 + (d * 3 + side) %% 5,
               CASE WHEN d %% 7 = 0 THEN 'A good week.' ELSE '' END, (d / 2) %% 2 = 0,
               ((%(now)s::timestamptz - d * interval '1 day') AT TIME ZONE zone)::date,
               %(now)s::timestamptz - d * interval '1 day' - interval '3 hours', couple_id, u
        FROM bench_couple, LATERAL (VALUES (u1, 0), (u2, 1)) AS p(u, side), generate_series(1, %(days)s) AS d
        WHERE (d + side) %% 3 = 0;
        INSERT INTO rituals_goal (id, title, description, status, target_date, created_at, updated_at, version,
                                  couple_id, proposed_by_id)
        SELECT gen_random_uuid(), g.title, '', g.status, NULL,
               %(now)s::timestamptz - g.age * interval '1 day',
               %(now)s::timestamptz - (g.age - 2) * interval '1 day', g.version, couple_id,
               CASE WHEN g.by_first THEN u1 ELSE u2 END
        FROM bench_couple, (VALUES ('Walk every evening', 'accepted', 300, 2, true),
                                   ('Phones away at dinner', 'completed', 200, 3, false),
                                   ('Learn to dance', 'declined', 120, 2, true),
                                   ('Weekend away', 'proposed', 5, 1, false))
             AS g(title, status, age, version, by_first);
        INSERT INTO rituals_goal_rituals (goal_id, ritual_id)
        SELECT g.id, r.ritual_id
        FROM rituals_goal g JOIN bench_ritual r ON r.couple_id = g.couple_id AND r.k = 2
        WHERE g.status = 'accepted';
        INSERT INTO rituals_nudge (id, kind, message, created_at, delivered_at, seen_at, response, response_text,
                                   responded_at, couple_id, recipient_id, sender_id)
        SELECT gen_random_uuid(), (ARRAY['hug', 'kiss', 'thinking_of_you', 'appreciation'])[1 + d %% 4],
               CASE WHEN d %% 4 = 3 THEN 'Thank you for today.' ELSE '' END, at, at + interval '2 seconds',
               at + interval '1 hour', CASE WHEN d %% 2 = 0 THEN 'heart' ELSE '' END, '',
               CASE WHEN d %% 2 = 0 THEN at + interval '1 hour' END, couple_id,
               CASE WHEN d %% 3 = 0 THEN u1 ELSE u2 END, CASE WHEN d %% 3 = 0 THEN u2 ELSE u1 END
        FROM bench_couple, generate_series(3, %(days)s, 3) AS d,
             LATERAL (SELECT %(now)s::timestamptz - d * interval '1 day' + interval '5 hours' AS at) AS t;
        """,
    ),
    (
        "notifications",
        """
        INSERT INTO notifications_notification (id, kind, title, body, data, dedupe_key, created_at, read_at,
                                                recipient_id, push_attempts, push_last_error, push_lease_until,
                                                push_not_before, push_sent_at, push_state, message_key,
                                                message_params)
        SELECT gen_random_uuid(), kind, title, body, data, dedupe_key, created_at,
               CASE WHEN created_at < %(now)s::timestamptz - interval '3 days' THEN created_at + interval '2 hours' END,
               recipient_id, 1, '', NULL, NULL, created_at + interval '1 second', 'sent',
               -- History already pushed: its stored text is final (no message to render again).
               '', '{}'::jsonb
        FROM (
            SELECT 'ritual_reminder' AS kind, o.title, 'Your ritual starts now.' AS body,
                   jsonb_build_object('screen', 'ritual', 'ritual_id', o.ritual_id::text,
                                      'occurrence_at', to_char(o.occurrence_at AT TIME ZONE 'UTC',
                                                               'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')) AS data,
                   format('reminder:%%s:%%s:%%s', o.ritual_id,
                          to_char(o.occurrence_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'), p.u)
                       AS dedupe_key,
                   o.occurrence_at AS created_at, p.u AS recipient_id
            FROM bench_occurrence o, LATERAL (VALUES (o.u1), (o.u2)) AS p(u)
            UNION ALL
            SELECT 'ritual_completed_by_partner', left(format('Partner completed “%%s”', c.title), 120), '',
                   jsonb_build_object('screen', 'ritual', 'ritual_id', c.ritual_id::text,
                                      'occurrence_at', to_char(c.occurrence_at AT TIME ZONE 'UTC',
                                                               'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
                                      'completion_id', c.id::text),
                   format('ritual_completed:%%s', c.id), c.created_at, c.partner_id
            FROM bench_completion c
            UNION ALL
            SELECT 'nudge', 'Your partner sent you a hug', n.message,
                   jsonb_build_object('screen', 'nudge', 'nudge_id', n.id::text),
                   format('nudge:%%s', n.id), n.created_at, n.recipient_id
            FROM rituals_nudge n JOIN bench_couple b ON b.couple_id = n.couple_id
            UNION ALL
            SELECT 'nudge_response', 'Your partner answered your nudge', '',
                   jsonb_build_object('screen', 'nudge', 'nudge_id', n.id::text),
                   format('nudge_response:%%s', n.id), n.responded_at, n.sender_id
            FROM rituals_nudge n JOIN bench_couple b ON b.couple_id = n.couple_id
            WHERE n.responded_at IS NOT NULL
            UNION ALL
            SELECT 'goal_' || g.status, left(format('Goal: %%s', g.title), 120), '',
                   jsonb_build_object('screen', 'goal', 'goal_id', g.id::text),
                   format('goal_%%s:%%s', g.status, g.id), g.updated_at,
                   CASE WHEN g.proposed_by_id = b.u1 THEN b.u2 ELSE b.u1 END
            FROM rituals_goal g JOIN bench_couple b ON b.couple_id = g.couple_id
        ) AS events;
        """,
    ),
    (
        "sync state",
        """
        INSERT INTO sync_syncstate (user_id, "table", record_id, version, deleted)
        SELECT holder, tbl, record_id,
               greatest(1, floor(extract(epoch FROM at - %(epoch)s::timestamptz) / %(spv)s))::bigint, false
        FROM (
            SELECT p.u AS holder, 'rituals' AS tbl, r.id::text AS record_id, r.updated_at AS at
            FROM rituals_ritual r JOIN bench_couple b ON b.couple_id = r.couple_id,
                 LATERAL (VALUES (b.u1), (b.u2)) AS p(u)
            UNION ALL
            SELECT p.u, 'ritual_completions', c.id::text, c.created_at
            FROM bench_completion c JOIN bench_couple b ON b.couple_id = c.couple_id,
                 LATERAL (VALUES (b.u1), (b.u2)) AS p(u)
            UNION ALL
            SELECT p.u, 'goals', g.id::text, g.updated_at
            FROM rituals_goal g JOIN bench_couple b ON b.couple_id = g.couple_id,
                 LATERAL (VALUES (b.u1), (b.u2)) AS p(u)
            UNION ALL
            SELECT p.u, 'nudges', n.id::text, coalesce(n.responded_at, n.created_at)
            FROM rituals_nudge n JOIN bench_couple b ON b.couple_id = n.couple_id,
                 LATERAL (VALUES (b.u1), (b.u2)) AS p(u)
            UNION ALL
            SELECT p.u, 'check_ins', ci.id::text, ci.created_at
            FROM rituals_checkin ci JOIN bench_couple b ON b.couple_id = ci.couple_id,
                 LATERAL (VALUES (b.u1), (b.u2)) AS p(u)
            WHERE p.u = ci.user_id OR ci.is_shared
            UNION ALL
            SELECT n.recipient_id, 'notifications', n.id::text, coalesce(n.read_at, n.created_at)
            FROM notifications_notification n
            UNION ALL
            SELECT p.u, 'partner_profiles', p.other::text, b.joined_at
            FROM bench_couple b, LATERAL (VALUES (b.u1, b.u2), (b.u2, b.u1)) AS p(u, other)
        ) AS stamps;
        INSERT INTO sync_synccounter (user_id, version)
        SELECT user_id, max(version) FROM sync_syncstate GROUP BY user_id;
        """,
    ),
]


# The big tables: their indexes, primary keys and unique constraints are dropped for the load and
# rebuilt after (no foreign key points at these tables).
BULK_TABLES = [
    "rituals_completion",
    "rituals_checkin",
    "rituals_nudge",
    "notifications_notification",
    "sync_syncstate",
]
_SECONDARY_INDEXES = """
    SELECT i.indexname, i.indexdef FROM pg_indexes i
    WHERE i.schemaname = 'public' AND i.tablename = ANY (%s)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
    ORDER BY i.indexname
"""

_KEYS = """
    SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
    WHERE c.conrelid::regclass::text = ANY (%s) AND c.contype IN ('p', 'u')
    ORDER BY c.conname
"""


def seed(*, couples: int, now: datetime | None = None, progress: bool = False) -> datetime:
    """Writes `couples` couples with a year of history into an empty, migrated database.

    Returns the seeding instant ("now" for the history): the benchmark derives its cursors and
    completion targets from it.
    """
    now = now or timezone.now()
    params: dict[str, Any] = {
        "now": now,
        "couples": couples,
        "zones": ZONES,
        "days": HISTORY_DAYS,
        "percent": COMPLETION_PERCENT,
        "epoch": _epoch(now),
        "spv": SECONDS_PER_VERSION,
        "r_title": [r[0] for r in RITUALS],
        "r_category": [r[1] for r in RITUALS],
        "r_rrule": [r[2] for r in RITUALS],
        "r_time": [r[3] for r in RITUALS],
        "r_both": [r[4] for r in RITUALS],
        "r_joint": [r[5] for r in RITUALS],
        "r_paused": [r[6] for r in RITUALS],
        "r_days": [",".join(str(d) for d in RULE_DAYS[r[2]]) for r in RITUALS],
    }
    # One transaction: the temporary helper tables live until its commit.
    with transaction.atomic(), connection.cursor() as cursor:
        # Index builds after the load instead of index updates per row: several times faster.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # No foreign-key trigger per row (every reference is built from rows inserted just before;
        # the smoke test reads the result back through the API). Needs a superuser, as COPY FREEZE would.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(_KEYS, [BULK_TABLES])
        keys = cursor.fetchall()
        cursor.execute(_SECONDARY_INDEXES, [BULK_TABLES])
        indexes = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for label, statement in STATEMENTS:
            started = time.perf_counter()
            # Several statements in one: the values are bound here, as the server binds one statement only.
            operations: Any = connection.ops  # PostgreSQL's: the seed runs there only
            cursor.execute(operations.compose_sql(statement, params))
            _progress(progress, f"seeded {label} in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)
        _progress(
            progress, f"rebuilt {len(keys) + len(indexes)} keys and indexes in {time.perf_counter() - started:.1f} s"
        )
    # Rows written in SQL start with an invalid streak checkpoint (reads would walk each ritual's
    # whole history); the app keeps them current, so a seeded database must start with them current.
    started = time.perf_counter()
    call_command("refresh_streak_checkpoints", stdout=io.StringIO())
    _progress(progress, f"recomputed streak checkpoints in {time.perf_counter() - started:.1f} s")
    vacuum_analyze()
    return now


def vacuum_analyze() -> None:
    """Planner statistics and visibility maps, as autovacuum keeps them on production tables (it
    also vacuums insert-only tables since PostgreSQL 13). Without the visibility map no index-only
    scan is possible, and a read of a year of completions visits hundreds of heap pages instead."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def _progress(enabled: bool, message: str) -> None:
    if enabled:
        print(f"  {message}", flush=True)


def counts() -> dict[str, int]:
    tables = [
        "accounts_user",
        "couples_couple",
        "rituals_ritual",
        "rituals_completion",
        "rituals_checkin",
        "rituals_goal",
        "rituals_nudge",
        "notifications_notification",
        "notifications_reminderschedule",
        "sync_syncstate",
    ]
    with connection.cursor() as cursor:
        result = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed table names)
            result[table] = cursor.fetchone()[0]
    return result
