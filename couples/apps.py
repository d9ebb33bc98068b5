from django.apps import AppConfig


class CouplesConfig(AppConfig):
    name = "couples"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from accounts.management.commands.load_demo_data import DEMO_HOOKS
        from accounts.services.account import register_before_delete
        from couples import export, selectors, services
        from couples.demo import pair_demo_partners

        register_before_delete(services.end_couple_before_account_deletion)
        export.register()
        DEMO_HOOKS.append(pair_demo_partners)
        for signal in (request_started, request_finished):
            signal.connect(selectors.forget_requester, weak=False, dispatch_uid=f"couples.requester.{id(signal)}")
