from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging import registry


class MessageTemplate(models.Model):
    """The content team's copy of one message in one language, in place of the code default.

    Placeholders are checked against the message's own (messaging.registry) on every save, so a
    push can never fail to render for a typo in the admin.
    """

    key = models.CharField(max_length=100, help_text="The message (messaging/catalog.py).")
    locale = models.CharField(max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200, help_text="A push's title, or an e-mail's subject.")
    body = models.TextField(blank=True, help_text="A push's text, or an e-mail's text.")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "locale"], name="message_template_key_locale")]
        ordering = ["key", "locale"]

    def __str__(self) -> str:
        return f"{self.key} ({self.locale})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.full_clean(exclude=["updated_by"])
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        try:
            message = registry.get(self.key)
        except KeyError:
            raise ValidationError({"key": ValidationError(_("No such message."), code="unknown_message")}) from None
        errors: dict[str, list[ValidationError]] = {}
        for name in ("title", "body"):
            try:
                registry.check_placeholders(getattr(self, name), allowed=message.placeholders.keys())
            except ValidationError as exc:
                errors[name] = exc.error_list
        if errors:
            raise ValidationError(errors)
