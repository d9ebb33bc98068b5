from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.services.account import register_before_delete
        from insights import export, signals  # noqa: F401  (connects the receivers)
        from insights.widget import widget_snapshot_forget

        export.register()
        register_before_delete(widget_snapshot_forget)  # the kept widget snapshot goes with the account
