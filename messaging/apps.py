from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """The words the app sends (pushes, lock-screen texts, e-mails): code defaults and admin edits."""

    name = "messaging"
    verbose_name = "Message copy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from messaging import catalog  # noqa: F401  (registers the default copy of every message)
