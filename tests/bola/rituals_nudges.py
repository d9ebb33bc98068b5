"""BOLA matrix entries of the nudge routes."""

from rituals.models import Nudge
from tests.bola.spec import Route, World


def populate(world: World) -> None:
    """A nudge between the victims, with a message and a response an attacker must never read."""
    world.objects["nudge"] = Nudge.objects.create(
        couple=world.couple,
        sender=world.me,
        recipient=world.partner,
        kind=Nudge.Kind.APPRECIATION,
        message="victim appreciation",
    )
    world.objects["nudge_received"] = Nudge.objects.create(
        couple=world.couple,
        sender=world.partner,
        recipient=world.me,
        kind=Nudge.Kind.HUG,
        response=Nudge.Response.TEXT,
        response_text="victim reply",
    )


ROUTES: dict[str, Route] = {
    "nudges": Route(("GET", "POST"), bodies={"POST": {"kind": "hug"}}),
    "nudge-respond": Route(
        ("POST",), object_kwargs=lambda w: {"nudge_id": w.objects["nudge"].pk}, bodies={"POST": {"response": "heart"}}
    ),
    "nudge-seen": Route(("POST",), object_kwargs=lambda w: {"nudge_id": w.objects["nudge"].pk}),
}
