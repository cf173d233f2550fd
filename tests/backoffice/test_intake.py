"""Counter intake over HTTP: known citizen, citizen found in the population database, postal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.accounts.models import ApplicantProfile
from motcua.catalog.eforms import form_example
from motcua.dossiers.models import Dossier
from tests.backoffice.conftest import PDF, PROCEDURE_CODE

pytestmark = pytest.mark.django_db


def _start(client, id_number, channel=1):
    response = client.post(
        reverse("backoffice:intake"), {"procedure": PROCEDURE_CODE, "channel": channel, "id_number": id_number}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return client.get(reverse("backoffice:intake_dossier"))


def _post(client, office, extra=None):
    data = {f"f-{k}": v for k, v in form_example(office.version.form_schema).items()}
    for requirement in office.version.documents.filter(state_data_source=""):
        data[f"d-{requirement.code}"] = SimpleUploadedFile(f"{requirement.code}.pdf", PDF, "application/pdf")
    data.update(extra or {})
    return client.post(reverse("backoffice:intake_dossier"), data)


def test_known_citizen_is_received_at_the_counter(client, office):
    client.force_login(office.receiver)
    page = _start(client, "079090001234")
    html = page.content.decode()
    assert "Nguyễn Văn An" in html
    assert "079******234" in html  # masked in the summary; the e-form holds it for the officer to check
    response = _post(client, office)
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("backoffice:dossier", args=[dossier.code])
    assert dossier.status == 2 and dossier.channel == 1 and dossier.applicant == office.citizen
    assert all(d.digitised for d in dossier.documents.filter(kind="input", file__isnull=False))
    assert dossier.documents.filter(form_number="01").exists()


def test_new_citizen_from_the_population_database_by_post(client, office, population_db):
    client.force_login(office.receiver)
    page = _start(client, "079095000111", channel=3)
    html = page.content.decode()
    assert "Lê Hoàng Minh" in html and "Từ Cơ sở dữ liệu quốc gia về dân cư" in html
    response = _post(client, office, {"r-full_name": "Lê Hoàng Minh", "r-address": "8 Pasteur, Phường Sài Gòn"})
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = ApplicantProfile.objects.get(id_number="079095000111")
    assert profile.verification_source == ApplicantProfile.VerificationSource.POPULATION_DB
    dossier = Dossier.objects.get(applicant=profile.user)
    assert dossier.channel == 3 and dossier.status == 2


def test_missing_scan_and_bad_id_say_how_to_fix(client, office):
    client.force_login(office.receiver)
    response = client.post(
        reverse("backoffice:intake"), {"procedure": PROCEDURE_CODE, "channel": 1, "id_number": "123"}
    )
    assert response.status_code == 400
    assert "gồm 12 chữ số" in response.content.decode()
    _start(client, "079090001234")
    required = office.version.documents.filter(state_data_source="", required=True).first()
    response = _post(client, office, {f"d-{required.code}": ""})
    assert response.status_code == 400
    assert f"Vui lòng quét hoặc tải lên “{required.name}”" in response.content.decode()
    assert not Dossier.objects.exists()


def test_only_receivers_take_dossiers_at_the_counter(client, office):
    client.force_login(office.specialist)
    assert client.get(reverse("backoffice:intake")).status_code == 403


def test_ward_receiver_takes_a_ward_procedure(client, office):
    """Procedures every ward performs (all_commune_units) are received by the officer's own ward."""
    from datetime import date

    from motcua.catalog.models import ProcedureVersion
    from motcua.directory.seed import BEN_THANH_CODE

    version = ProcedureVersion.objects.in_force_on(date.today()).get(procedure__code="1.004194")
    client.force_login(office.ward_receiver)
    page = client.get(reverse("backoffice:intake"))
    assert "1.004194" in page.content.decode()
    assert PROCEDURE_CODE not in page.content.decode()  # a department's procedure is not offered
    response = client.post(
        reverse("backoffice:intake"), {"procedure": "1.004194", "channel": 1, "id_number": "079090001234"}
    )
    assert response.status_code == 302
    data = {f"f-{k}": v for k, v in form_example(version.form_schema).items()}
    for requirement in version.documents.filter(state_data_source=""):
        data[f"d-{requirement.code}"] = SimpleUploadedFile(f"{requirement.code}.pdf", PDF, "application/pdf")
    response = client.post(reverse("backoffice:intake_dossier"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert dossier.receiving_agency.code == BEN_THANH_CODE and dossier.status == 2
