from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.services.account import register_before_delete
        from billing import export, receivers, services

        register_before_delete(services.subscription_notice_before_account_deletion)
        export.register()
        receivers.connect()
