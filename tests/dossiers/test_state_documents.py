"""Documents "taken from data the state holds" are really taken from it, against the real
stand-ins (simulators/): a record found becomes a PDF extract officers can open; a record the
database does not have refuses the submission with a clear message; a database that is down
or answers garbage never refuses it (the document stays "to be taken", without a file)."""

import io
import logging

import pytest
from simulators.social_insurance import SocialInsuranceSimulator

from motcua.catalog.models import ProcedureVersion, RequiredDocument
from motcua.core.errors import BadInput
from motcua.dossiers import files
from motcua.dossiers.files import file_read
from motcua.dossiers.models import Channel, Dossier, DossierDocument
from motcua.dossiers.services import dossier_submit
from tests.dossiers.conftest import MONDAY
from tests.dossiers.test_forms import pdf_text
from tests.integration_fixtures import _serve


@pytest.fixture
def social_insurance_db(settings):
    settings.INTEGRATIONS_TRANSPORT = "direct"
    for remote in _serve(SocialInsuranceSimulator(api_key=settings.SOCIAL_INSURANCE_DB_API_KEY)):
        settings.SOCIAL_INSURANCE_DB_URL = remote.url
        yield remote


def _submit(version: ProcedureVersion, actor, **extra) -> Dossier:
    owner = extra.get("applicant") or actor
    upload = files.file_store(owner=actor, name="to-khai.pdf", stream=io.BytesIO(b"%PDF-1.4\n% to khai\n%%EOF\n"))
    dossier, created = dossier_submit(
        actor=actor,
        procedure_code=version.procedure.code,
        form={"ghi_chu": "Nộp thử"},
        documents=[{"requirement_code": "TO_KHAI", "file_id": upload.pk}],
        now=MONDAY,
        **extra,
    )
    assert created and dossier.applicant == owner
    return dossier


def _state_document(dossier: Dossier, code: str) -> DossierDocument:
    return dossier.documents.get(kind=DossierDocument.Kind.INPUT, requirement_code=code)


def test_population_record_becomes_an_extract_officers_can_open(flow_version, citizen, population_db):
    dossier = _submit(flow_version, citizen)
    document = _state_document(dossier, "CCCD")
    assert document.reused_from == "population_db"
    assert document.file is not None and document.file.content_type == "application/pdf"
    assert "mã bản ghi 079090001234" in document.name and "07/09/2026 09:00" in document.name
    text = pdf_text(file_read(document.file))
    assert "Nguyễn Văn An" in text and "079090001234" in text and dossier.code in text
    assert "Cơ sở dữ liệu quốc gia về dân cư" in text
    # The upload is untouched.
    assert _state_document(dossier, "TO_KHAI").file.name == "to-khai.pdf"


def test_counter_submission_takes_the_record_too(flow_version, citizen, receiver, population_db):
    dossier = _submit(flow_version, receiver, applicant=citizen, channel=Channel.IN_PERSON)
    document = _state_document(dossier, "CCCD")
    assert document.file is not None
    assert "Nguyễn Văn An" in pdf_text(file_read(document.file))


def test_record_the_database_does_not_have_refuses_with_a_clear_message(flow_version, citizen, population_db):
    citizen.profile.id_number = "079000000000"
    citizen.profile.save()
    with pytest.raises(BadInput) as error:
        _submit(flow_version, citizen)
    assert "không có dữ liệu cho “Căn cước công dân”" in error.value.detail
    assert "tải lên bản chụp" in error.value.detail
    assert error.value.fields == {"documents": "state_record_missing"}
    assert not Dossier.objects.exists() and not DossierDocument.objects.exists()


@pytest.mark.parametrize("mode", ["down", "garbage"])
def test_remote_in_trouble_never_refuses_the_submission(flow_version, citizen, population_db, mode, caplog):
    population_db.control(mode=mode)
    with caplog.at_level(logging.WARNING, logger="motcua.dossiers.state_documents"):
        dossier = _submit(flow_version, citizen)
    document = _state_document(dossier, "CCCD")
    assert document.reused_from == "population_db" and document.file is None
    assert document.name == "Căn cước công dân"
    messages = [record.getMessage() for record in caplog.records]
    assert any(dossier.code in message and "population_db" in message for message in messages)


def test_no_stand_in_at_all_keeps_the_unfetched_mark(flow_version, citizen):
    # tests/conftest.py points every national system at a dead port.
    document = _state_document(_submit(flow_version, citizen), "CCCD")
    assert document.reused_from == "population_db" and document.file is None


def test_civil_status_gives_the_applicants_birth_record(flow_version, citizen, civil_status_db):
    RequiredDocument.objects.filter(version=flow_version, code="CCCD").update(state_data_source="civil_status_db")
    document = _state_document(_submit(flow_version, citizen), "CCCD")
    assert document.reused_from == "civil_status_db" and document.file is not None
    text = pdf_text(file_read(document.file))
    assert "Trích lục khai sinh".upper() in text and "Nguyễn Văn An" in text


def test_insurance_book_is_taken_from_the_insurance_database(flow_version, citizen, social_insurance_db):
    RequiredDocument.objects.create(
        version=flow_version, order=3, code="BHXH", name="Sổ bảo hiểm xã hội", state_data_source="insurance_db"
    )
    dossier = _submit(flow_version, citizen)
    document = _state_document(dossier, "BHXH")
    assert document.reused_from == "insurance_db" and document.file is not None
    text = pdf_text(file_read(document.file))
    assert "Nguyễn Văn An" in text and "Mã số bảo hiểm xã hội" in text
    # Population is not running here: that document stays unfetched, the submission goes on.
    assert _state_document(dossier, "CCCD").file is None


def test_sources_without_a_client_keep_todays_behaviour(flow_version, citizen, population_db):
    RequiredDocument.objects.filter(version=flow_version, code="CCCD").update(state_data_source="land_db")
    document = _state_document(_submit(flow_version, citizen), "CCCD")
    assert document.reused_from == "land_db" and document.file is None
    assert population_db.simulator.faults.received == 0


def test_a_business_is_not_looked_up_by_its_tax_code(flow_version, business, population_db):
    document = _state_document(_submit(flow_version, business), "CCCD")
    assert document.file is None
    assert population_db.simulator.faults.received == 0
