"""The insights sections of the personal-data export: only what is the user's own."""

from collections.abc import Iterable
from typing import Any

from accounts import export
from accounts.models import User
from insights.models import ReportPreference, SpecialDate, WeeklyReflection, WeeklyReportPersonal


def _personal_parts(user: User) -> Iterable[dict[str, Any]]:
    rows = WeeklyReportPersonal.objects.filter(user=user).select_related("report").order_by("report__week_start")
    for row in rows:
        yield {
            "couple_id": str(row.report.couple_id),
            "week_start": row.report.week_start.isoformat(),
            # The shared part of the week is what both partners saw; it belongs with the user's copy.
            "shared": row.report.shared,
            "personal": row.data,
        }


def _reflections(user: User) -> Iterable[dict[str, Any]]:
    for row in WeeklyReflection.objects.filter(user=user).select_related("report").order_by("created_at"):
        yield {
            "id": str(row.id),
            "week_start": row.report.week_start.isoformat(),
            "text": row.text,
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
        }


def _preference(user: User) -> Iterable[dict[str, Any]]:
    for row in ReportPreference.objects.filter(user=user):
        yield {
            "enabled": row.enabled,
            "delivery_weekday": row.delivery_weekday,
            "delivery_time": row.delivery_time.isoformat(),
        }


def register() -> None:
    export.register_section("weekly_reports", WeeklyReportPersonal, _personal_parts)
    export.register_section("weekly_reflections", WeeklyReflection, _reflections)
    export.register_section("report_preferences", ReportPreference, _preference)
    export.register_not_exported(
        "insights.reportdelivery", "a delivery schedule of the weekly_report_ready notifications, exported with them"
    )
    export.register_section("special_dates", SpecialDate, _special_dates)
    export.register_detached_on_deletion(
        "insights.specialdate.created_by",
        "a special date is the couple's shared record: it stays with the (ended) couple, without its author",
    )


def _special_dates(user: User) -> Iterable[dict[str, Any]]:
    for row in SpecialDate.objects.filter(created_by=user).order_by("date"):
        yield {"id": str(row.id), "title": row.title, "kind": row.kind, "date": row.date.isoformat()}
