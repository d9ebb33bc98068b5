"""BOLA matrix entries of the check-in routes."""

from rituals.models import CheckIn
from tests.bola.spec import Route, World


def populate(world: World) -> None:
    """The victims' check-ins, private and shared: no attacker may see either."""
    for key, user, shared in (
        ("check_in_private", world.me, False),
        ("check_in_shared", world.me, True),
        ("check_in_partner_shared", world.partner, True),
    ):
        world.objects[key] = CheckIn.objects.create(
            user=user,
            couple=world.couple,
            mood=2,
            connection=4,
            note=f"{key} note",
            is_shared=shared,
            local_date=world.couple.created_at.date(),
        )


ROUTES: dict[str, Route] = {
    "check-ins": Route(("GET", "POST"), bodies={"POST": {"mood": 3, "connection": 3, "note": "Mallory"}}),
    "check-ins-summary": Route(("GET",)),
}
