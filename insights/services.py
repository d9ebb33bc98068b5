"""Writes of the insights app: the week's schedule, finalising due weeks in batches, delivering the
`weekly_report_ready` notifications, reflections, report preferences and special dates."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.api.errors import ConflictError
from couples.models import Couple, Membership
from insights import report
from insights.models import (
    DEFAULT_DELIVERY_TIME,
    DEFAULT_DELIVERY_WEEKDAY,
    ReportDelivery,
    ReportPreference,
    ReportSchedule,
    SpecialDate,
    WeeklyReflection,
    WeeklyReport,
    WeeklyReportPersonal,
)
from insights.selectors import history_of, members_of
from notifications.models import Notification
from notifications.services import notify_many
from rituals import recurrence
from sync.changes import Change, stamp

FINALISE_BATCH = 500
DELIVERY_BATCH = 500


# THE SCHEDULE ------------------------------------------------------------------------------------


def schedule_start(*, couple: Couple, now: datetime | None = None) -> None:
    """Starts the reports of a new couple at the week they paired in (its first report is that week).

    The `weekly_report_ready` notifications start with the next week (its schedule is written when
    this one is finalised): the first, partial week is in `reports/weekly` without a push."""
    now = now or timezone.now()
    week_start = report.week_start_of(now, couple.time_zone)
    starts_at, ends_at = report.week_bounds(week_start, couple.time_zone)
    # One INSERT … ON CONFLICT DO NOTHING: pairing pins its query count.
    ReportSchedule.objects.bulk_create(
        [ReportSchedule(couple=couple, week_start=week_start, starts_at=starts_at, due_at=ends_at)],
        ignore_conflicts=True,
    )


def schedule_follow_zone(*, couple: Couple) -> None:
    """The couple's zone changed: the running week now ends at Monday 00:00 in the new zone. Its start
    stays where the previous week ended, so no event is counted twice or lost."""
    schedule = ReportSchedule.objects.filter(couple=couple).first()
    if schedule is None:
        return
    _, ends_at = report.week_bounds(schedule.week_start, couple.time_zone)
    if ends_at != schedule.due_at and ends_at > schedule.starts_at:
        ReportSchedule.objects.filter(couple=couple).update(due_at=ends_at)


def schedule_stop(*, couple: Couple) -> None:
    """Unpair: no more reports or deliveries for the couple (its finalised reports are archived with it)."""
    ReportSchedule.objects.filter(couple=couple).delete()
    ReportDelivery.objects.filter(couple=couple, sent_at__isnull=True).delete()


# FINALISE ----------------------------------------------------------------------------------------


def reports_finalise_due(*, now: datetime | None = None, batch_size: int = FINALISE_BATCH) -> int:
    """Finalises every couple-week that ended by `now`, batch after batch; returns how many."""
    now = now or timezone.now()
    total = 0
    while count := _finalise_batch(now=now, batch_size=batch_size):
        total += count
    return total


@transaction.atomic
def _finalise_batch(*, now: datetime, batch_size: int) -> int:
    """Claims up to `batch_size` due weeks (SKIP LOCKED: a second finaliser takes other couples),
    computes them with a fixed number of queries, stores them and moves each schedule a week on.
    Safe to replay: a stored week is never written again (ON CONFLICT DO NOTHING)."""
    schedules = list(
        ReportSchedule.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("couple")
        .filter(due_at__lte=now)
        .order_by("due_at")[:batch_size]
    )
    if not schedules:
        return 0
    ended = [s.couple_id for s in schedules if not s.couple.is_active]
    live = [s for s in schedules if s.couple.is_active]
    members = members_of([s.couple_id for s in live])
    windows = [
        report.Window(
            couple_id=s.couple_id,
            week_start=s.week_start,
            starts_at=s.starts_at,
            ends_at=s.due_at,
            time_zone=s.couple.time_zone,
            members=members.get(s.couple_id, ()),
        )
        for s in live
    ]
    history = history_of([w.couple_id for w in windows], weeks=[w.week_start for w in windows]) if windows else {}
    results = report.compute_weeks(windows, history=history, now=now)
    _store(results, now=now)
    next_weeks = []
    for s in live:
        s.week_start += timedelta(days=7)
        s.starts_at = s.due_at
        s.due_at = report.week_bounds(s.week_start, s.couple.time_zone)[1]
        next_weeks.append((s.couple_id, s.week_start, members.get(s.couple_id, ())))
    ReportSchedule.objects.bulk_update(live, ["week_start", "starts_at", "due_at"])
    ReportSchedule.objects.filter(couple_id__in=ended).delete()
    _deliveries_create(next_weeks)
    return len(schedules)


def _store(results: list[report.WeekResult], *, now: datetime) -> None:
    rows = [
        WeeklyReport(
            couple_id=r.window.couple_id,
            week_start=r.window.week_start,
            starts_at=r.window.starts_at,
            ends_at=r.window.ends_at,
            time_zone=r.window.time_zone,
            algorithm_version=report.ALGORITHM_VERSION,
            shared=r.shared,
            finalised_at=now,
        )
        for r in results
    ]
    WeeklyReport.objects.bulk_create(rows, ignore_conflicts=True)
    ids = {
        (couple_id, week_start): report_id
        for report_id, couple_id, week_start in WeeklyReport.objects.filter(
            couple_id__in=[r.window.couple_id for r in results], week_start__in={r.window.week_start for r in results}
        ).values_list("id", "couple_id", "week_start")
    }
    WeeklyReportPersonal.objects.bulk_create(
        [
            WeeklyReportPersonal(report_id=ids[(r.window.couple_id, r.window.week_start)], user_id=user_id, data=data)
            for r in results
            for user_id, data in r.personal.items()
        ],
        ignore_conflicts=True,
    )
    _stamp_reports([(ids[(r.window.couple_id, r.window.week_start)], r.window.members) for r in results])


def _stamp_reports(reports: list[tuple[UUID, tuple[UUID, ...]]]) -> None:
    """The phones of both partners pull the new or recomputed weeks (sync table `weekly_reports`):
    one stamp for the batch, from the members already loaded (bulk writes send no signal)."""
    stamp([Change(member, "weekly_reports", str(report_id)) for report_id, members in reports for member in members])


@transaction.atomic
def reports_recompute(*, batch_size: int = FINALISE_BATCH) -> int:
    """Recomputes up to `batch_size` stored weeks written by an older ALGORITHM_VERSION, over the
    same instants they covered. Run by `insights.recompute_reports` until none is left."""
    stale = list(
        WeeklyReport.objects.select_for_update(skip_locked=True)
        .filter(algorithm_version__lt=report.ALGORITHM_VERSION)
        .order_by("week_start")[:batch_size]
    )
    if not stale:
        return 0
    members = members_of(list({r.couple_id for r in stale}))
    windows = [
        report.Window(r.couple_id, r.week_start, r.starts_at, r.ends_at, r.time_zone, members.get(r.couple_id, ()))
        for r in stale
    ]
    by_key = {(r.couple_id, r.week_start): r for r in stale}
    histories = history_of(list({r.couple_id for r in stale}), weeks=[r.week_start for r in stale])
    for result in report.compute_weeks(windows, history=histories, now=timezone.now()):
        row = by_key[(result.window.couple_id, result.window.week_start)]
        row.shared, row.algorithm_version = result.shared, report.ALGORITHM_VERSION
        for user_id, data in result.personal.items():
            WeeklyReportPersonal.objects.update_or_create(report=row, user_id=user_id, defaults={"data": data})
    WeeklyReport.objects.bulk_update(stale, ["shared", "algorithm_version"])
    _stamp_reports([(r.pk, members.get(r.couple_id, ())) for r in stale])
    return len(stale)


# DELIVERY ----------------------------------------------------------------------------------------


def delivery_instant(*, week_start: date, user: User | None, preference: ReportPreference | None) -> datetime:
    """The user's chosen weekday and time of that week, in their own zone (default Sunday 19:00)."""
    weekday = preference.delivery_weekday if preference else DEFAULT_DELIVERY_WEEKDAY
    at = preference.delivery_time if preference else DEFAULT_DELIVERY_TIME
    zone = recurrence.zone(user.time_zone if user else "UTC")
    local = datetime.combine(week_start + timedelta(days=weekday), at)
    return local.replace(tzinfo=zone).astimezone(UTC)


