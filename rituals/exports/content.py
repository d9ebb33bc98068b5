"""Content history (django-simple-history) in the data-ownership registry.

Each historical row names the staff member who made a content change (`history_user`). That is a
record of the content, not personal data of the author: it is not exported, and when the staff
account is deleted the rows stay with the author set to NULL (the change itself stays revertable).
"""

from django.db import models
from simple_history.models import registered_models

from accounts import export

CONTENT_HISTORY = (
    "The content's change history (django-simple-history): who changed which template, deck, prompt, "
    "translation or quiz, kept for the content team; the author is set to NULL when that account is deleted."
)


def register_history(app_label: str) -> None:
    """Declares the historical tables of `app_label`'s models (not exported, author detached on deletion)."""
    for model in list(registered_models.values()):
        history: type[models.Model] = model.history.model
        if history._meta.app_label != app_label:
            continue
        label = history._meta.label_lower
        export.register_not_exported(label, CONTENT_HISTORY)
        export.register_detached_on_deletion(f"{label}.history_user", CONTENT_HISTORY)


def register() -> None:
    register_history("rituals")
