"""The one place that decides which couple's data a user may touch.

Every couple-owned model subclasses `CoupleOwned`; every view reads it through
`CoupleOwned.objects.visible_to(user)` or `get_couple_owned_or_404`. Anything of another couple, or
of the user's own ended couple, is simply not in the queryset, so the API answers 404 — never 403,
and never the object.
"""

from typing import Any, TypeVar
from uuid import UUID

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.api.errors import NotFoundError
from config.api.sql import CompiledQuery
from couples.models import Couple, Membership

_CACHE_ATTR = "_active_membership_cache"


class NotPairedError(NotFoundError):
    code = "not_paired"
    message = _("You are not paired with a partner.")


def active_membership(user: User) -> Membership | None:
    """The user's active membership with its couple; looked up once per user object (one query)."""
    if not hasattr(user, _CACHE_ATTR):
        membership = (
            Membership.objects.select_related("couple").filter(user=user, is_active=True).first()
            if user.is_authenticated
            else None
        )
        setattr(user, _CACHE_ATTR, membership)
    return getattr(user, _CACHE_ATTR)


def remember_active_membership(user: User, membership: Membership | None) -> None:
    """Caches `membership` (with its couple loaded) as the user's active one, so `active_membership`
    costs no query: authentication loads it with the requester, in the same query."""
    setattr(user, _CACHE_ATTR, membership)


def cached_active_membership(user: User) -> Membership | None:
    """The user's active membership if it is cached (None if not, or if there is none): no query."""
    return getattr(user, _CACHE_ATTR, None)


def forget_active_membership(user: User) -> None:
    """Drops the cached lookup after pairing or unpairing changed it."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def active_couple(user: User) -> Couple | None:
    membership = active_membership(user)
    return membership.couple if membership else None


def active_couple_id(user: User) -> UUID | None:
    membership = active_membership(user)
    return membership.couple_id if membership else None


def require_active_couple(user: User) -> Couple:
    couple = active_couple(user)
    if couple is None:
        raise NotPairedError()
    return couple


M = TypeVar("M", bound="CoupleOwned")


class CoupleOwnedQuerySet(models.QuerySet[M]):
    def visible_to(self, user: User) -> "CoupleOwnedQuerySet[M]":
        """Rows of the user's active couple; nothing at all for an unpaired user."""
        return self.visible_in(active_couple_id(user))

    def visible_in(self, couple_id: UUID | None) -> "CoupleOwnedQuerySet[M]":
        """`visible_to` a reader whose active couple has this id (None: unpaired, so nothing): for a
        query compiled once with ids as its arguments (sync.tables)."""
        if couple_id is None:
            return self.none()
        return self.of_couple(couple_id)

    def of_couple(self, couple_id: UUID) -> "CoupleOwnedQuerySet[M]":
        """Rows of this couple that an API read may show (`visible_to` once the couple is known)."""
        visible = self.filter(couple_id=couple_id)
        # Soft-deleted rows stay for sync tombstones but are gone for every API read.
        if any(f.name == "deleted_at" for f in self.model._meta.get_fields()):
            visible = visible.filter(deleted_at__isnull=True)
        return visible


class CoupleOwned(models.Model):
    """Base of every model that belongs to a couple (rituals, goals, nudges, ...)."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")

    objects = CoupleOwnedQuerySet.as_manager()

    class Meta:
        abstract = True


def get_couple_owned_or_404(queryset: CoupleOwnedQuerySet[M], user: User, **lookup: Any) -> M:
    """One object of the user's active couple, or a 404 that says nothing about whether it exists."""
    obj = queryset.visible_to(user).filter(**lookup).first()
    if obj is None:
        raise NotFoundError()
    return obj


def locked_or_404(model: type[M], user: User, pk: UUID | str) -> M:
    """`get_couple_owned_or_404(model.objects.select_for_update(no_key=True), user, pk=pk)`: one row
    of the user's active couple, read under its row lock until the transaction ends, or the same 404.

    What a write to a goal or a date plan starts with. `FOR NO KEY UPDATE`: their writers change no
    column a foreign key reads, so rows pointing at them (links, memories) are not blocked. The
    queryset is compiled once per model (`CompiledQuery`): building it cost more CPU than the lock.
    """
    couple_id = active_couple_id(user)
    try:
        key = pk if isinstance(pk, UUID) else UUID(str(pk))
    except ValueError:
        raise NotFoundError() from None
    query = _LOCKED.get(model)
    if query is None:
        query = _LOCKED[model] = CompiledQuery(
            lambda couple_id, pk: model.objects.of_couple(couple_id).select_for_update(no_key=True).filter(pk=pk)
        )
    found = query.objects(couple_id, key) if couple_id is not None else []
    if not found:
        raise NotFoundError()
    return found[0]


_LOCKED: dict[type["CoupleOwned"], CompiledQuery] = {}
