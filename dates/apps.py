from django.apps import AppConfig


class DatesConfig(AppConfig):
    name = "dates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dates import exports

        exports.register()
