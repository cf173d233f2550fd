"""`manage.py check --deploy` refuses the development API keys of the national systems."""

from typing import Any

from django.conf import settings
from django.core import checks

# setting → what the development default contains (every default says NOT-FOR-PRODUCTION)
KEYS = ("POPULATION_DB_API_KEY", "CIVIL_STATUS_DB_API_KEY", "DVCQG_API_KEY", "LGSP_API_KEY")


def development_keys_in_use(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for index, name in enumerate(KEYS, start=1):
        if "NOT-FOR-PRODUCTION" in str(getattr(settings, name, "")):
            errors.append(
                checks.Error(
                    f"{name} is the development default.",
                    hint=f"Set {name} or {name}_FILE to the key issued by the system's operator.",
                    id=f"integrations.E00{index}",
                )
            )
    if settings.INTEGRATIONS_TRANSPORT not in ("direct", "lgsp"):
        errors.append(checks.Error("INTEGRATIONS_TRANSPORT must be 'direct' or 'lgsp'.", id="integrations.E010"))
    return errors


def register() -> None:
    checks.register(development_keys_in_use, checks.Tags.security, deploy=True)
