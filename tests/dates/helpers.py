"""Shared set-up of the date tests: plans in any state, written straight to the database."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from accounts.models import User
from couples.models import Couple
from dates.models import DateOffer, DatePlan
from rituals import recurrence

DATES = "/api/v1/dates"


def next_week() -> date:
    return datetime.now(UTC).date() + timedelta(days=7)


def offer_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "local_date": next_week().isoformat(),
        "local_time": "19:30",
        "time_zone": "Europe/Berlin",
        "duration_minutes": 120,
        "place": "Trattoria da Enzo",
    }
    return {**body, **fields}


def make_plan(
    couple: Couple,
    proposed_by: User,
    *,
    status: str = "proposed",
    on: date | None = None,
    at: time = time(19, 30),
    time_zone: str = "Europe/Berlin",
    duration_minutes: int = 120,
    **fields: Any,
) -> DatePlan:
    day = on or next_week()
    starts_at = recurrence.localize(datetime.combine(day, at), recurrence.zone(time_zone))
    plan = DatePlan.objects.create(
        couple=couple,
        proposed_by=proposed_by,
        offered_by=proposed_by,
        title=fields.pop("title", "Dinner at Enzo's"),
        status=status,
        local_date=day,
        local_time=at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=duration_minutes),
        **fields,
    )
    DateOffer.objects.create(
        plan=plan, by=proposed_by, local_date=day, local_time=at, time_zone=time_zone, duration_minutes=duration_minutes
    )
    return plan


def url(plan: DatePlan | str, action: str = "") -> str:
    plan_id = plan.pk if isinstance(plan, DatePlan) else plan
    return f"{DATES}/{plan_id}" + (f"/{action}" if action else "")
