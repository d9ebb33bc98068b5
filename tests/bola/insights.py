"""BOLA matrix entries of the insights routes (weekly reports, milestones, special dates, widget)."""

from datetime import UTC, date, datetime

from insights.models import SpecialDate, WeeklyReflection, WeeklyReport, WeeklyReportPersonal
from tests.bola.spec import Route, World

WEEK = date(2020, 1, 6)


def populate(world: World) -> None:
    """A finalised week of the victims with both personal parts and a reflection, and a special date."""
    report = WeeklyReport.objects.create(
        couple=world.couple,
        week_start=WEEK,
        starts_at=datetime(2020, 1, 6, tzinfo=UTC),
        ends_at=datetime(2020, 1, 13, tzinfo=UTC),
        time_zone="UTC",
        algorithm_version=1,
        shared={"positive_moments": {"total": 7}, "rituals": [], "victims": "shared part of the victims"},
    )
    world.objects["weekly_report"] = report
    for user in (world.me, world.partner):
        WeeklyReportPersonal.objects.create(report=report, user=user, data={"secret": "victims' personal part"})
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
