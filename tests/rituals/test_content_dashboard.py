"""The content dashboard's numbers: aggregates over fixed weeks, a constant number of queries."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from notifications.models import Notification
from rituals.admin.dashboard import dashboard_data
from rituals.models import Completion, DailyPrompt, Prompt, PromptAnswer, Ritual
from tests.factories import UserFactory, pair
from tests.rituals.test_content import make_deck, make_template

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 17, 12, 0, tzinfo=UTC)  # a Wednesday; this week starts on Monday 15 June
THIS_WEEK, LAST_WEEK = date(2026, 6, 15), date(2026, 6, 8)


def _couple():
    return pair(UserFactory.create(), UserFactory.create())


def _ritual(couple, template=None, **extra):
    member = couple.memberships.first().user
    return Ritual.objects.create(
        couple=couple,
        created_by=member,
        template=template,
        title="Walk",
        category="shared_experience",
        rrule="FREQ=DAILY",
        start_date=date(2026, 5, 1),
        local_time="19:00",
        time_zone="UTC",
        **extra,
    )


def _complete(ritual, at):
    user = ritual.couple.memberships.first().user
    return Completion.objects.create(couple=ritual.couple, ritual=ritual, user=user, occurrence_at=at, created_at=at)


def _notification(state, at):
    return Notification.objects.create(
        recipient=UserFactory.create(),
        kind=Notification.Kind.NUDGE,
        title="t",
        body="b",
        push_state=state,
        created_at=at,
        dedupe_key=str(uuid.uuid4()),
    )


@time_machine.travel(NOW, tick=False)
def test_weekly_series_count_what_happened_each_week():
    busy, quiet, idle = _couple(), _couple(), _couple()
    walk = _ritual(busy)
    for day in (0, 1):
        _complete(walk, datetime(2026, 6, 15 + day, 8, tzinfo=UTC))
    _complete(_ritual(quiet), datetime(2026, 6, 9, 8, tzinfo=UTC))
    deck = make_deck(prompts=1)
    prompt = Prompt.objects.get(deck=deck)
    daily = DailyPrompt.objects.create(couple=idle, day=THIS_WEEK, prompt=prompt)
    PromptAnswer.objects.create(
        couple=idle, daily_prompt=daily, user=idle.memberships.first().user, text="x", created_at=NOW
    )
    DailyPrompt.objects.create(couple=busy, day=THIS_WEEK, prompt=prompt)
    for state in ("sent", "sent", "sent", "failed", "skipped", "pending"):
        _notification(state, NOW - timedelta(hours=1))
    _notification("failed", datetime(2026, 6, 9, tzinfo=UTC))

    data = dashboard_data(weeks=2)

    assert data["weeks"] == ["2026-06-08", "2026-06-15"]
    assert data["active_couples"] == [1, 2]  # quiet last week; busy and idle (a prompt answer) this week
    assert data["completions"] == [1, 2]
    assert (data["daily_prompts"], data["prompt_answers"], data["prompt_answer_rate"]) == ([0, 2], [0, 1], [None, 25.0])
    assert (data["push_sent"], data["push_failed"], data["push_skipped"]) == ([0, 3], [1, 1], [0, 1])
    assert (data["push_delivery_rate"], data["push_failure_rate"]) == ([0.0, 75.0], [100.0, 25.0])


@time_machine.travel(NOW, tick=False)
def test_template_adoption_ranks_templates_by_couples_then_rituals():
    kiss, walk, unused = make_template(title="Kiss"), make_template(title="Walk"), make_template(title="Unused")
    first, second = _couple(), _couple()
    _ritual(first, kiss)
    _ritual(first, kiss)
    _ritual(second, walk)
    _ritual(first, walk)
    _ritual(second, walk, deleted_at=NOW)  # deleted rituals do not count
    _ritual(second)  # a custom ritual

    data = dashboard_data(weeks=1)

    assert list(zip(data["templates"], data["template_couples"], data["template_rituals"], strict=True)) == [
        ("Walk", 2, 2),
        ("Kiss", 1, 2),
    ]
    assert unused.title not in data["templates"]


@pytest.mark.parametrize("couples", [1, 6])
def test_the_dashboard_costs_a_constant_number_of_queries(django_assert_num_queries, couples):
    for _ in range(couples):
        couple = _couple()
        _complete(_ritual(couple, make_template()), NOW)
        _notification("sent", NOW)

    with django_assert_num_queries(5):  # active couples, completions, prompts, pushes, adoption
        dashboard_data()


def test_only_staff_who_may_view_content_see_the_dashboard():
    viewer = Client()
    viewer.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    staff_without_content = Client()
    staff_without_content.force_login(UserFactory.create(is_staff=True))

    page = viewer.get("/admin/content-dashboard/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="chart-active-couples"' in html
    assert "/static/rituals/vendor/chartjs/chart.umd.min.js" in html
    assert "cdn" not in html.lower()
    assert staff_without_content.get("/admin/content-dashboard/").status_code == 403
    assert Client().get("/admin/content-dashboard/").status_code == 302  # to the login page
    changelist = viewer.get("/admin/rituals/ritualtemplate/").content.decode()
    assert 'href="/admin/content-dashboard/"' in changelist
