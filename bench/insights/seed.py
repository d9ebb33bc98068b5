"""Seeds couples with a finished week of activity each, with COPY (bench.dispatch.seed's helpers)."""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from accounts.models import User
from bench.dispatch.seed import ZONES, copy_rows
from couples.models import Couple, Membership
from insights import report
from insights.models import ReportSchedule
from rituals import recurrence
from rituals.models import (
    CheckIn,
    Completion,
    DailyPrompt,
    Nudge,
    Prompt,
    PromptAnswer,
    PromptDeck,
    Ritual,
    RitualTemplate,
)

# Django's unusable-password marker: nobody can sign in as a benchmark user.
UNUSABLE = "!"
NUDGES = 8
CHECK_INS = 4
QUESTIONS = 4


def seed(*, couples: int, now: datetime) -> dict[str, int]:
    """Every couple's last full week (in its zone) ended before `now`: all are due."""
    rng = random.Random(20261204)
    deck, _ = PromptDeck.objects.get_or_create(slug="bench-deck", defaults={"title": "Bench", "is_published": True})
    prompt, _ = Prompt.objects.get_or_create(
        deck=deck, text="What made you smile today?", defaults={"is_published": True}
    )
    for n in range(3):
        RitualTemplate.objects.get_or_create(
            slug=f"bench-template-{n}",
            defaults={
                "title": f"Template {n}",
                "description": "d",
                "why_it_helps": "w",
                "category": "conversation",
                "suggested_rrule": "FREQ=DAILY",
                "is_published": True,
            },
        )
    rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "users",
            "couples",
            "members",
            "schedules",
            "rituals",
            "completions",
            "nudges",
            "check_ins",
            "prompts",
            "answers",
        )
    }
    for n in range(couples):
        zone = ZONES[n % len(ZONES)]
        couple = Couple(time_zone=zone, together_since=date(2024, 1, 1) + timedelta(days=n % 700))
        people = [
            User(
                email=f"insights-{2 * n + side:07d}@example.com",
                password=UNUSABLE,
                time_zone=ZONES[(n + side * 7) % len(ZONES)],
            )
            for side in range(2)
        ]
        rows["users"] += people
        rows["couples"].append(couple)
        rows["members"] += [Membership(couple=couple, user=person) for person in people]
        week_start = report.week_start_of(now, zone) - timedelta(days=7)
        starts_at, ends_at = report.week_bounds(week_start, zone)
        rows["schedules"].append(
            ReportSchedule(couple=couple, week_start=week_start, starts_at=starts_at, due_at=ends_at)
        )
        ritual = Ritual(
            couple=couple,
            created_by=people[0],
            title="Evening walk",
            category="affection",
            rrule="FREQ=DAILY",
            start_date=date(2024, 1, 1),
            local_time=time(19, 0),
            time_zone=zone,
        )
        rows["rituals"].append(ritual)
        due = recurrence.occurrences(
            rrule=ritual.rrule,
            start_date=ritual.start_date,
            local_time=ritual.local_time,
            time_zone=zone,
            start=starts_at,
            end=ends_at,
        )
        for index, instant in enumerate(due[: rng.randint(3, 7)]):
            rows["completions"].append(
                Completion(
                    couple=couple,
                    ritual=ritual,
                    user=people[index % 2],
                    occurrence_at=instant,
                    connection_rating=rng.randint(1, 5),
                    note="private note",
                )
            )
        for index in range(NUDGES):
            sent = starts_at + timedelta(minutes=rng.randint(0, 7 * 24 * 60 - 1))
            seen = sent + timedelta(minutes=5) if rng.random() < 0.8 else None
            answered = seen + timedelta(minutes=1) if seen and rng.random() < 0.6 else None
            rows["nudges"].append(
                Nudge(
                    couple=couple,
                    sender=people[index % 2],
                    recipient=people[1 - index % 2],
                    kind=rng.choice(["hug", "kiss", "thinking_of_you", "appreciation"]),
                    created_at=sent,
                    seen_at=seen,
                    responded_at=answered,
                    response="heart" if answered else "",
                )
            )
        for index in range(CHECK_INS):
            rows["check_ins"].append(
                CheckIn(
                    user=people[index % 2],
                    couple=couple,
                    mood=rng.randint(1, 5),
                    connection=rng.randint(1, 5),
                    is_shared=index < 2,
                    local_date=week_start + timedelta(days=index),
                    note="how I feel",
                )
            )
        for index in range(QUESTIONS):
            daily = DailyPrompt(couple=couple, day=week_start + timedelta(days=index), prompt=prompt)
            rows["prompts"].append(daily)
            for person in people[: 1 + index % 2]:
                rows["answers"].append(PromptAnswer(couple=couple, daily_prompt=daily, user=person, text="you"))
    for key, model in (
        ("users", User),
        ("couples", Couple),
        ("members", Membership),
        ("schedules", ReportSchedule),
        ("rituals", Ritual),
        ("completions", Completion),
        ("nudges", Nudge),
        ("check_ins", CheckIn),
        ("prompts", DailyPrompt),
        ("answers", PromptAnswer),
    ):
        copy_rows(model, rows[key])
    return {key: len(value) for key, value in rows.items()}
