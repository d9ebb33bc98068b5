from datetime import date

from django.urls import URLPattern, path, register_converter

from insights.api import views as v


class IsoDateConverter:
    """A calendar date `2026-11-30` in a path; anything else is no match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(value) from exc

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

urlpatterns: list[URLPattern] = [
    path("reports/weekly", v.WeeklyReportListApi.as_view(), name="reports-weekly"),
    path("reports/weekly/<isodate:week_start>", v.WeeklyReportDetailApi.as_view(), name="report-weekly-detail"),
    path("reports/current", v.CurrentReportApi.as_view(), name="reports-current"),
    path("reports/weekly/<uuid:report_id>/reflection", v.ReflectionApi.as_view(), name="report-reflection"),
    path("me/report-preferences", v.ReportPreferenceApi.as_view(), name="report-preferences"),
    path("couple/milestones", v.MilestonesApi.as_view(), name="couple-milestones"),
    path("couple/special-dates", v.SpecialDateListApi.as_view(), name="special-dates"),
    path("couple/special-dates/<uuid:special_date_id>", v.SpecialDateDetailApi.as_view(), name="special-date-detail"),
    path("widget", v.WidgetApi.as_view(), name="widget"),
]
