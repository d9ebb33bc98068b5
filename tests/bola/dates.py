"""BOLA matrix entries of the date routes."""

from datetime import UTC, datetime, timedelta

from django.core import signing

from dates.demo_content import load_date_ideas
from dates.models import CalendarFeed, DateIdea, DateIdeaVote, DateMemory
from dates.services.calendar_feeds import calendar_feed_create
from tests.bola.spec import Route, World
from tests.dates.helpers import make_plan, offer_body


def populate(world: World) -> None:
    """A proposal and a past date of the victims with a memory, a vote, and a calendar feed."""
    load_date_ideas()
    idea = DateIdea.objects.get(slug="stargazing")
    DateIdeaVote.objects.create(idea=idea, user=world.me, vote="like")
    world.objects["date"] = make_plan(world.couple, world.me, title="Victims' date", place="their secret place")
    past = make_plan(world.couple, world.me, status="done", on=datetime.now(UTC).date() - timedelta(days=2))
    world.objects["past_date"] = past
    world.objects["memory"] = DateMemory.objects.create(plan=past, author=world.me, rating=5, note="only ours")
    calendar_feed_create(user=world.me)
    world.objects["draft_idea"] = DateIdea.objects.create(
        slug="bola-draft-idea",
        title="Draft idea",
        description="Not ready.",
        setting="home",
        budget="free",
        duration_minutes=30,
        is_published=False,
    )


def _draft_idea(world: World) -> dict[str, object]:
    return {"idea_id": world.objects["draft_idea"].pk}


def _date(world: World) -> dict[str, object]:
    return {"plan_id": world.objects["date"].pk}


def _past_date(world: World) -> dict[str, object]:
    return {"plan_id": world.objects["past_date"].pk}


def _forged_photo(world: World) -> dict[str, object]:
    # The victims' memory id signed by someone without our key's salt: never a valid photo URL.
    return {"token": signing.dumps({"m": str(world.objects["memory"].pk), "v": "photo"}, salt="guessed")}


def _feed_hash(world: World) -> dict[str, object]:
    # Even the stored hash (a database leak) is not a token.
    return {"token": CalendarFeed.objects.get(user=world.me).token_hash}


ROUTES: dict[str, Route] = {
    "date-ideas": Route(("GET",)),
    "date-idea-matches": Route(("GET",)),
    # Ideas are global content (any signed-in user votes on published ones): the object here is a
    # draft, which must be a 404 like an unpublished ritual template.
    "date-idea-vote": Route(("PUT",), object_kwargs=_draft_idea, bodies={"PUT": {"vote": "pass"}}),
    "dates": Route(("GET", "POST"), bodies={"POST": offer_body(title="Mallory's date")}),
    "date-detail": Route(("GET", "PATCH"), object_kwargs=_date, bodies={"PATCH": {"title": "Hijacked"}}),
    "date-ics": Route(("GET",), object_kwargs=_date),
    "date-accept": Route(("POST",), object_kwargs=_date),
    "date-decline": Route(("POST",), object_kwargs=_date),
    "date-counter": Route(("POST",), object_kwargs=_date, bodies={"POST": offer_body()}),
    "date-withdraw": Route(("POST",), object_kwargs=_date),
    "date-cancel": Route(("POST",), object_kwargs=_date),
    "date-done": Route(("POST",), object_kwargs=_date),
    "date-memory": Route(("POST",), object_kwargs=_past_date, bodies={"POST": {"rating": 1, "note": "mine now"}}),
    "date-memory-photo": Route(("GET",), object_kwargs=_forged_photo, public=True),
    "calendar-feed": Route(("POST", "DELETE"), bodies={"POST": {}}),
    "calendar-feed-ics": Route(("GET",), object_kwargs=_feed_hash, public=True),
}
