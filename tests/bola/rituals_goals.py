"""BOLA matrix entries of the shared-goal routes."""

from rituals.models import Goal
from tests.bola.spec import Route, World


def populate(world: World) -> None:
    """A goal of the victims, proposed by me, that every goal route could address."""
    world.objects["goal"] = Goal.objects.create(
        couple=world.couple, proposed_by=world.me, title="Victims' goal", description="only for the two of them"
    )


def _goal(world: World) -> dict[str, object]:
    return {"goal_id": world.objects["goal"].pk}


ROUTES: dict[str, Route] = {
    "goals": Route(("GET", "POST"), bodies={"POST": {"title": "Mallory's goal"}}),
    "goal-detail": Route(("GET", "PATCH"), object_kwargs=_goal, bodies={"PATCH": {"title": "Hijacked"}}),
    "goal-accept": Route(("POST",), object_kwargs=_goal),
    "goal-decline": Route(("POST",), object_kwargs=_goal),
    "goal-withdraw": Route(("POST",), object_kwargs=_goal),
    "goal-complete": Route(("POST",), object_kwargs=_goal),
    "goal-abandon": Route(("POST",), object_kwargs=_goal),
}
