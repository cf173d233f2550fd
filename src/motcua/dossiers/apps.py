from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ (Dossiers)"

    def ready(self) -> None:
        from motcua.core import outbox
        from motcua.dossiers import subscribers

        outbox.register("dossier.changed", subscribers.dispatch_change)
