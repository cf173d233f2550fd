"""National-system stand-ins (simulators/) on a free port, for any test that needs them.

Imported by tests/conftest.py, so every test can ask for `population_db` (and the other
systems' fixtures): each starts the real HTTP simulator in a thread, points MotCua's
setting at it, and yields a `Remote` with `.url`, `.control(**switches)`, `.state()`,
`.reset()` and `.simulator`.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from simulators import make_server, start_in_thread
from simulators.civil_status import CivilStatusSimulator
from simulators.dvcqg import DvcqgSimulator
from simulators.lgsp import LgspSimulator
from simulators.population import PopulationSimulator


@dataclass
class Remote:
    url: str
    simulator: Any

    def control(self, **switches: Any) -> dict[str, Any]:
        """e.g. control(mode="down"), control(mode="garbage"), control(delay_seconds=2), control(fail_next=3)."""
        response = httpx.post(f"{self.url}/_control", json=switches, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def state(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_control", timeout=10).json()

    def reset(self) -> None:
        httpx.post(f"{self.url}/_control/reset", timeout=10).raise_for_status()


def _serve(simulator: Any, *others: Any) -> Iterator[Remote]:
    server = make_server([simulator, *others], "127.0.0.1", 0)
    start_in_thread(server)
    try:
        yield Remote(url=f"http://127.0.0.1:{server.server_port}/{simulator.name}", simulator=simulator)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def population_db(settings) -> Iterator[Remote]:
    """The population database's stand-in; settings.POPULATION_DB_URL points at it."""
    settings.INTEGRATIONS_TRANSPORT = "direct"
    for remote in _serve(PopulationSimulator(api_key=settings.POPULATION_DB_API_KEY)):
        settings.POPULATION_DB_URL = remote.url
        yield remote


@pytest.fixture
def dvcqg(settings) -> Iterator[Remote]:
    """The national portal's stand-in; settings.DVCQG_URL points at it."""
    settings.INTEGRATIONS_TRANSPORT = "direct"
    for remote in _serve(DvcqgSimulator(api_key=settings.DVCQG_API_KEY)):
        settings.DVCQG_URL = remote.url
        yield remote


@pytest.fixture
def civil_status_db(settings) -> Iterator[Remote]:
    """The civil-status database's stand-in; settings.CIVIL_STATUS_DB_URL points at it."""
    settings.INTEGRATIONS_TRANSPORT = "direct"
    for remote in _serve(CivilStatusSimulator(api_key=settings.CIVIL_STATUS_DB_API_KEY)):
        settings.CIVIL_STATUS_DB_URL = remote.url
        yield remote


@dataclass
class Bus:
    """The LGSP bus with the national systems behind it, all on one server."""

    lgsp: Remote
    population: Remote
    civil_status: Remote
    dvcqg: Remote


@pytest.fixture
def lgsp(settings) -> Iterator[Bus]:
    """Every integration goes through the LGSP stand-in (INTEGRATIONS_TRANSPORT = "lgsp"); the
    systems' own URLs point nowhere, so a call that bypassed the bus would fail."""
    systems = [
        PopulationSimulator(api_key=settings.POPULATION_DB_API_KEY),
        CivilStatusSimulator(api_key=settings.CIVIL_STATUS_DB_API_KEY),
        DvcqgSimulator(api_key=settings.DVCQG_API_KEY),
    ]
    for remote in _serve(LgspSimulator(api_key=settings.LGSP_API_KEY), *systems):
        base = remote.url.rsplit("/", 1)[0]
        settings.INTEGRATIONS_TRANSPORT = "lgsp"
        settings.LGSP_URL = remote.url
        settings.POPULATION_DB_URL = settings.CIVIL_STATUS_DB_URL = settings.DVCQG_URL = "http://127.0.0.1:9/none"
        yield Bus(remote, *(Remote(f"{base}/{s.name}", s) for s in systems))
