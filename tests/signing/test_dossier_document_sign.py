"""Signing a dossier's stored result: a new file by SHA-256, the document points to it, signed=True."""

import hashlib
from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.core.errors import Conflict, UnsupportedMediaType
from motcua.dossiers.files import file_read, file_store_generated
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.signing import selectors, services

CODE = "000.00.31.H29-260115-0005"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def dossier(agency, citizen) -> Dossier:
    field, _ = Field.objects.get_or_create(code="noi_vu", defaults={"name": "Nội vụ"})
    procedure = Procedure.objects.create(code="9.999001")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        valid_from=date(2025, 7, 1),
        name="Cấp giấy xác nhận thử nghiệm",
        field=field,
        level="province",
        online_mode="full",
    )
    return Dossier.objects.create(
        code=CODE,
        procedure=procedure,
        procedure_version=version,
        applicant=citizen,
        submitted_by=citizen,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="079090001234",
        receiving_agency=agency,
        current_agency=agency,
        home_agency=agency,
        status=9,
        submitted_at=timezone.now(),
    )


@pytest.fixture
def result_document(dossier, result_pdf) -> DossierDocument:
    stored = file_store_generated(owner=None, name="ket-qua.pdf", content=result_pdf)
    return DossierDocument.objects.create(
        dossier=dossier, kind=DossierDocument.Kind.RESULT, name="Kết quả: Giấy xác nhận", file=stored
    )


def test_signing_a_result_stores_the_signed_copy_and_points_the_document_to_it(
    result_document, leader, agency, result_pdf
):
    original = result_document.file
    with transaction.atomic():  # as inside the dossier's resolve action
        document = services.dossier_document_sign(document=result_document, actor=leader)
    document.refresh_from_db()
    assert document.signed is True
    assert document.file_id != original.pk
    data = file_read(document.file)
    assert document.file.sha256 == hashlib.sha256(data).hexdigest()
    assert document.file.size == len(data) and document.file.content_type == "application/pdf"
    assert data.startswith(result_pdf)
    assert file_read(original) == result_pdf  # the unsigned file is kept

    result = services.verify_pdf(data)
    assert result.valid and result.signer == agency.name and result.dossier_code == CODE
    assert result.signer_name == leader.full_name

    # Public list of what was signed for the dossier, and the exact-copy check.
    [listed] = selectors.signed_documents_public(dossier_code=CODE)
    assert listed.sha256 == document.file.sha256 and listed.name == "Kết quả: Giấy xác nhận"
    assert selectors.is_issued_copy(dossier_code=CODE, sha256=document.file.sha256)
    assert not selectors.is_issued_copy(dossier_code=CODE, sha256=original.sha256)


def test_signing_again_changes_nothing(result_document, leader):
    first = services.dossier_document_sign(document=result_document, actor=leader)
    second = services.dossier_document_sign(document=result_document, actor=leader)
    assert second.file_id == first.file_id


def test_a_document_without_a_pdf_cannot_be_signed(dossier, leader):
    empty = DossierDocument.objects.create(dossier=dossier, kind=DossierDocument.Kind.RESULT, name="Kết quả")
    with pytest.raises(Conflict):
        services.dossier_document_sign(document=empty, actor=leader)
    image = file_store_generated(owner=None, name="anh.png", content=b"\x89PNG\r\n\x1a\n", content_type="image/png")
    picture = DossierDocument.objects.create(dossier=dossier, kind=DossierDocument.Kind.RESULT, name="Ảnh", file=image)
    with pytest.raises(UnsupportedMediaType):
        services.dossier_document_sign(document=picture, actor=leader)
    picture.refresh_from_db()
    assert picture.signed is False


def test_the_verify_page_says_when_the_file_is_the_issued_copy(client, result_document, leader):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = services.dossier_document_sign(document=result_document, actor=leader)
    data = file_read(document.file)
    response = client.post("/xac-thuc-van-ban/", {"file": SimpleUploadedFile("kq.pdf", data)})
    assert "trùng khớp hoàn toàn" in response.content.decode()
    listing = client.get("/xac-thuc-van-ban/", {"ma": CODE}).content.decode()
    assert document.file.sha256 in listing
