from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """The words the app sends (pushes, lock-screen texts, e-mails): code defaults and admin edits."""

    name = "messaging"
    verbose_name = "Message copy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import export
        from messaging import (
            catalog,  # noqa: F401  (registers the default copy of every message)
            render,
        )

        render.connect()

        staff_copy = "words the content team wrote for every user, not the personal data of its editor"
        export.register_not_exported("messaging.messagetemplate", staff_copy)
        # The copy outlives a deleted staff account; only the record of who edited it last goes.
        export.register_detached_on_deletion("messaging.messagetemplate.updated_by", staff_copy)
