"""rituals.visibility: each "who may see what" rule, by name (REST, export and sync call these)."""

import uuid
from datetime import date

import pytest

from accounts.models import User
from couples import services as couples_services
from rituals.models import CheckIn
from rituals.visibility import check_ins_readable_by, completion_details_visible, prompt_answer_revealed
from tests.factories import UserFactory

ME, PARTNER = uuid.uuid4(), uuid.uuid4()


def test_a_completions_note_and_rating_are_its_authors_only():
    assert completion_details_visible(author_id=ME, viewer_id=ME)
    assert not completion_details_visible(author_id=PARTNER, viewer_id=ME)


@pytest.mark.parametrize(
    ("author", "answers_given", "revealed"),
    [(ME, 1, True), (ME, 2, True), (PARTNER, 1, False), (PARTNER, 2, True)],
)
def test_an_answer_is_revealed_to_the_partner_once_both_answered(author, answers_given, revealed):
    assert prompt_answer_revealed(author_id=author, viewer_id=ME, answers_given=answers_given) is revealed


def _check_in(user, couple, *, shared):
    return CheckIn.objects.create(
        user=user, couple=couple, mood=3, connection=3, is_shared=shared, note="words", local_date=date(2026, 12, 1)
    )


def test_check_ins_readable_by_the_author_and_the_current_partner_when_shared(me_user, partner_user, couple):
    mine_private = _check_in(me_user, couple, shared=False)
    theirs_shared = _check_in(partner_user, couple, shared=True)
    _check_in(partner_user, couple, shared=False)
    _check_in(UserFactory.create(), None, shared=True)

    assert set(CheckIn.objects.filter(check_ins_readable_by(me_user))) == {mine_private, theirs_shared}


def test_after_unpair_each_reads_only_their_own_check_ins(me_user, partner_user, couple):
    mine = _check_in(me_user, couple, shared=True)
    _check_in(partner_user, couple, shared=True)

    couples_services.couple_unpair(user=me_user)

    me_now = User.objects.get(pk=me_user.pk)  # the membership cached on me_user is the one before
    assert list(CheckIn.objects.filter(check_ins_readable_by(me_now))) == [mine]
