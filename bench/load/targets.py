"""Who the load generator plays and what it asks: signed-in partners of many couples, their requests.

Access tokens are minted here in bulk with simplejwt, for the sessions the seed opened, exactly as
`accounts.services.sessions` mints them at sign-in (user id and session id claims), so the server
authenticates them the normal way (one query joining the user to the live session).
"""

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from django.db import connection
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from bench.load.seed import cursor_at
from rituals import recurrence
from rituals.models import Completion, Ritual

API = "/api/v1"


@dataclass(frozen=True)
class Actor:
    user_id: UUID
    session_id: UUID
    couple_id: UUID
    time_zone: str
    token: str


def actors(*, count: int) -> list[Actor]:
    """`count` benchmark users spread evenly over all couples (both partners of every k-th couple)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT u.id, s.id, m.couple_id, u.time_zone
            FROM accounts_user u
            JOIN accounts_authsession s ON s.user_id = u.id AND s.revoked_at IS NULL
            JOIN couples_membership m ON m.user_id = u.id AND m.is_active
            WHERE u.email LIKE 'bench-load-%%'
            ORDER BY u.email
            """
        )
        rows = cursor.fetchall()
    step = max(1, len(rows) // max(count, 1))
    if step > 1:
        step -= step % 2  # keep both partners of a picked couple
    picked = [row for index, row in enumerate(rows) if index % step < 2 or step == 1][:count]
    return [
        Actor(user_id, session_id, couple_id, zone, _token(user_id, session_id))
        for user_id, session_id, couple_id, zone in picked
    ]


def _token(user_id: UUID, session_id: UUID) -> str:
    token = AccessToken()
    token[api_settings.USER_ID_CLAIM] = str(user_id)
    token["sid"] = str(session_id)
    return str(token)


def rituals_by_couple(couple_ids: Iterable[UUID]) -> dict[UUID, list[Ritual]]:
    found: dict[UUID, list[Ritual]] = {}
    for ritual in Ritual.objects.filter(couple_id__in=list(couple_ids), deleted_at=None).order_by("created_at", "id"):
        found.setdefault(ritual.couple_id, []).append(ritual)
    return found


def read_lines(*, endpoint: str, people: Sequence[Actor], seeded_at: datetime) -> list[str]:
    """One targets line per actor for a read endpoint (the list rotates through all of them)."""
    if endpoint == "sync/pull":
        cursors = pull_cursors(people=people)
        return [_line("GET", f"{API}/sync/pull?last_pulled_at={cursors[a.user_id]}", a.token) for a in people]
    paths = {
        "rituals/today": f"{API}/rituals/today",
        "rituals": f"{API}/rituals",
        "couple": f"{API}/couple",
        "notifications": f"{API}/notifications",
        "widget": f"{API}/widget",
        # Content (issue 17): curated, translated, scheduled; the seed's content is load_demo_content's.
        "ritual-templates": f"{API}/ritual-templates",
        "prompts/today": f"{API}/prompts/today",
        "date-ideas": f"{API}/date-ideas",
    }
    return [_line("GET", paths[endpoint], actor.token) for actor in people]


# A day of a couple's life in the seed (the reminders, completions, check-ins and nudges of both).
CHANGES_PER_PULL = 13


def pull_cursors(*, people: Sequence[Actor], changes: int = CHANGES_PER_PULL) -> dict[UUID, int]:
    """Per actor, the cursor of a phone that is `changes` records behind: the version just below the
    actor's `changes` most recent sync stamps. Counted from the newest stamps rather than from the
    seeding instant, so a reused database that earlier write benchmarks added to still measures the
    same typical pull (a cursor "a day before the seed" then also carried every write since)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT u, (SELECT version FROM sync_syncstate WHERE user_id = u
                       ORDER BY version DESC OFFSET %s LIMIT 1) - 1
            FROM unnest(%s::uuid[]) AS u
            """,
            [changes - 1, [actor.user_id for actor in people]],
        )
        return {user_id: max(version or 1, 1) for user_id, version in cursor.fetchall()}


def baseline_lines(*, people: Sequence[Actor]) -> dict[str, list[str]]:
    body = json.dumps({"kind": "hug", "message": ""})  # about the size of a nudge or a check-in
    return {
        "baseline: constant": [_line("GET", "/bench/constant", "")],
        "baseline: one query": [_line("GET", f"/bench/one-query/{actor.couple_id}", "") for actor in people],
        "baseline: one insert": [_line("POST", f"/bench/one-insert/{actor.couple_id}", "", body) for actor in people],
    }


