"""The data a fuzzed request meets: a paired user with one object of every kind.

The objects come from the BOLA matrix's `populate` functions (tests/bola/), plus a published template
and deck (the matrix's content is unpublished on purpose). `path_ids` maps every path parameter of
the API to the id of an object the user may address, so generated requests can hit real rows.
"""

import pkgutil
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import tests.bola
from accounts.services.sessions import session_start
from quizzes.models import Quiz
from rituals.models import Prompt, PromptDeck, RitualTemplate
from rituals.models.choices import Category
from tests.bola.spec import World
from tests.factories import UserFactory, pair

_AREAS = [
    import_module(f"tests.bola.{name}") for _, name, _ in pkgutil.iter_modules(tests.bola.__path__) if name != "spec"
]


@dataclass
class FuzzWorld:
    access_token: str
    path_ids: dict[str, Any]


def fuzz_world() -> FuzzWorld:
    me = UserFactory.create(time_zone="Europe/Berlin")
    partner = UserFactory.create(time_zone="America/New_York")
    world = World(me=me, partner=partner, couple=pair(me, partner))
    for area in _AREAS:
        area.populate(world)
    template = RitualTemplate.objects.create(
        slug="fuzz-sunday-walk",
        title="Sunday walk",
        description="A walk together.",
        why_it_helps="Shared novelty.",
        category=Category.SHARED_EXPERIENCE,
        suggested_rrule="FREQ=WEEKLY;BYDAY=SU",
        is_published=True,
    )
    deck = PromptDeck.objects.create(slug="fuzz-dreams", title="Dreams", is_published=True)
    Prompt.objects.create(deck=deck, text="What would you do with a free year?", is_published=True)
    objects = world.objects
    return FuzzWorld(
        access_token=session_start(user=me, user_agent="schemathesis").access,
        path_ids={
            "ritual_id": objects["ritual"].pk,
            "goal_id": objects["goal"].pk,
            # Received by me, so seen and respond can succeed.
            "nudge_id": objects["nudge_received"].pk,
            "notification_id": objects["notification"].pk,
            "device_id": objects["device"].pk,
            "invite_id": objects["invite"].pk,
            "template_id": template.pk,
            "deck_id": deck.pk,
            # The love-language quiz: its attempts succeed (know-me attempts are revealed and locked here).
            "quiz_id": Quiz.objects.get(slug="love-languages").pk,
            "identity_id": objects["identity"].pk,
            "report_id": objects["weekly_report"].pk,
            "special_date_id": objects["special_date"].pk,
        },
    )
