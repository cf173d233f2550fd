"""With INTEGRATIONS_TRANSPORT = "lgsp" every client goes through the city's data bus."""

from datetime import date

import pytest

from motcua.core import outbox
from motcua.core.models import OutboxMessage
from motcua.integrations.civil_status import birth_record
from motcua.integrations.errors import IntegrationUnavailable
from motcua.integrations.population import verify_person
from tests.integrations.conftest import submit


def test_population_and_civil_status_through_the_bus(lgsp):
    assert verify_person(id_number="079090001234", full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12))
    assert birth_record(id_number="079185005678") is not None
    assert lgsp.lgsp.state()["forwarded"] == {"population": 1, "civil-status": 1}


@pytest.mark.django_db
def test_dossier_pushed_to_the_portal_through_the_bus(lgsp, demo):
    dossier = submit(demo["demo.citizen2"])
    outbox.deliver_pending()
    assert OutboxMessage.objects.get(topic="dossier.changed>dvcqg").state == "delivered"
    assert list(lgsp.dvcqg.state()["dossiers"]) == [dossier.code]
    assert lgsp.lgsp.state()["forwarded"]["dvcqg"] == 1


def test_the_bus_passes_the_system_failure_on(lgsp):
    lgsp.population.control(mode="down")
    with pytest.raises(IntegrationUnavailable):
        verify_person(id_number="079090001234", full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12))


@pytest.mark.parametrize("switches", [{"mode": "down"}, {"mode": "garbage"}])
def test_the_bus_itself_failing_is_unavailable(lgsp, switches):
    lgsp.lgsp.control(**switches)
    with pytest.raises(IntegrationUnavailable):
        verify_person(id_number="079090001234", full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12))


def test_wrong_bus_key_is_unavailable(lgsp, settings):
    settings.LGSP_API_KEY = "wrong"
    with pytest.raises(IntegrationUnavailable):
        birth_record(id_number="079090001234")
    assert lgsp.lgsp.state()["forwarded"] == {}


def test_a_system_unknown_to_the_bus_is_unavailable_not_a_missing_person(lgsp, monkeypatch):
    from motcua.integrations import transport
    from motcua.integrations.population import fetch_person

    monkeypatch.setitem(
        transport.SYSTEMS,
        "population",
        transport.SYSTEMS["population"].__class__("no-such-system", "POPULATION_DB_URL", "POPULATION_DB_API_KEY", "x"),
    )
    with pytest.raises(IntegrationUnavailable):
        fetch_person(id_number="079090009999")
