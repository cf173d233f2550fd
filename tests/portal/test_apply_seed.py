"""Applying to procedures of the seed catalogue: a ward-level procedure (any of the city's 168
wards and communes receives it) and the schema examples as answers."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from motcua.accounts.models import User
from motcua.catalog.eforms import form_example
from motcua.catalog.selectors import procedure_version_in_force
from motcua.directory.models import Agency
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, DossierDocument
from tests.portal.apply_fixtures import upload

pytestmark = pytest.mark.django_db
BIRTH = "1.001193"  # Đăng ký khai sinh: all commune-level units, full online


@pytest.fixture
def demo(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(dossier_services, "_issue_form", lambda *args, **kwargs: None)
    call_command("seed_demo", verbosity=0)
    return User.objects.get(username="demo.citizen")


def test_birth_registration_at_a_chosen_ward(client, demo, django_assert_max_num_queries):
    client.force_login(demo)
    version = procedure_version_in_force(code=BIRTH)
    url = reverse("portal:apply", kwargs={"code": BIRTH})
    with django_assert_max_num_queries(10):
        page = client.get(url).content.decode()
    ward = Agency.objects.filter(level="ward").order_by("name").first()
    assert page.count('<option value="') > 100 and f'value="{ward.code}"' in page
    answers = {key: str(value) for key, value in form_example(version.form_schema).items()}
    assert client.post(url, {**answers, "agency_code": ward.code}).status_code == 302
    documents = reverse("portal:apply_documents", kwargs={"code": BIRTH})
    page = client.get(documents).content.decode()
    assert "Cơ sở dữ liệu hộ tịch điện tử" in page  # the birth certificate comes from state data
    assert client.post(documents, {"file_TP01": upload("to-khai.pdf")}).status_code == 302
    review = reverse("portal:apply_review", kwargs={"code": BIRTH})
    assert ward.name in client.get(review).content.decode()
    done = client.post(review)
    assert done.status_code == 302, done.content.decode()[:2000]
    dossier = Dossier.objects.get(applicant=demo, procedure__code=BIRTH)
    assert dossier.receiving_agency_id == ward.pk
    reused = dict(DossierDocument.objects.filter(dossier=dossier).values_list("requirement_code", "reused_from"))
    assert reused == {"TP01": "", "TP02": "civil_status_db", "TP05": "population_db"}
