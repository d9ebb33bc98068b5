"""Pairs the demo partners of `make run` through the real invite flow."""

from accounts.models import User
from couples.models import Membership
from couples.services import invite_accept, invite_create


def pair_demo_partners(partners: list[User]) -> None:
    first, second = partners[:2]
    if Membership.objects.filter(user__in=[first, second], is_active=True).exists():
        return
    invite = invite_create(inviter=first)
    invite_accept(code=invite.code, user=second)
