import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.validators import validate_locale, validate_time_zone


def normalize_email(email: str) -> str:
    """Addresses are stored lower-cased, so `Sam@x.io` and `sam@x.io` are one account."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=normalize_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. Logs in with e-mail; its public id is a UUID."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    display_name = models.CharField(max_length=60, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    locale = models.CharField(max_length=35, default="en", validators=[validate_locale])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # When the user proved they read mail at `email` (a code, or a provider that vouched for it).
    # Null: not verified, so no password reset goes there. Accounts older than verification start null.
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="user_email_lowercase"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class AuthSession(models.Model):
    """One signed-in app install: the family of refresh tokens minted since one login.

    Access and refresh tokens carry the session id (`sid`); revoking the session (logout, logout-all,
    password change) invalidates both at once, because authentication checks it on every request.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_sessions")
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The only refresh token of the family that may be exchanged now.
    current_refresh = models.ForeignKey(
        "token_blacklist.OutstandingToken", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The token it replaced, accepted again only within JWT_REFRESH_GRACE_SECONDS of `refreshed_at`.
    previous_refresh_jti = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="authsession_user_revoked")]

    def __str__(self) -> str:
        return f"session {self.id} of {self.user_id}"


class Device(models.Model):
    """A phone that receives push notifications. A push token belongs to one device row only."""

    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"
        WEB = "web", "Web"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="devices")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    push_token = models.CharField(max_length=512, unique=True)
    name = models.CharField(max_length=100, blank=True)
    app_version = models.CharField(max_length=32, blank=True)
    # Turned off when the push provider reports the token unregistered or invalid.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="device_user_created")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} device {self.id}"

    @property
    def push_token_hint(self) -> str:
        """Enough of the token to tell devices apart in the admin, not enough to push to it."""
        return f"…{self.push_token[-6:]}"


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an `Idempotency-Key` header, replayed for a retry.

    Written by `config.api.idempotency.IdempotencyMiddleware`: inserted in progress before the view
    runs (the unique key makes a concurrent duplicate fail fast), completed with the response after.
    Purged IDEMPOTENCY_TTL_HOURS after `created_at`.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    # Path with query string: the same key on another endpoint is a client bug, not a retry.
    path = models.TextField()
    # sha256 of the raw request body.
    request_hash = models.CharField(max_length=64)
    completed = models.BooleanField(default=False)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The JSON text exactly as first sent (jsonb would reorder its keys); empty for a bodiless response.
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    # Also the claim's fencing token: a takeover of an abandoned claim moves it.
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"idempotency key {self.key!r} of {self.user_id}"


class TombstoneWatermark(models.Model):
    """How far a user's sync tombstones may be purged (accounts.services.retention, docs/privacy.md).

    `version` is the user's sync counter read at `recorded_at`: every tombstone at or below it was
    written before then. Once `recorded_at` is older than SYNC_TOMBSTONE_RETENTION_DAYS those tombstones
    are deleted, `purged_through` moves up to `version`, and a new watermark is read. A phone whose
    cursor is below `purged_through` may have missed a deletion and must reset and sync from scratch.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="tombstone_watermark"
    )
    version = models.BigIntegerField()
    recorded_at = models.DateTimeField()
    purged_through = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["recorded_at"], name="tombstone_watermark_recorded")]

    def __str__(self) -> str:
        return f"tombstones of {self.user_id} purged through {self.purged_through}"
