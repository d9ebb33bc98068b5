"""Types of the BOLA matrix (tests/test_bola_matrix.py). Each area lists its routes in its own module."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from couples.models import Couple


@dataclass
class World:
    """The victims (me and partner) and one object of every kind they own."""

    me: User
    partner: User
    couple: Couple
    objects: dict[str, Any] = field(default_factory=dict)

    def secrets(self) -> list[str]:
        """Strings that must never appear in an attacker's response."""
        values = [str(self.me.pk), str(self.partner.pk), self.me.email, self.partner.email, str(self.couple.pk)]
        return values + [str(obj.pk) for obj in self.objects.values()]


@dataclass(frozen=True)
class Route:
    """How one route is scoped. `object_kwargs` builds URL kwargs that point at a victim's object."""

    methods: tuple[str, ...]
    object_kwargs: Callable[[World], dict[str, Any]] | None = None
    # A body, or a function of the world (to aim a write at a victim's object).
    bodies: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    public: bool = False  # reachable signed out; acts on no stored object of anyone
