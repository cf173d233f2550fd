"""The seed catalogue, loaded once per test module inside a transaction rolled back at its end."""

import pytest
from django.db import transaction

from motcua.catalog import search
from motcua.catalog.seed import load_seed_document, seed_catalog


def seed_everything() -> None:
    search.reset_index()
    seed_catalog()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Agencies (directory seed) and the seed catalogue, shared by the tests of one module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_everything()
            yield load_seed_document()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            search.reset_index()
