from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo (Notifications)"

    def ready(self) -> None:
        from motcua.core import outbox
        from motcua.dossiers.subscribers import subscribe
        from motcua.notifications import services

        subscribe("dossier.changed", services.SUBSCRIBER_NAME, services.on_dossier_changed)
        subscribe("dossier.late", services.SUBSCRIBER_NAME, services.on_dossier_late)
        subscribe("dossier.due_soon", services.SUBSCRIBER_NAME, services.on_dossier_due_soon)
        subscribe("dossier.message", services.SUBSCRIBER_NAME, services.on_dossier_message)
        # Each channel is its own outbox message: one failing never re-sends the other.
        outbox.register(services.EMAIL_TOPIC, services.deliver_email)
        outbox.register(services.SMS_TOPIC, services.deliver_sms)
