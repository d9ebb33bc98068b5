"""factory_boy factories shared by every test."""

from typing import TYPE_CHECKING

import factory
from django.utils import timezone

from accounts.models import Device, User

if TYPE_CHECKING:
    from couples.models import Couple

PASSWORD = "a-strong-test-password-42"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Faker("first_name")
    time_zone = "Europe/Berlin"
    # Most tests act as an established user whose address is verified; pass None for one that is not.
    email_verified_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class: type[User], *args: object, **kwargs: object) -> User:
        password = str(kwargs.pop("password", PASSWORD))
        email = str(kwargs.pop("email"))
        return model_class.objects.create_user(email, password, **kwargs)


class DeviceFactory(factory.django.DjangoModelFactory[Device]):
    class Meta:
        model = Device

    user = factory.SubFactory(UserFactory)
    platform = Device.Platform.IOS
    push_token = factory.Sequence(lambda n: f"push-token-{n:06d}-" + "x" * 100)


def pair(first: User, second: User) -> "Couple":
    """Puts two users in a new active couple, as accepting an invite would."""
    from couples.models import Couple, Membership

    couple = Couple.objects.create()
    Membership.objects.bulk_create([Membership(couple=couple, user=first), Membership(couple=couple, user=second)])
    for user in (first, second):
        if hasattr(user, "_active_membership_cache"):
            del user._active_membership_cache
    return couple