def _deliveries_create(weeks: list[tuple[UUID, date, tuple[UUID, ...]]]) -> None:
    """The `weekly_report_ready` of each partner for these weeks (two queries, whatever their number)."""
    user_ids = {user_id for _, _, users in weeks for user_id in users}
    if not user_ids:
        return
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids).select_related("report_preference")}
    rows = []
    for couple_id, week_start, members in weeks:
        for user_id in members:
            user = users[user_id]
            preference = getattr(user, "report_preference", None)
            rows.append(
                ReportDelivery(
                    couple_id=couple_id,
                    user_id=user_id,
                    week_start=week_start,
                    deliver_at=delivery_instant(week_start=week_start, user=user, preference=preference),
                )
            )
    ReportDelivery.objects.bulk_create(rows, ignore_conflicts=True)


def weekly_report_dedupe_key(*, couple_id: UUID, week_start: date, user_id: UUID) -> str:
    return f"weekly_report:{couple_id}:{week_start.isoformat()}:{user_id}"


@transaction.atomic
def deliveries_send_due(*, now: datetime | None = None, batch_size: int = DELIVERY_BATCH) -> int:
    """Sends the `weekly_report_ready` notifications whose time came, once each: the row is claimed
    (SKIP LOCKED) and stamped, and the notification's dedupe key is per couple-week-user, so a replay
    or a second sender writes nothing new. Preferences (push off, muted kind, quiet hours, lock-screen
    privacy) apply when the push is sent, as for every notification."""
    now = now or timezone.now()
    due = list(
        ReportDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user__report_preference")
        .filter(sent_at__isnull=True, deliver_at__lte=now)
        .order_by("deliver_at")[:batch_size]
    )
    if not due:
        return 0
    notify_many(
        [
            {
                "recipient": row.user,
                "kind": Notification.Kind.WEEKLY_REPORT_READY,
                "data": {"screen": "weekly_report", "week_start": row.week_start.isoformat()},
                "dedupe_key": weekly_report_dedupe_key(
                    couple_id=row.couple_id, week_start=row.week_start, user_id=row.user_id
                ),
            }
            for row in due
            if getattr(row.user, "report_preference", None) is None or row.user.report_preference.enabled
        ]
    )
    ReportDelivery.objects.filter(pk__in=[row.pk for row in due]).update(sent_at=now)
    return len(due)


