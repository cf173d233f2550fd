from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "motcua.integrations"
    label = "integrations"
    verbose_name = "Kết nối hệ thống quốc gia (Integrations)"

    def ready(self) -> None:
        from motcua.dossiers.subscribers import subscribe
        from motcua.integrations import checks
        from motcua.integrations.dvcqg import sync

        checks.register()
        # Every dossier change goes to the national portal, through the outbox.
        subscribe("dossier.changed", sync.SUBSCRIBER, sync.push_change)
