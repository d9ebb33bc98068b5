from django.apps import AppConfig


class CouplesConfig(AppConfig):
    name = "couples"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.management.commands.load_demo_data import DEMO_HOOKS
        from accounts.services.account import register_before_delete
        from couples import export, services
        from couples.demo import pair_demo_partners

        register_before_delete(services.end_couple_before_account_deletion)
        export.register()
        DEMO_HOOKS.append(pair_demo_partners)
