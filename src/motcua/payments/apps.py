from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = "Phí, lệ phí (Payments)"

    def ready(self) -> None:
        from motcua.core import outbox
        from motcua.payments import checks, services

        checks.register()
        outbox.register(services.RECEIPT_TOPIC, services.receipt_outbox_handler)
