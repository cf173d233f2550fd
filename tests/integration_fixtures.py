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
from simulators.dvcqg import DvcqgSimulator
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


def _serve(simulator: Any) -> Iterator[Remote]:
    server = make_server([simulator], "127.0.0.1", 0)
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
