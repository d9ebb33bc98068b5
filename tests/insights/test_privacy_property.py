"""Privacy: the partner's view of a week is byte-identical whatever my private check-ins, the notes
of my check-ins and the notes and ratings of my completions are. Admin lists never show a report's
content, a personal part or a reflection."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights import services
from insights.models import WeeklyReflection, WeeklyReport, WeeklyReportPersonal
from rituals.models import Completion
from tests.conftest import AppClient
from tests.factories import UserFactory, pair
from tests.insights.helpers import at, check_in, complete, daily_ritual, nudge, schedule_week

MONDAY = date(2026, 11, 23)

_private_check_in = st.tuples(
    st.integers(min_value=0, max_value=6),
    st.integers(1, 5),
    st.integers(1, 5),
    st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=20),
)


class _Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    private_check_ins=st.lists(_private_check_in, max_size=5),
    shared_note=st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=30),
    completion_notes=st.lists(
        st.tuples(
            st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=20),
            st.none() | st.integers(1, 5),
        ),
        min_size=3,
        max_size=3,
    ),
)
def test_the_partners_view_does_not_depend_on_my_private_data(db, private_check_ins, shared_note, completion_notes):
    me = UserFactory.create(time_zone="Europe/Berlin")
    partner = UserFactory.create(time_zone="America/New_York")
    couple = pair(me, partner)
    couple.time_zone = "UTC"
    couple.save()
    ritual = daily_ritual(couple, title="Kiss")

    def partners_views(with_private: bool) -> tuple[bytes, bytes]:
        try:
            with transaction.atomic():
                schedule_week(couple, MONDAY)
                nudge(couple, me, partner, at("2026-11-24T09:00"), seen_at=at("2026-11-24T09:05"))
                check_in(
                    me, couple, MONDAY, shared=True, mood=4, connection=4, note=shared_note if with_private else ""
                )
                for offset, (note, rating) in enumerate(completion_notes):
                    done = complete(ritual, me, at(f"2026-11-2{3 + offset}T08:00"))
                    if with_private:
                        Completion.objects.filter(pk=done.pk).update(note=note, connection_rating=rating)
                complete(ritual, partner, at("2026-11-23T08:00"), connection_rating=4)
                if with_private:
                    for offset, mood, connection, note in private_check_ins:
                        check_in(
                            me,
                            couple,
                            MONDAY + timedelta(days=offset),
                            shared=False,
                            mood=mood,
                            connection=connection,
                            note=note,
                        )
                with time_machine.travel(at("2026-11-27T12:00"), tick=False):
                    client = AppClient().sign_in(partner)
                    live = client.get("/api/v1/reports/weekly/2026-11-23").content
                with time_machine.travel(at("2026-11-30T00:01"), tick=False):
                    services.reports_finalise_due()
                    client = AppClient().sign_in(partner)
                    final = client.get("/api/v1/reports/weekly").json()["results"][0]
                    # The stored report's id and stamp differ between the two runs; the content must not.
                    final = {k: v for k, v in final.items() if k not in {"id", "finalised_at"}}
                raise _Rollback((live, repr(final).encode()))
        except _Rollback as result:
            return result.args[0]
        raise AssertionError("unreachable")

    with_private, without = partners_views(with_private=True), partners_views(with_private=False)
    assert with_private[0] == without[0], (with_private[0], without[0])
    assert with_private[1] == without[1], (with_private[1], without[1])


@pytest.fixture
def staff_client(db, client):
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", [WeeklyReport, WeeklyReportPersonal, WeeklyReflection])
def test_admin_lists_never_show_report_content_personal_parts_or_reflections(staff_client, couple, me_user, model):
    report = WeeklyReport.objects.create(
        couple=couple,
        week_start=MONDAY,
        starts_at=at("2026-11-23T00:00"),
        ends_at=at("2026-11-30T00:00"),
        time_zone="UTC",
        algorithm_version=1,
        shared={"suggestion": {"title": "SHARED-SECRET"}},
    )
    WeeklyReportPersonal.objects.create(report=report, user=me_user, data={"note": "PERSONAL-SECRET"})
    WeeklyReflection.objects.create(couple=couple, report=report, user=me_user, text="REFLECTION-SECRET")
    from django.contrib import admin

    if model not in admin.site._registry:
        return  # not in the admin at all: nothing to show
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    pages = [staff_client.get(url), staff_client.get(f"{url}{report.pk}/change/")]
    for page in pages:
        text = page.content.decode()
        for secret in ("SHARED-SECRET", "PERSONAL-SECRET", "REFLECTION-SECRET"):
            assert secret not in text
    assert pages[0].status_code == 200
