from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from couples.models import Couple, Membership

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime(2026, 11, 24, 7, 10, tzinfo=UTC), tick=False)
def test_the_partner_view_shows_the_partners_local_time_and_zone(me, partner, couple):
    me.sign_in(me.user)  # tokens minted by the fixtures belong to the real clock
    response = me.get("/api/v1/couple")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(couple.id)
    assert body["status"] == "active"
    assert body["partner"]["id"] == str(partner.user.id)
    assert body["partner"]["display_name"] == "Sam"
    assert body["partner"]["time_zone"] == "America/New_York"
    # 07:10 UTC is 02:10 in New York in November (UTC-5).
    assert body["partner"]["local_time"] == "2026-11-24T02:10:00-05:00"
    assert "email" not in body["partner"]


def test_each_partner_sees_the_other(me, partner):
    assert me.get("/api/v1/couple").json()["partner"]["id"] == str(partner.user.id)
    assert partner.get("/api/v1/couple").json()["partner"]["id"] == str(me.user.id)


def test_an_unpaired_user_has_no_couple(loner):
    response = loner.get("/api/v1/couple")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_paired"


def test_either_partner_sets_the_anniversary(me, partner, couple):
    response = partner.patch("/api/v1/couple", {"together_since": "2019-06-01"})

    assert response.status_code == 200
    assert response.json()["together_since"] == "2019-06-01"
    couple.refresh_from_db()
    assert couple.together_since == date(2019, 6, 1)
    assert me.get("/api/v1/couple").json()["together_since"] == "2019-06-01"


def test_the_anniversary_cannot_be_in_the_future(me, couple):
    tomorrow = (timezone.localdate() + timedelta(days=2)).isoformat()

    response = me.patch("/api/v1/couple", {"together_since": tomorrow})

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["together_since"][0]["code"] == "future_date"


def test_patch_cannot_touch_status_ids_or_memberships(me, partner, couple, stranger_user):
    original_created = couple.created_at
    response = me.patch(
        "/api/v1/couple",
        {
            "id": "00000000-0000-0000-0000-000000000000",
            "status": "ended",
            "ended_at": "2020-01-01T00:00:00Z",
            "created_at": "2000-01-01T00:00:00Z",
            "partner": {"id": str(stranger_user.id)},
            "memberships": [{"user": str(stranger_user.id)}],
            "user": str(stranger_user.id),
            "couple": "00000000-0000-0000-0000-000000000000",
        },
    )

    assert response.status_code == 200
    couple.refresh_from_db()
    assert couple.status == Couple.Status.ACTIVE
    assert couple.ended_at is None
    assert couple.created_at == original_created
    assert set(Membership.objects.filter(couple=couple).values_list("user", flat=True)) == {me.user.id, partner.user.id}
    assert not Membership.objects.filter(user=stranger_user, couple=couple).exists()


def test_get_couple_takes_two_queries(me, partner, django_assert_num_queries):
    with django_assert_num_queries(2):  # session+user with my membership+couple, the partner's membership+user
        assert me.get("/api/v1/couple").status_code == 200
