"""BOLA matrix entries of the insights routes (weekly reports, milestones, special dates, widget)."""

from datetime import UTC, date, datetime

from insights.models import SpecialDate, WeeklyReflection, WeeklyReport, WeeklyReportPersonal
from insights.report import ALGORITHM_VERSION, Window, compute_weeks
from tests.bola.spec import Route, World

WEEK = date(2020, 1, 6)


def populate(world: World) -> None:
    """A finalised week of the victims with both personal parts and a reflection, and a special date."""
    window = Window(
        couple_id=world.couple.pk,
        week_start=WEEK,
        starts_at=datetime(2020, 1, 6, tzinfo=UTC),
        ends_at=datetime(2020, 1, 13, tzinfo=UTC),
        time_zone="UTC",
        members=(world.me.pk, world.partner.pk),
    )
    (week,) = compute_weeks([window], history={}, now=window.ends_at)
    report = WeeklyReport.objects.create(
        couple=world.couple,
        week_start=WEEK,
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        time_zone="UTC",
        algorithm_version=ALGORITHM_VERSION,
        shared=week.shared,
    )
    world.objects["weekly_report"] = report
    for user_id, data in week.personal.items():
        WeeklyReportPersonal.objects.create(report=report, user_id=user_id, data=data)
    world.objects["reflection"] = WeeklyReflection.objects.create(
        couple=world.couple, report=report, user=world.me, text="victims' reflection"
    )
    world.objects["special_date"] = SpecialDate.objects.create(
        couple=world.couple, created_by=world.me, title="Victims' first date", date=date(2019, 5, 4)
    )


def _report(world: World) -> dict[str, object]:
    return {"report_id": world.objects["weekly_report"].pk}


def _week(world: World) -> dict[str, object]:
    return {"week_start": WEEK}


def _special(world: World) -> dict[str, object]:
    return {"special_date_id": world.objects["special_date"].pk}


ROUTES: dict[str, Route] = {
    "reports-weekly": Route(("GET",)),
    "report-weekly-detail": Route(("GET",), object_kwargs=_week),
    "reports-current": Route(("GET",)),
    "report-reflection": Route(("POST",), object_kwargs=_report, bodies={"POST": {"text": "Mallory loved it"}}),
    "report-preferences": Route(
        ("GET", "PUT"), bodies={"PUT": {"enabled": False, "delivery_weekday": 0, "delivery_time": "07:00"}}
    ),
    "couple-milestones": Route(("GET",)),
    "special-dates": Route(("GET", "POST"), bodies={"POST": {"title": "Mallory's day", "date": "2020-02-02"}}),
    "special-date-detail": Route(
        ("GET", "PATCH", "DELETE"), object_kwargs=_special, bodies={"PATCH": {"title": "Hijacked"}}
    ),
    "widget": Route(("GET",)),
}
