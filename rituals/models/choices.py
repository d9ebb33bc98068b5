from django.db import models


class Category(models.TextChoices):
    DATE_NIGHT = "date_night", "Date night"
    AFFECTION = "affection", "Affection (hugs, kisses)"
    APPRECIATION = "appreciation", "Appreciation"
    CHECK_IN = "check_in", "Check-in"
    CONVERSATION = "conversation", "Conversation"
    SHARED_EXPERIENCE = "shared_experience", "Shared experience"
    STATE_OF_THE_UNION = "state_of_the_union", "State of the union"
    REUNION = "reunion", "Reunion and parting"
    GRATITUDE = "gratitude", "Gratitude"


class LoveLanguage(models.TextChoices):
    WORDS = "words", "Words of affirmation"
    TIME = "time", "Quality time"
    TOUCH = "touch", "Physical touch"
    ACTS = "acts", "Acts of service"
    GIFTS = "gifts", "Receiving gifts"
