"""The load benchmark's bulk seed (bench/load): rows the real API reads back as a consistent history.

The benchmark itself (gunicorn + wrk) is not run here; this checks that its SQL writes what the
services would have: occurrences the recurrence code agrees with, stamps a pull can serve, sessions
its minted tokens authenticate against, and completion targets the API accepts.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from bench.load import seed, targets
from notifications.models import Notification
from rituals import recurrence
from rituals.models import CheckIn, Completion, Ritual
from sync.models import SyncCounter, SyncState

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Seeded:
    now: datetime
    people: list[targets.Actor]


@pytest.fixture
def seeded() -> Seeded:
    now = seed.seed(couples=2)
    return Seeded(now=now, people=targets.actors(count=4))


def _client(actor: targets.Actor) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {actor.token}")
    return client


def test_seed_writes_a_year_for_every_couple(seeded: Seeded) -> None:
    counts = seed.counts()
    assert counts["couples_couple"] == 2
    assert counts["accounts_user"] == 4
    assert counts["rituals_ritual"] == 2 * len(seed.RITUALS)
    # A daily ritual alone has ~365 occurrences a year; each partner did most of them.
    assert counts["rituals_completion"] > 2 * 2 * 365 * 0.6
    assert counts["notifications_notification"] > counts["rituals_completion"]
    assert counts["notifications_reminderschedule"] == 2 * 2  # the active rituals only
    with connection.cursor() as cursor:  # the keys and indexes dropped for the load are back
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'notifications_notification'")
        assert cursor.fetchone()[0] >= 6


def test_seeded_rituals_start_with_current_streak_checkpoints(seeded: Seeded) -> None:
    """As the app keeps them: otherwise every read would walk each ritual's whole history."""
    assert not Ritual.objects.filter(deleted_at__isnull=True, streak_valid=False).exists()


def test_every_completion_is_an_occurrence_of_its_ritual(seeded: Seeded) -> None:
    rituals = {r.pk: r for r in Ritual.objects.all()}
    for ritual_id, occurrence_at in Completion.objects.values_list("ritual_id", "occurrence_at"):
        r = rituals[ritual_id]
        assert recurrence.is_occurrence(
            rrule=r.rrule, start_date=r.start_date, local_time=r.local_time, time_zone=r.time_zone, at=occurrence_at
        ), (r.title, occurrence_at)


def test_sync_stamps_cover_the_records_and_the_counters(seeded: Seeded) -> None:
    notification_ids = {str(pk) for pk in Notification.objects.values_list("id", flat=True)}
    stamped = set(SyncState.objects.filter(table="notifications").values_list("record_id", flat=True))
    assert stamped == notification_ids
    for counter in SyncCounter.objects.all():
        latest = SyncState.objects.filter(user_id=counter.user_id).order_by("-version").first()
        assert latest is not None
        assert counter.version == latest.version


def test_the_api_reads_the_seeded_history(seeded: Seeded) -> None:
    now = seeded.now
    actor = seeded.people[0]
    client = _client(actor)

    rituals = client.get("/api/v1/rituals").json()["results"]
    assert len(rituals) == len(seed.RITUALS)
    assert max(r["streak"]["longest"] for r in rituals) >= 2

    today = client.get("/api/v1/rituals/today").json()
    assert "Morning hug" in {entry["ritual"]["title"] for entry in today["results"]}

    inbox = client.get("/api/v1/notifications").json()["results"]
    assert len(inbox) == 20
    assert inbox == sorted(inbox, key=lambda n: n["created_at"], reverse=True)

    assert client.get("/api/v1/couple").json()["partner"]["id"] != str(actor.user_id)

    since = seed.cursor_at(now - timedelta(days=1), now=now)
    changes = client.get(f"/api/v1/sync/pull?last_pulled_at={since}").json()["changes"]
    assert changes["notifications"]["updated"]
    assert changes["ritual_completions"]["updated"] or changes["rituals"]["updated"] is not None
    assert all(not table["deleted"] for table in changes.values())


def test_completion_targets_are_accepted_once(seeded: Seeded) -> None:
    people = seeded.people
    lines = targets.completion_lines(people=people, seeded_at=seeded.now, limit=3)
    assert len(lines) == 3
    tokens = {actor.token: actor for actor in people}
    for line in lines:
        method, path, token, body = line.split("\t")
        client = _client(tokens[token])
        assert method == "POST"
        assert client.post(path, json.loads(body), format="json").status_code == 201
        assert client.post(path, json.loads(body), format="json").status_code == 409


def test_sync_push_targets_each_create_ten_check_ins(seeded: Seeded) -> None:
    people = seeded.people
    lines = targets.sync_push_lines(people=people, seeded_at=seeded.now, limit=len(people) + 1)
    tokens = {actor.token: actor for actor in people}
    before = CheckIn.objects.count()
    for line in lines:
        method, path, token, body = line.split("\t")
        response = _client(tokens[token]).post(path, json.loads(body), format="json")
        assert (method, response.status_code) == ("POST", 200)
        assert response.json()["rejected_ids"] == {}
    assert CheckIn.objects.count() == before + 10 * len(lines)  # every line's ids are new, even on a lap


def _pulled(client: APIClient, cursor: int) -> int:
    changes = client.get(f"/api/v1/sync/pull?last_pulled_at={cursor}").json()["changes"]
    return sum(len(table["updated"]) + len(table["deleted"]) for table in changes.values())


def test_pull_targets_stay_a_typical_pull_after_other_writes(seeded: Seeded) -> None:
    actor = seeded.people[0]
    client = _client(actor)
    first = _pulled(client, targets.pull_cursors(people=[actor])[actor.user_id])
    assert targets.CHANGES_PER_PULL <= first <= 2 * targets.CHANGES_PER_PULL

    for mood in range(1, 6):  # what a write benchmark leaves behind on a reused database
        body = {"mood": mood, "connection": 3, "note": "", "is_shared": True}
        assert client.post("/api/v1/check-ins", body, format="json").status_code == 201

    again = _pulled(client, targets.pull_cursors(people=[actor])[actor.user_id])
    assert targets.CHANGES_PER_PULL <= again <= 2 * targets.CHANGES_PER_PULL
