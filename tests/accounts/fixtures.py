"""The business registry's stand-in on a free port (the population database's is `population_db`)."""

from collections.abc import Iterator

import pytest
from simulators.business_registry import BusinessRegistrySimulator

from tests.integration_fixtures import Remote, _serve


@pytest.fixture
def business_registry(settings) -> Iterator[Remote]:
    settings.INTEGRATIONS_TRANSPORT = "direct"
    for remote in _serve(BusinessRegistrySimulator(api_key=settings.BUSINESS_REGISTRY_API_KEY)):
        settings.BUSINESS_REGISTRY_URL = remote.url
        yield remote
