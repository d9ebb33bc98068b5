"""The plain renderings of the hot ritual reads (rituals_output, today_output, completion_output)
are exactly what their output serializers render: same keys, order, types and text."""

import json
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

import time_machine

from rituals.api import rituals_serializers as s
from rituals.models import Completion, Ritual
from rituals.selectors.rituals import ritual_views, rituals_today
from rituals.services.rituals import completion_record
from tests.rituals.test_api_rituals import make_ritual, make_template

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Berlin moves to summer time


def same(plain: object, rendered: object) -> None:
    assert json.dumps(plain) == json.dumps(rendered)  # key order included


def test_plain_renderings_equal_the_serializers_over_varied_rituals(me_user, partner_user, couple):
    rng = random.Random(3)
    template = make_template()
    with time_machine.travel(NOW, tick=False):
        for index in range(12):
            make_ritual(
                couple,
                me_user,
                title=rng.choice(["Walk", "Date night", "Ünïcode ✨", ""]) + str(index),
                description=rng.choice(["", "Long\nnote"]),
                rrule=rng.choice(
                    ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=SU,SA", "FREQ=DAILY;COUNT=2", "FREQ=DAILY;INTERVAL=3"]
                ),
                start_date=rng.choice([date(2026, 1, 1), date(2026, 3, 28), date(2026, 4, 2)]),
                local_time=time(rng.randrange(24), rng.choice([0, 15, 59]), rng.choice([0, 30])),
                time_zone=rng.choice(["Europe/Berlin", "America/New_York", "Asia/Kathmandu", "UTC"]),
                template=rng.choice([None, template]),
                status=rng.choice(list(Ritual.Status)),
                requires_both_confirmation=rng.random() < 0.5,
                grace_days=rng.randrange(8),
                created_at=NOW - timedelta(microseconds=rng.randrange(10**12)),
            )
        rituals = list(Ritual.objects.order_by("created_at"))
        for ritual in rituals:
            for instant in (NOW - timedelta(days=1), NOW, NOW + timedelta(hours=20)):
                at = ritual_views(rituals=[ritual], now=instant)[0].next_occurrence_at
                previous = at and ritual_views(rituals=[ritual], now=at - timedelta(days=1))[0].next_occurrence_at
                for user in (me_user, partner_user):
                    if previous and previous <= NOW + timedelta(hours=20) and rng.random() < 0.6:
                        Completion.objects.get_or_create(
                            ritual=ritual,
                            user=user,
                            occurrence_at=previous,
                            defaults={
                                "couple": couple,
                                "note": rng.choice(["", "lovely", "ça va"]),
                                "connection_rating": rng.choice([None, 1, 5]),
                                "created_at": NOW - timedelta(microseconds=rng.randrange(10**9)),
                            },
                        )

        views = ritual_views(rituals=rituals, now=NOW)
        same(s.rituals_output(views), s.RitualOutputSerializer(views, many=True).data)
        same(s.ritual_output(views[0]), s.RitualOutputSerializer(views[0]).data)
        for user in (me_user, partner_user):
            today = rituals_today(user=user, now=NOW + timedelta(hours=12))
            assert today.results
            same(s.today_output(today), s.RitualsTodayOutputSerializer(today).data)
        for completion in Completion.objects.all():
            same(s.completion_output(completion), s.RitualCompletionOutputSerializer(completion).data)


def test_the_completion_a_post_returns_renders_the_same(me_user, couple):
    ritual = make_ritual(couple, me_user, rrule="FREQ=DAILY", start_date=date(2026, 1, 1))
    with time_machine.travel(NOW, tick=False):
        completion, _ = completion_record(
            ritual=ritual, user=me_user, occurrence_at=datetime(2026, 3, 28, 18, tzinfo=UTC), id=uuid.uuid4()
        )
    same(s.completion_output(completion), s.RitualCompletionOutputSerializer(completion).data)
