"""Date ideas: the starter catalogue, filters, private votes and the list both partners liked."""

import pytest
from django.core.management import call_command

from dates.demo_content import DATE_IDEAS
from dates.models import DateIdea

IDEAS = "/api/v1/date-ideas"


@pytest.fixture
def catalogue(db: None) -> None:
    call_command("load_demo_content", verbosity=0)


def _idea(slug: str) -> DateIdea:
    return DateIdea.objects.get(slug=slug)


def test_load_demo_content_publishes_at_least_forty_ideas_once(catalogue):
    assert len(DATE_IDEAS) >= 40
    assert DateIdea.objects.filter(is_published=True).count() == len(DATE_IDEAS)
    call_command("load_demo_content", verbosity=0)
    assert DateIdea.objects.count() == len(DATE_IDEAS)
    assert all(i["description"] and i["why_it_helps"] for i in DATE_IDEAS)


def test_unpublished_ideas_are_not_listed(me, catalogue):
    DateIdea.objects.filter(slug="stargazing").update(is_published=False)
    titles = {i["title"] for i in _all(me, IDEAS + "?page_size=100")}
    assert "Stargazing from a dark spot" not in titles
    assert len(titles) == len(DATE_IDEAS) - 1


def _all(client, path):
    body = client.get(path).json()
    return body["results"]


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("setting=remote", lambda i: i["setting"] == "remote"),
        ("setting=home&setting=remote", lambda i: i["setting"] in {"home", "remote"}),
        ("budget=free", lambda i: i["budget"] == "free"),
        ("long_distance_friendly=true", lambda i: i["long_distance_friendly"]),
        ("max_duration_minutes=60", lambda i: i["duration_minutes"] <= 60),
        ("season=winter", lambda i: i["season"] in {"winter", "any"}),
        ("love_language=touch", lambda i: "touch" in i["love_languages"]),
        ("tag=food", lambda i: "food" in i["tags"]),
    ],
)
def test_filters(me, catalogue, query, check):
    results = _all(me, f"{IDEAS}?page_size=100&{query}")
    assert results
    assert all(check(i) for i in results)
    assert len(results) < len(DATE_IDEAS) or query.startswith("season")


def test_an_unknown_filter_value_is_a_400(me, catalogue):
    assert me.get(IDEAS + "?setting=moon").status_code == 400


def test_votes_are_private_and_matches_are_ideas_both_liked(me, partner, catalogue):
    a, b, c = _idea("stargazing"), _idea("home-spa"), _idea("karaoke-night")
    for client, idea, vote in [
        (me, a, "like"), (partner, a, "like"),
        (me, b, "like"), (partner, b, "pass"),
        (me, c, "pass"), (partner, c, "pass"),
    ]:  # fmt: skip
        assert client.put(f"{IDEAS}/{idea.pk}/vote", {"vote": vote}, format="json").status_code == 200

    matches = me.get(IDEAS + "/matches").json()["results"]
    assert [m["title"] for m in matches] == [a.title]
    assert partner.get(IDEAS + "/matches").json()["results"][0]["id"] == str(a.pk)
    # Each sees only their own vote: the partner's pass on b is never shown to me.
    mine = {i["id"]: i["my_vote"] for i in _all(me, IDEAS + "?page_size=100")}
    theirs = {i["id"]: i["my_vote"] for i in _all(partner, IDEAS + "?page_size=100")}
    assert (mine[str(b.pk)], theirs[str(b.pk)]) == ("like", "pass")


def test_voting_again_replaces_the_vote(me, partner, catalogue):
    idea = _idea("stargazing")
    partner.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "like"}, format="json")
    me.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "like"}, format="json")
    me.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "pass"}, format="json")
    assert me.get(IDEAS + "/matches").json()["results"] == []


def test_a_strangers_likes_never_make_a_match(me, stranger, partner_user, catalogue):
    idea = _idea("stargazing")
    me.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "like"}, format="json")
    stranger.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "like"}, format="json")
    assert me.get(IDEAS + "/matches").json()["results"] == []


def test_voting_on_an_unpublished_idea_is_a_404(me, catalogue):
    idea = _idea("stargazing")
    DateIdea.objects.filter(pk=idea.pk).update(is_published=False)
    assert me.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "like"}, format="json").status_code == 404


def test_lists_have_a_constant_number_of_queries(me, partner, catalogue, django_assert_num_queries):
    for idea in DateIdea.objects.all()[:10]:
        me.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "like"}, format="json")
        partner.put(f"{IDEAS}/{idea.pk}/vote", {"vote": "like"}, format="json")
    me.get(IDEAS)
    # The session, the catalogue page, the reader's votes on it; once the page is shared
    # (config/api/shared_responses.py), the session and the votes.
    with django_assert_num_queries(3):
        assert len(me.get(IDEAS + "?page_size=5").json()["results"]) == 5
    with django_assert_num_queries(3):
        body = me.get(IDEAS + "?page_size=50").json()
    assert len(body["results"]) == len(DATE_IDEAS)
    with django_assert_num_queries(2):
        again = partner.get(IDEAS + "?page_size=50").json()
    assert [i["id"] for i in again["results"]] == [i["id"] for i in body["results"]]
    assert {i["my_vote"] for i in body["results"][:10]} == {"like"}  # each reader's own votes...
    assert {i["my_vote"] for i in again["results"][:10]} == {"like"}
    me.put(f"{IDEAS}/{body['results'][0]['id']}/vote", {"vote": "pass"}, format="json")
    mine, theirs = me.get(IDEAS + "?page_size=50").json(), partner.get(IDEAS + "?page_size=50").json()
    assert (mine["results"][0]["my_vote"], theirs["results"][0]["my_vote"]) == ("pass", "like")  # ...never shared
    with django_assert_num_queries(3):
        assert len(me.get(IDEAS + "/matches").json()["results"]) == 9
