"""Creates, migrates and fills the benchmark database with PostgreSQL COPY.

Couples of two partners with one device each, two rituals per couple, all in ~20 IANA zones, with
local times, offsets and rules chosen so that every ritual's reminder (occurrence minus offset)
falls due at the same UTC instant. Rows are built as model instances (so model defaults apply) and
written with COPY, which loads 100,000 rituals in seconds instead of minutes.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from django.core.management import call_command
from django.db import connection, models
from psycopg import sql

from accounts.models import Device, User
from couples.models import Couple, Membership
from dates.models import DatePlan
from notifications.models import ReminderSchedule
from rituals import recurrence
from rituals.models import Ritual

# Whole-hour, half-hour and quarter-hour offsets, both hemispheres, with and without DST.
ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "America/St_Johns",
]
OFFSETS = [0, 5, 10, 15, 30, 60]
TITLES = ["Evening walk", "Weekly date night", "Gratitude minute", "Sunday check-in", "Morning hug", "Tea together"]
CATEGORIES = ["shared_experience", "date_night", "gratitude", "check_in", "affection", "conversation"]
RITUALS_PER_COUPLE = 2


@dataclass(frozen=True)
class Slot:
    """A ritual shape whose reminder fires at the benchmark's instant."""

    zone: str
    offset: int
    rrule: str
    start_date: date
    local_time: time


def database_name() -> str:
    name = str(connection.settings_dict["NAME"])
    if "bench" not in name:
        raise SystemExit(f"Refusing to use database {name!r}: its name must contain 'bench' (it is emptied).")
    return name


def ensure_database() -> None:
    """Creates the benchmark database if it does not exist, then migrates it."""
    name = database_name()
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "dbname"):
        params.pop(key, None)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    call_command("migrate", verbosity=0, interactive=False)


def empty() -> None:
    """Removes every user and couple, and with them (CASCADE) all that hangs off them."""
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (User, Couple))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def copy_rows(model: type[models.Model], rows: Iterable[models.Model]) -> int:
    """Writes model instances with COPY: every concrete column, values prepared as Django would."""
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns: list[sql.Composable] = [sql.Identifier(str(f.column)) for f in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(columns)
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields])
            count += 1
    return count


def seed_people(*, couples: int) -> list[Couple]:
    """`couples` couples of two partners, each partner with one device, in the couple's zone."""
    users: list[User] = []
    devices: list[Device] = []
    pairs: list[Couple] = []
    memberships: list[Membership] = []
    for n in range(couples):
        zone = ZONES[n % len(ZONES)]
        couple = Couple(time_zone=zone)
        pairs.append(couple)
        for side in range(2):
            index = 2 * n + side
            # "!" is Django's unusable-password marker: nobody can sign in as a benchmark user.
            email = f"bench-{index:06d}@example.com"
            user = User(email=email, password="!", display_name=f"P{index}", time_zone=zone)  # noqa: S106
            users.append(user)
            platform = Device.Platform.IOS if index % 2 else Device.Platform.ANDROID
            # FCM registration tokens are ~160 characters.
            token = f"bench-{index:06d}:" + "APA91b" + "x" * 148
            devices.append(Device(user=user, platform=platform, push_token=token))
            memberships.append(Membership(couple=couple, user=user))
    copy_rows(User, users)
    copy_rows(Device, devices)
    copy_rows(Couple, pairs)
    copy_rows(Membership, memberships)
    return pairs


def slots(fire_at: datetime) -> dict[tuple[str, int, int], Slot]:
    """For each (zone, offset, rule kind): a daily or weekly ritual whose reminder fires at `fire_at`."""
    found: dict[tuple[str, int, int], Slot] = {}
    for zone in ZONES:
        for offset in OFFSETS:
            occurrence = fire_at + timedelta(minutes=offset)
            local = occurrence.astimezone(ZoneInfo(zone))
            day = recurrence.WEEKDAYS[local.weekday()]
            other = recurrence.WEEKDAYS[(local.weekday() + 3) % 7]
            for kind, rule in enumerate(["FREQ=DAILY", f"FREQ=WEEKLY;BYDAY={day}", f"FREQ=WEEKLY;BYDAY={day},{other}"]):
                slot = Slot(zone, offset, rule, local.date() - timedelta(days=28), local.time().replace(tzinfo=None))
                # A local time inside a DST fall-back overlap would be read as its first instance:
                # leave such a shape out rather than seed a reminder for another instant.
                if recurrence.is_occurrence(
                    rrule=rule, start_date=slot.start_date, local_time=slot.local_time, time_zone=zone, at=occurrence
                ):
                    found[(zone, offset, kind)] = slot
    return found


def seed_rituals(*, couples: Sequence[Couple], rituals: int, fire_at: datetime) -> int:
    """`rituals` rituals (two per couple) and their reminder schedules, all firing at `fire_at`."""
    shapes = slots(fire_at)
    items: list[Ritual] = []
    schedules: list[ReminderSchedule] = []
    for n in range(rituals):
        couple = couples[n // RITUALS_PER_COUPLE]
        offset = OFFSETS[n % len(OFFSETS)]
        slot = shapes.get((couple.time_zone, offset, n % 3)) or shapes[(couple.time_zone, offset, 0)]
        ritual = Ritual(
            couple=couple,
            title=TITLES[n % len(TITLES)],
            category=CATEGORIES[n % len(CATEGORIES)],
            rrule=slot.rrule,
            start_date=slot.start_date,
            local_time=slot.local_time,
            time_zone=slot.zone,
            reminder_offset_minutes=slot.offset,
        )
        items.append(ritual)
        occurrence = fire_at + timedelta(minutes=slot.offset)
        schedules.append(ReminderSchedule(ritual=ritual, occurrence_at=occurrence, fire_at=fire_at))
    copy_rows(Ritual, items)
    copy_rows(ReminderSchedule, schedules)
    return len(items)


def seed_dates(*, couples: Sequence[Couple], dates: int, fire_at: datetime) -> int:
    """`dates` accepted dates (one per couple, cycling) whose day-before reminder fires at `fire_at`,
    in the same schedule table as the rituals' (notifications.date_reminders)."""
    starts_at = fire_at + timedelta(days=1)
    plans: list[DatePlan] = []
    schedules: list[ReminderSchedule] = []
    for n in range(dates):
        couple = couples[n % len(couples)]
        local = starts_at.astimezone(ZoneInfo(couple.time_zone))
        plan = DatePlan(
            couple=couple,
            title=TITLES[n % len(TITLES)],
            status=DatePlan.Status.ACCEPTED,
            local_date=local.date(),
            local_time=local.time().replace(tzinfo=None),
            time_zone=couple.time_zone,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
        )
        plans.append(plan)
        schedules.append(
            ReminderSchedule(kind="date", date_plan=plan, stage="day_before", occurrence_at=starts_at, fire_at=fire_at)
        )
    copy_rows(DatePlan, plans)
    copy_rows(ReminderSchedule, schedules)
    return len(plans)


def analyze() -> None:
    """Fresh planner statistics, as a live database would have."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def counts() -> dict[str, Any]:
    return {
        "couples": Couple.objects.count(),
        "users": User.objects.count(),
        "devices": Device.objects.count(),
        "rituals": Ritual.objects.count(),
        "schedules": ReminderSchedule.objects.count(),
    }
