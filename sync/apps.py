from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import export
        from sync import receivers

        receivers.connect()
        reason = "sync bookkeeping (version numbers and record ids, no content); the records are in other sections"
        export.register_not_exported("sync.synccounter", reason)
        export.register_not_exported("sync.syncstate", reason)