def write_lines(*, endpoint: str, people: Sequence[Actor]) -> list[str]:
    """Writes every request of which succeeds however often the list repeats (a nudge within the
    sender's daily quota when the list rotates over `people`, a check-in, an edit of a ritual)."""
    by_couple = rituals_by_couple({actor.couple_id for actor in people})
    lines = []
    body: dict[str, object]
    for index, actor in enumerate(people):
        if endpoint == "POST nudges":
            body = {"kind": ("hug", "kiss", "thinking_of_you", "appreciation")[index % 4], "message": "Thank you"}
            lines.append(_line("POST", f"{API}/nudges", actor.token, json.dumps(body)))
        elif endpoint == "POST check-ins":
            body = {"mood": 1 + index % 5, "connection": 1 + (index * 3) % 5, "note": "", "is_shared": index % 2 == 0}
            lines.append(_line("POST", f"{API}/check-ins", actor.token, json.dumps(body)))
        elif endpoint == "PATCH rituals/{id}":
            ritual = by_couple[actor.couple_id][0]
            body = {"description": f"Edited by partner {index}"}
            lines.append(_line("PATCH", f"{API}/rituals/{ritual.pk}", actor.token, json.dumps(body)))
    return lines


def goal_accept_lines(*, people: Sequence[Actor], limit: int) -> list[str]:
    """POST goals/{id}/accept of goals proposed by the actor's partner, written here (each accepted once).

    Inserted in SQL, as the seed writes its goals; the accept stamps them for sync as any write does.
    """
    per_actor = -(-limit // max(len(people), 1))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO rituals_goal (id, title, description, status, target_date, created_at, updated_at, version,
                                      couple_id, proposed_by_id)
            SELECT gen_random_uuid(), 'Cook together on Fridays', '', 'proposed', NULL, now(), now(), 1,
                   a.couple_id, m.user_id
            FROM unnest(%s::uuid[], %s::uuid[]) AS a(user_id, couple_id)
            JOIN couples_membership m ON m.couple_id = a.couple_id AND m.is_active AND m.user_id <> a.user_id,
                 generate_series(1, %s)
            RETURNING id, couple_id, proposed_by_id
            """,
            [[actor.user_id for actor in people], [actor.couple_id for actor in people], per_actor],
        )
        goals = cursor.fetchall()
    proposed: dict[UUID, list[tuple[UUID, UUID]]] = {}
    for goal_id, couple_id, proposer_id in goals:
        proposed.setdefault(couple_id, []).append((goal_id, proposer_id))
    lines = [
        _line("POST", f"{API}/goals/{goal_id}/accept", actor.token)
        for actor in people
        for goal_id, proposer_id in proposed.get(actor.couple_id, [])
        if proposer_id != actor.user_id  # only the partner who did not propose may accept
    ]
    random.Random(11).shuffle(lines)
    return lines[:limit]


def completion_lines(*, people: Sequence[Actor], seeded_at: datetime, limit: int, days: int = 120) -> list[str]:
    """POST completions for occurrences the actor has not completed yet (each one once), shuffled.

    Occurrences come from `rituals.recurrence`, the same code the API validates them with.
    """
    by_couple = rituals_by_couple({actor.couple_id for actor in people})
    start = seeded_at - timedelta(days=days)
    done = set(
        Completion.objects.filter(
            user_id__in=[actor.user_id for actor in people], occurrence_at__gte=start - timedelta(days=1)
        ).values_list("ritual_id", "user_id", "occurrence_at")
    )
    lines = []
    for actor in people:
        for ritual in by_couple.get(actor.couple_id, []):
            if ritual.status != Ritual.Status.ACTIVE:
                continue
            for instant in recurrence.occurrences(
                rrule=ritual.rrule,
                start_date=ritual.start_date,
                local_time=ritual.local_time,
                time_zone=ritual.time_zone,
                start=start,
                end=seeded_at,
            ):
                if (ritual.pk, actor.user_id, instant) not in done:
                    body = json.dumps({"occurrence_at": instant.isoformat(), "connection_rating": 4})
                    lines.append(_line("POST", f"{API}/rituals/{ritual.pk}/completions", actor.token, body))
    random.Random(7).shuffle(lines)
    return lines[:limit]


def sync_push_lines(*, people: Sequence[Actor], seeded_at: datetime, limit: int, records: int = 10) -> list[str]:
    """POST sync/push of `records` check-ins made offline (half of them shared with the partner), each
    with its own client id, so every request creates them all: what a phone sends after a few days
    offline. Through the same push as any table (sync.push), stamps, the partner's notifications.
    Fresh ids on every call, so no run replays an earlier run's records."""
    since = cursor_at(seeded_at - timedelta(days=1), now=seeded_at)
    # New ids on every call: the benchmark reuses its database, and ids pushed by an earlier run
    # would be replays (nothing written), not the offline days this measures.
    ids = random.SystemRandom()
    lines: list[str] = []
    while len(lines) < limit:
        for actor in people:
            created = [
                {
                    "id": str(UUID(int=ids.getrandbits(128), version=4)),
                    "mood": 1 + k % 5,
                    "connection": 1 + (k * 3) % 5,
                    "note": "",
                    "is_shared": k % 2 == 0,
                }
                for k in range(records)
            ]
            body = json.dumps({"changes": {"check_ins": {"created": created, "updated": [], "deleted": []}}})
            lines.append(_line("POST", f"{API}/sync/push?last_pulled_at={since}", actor.token, body))
    return lines[:limit]


def _line(method: str, path: str, token: str, body: str = "") -> str:
    return f"{method}\t{path}\t{token}\t{body}"


def write(path: Path, lines: Sequence[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path
