"""The content dashboard, end to end in a real browser: a staff member signs in, opens the dashboard
from the ritual templates list, and Chart.js (served from our own static files) draws every chart
with the numbers the database holds. Deselect with `-m "not e2e"`.
"""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from notifications.models import Notification
from rituals.models import Completion, Ritual
from tests.e2e.test_admin_browser import _admin_login
from tests.factories import UserFactory, pair
from tests.rituals.test_content import make_template

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_user(transactional_db: None) -> User:
    return UserFactory.create(email="content@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def activity(transactional_db: None) -> None:
    """Two couples active this week (three completions), one on a template; pushes: 3 sent, 1 failed."""
    now = timezone.now()
    template = make_template(title="Six-second kiss")
    for index in range(2):
        first, second = UserFactory.create(), UserFactory.create()
        couple = pair(first, second)
        ritual = Ritual.objects.create(
            couple=couple,
            created_by=first,
            template=template if index == 0 else None,
            title="Kiss",
            category="affection",
            rrule="FREQ=DAILY",
            start_date=date(2026, 1, 1),
            local_time="08:00",
            time_zone="UTC",
        )
        for day in range(index + 1):
            at = now - timedelta(minutes=day)
            Completion.objects.create(couple=couple, ritual=ritual, user=first, occurrence_at=at, created_at=at)
    for state in ("sent", "sent", "sent", "failed"):
        Notification.objects.create(
            recipient=UserFactory.create(),
            kind=Notification.Kind.NUDGE,
            title="t",
            body="b",
            push_state=state,
            dedupe_key=str(uuid.uuid4()),
        )


def _chart_data(page: Page, canvas_id: str) -> Any:
    return page.evaluate(
        "id => window.Chart.getChart(document.getElementById(id)).data.datasets.map(d => d.data)", canvas_id
    )


def test_staff_open_the_dashboard_and_see_every_chart_drawn(
    page: Page, live_server: Any, staff_user: User, activity: None
) -> None:
    base_url = live_server.url
    _admin_login(page, base_url, staff_user.email)
    page.goto(f"{base_url}/admin/rituals/ritualtemplate/")
    page.click("#content-dashboard-link")

    expect(page).to_have_url(f"{base_url}/admin/content-dashboard/")
    expect(page.locator("body")).to_have_attribute("data-dashboard-ready", "true")
    for canvas in (
        "chart-active-couples",
        "chart-completions",
        "chart-prompt-answer-rate",
        "chart-push-rates",
        "chart-template-adoption",
    ):
        expect(page.locator(f"#{canvas}")).to_have_attribute("data-ready", "true")
        assert page.evaluate("id => document.getElementById(id).width", canvas) > 0
    # This week is the last point of every weekly series.
    assert _chart_data(page, "chart-active-couples")[0][-1] == 2
    assert _chart_data(page, "chart-completions")[0][-1] == 3
    assert [series[-1] for series in _chart_data(page, "chart-push-rates")] == [75.0, 25.0]
    assert _chart_data(page, "chart-template-adoption") == [[1], [1]]
    expect(page.locator("#adoption-table")).to_contain_text("Six-second kiss")
    # Chart.js is the vendored build, and every script came from our own server.
    assert page.evaluate("window.Chart.version") == "4.6.1"
    assert page.evaluate("[...document.scripts].every(s => !s.src || s.src.startsWith(location.origin))")
