"""Loads the demo accounts `make run` prints: an admin and two partners. Safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (printed demo credentials, development only)
ADMIN = {"email": "admin@example.com", "display_name": "Admin"}
PARTNERS = [
    {"email": "alex@example.com", "display_name": "Alex", "time_zone": "Europe/Berlin"},
    {"email": "sam@example.com", "display_name": "Sam", "time_zone": "America/New_York"},
]


class Command(BaseCommand):
    help = "Creates the demo admin and the demo couple (development only)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        admin, created = User.objects.get_or_create(
            email=ADMIN["email"], defaults={**ADMIN, "is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        partners = []
        for fields in PARTNERS:
            user, created = User.objects.get_or_create(email=fields["email"], defaults=fields)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            partners.append(user)
        # The demo addresses count as verified, so password reset works on them as on a real account
        # that verified its address (docs/api.md, "E-mail verification").
        User.objects.filter(email__in=[ADMIN["email"], *(p["email"] for p in PARTNERS)], email_verified_at=None).update(
            email_verified_at=timezone.now()
        )
        for hook in DEMO_HOOKS:
            hook(partners)
        self.stdout.write(
            self.style.SUCCESS("Demo data ready.")
            + f"\n  admin:    {ADMIN['email']} / {DEMO_PASSWORD}  (http://127.0.0.1:8000/admin/)"
            + "".join(f"\n  partner:  {user.email} / {DEMO_PASSWORD}" for user in partners)
        )


# Other apps extend the demo (pair the partners, add rituals) by appending a callable here.
DEMO_HOOKS: list[Any] = []
