"""The content dashboard in the admin (`/admin/content-dashboard/`): how couples use the content.

Charts are drawn by Chart.js, vendored under `rituals/static/rituals/vendor/chartjs/` (never a CDN);
each chart has the same numbers in a table beside it, so the page reads without JavaScript too. The
numbers come from a fixed number of aggregate queries (`rituals.selectors.dashboard`,
`notifications.selectors.push_outcomes_per_week`), whatever the data size.
"""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from notifications.selectors import push_outcomes_per_week
from rituals.selectors import dashboard

WEEKS = 12


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def dashboard_data(*, weeks: int = WEEKS) -> dict[str, Any]:
    """Every series of the dashboard, JSON-ready (the page's charts and tables read the same dict)."""
    mondays = dashboard.week_starts(weeks=weeks)
    prompts = dashboard.prompt_answer_rate_per_week(weeks=mondays)
    pushes = push_outcomes_per_week(weeks=mondays)
    adoption = dashboard.template_adoption()
    return {
        "weeks": [monday.isoformat() for monday in mondays],
        "active_couples": dashboard.active_couples_per_week(weeks=mondays),
        "completions": dashboard.completions_per_week(weeks=mondays),
        "prompt_answer_rate": [_percent(week.rate) for week in prompts],
        "prompt_answers": [week.answers for week in prompts],
        "daily_prompts": [week.prompts for week in prompts],
        "push_delivery_rate": [_percent(week.delivery_rate) for week in pushes],
        "push_failure_rate": [_percent(week.failure_rate) for week in pushes],
        "push_sent": [week.sent for week in pushes],
        "push_failed": [week.failed for week in pushes],
        "push_skipped": [week.skipped for week in pushes],
        "templates": [row.title for row in adoption],
        "template_couples": [row.couples for row in adoption],
        "template_rituals": [row.rituals for row in adoption],
    }


def content_dashboard_view(request: HttpRequest) -> HttpResponse:
    """Staff who may view ritual templates (the content team) see the dashboard."""
    if not request.user.has_perm("rituals.view_ritualtemplate"):
        raise PermissionDenied
    data = dashboard_data()
    weekly = list(
        zip(
            data["weeks"],
            data["active_couples"],
            data["completions"],
            data["prompt_answer_rate"],
            data["push_delivery_rate"],
            data["push_failure_rate"],
            strict=True,
        )
    )
    adoption = list(zip(data["templates"], data["template_couples"], data["template_rituals"], strict=True))
    context = {
        **admin.site.each_context(request),
        "title": "Content dashboard",
        "data": data,
        "weekly": weekly,
        "adoption": adoption,
    }
    return TemplateResponse(request, "admin/rituals/content_dashboard.html", context)
