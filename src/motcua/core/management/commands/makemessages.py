"""makemessages that also collects the messages of domain errors.

Services raise `BadInput("…")` and its siblings with plain Vietnamese text; `core.errors`
translates that text into the active language when the error is made. Telling xgettext that the
first argument of these calls is a message puts them in the catalogue without wrapping every call.
"""

import importlib
import pkgutil

from django.core.management.commands import makemessages

import motcua
from motcua.core.errors import translated_error_names


def _import_project_modules() -> None:
    """Error classes live in many apps: import them all so every subclass is known."""
    for module in pkgutil.walk_packages(motcua.__path__, prefix="motcua."):
        if ".migrations" in module.name or ".management" in module.name:
            continue
        importlib.import_module(module.name)


class Command(makemessages.Command):
    def handle(self, *args, **options):
        _import_project_modules()
        self.xgettext_options = [
            *makemessages.Command.xgettext_options,
            *(f"--keyword={name}:1" for name in translated_error_names()),
        ]
        # Tests raise errors with made-up text; only the project's own messages belong here.
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), "tests/*", "bench/*", "node_modules/*"]
        return super().handle(*args, **options)