# PREFERENCES, REFLECTIONS, SPECIAL DATES ---------------------------------------------------------


@transaction.atomic
def report_preference_update(
    *, user: User, enabled: bool, delivery_weekday: int, delivery_time: time
) -> ReportPreference:
    """Replaces the user's report preferences (PUT) and moves their pending deliveries to the new time."""
    preference, _created = ReportPreference.objects.update_or_create(
        user=user,
        defaults={
            "enabled": enabled,
            "delivery_weekday": delivery_weekday,
            "delivery_time": delivery_time,
            "updated_at": timezone.now(),
        },
    )
    pending = list(ReportDelivery.objects.filter(user=user, sent_at__isnull=True))
    for row in pending:
        row.deliver_at = delivery_instant(week_start=row.week_start, user=user, preference=preference)
    ReportDelivery.objects.bulk_update(pending, ["deliver_at"])
    return preference


@transaction.atomic
def reflection_write(*, user: User, report: WeeklyReport, text: str) -> tuple[WeeklyReflection, bool]:
    """Writes (or rewrites) the user's reflection on a finalised week; True when it is new."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": ValidationError(_("Write at least a few words."), code="blank")})
    reflection, created = WeeklyReflection.objects.select_for_update().get_or_create(
        report=report, user=user, defaults={"couple_id": report.couple_id, "text": text}
    )
    if not created and reflection.text != text:
        reflection.text, reflection.updated_at = text, timezone.now()
        reflection.save(update_fields=["text", "updated_at"])
    return reflection, created


@transaction.atomic
def special_date_create(*, couple: Couple, by: User, id: UUID | None = None, **fields: Any) -> tuple[SpecialDate, bool]:
    """Adds a shared special date; a replay with the same client `id` is a no-op."""
    if id is not None:
        existing = SpecialDate.objects.filter(pk=id).first()
        if existing is not None:
            if existing.couple_id != couple.id:
                raise ConflictError(_("This id is used by another record."), code="id_conflict")
            return existing, False
    special = SpecialDate.objects.create(couple=couple, created_by=by, **({"id": id} if id else {}), **fields)
    return special, True


@transaction.atomic
def special_date_update(*, special: SpecialDate, data: dict[str, Any]) -> SpecialDate:
    for name, value in data.items():
        setattr(special, name, value)
    special.updated_at = timezone.now()
    special.save(update_fields=[*data, "updated_at"])
    return special


@transaction.atomic
def special_date_delete(*, special: SpecialDate) -> None:
    special.delete()


# WIDGET REFRESH ----------------------------------------------------------------------------------

WIDGET_REFRESH = {"kind": "widget_refresh"}


def widget_refresh_partner_of(*, user_id: UUID, couple_id: UUID | None) -> None:
    """After commit: a silent data push to the partner's devices so their widget refreshes. Not an
    inbox notification (nothing to read), so it bypasses the notification outbox; a lost one only
    delays the widget until its next poll."""
    if couple_id is None:
        return
    from insights.tasks import widget_refresh

    transaction.on_commit(lambda: widget_refresh.delay(str(user_id), str(couple_id)))


def widget_refresh_send(*, actor_id: UUID, couple_id: UUID) -> int:
    """Sends the silent push to the active devices of the actor's partner in this (active) couple."""
    from accounts.models import Device
    from notifications.push import PushMessage, get_provider

    partners = Membership.objects.filter(couple_id=couple_id, is_active=True).exclude(user_id=actor_id)
    tokens = list(
        Device.objects.filter(user_id__in=partners.values("user_id"), is_active=True).values_list(
            "push_token", flat=True
        )
    )
    if not tokens:
        return 0
    messages = [
        PushMessage(token=token, title="", body="", data=WIDGET_REFRESH, collapse_id=f"widget:{couple_id}", silent=True)
        for token in tokens
    ]
    get_provider().send(messages)
    return len(messages)
