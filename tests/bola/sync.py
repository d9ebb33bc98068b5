"""BOLA matrix entries of the sync endpoints: a pull shows nothing of another couple (the matrix
checks no victim id appears), and a push aimed at the victims' records changes nothing."""

from tests.bola.spec import Route, World


def populate(world: World) -> None:
    """The victims' ritual, goal, nudge... come from the other areas' populate()."""


def _attack(world: World) -> dict[str, object]:
    ritual = world.objects.get("ritual")
    nudge = world.objects.get("nudge")
    changes: dict[str, object] = {
        "notifications": {"updated": [{"id": str(world.objects["notification"].pk), "read_at": 1}]},
    }
    if ritual is not None:
        changes["rituals"] = {"updated": [{"id": str(ritual.pk), "title": "pwned"}], "deleted": [str(ritual.pk)]}
        changes["ritual_completions"] = {
            "created": [{"id": "6f1b1e0e-0000-4000-8000-000000000001", "ritual_id": str(ritual.pk), "occurrence_at": 0}]
        }
    if nudge is not None:
        changes["nudges"] = {"updated": [{"id": str(nudge.pk), "response": "heart"}]}
    return {"changes": changes}


ROUTES: dict[str, Route] = {
    "sync-pull": Route(("GET",), query="?last_pulled_at=0"),
    "sync-push": Route(("POST",), query="?last_pulled_at=0", bodies={"POST": _attack}),
}
