"""What goes into a date's .ics and a user's calendar feed (the iCalendar itself: dates.ics)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from dates import ics
from dates import selectors as sel
from dates.models import DatePlan
from rituals import recurrence

CANCELLED = {DatePlan.Status.CANCELLED, DatePlan.Status.DECLINED, DatePlan.Status.WITHDRAWN}


def _plan_item(plan: DatePlan) -> ics.CalendarItem:
    return ics.CalendarItem(
        uid=str(plan.pk),
        title=plan.title,
        start_utc=plan.starts_at,
        duration=timedelta(minutes=plan.duration_minutes),
        time_zone=plan.time_zone,
        sequence=plan.version,
        place=plan.place,
        cancelled=plan.status in CANCELLED,
        updated_at=plan.updated_at,
    )


def plan_ics(plan: DatePlan, *, discreet: bool = False) -> bytes:
    """One VEVENT: UID = the plan's id, SEQUENCE = its version, STATUS:CANCELLED once it is off."""
    return ics.calendar([_plan_item(plan)], discreet=discreet, name=_("Our date"))


def feed_ics(*, user: User, discreet: bool, now: datetime | None = None) -> bytes:
    """Accepted (and cancelled) dates and ritual occurrences of the next CALENDAR_FEED_DAYS days.
    Two queries whatever the number of dates and rituals."""
    start, end = sel.calendar_window(now or timezone.now())
    items = [_plan_item(plan) for plan in sel.feed_plans(user=user, start=start, end=end)]
    for ritual in sel.feed_rituals(user=user):
        for at in recurrence.occurrences(
            rrule=ritual.rrule,
            start_date=ritual.start_date,
            local_time=ritual.local_time,
            time_zone=ritual.time_zone,
            start=start,
            end=end,
        ):
            items.append(
                ics.CalendarItem(
                    uid=f"ritual-{ritual.pk}-{at:%Y%m%dT%H%M%SZ}",
                    title=ritual.title,
                    start_utc=at,
                    duration=timedelta(minutes=ritual.duration_minutes),
                    time_zone=ritual.time_zone,
                    updated_at=ritual.updated_at,
                )
            )
    return ics.calendar(items, discreet=discreet, name=_("Us"))
