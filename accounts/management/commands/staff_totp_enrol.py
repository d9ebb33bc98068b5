"""Enrols a TOTP authenticator for a staff account: `manage.py staff_totp_enrol admin@example.com`.

Prints the otpauth:// URL (turn it into a QR code, e.g. `qrencode -t ansiutf8 '<url>'`, or paste the
secret into the authenticator app by hand). From then on the admin asks that account for its code.
`--replace` removes the account's existing TOTP devices first (a lost phone).
"""

from base64 import b32encode
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User, normalize_email


class Command(BaseCommand):
    help = "Enrols a TOTP authenticator (second factor) for a staff account and prints its otpauth:// URL."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="authenticator", help="device name shown in the admin")
        parser.add_argument("--replace", action="store_true", help="delete the account's TOTP devices first")

    @transaction.atomic
    def handle(self, *args: Any, email: str, name: str, replace: bool, **options: Any) -> None:
        user = User.objects.filter(email=normalize_email(email)).first()
        if user is None or not user.is_staff:
            raise CommandError(f"No staff account with the address {email}.")
        if replace:
            TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        # The admin's audit trail (LogEntry) records the enrolment on the account; run from a shell,
        # the account itself stands in as the actor.
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=f"TOTP device {name!r} enrolled with manage.py staff_totp_enrol",
            single_object=True,
        )
        self.stdout.write(f"otpauth URL: {device.config_url}")
        self.stdout.write(f"secret (base32, for manual entry): {b32encode(device.bin_key).decode()}")
