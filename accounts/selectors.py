"""Reads on accounts."""

from django.db.models import QuerySet

from accounts.models import Device, User


def devices_of(*, user: User) -> QuerySet[Device]:
    return Device.objects.filter(user=user)
