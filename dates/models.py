"""Date nights: the curated ideas (with their per-locale translations), each partner's private votes, plans with
their offers, memories, calendar feeds."""

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from couples.scoping import CoupleOwned
from rituals.models.translations import ContentTranslation


class DateIdea(models.Model):
    """Admin-curated content, like ritual templates: only published ideas reach the apps."""

    class Setting(models.TextChoices):
        HOME = "home", _("At home")
        OUT = "out", _("Out")
        REMOTE = "remote", _("Remote")

    class Budget(models.TextChoices):
        FREE = "free", _("Free")
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Season(models.TextChoices):
        ANY = "any", _("Any season")
        SPRING = "spring", _("Spring")
        SUMMER = "summer", _("Summer")
        AUTUMN = "autumn", _("Autumn")
        WINTER = "winter", _("Winter")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    description = models.TextField()
    why_it_helps = models.TextField(blank=True)
    setting = models.CharField(max_length=10, choices=Setting.choices)
    budget = models.CharField(max_length=10, choices=Budget.choices)
    duration_minutes = models.PositiveIntegerField()
    # Love-language codes (words, acts, gifts, time, touch), several allowed.
    love_languages = models.JSONField(default=list, blank=True)
    long_distance_friendly = models.BooleanField(default=False)
    season = models.CharField(max_length=10, choices=Season.choices, default=Season.ANY)
    tags = models.JSONField(default=list, blank=True)
    is_published = models.BooleanField(default=False)
    ordering = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ordering", "title"]
        indexes = [models.Index(fields=["ordering", "title"], name="dateidea_order", condition=Q(is_published=True))]

    def __str__(self) -> str:
        return self.title


class DateIdeaTranslation(ContentTranslation):
    """An idea's texts in one locale, reviewed like the other content's (rituals.models.translations).

    Without history, like the ideas themselves (date ideas are not covered by django-simple-history).
    """

    idea = models.ForeignKey(DateIdea, on_delete=models.CASCADE, related_name="translations")
    title = models.CharField(max_length=120)
    description = models.TextField()
    why_it_helps = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "locale"], name="idea_translation_once_per_locale")]


class DateIdeaVote(models.Model):
    """One partner's private like or pass on an idea. Never shown to the partner; only a shared
    like surfaces (in `date-ideas/matches`)."""

    class Vote(models.TextChoices):
        LIKE = "like", _("Like")
        PASS = "pass", _("Pass")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    idea = models.ForeignKey(DateIdea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="date_idea_votes")
    vote = models.CharField(max_length=4, choices=Vote.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "idea"], name="one_vote_per_user_and_idea")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.vote} {self.idea_id}"


class DatePlan(CoupleOwned):
    """A date one partner proposed; the current offer's when and where are on the plan itself and
    every offer (the proposal, each counter) is kept in `DateOffer`."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Done")

    # No index of its own: dateplan_couple_created starts with it (one index less per insert).
    couple = models.ForeignKey("couples.Couple", on_delete=models.CASCADE, related_name="+", db_index=False)
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    idea = models.ForeignKey(DateIdea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Who made the offer on the table: the other partner answers it (accept, decline, counter).
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    place = models.CharField(max_length=200, blank=True)
    local_date = models.DateField()
    local_time = models.TimeField()
    time_zone = models.CharField(max_length=64)
    duration_minutes = models.PositiveIntegerField(default=120)
    # The UTC instants of the local date and time in the zone (derived; indexed for the calendar feed).
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # A date-night ritual's occurrence this date fills (optional).
    ritual = models.ForeignKey("rituals.Ritual", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ritual_occurrence_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped by every change (ETag / If-Match; the SEQUENCE of its calendar event).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["couple", "-created_at"], name="dateplan_couple_created"),
            models.Index(fields=["couple", "starts_at"], name="dateplan_couple_starts"),
        ]

    def __str__(self) -> str:
        return self.title


class DateOffer(models.Model):
    """One offer of a plan's when and where: the proposal, then each counter-offer, in order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    plan = models.ForeignKey(DatePlan, on_delete=models.CASCADE, related_name="offers")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    place = models.CharField(max_length=200, blank=True)
    local_date = models.DateField()
    local_time = models.TimeField()
    time_zone = models.CharField(max_length=64)
    duration_minutes = models.PositiveIntegerField()
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["plan", "created_at"], name="dateoffer_plan_created")]

    def __str__(self) -> str:
        return f"offer on {self.plan_id} by {self.by_id}"


def memory_photo_path(memory: "DateMemory", filename: str) -> str:
    # Never the client's file name: a random key per file, under the couple (nothing guessable).
    return f"memories/{memory.plan.couple_id}/{uuid.uuid4().hex}.jpg"


def memory_storage() -> Storage:

    return storages["memories"]


class DateMemory(models.Model):
    """One partner's memory of a date: a rating, a note, a photo. Owned by its author (export,
    deletion); the partner sees it while the couple lasts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    plan = models.ForeignKey(DatePlan, on_delete=models.CASCADE, related_name="memories")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="date_memories")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    photo = models.FileField(upload_to=memory_photo_path, storage=memory_storage, blank=True, max_length=200)
    thumbnail = models.FileField(upload_to=memory_photo_path, storage=memory_storage, blank=True, max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "author"], name="one_memory_per_author_and_date"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="memory_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"memory of {self.plan_id} by {self.author_id}"


class CalendarFeed(models.Model):
    """A user's private calendar subscription. Only the SHA-256 of its token is stored: the URL is
    shown once, and a database leak does not reveal it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    discreet = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
