"""BOLA matrix entries of the couple-ritual routes."""

import uuid
from datetime import UTC, date, datetime, time

from rituals.models import Completion, Ritual
from tests.bola.spec import Route, World

# Fixed ids, so the static request bodies below can aim at the victims' own rows.
VICTIM_RITUAL_ID = uuid.UUID("0f6a3a52-5c1e-4d8e-9b7e-2f4f3c9d7a11")
VICTIM_COMPLETION_ID = uuid.UUID("7c2d9e14-3b5a-4f60-8e21-9a0b1c2d3e4f")
SUNDAY = "2026-03-01T18:00:00Z"  # an occurrence of the victims' ritual


def populate(world: World) -> None:
    """A ritual of the victims and my completion of one of its occurrences."""
    ritual = Ritual.objects.create(
        id=VICTIM_RITUAL_ID,
        couple=world.couple,
        created_by=world.me,
        title="Victims' date night",
        category="date_night",
        rrule="FREQ=WEEKLY;BYDAY=SU",
        start_date=date(2026, 1, 1),
        local_time=time(19),
        time_zone="Europe/Berlin",
    )
    world.objects["ritual"] = ritual
    world.objects["completion"] = Completion.objects.create(
        id=VICTIM_COMPLETION_ID,
        couple=world.couple,
        ritual=ritual,
        user=world.me,
        occurrence_at=datetime(2026, 3, 1, 18, tzinfo=UTC),
        note="only for the two of them",
    )


def _ritual(world: World) -> dict[str, object]:
    return {"ritual_id": world.objects["ritual"].pk}


_CREATE = {"title": "Mallory's ritual", "category": "affection", "rrule": "FREQ=DAILY", "local_time": "07:00"}

ROUTES: dict[str, Route] = {
    # A create that reuses the victims' ritual id must neither take it over nor reveal it.
    "rituals": Route(("GET", "POST"), bodies={"POST": {**_CREATE, "id": str(VICTIM_RITUAL_ID)}}),
    "rituals-today": Route(("GET",)),
    "ritual-detail": Route(
        ("GET", "PATCH", "DELETE"),
        object_kwargs=_ritual,
        bodies={"PATCH": {"title": "Hijacked", "status": "paused"}},
    ),
    "ritual-occurrences": Route(("GET",), object_kwargs=_ritual),
    "ritual-completions": Route(
        ("POST",),
        object_kwargs=_ritual,
        bodies={"POST": {"id": str(VICTIM_COMPLETION_ID), "occurrence_at": SUNDAY, "note": "Mallory was here"}},
    ),
}
