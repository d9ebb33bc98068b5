from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import export, schema  # noqa: F401  (schema registers the OpenAPI auth extension)

        export.register_builtin_sections()
