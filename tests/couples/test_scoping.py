"""`couples.scoping.locked_or_404`: the couple rule of `get_couple_owned_or_404`, under a row lock."""

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from config.api.errors import NotFoundError
from couples.models import Couple
from couples.scoping import get_couple_owned_or_404, locked_or_404
from rituals.models import Goal
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _goal(couple: Couple, by: User) -> Goal:
    return Goal.objects.create(couple=couple, proposed_by=by, title="Cook on Fridays")


def test_a_row_of_the_users_couple_comes_back_locked(me_user, partner_user, couple):
    goal = _goal(couple, partner_user)
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        found = locked_or_404(Goal, me_user, str(goal.pk))
    assert found == goal
    assert (found.title, found.proposed_by_id, found.status) == (goal.title, partner_user.pk, goal.status)
    [statement] = [q["sql"] for q in captured.captured_queries if "rituals_goal" in q["sql"]]
    assert statement.endswith("FOR NO KEY UPDATE")


def test_anything_not_the_users_couples_is_the_same_404(me_user, partner_user, couple, stranger_user):
    goal = _goal(couple, me_user)
    loner = UserFactory.create(email="loner@example.com")
    cases: list[tuple[User, uuid.UUID | str]] = [
        (stranger_user, goal.pk),  # another couple's row
        (loner, goal.pk),  # an unpaired user
        (me_user, uuid.uuid4()),  # no such row
        (me_user, "not-a-uuid"),
    ]
    for user, pk in cases:
        with transaction.atomic(), pytest.raises(NotFoundError) as raised:
            locked_or_404(Goal, user, pk)
        assert raised.value.code == "not_found", (user, pk)
        if pk != "not-a-uuid":  # the rule is get_couple_owned_or_404's
            with pytest.raises(NotFoundError):
                get_couple_owned_or_404(Goal.objects.all(), user, pk=pk)
