from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Sign in with Apple and Google (social identities) and e-mail verification codes."""

    name = "identity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from identity import export

        export.register_sections()
