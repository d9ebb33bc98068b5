from django.apps import AppConfig


class DatesConfig(AppConfig):
    name = "dates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from config.api.shared_responses import CONTENT
        from dates import exports
        from dates.models import DateIdea, DateIdeaTranslation, DateMemory
        from dates.services.memories import memory_files_delete

        exports.register()
        # The idea catalogue's shared pages (dates.api.views): an edited idea or translation shows at once.
        CONTENT.clear_on_change(DateIdea, DateIdeaTranslation)
        # A memory deleted any way (its author's account, its date, the couple's purge) takes its
        # photo files with it, once the deletion commits.
        post_delete.connect(memory_files_delete, sender=DateMemory, dispatch_uid="dates.memory_files")
