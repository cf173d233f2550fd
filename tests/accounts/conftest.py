from tests.accounts.fixtures import business_registry  # noqa: F401
