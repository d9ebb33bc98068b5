import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class SocialIdentity(models.Model):
    """An Apple or Google account that signs a user in, known by the provider's stable `sub`.

    `(provider, subject)` is unique: one Apple ID signs in to one account. A user links at most one
    identity per provider. `email` is what the provider last told us (an Apple private-relay address
    works like any other); the account's own e-mail is `User.email` and may differ.
    """

    class Provider(models.TextChoices):
        APPLE = "apple", "Apple"
        GOOGLE = "google", "Google"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_identities")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    subject = models.CharField(max_length=255)
    email = models.EmailField(max_length=254, blank=True)
    email_verified = models.BooleanField(default=False)
    is_private_email = models.BooleanField(default=False)
    # Apple's email-disabled / email-enabled notifications: whether the relay forwards to the user.
    email_forwarding = models.BooleanField(default=True)
    # `event_time` of the last Apple notification applied, so an older one arriving late changes nothing.
    last_event_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="social_identity_provider_subject"),
            models.UniqueConstraint(fields=["user", "provider"], name="social_identity_one_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} identity {self.id}"


class EmailCode(models.Model):
    """A 6-digit code mailed to prove an address: stored as an HMAC, valid 15 minutes, used once.

    `purpose` says what a correct code does: `verify` marks `email` verified (and makes it the
    account's address when it is a new one: an e-mail change); `link` lets a social sign-in attach to
    the existing account at `email` (the account-takeover guard). A user has at most one live code per
    purpose: sending a new one deletes the old.
    """

    class Purpose(models.TextChoices):
        VERIFY = "verify", "Verify the address"
        LINK = "link", "Link a sign-in to the account"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_codes")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    email = models.EmailField(max_length=254)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "purpose", "-created_at"], name="email_code_user_purpose"),
            models.Index(fields=["expires_at"], name="email_code_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} code {self.id}"
