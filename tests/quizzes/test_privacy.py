"""Who may see a love-language ranking or know-me answers, across unpair and account deletion."""

import pytest

from couples.services import couple_unpair
from quizzes.models import KnowMeAnswers, LoveLanguageProfile, QuizResult
from tests.conftest import AppClient
from tests.factories import PASSWORD, UserFactory, pair
from tests.quizzes.test_api import COUPLE, MINE, QUIZZES, favouring, know_me_answers, take

pytestmark = pytest.mark.django_db


def test_an_ex_partner_stops_seeing_a_shared_ranking_at_unpair_and_a_new_partner_needs_it_shared_again(
    me, partner, love_quiz
):
    take(me, love_quiz, favouring(love_quiz, "touch"))
    me.put(MINE, {"shared_with_partner": True})
    assert partner.get(COUPLE).json()["partner"]["ranking"][0] == "touch"

    couple_unpair(user=me.user)

    assert partner.get(COUPLE).json()["error"]["code"] == "not_paired"
    assert partner.get("/api/v1/ritual-templates?for=partner").status_code == 200
    assert me.get(MINE).json()["ranking"][0] == "touch"  # the user keeps their own result
    assert me.get(MINE).json()["shared_with_partner"] is False  # sharing ended with the couple
    new_partner = AppClient().sign_in(UserFactory.create())
    pair(me.user, new_partner.user)
    me.user = type(me.user).objects.get(pk=me.user.pk)  # a fresh user object: its couple is looked up again

    assert new_partner.get(COUPLE).json()["partner"] is None  # a new partner needs it shared again
    me.put(MINE, {"shared_with_partner": True})
    assert new_partner.get(COUPLE).json()["partner"]["ranking"][0] == "touch"


def test_know_me_answers_are_archived_with_the_couple_at_unpair(me, partner, know_me):
    take(me, know_me, know_me_answers(know_me, own=0, guess=1))
    take(partner, know_me, know_me_answers(know_me, own=1, guess=0))

    couple_unpair(user=partner.user)

    assert me.get(f"{QUIZZES}/{know_me.pk}/know-me").json()["error"]["code"] == "not_paired"
    assert KnowMeAnswers.objects.count() == 2  # archived with the ended couple, as prompt answers are


def test_deleting_an_account_deletes_its_results_and_answers_and_nothing_of_the_partner(
    me, partner, love_quiz, know_me
):
    take(me, love_quiz, favouring(love_quiz, "touch"))
    take(partner, love_quiz, favouring(love_quiz, "gifts"))
    take(me, know_me, know_me_answers(know_me, own=0, guess=1))

    assert me.delete("/api/v1/me", {"password": PASSWORD}).status_code == 204

    assert not QuizResult.objects.filter(user=me.user).exists()
    assert not LoveLanguageProfile.objects.filter(user=me.user).exists()
    assert not KnowMeAnswers.objects.filter(user=me.user).exists()
    assert QuizResult.objects.filter(user=partner.user).count() == 1
