from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ (Dossiers)"

    def ready(self) -> None:
        from motcua.core import outbox
        from motcua.dossiers import subscribers

        for topic in subscribers.TOPICS:
            outbox.register(topic, subscribers.dispatcher(topic))
