"""`manage.py check --deploy` refuses the development payment secret."""

from typing import Any

from django.conf import settings
from django.core import checks


def development_secret_in_use(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.PAYMENT_SECRET == settings.PAYMENT_DEVELOPMENT_SECRET:
        return [
            checks.Error(
                "PAYMENT_SECRET is the development default.",
                hint="Set PAYMENT_SECRET or PAYMENT_SECRET_FILE to the secret agreed with the payment platform.",
                id="payments.E001",
            )
        ]
    return []


def register() -> None:
    checks.register(development_secret_in_use, checks.Tags.security, deploy=True)
