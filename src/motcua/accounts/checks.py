"""`manage.py check --deploy` refuses the business registry's development API key."""

from typing import Any

from django.conf import settings
from django.core import checks

DEVELOPMENT_KEY_PREFIX = "motcua-development-"


def development_registry_key_in_use(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if str(settings.BUSINESS_REGISTRY_API_KEY).startswith(DEVELOPMENT_KEY_PREFIX):
        return [
            checks.Error(
                "BUSINESS_REGISTRY_API_KEY is the development default.",
                hint="Set BUSINESS_REGISTRY_API_KEY or BUSINESS_REGISTRY_API_KEY_FILE to the key of the registry.",
                id="accounts.E001",
            )
        ]
    return []


def register() -> None:
    checks.register(development_registry_key_in_use, checks.Tags.security, deploy=True)
