from rituals.models.checkin import CheckIn
from rituals.models.content import Prompt, PromptDeck, RitualTemplate
from rituals.models.goal import Goal
from rituals.models.nudge import Nudge
from rituals.models.prompt import DailyPrompt, PromptAnswer
from rituals.models.ritual import Completion, Ritual
from rituals.models.translations import PromptDeckTranslation, PromptTranslation, RitualTemplateTranslation

__all__ = [
    "CheckIn",
    "Completion",
    "DailyPrompt",
    "Goal",
    "Nudge",
    "Prompt",
    "PromptAnswer",
    "PromptDeck",
    "PromptDeckTranslation",
    "PromptTranslation",
    "Ritual",
    "RitualTemplate",
    "RitualTemplateTranslation",
]
