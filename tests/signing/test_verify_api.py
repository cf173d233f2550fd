"""POST /api/v1/signing/verify: public, the contract's exact shape, 413/415/400 in the error format."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.signing import services
from tests.signing.pdfs import tamper_in_signed_range

pytestmark = pytest.mark.urls("tests.signing.urls")

URL = "/api/v1/signing/verify"
CODE = "000.00.31.H29-260115-0002"
KEYS = {"valid", "altered", "signer", "agency_code", "signed_at", "dossier_code", "detail"}


@pytest.fixture
def signed(agency, result_pdf) -> bytes:
    return services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="Lãnh đạo Sở")


def post(client, content: bytes, name: str = "ket-qua.pdf", content_type: str = "application/pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content, content_type=content_type)})


def test_a_genuine_document_without_login(client, signed, agency):
    response = post(client, signed)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == KEYS
    assert body["valid"] is True and body["altered"] is False
    assert body["signer"] == agency.name
    assert body["agency_code"] == agency.code
    assert body["dossier_code"] == CODE
    assert body["signed_at"].endswith("+07:00")
    assert isinstance(body["detail"], str) and body["detail"]


def test_an_altered_copy(client, signed):
    body = post(client, tamper_in_signed_range(signed)).json()
    assert set(body) == KEYS
    assert body["valid"] is False and body["altered"] is True


def test_a_pdf_without_signature_is_200_not_valid(client, result_pdf):
    response = post(client, result_pdf)
    assert response.status_code == 200
    assert response.json() == {
        "valid": False,
        "altered": False,
        "signer": None,
        "agency_code": None,
        "signed_at": None,
        "dossier_code": None,
        "detail": services.NO_SIGNATURE,
    }


def test_not_a_pdf_is_415_in_the_error_format(client):
    response = post(client, b"\x89PNG\r\n\x1a\n" + b"0" * 100, name="anh.png", content_type="image/png")
    assert response.status_code == 415
    body = response.json()
    assert body["error"] == "unsupported_media_type" and body["detail"]


def test_a_file_over_10_mb_is_413(client):
    response = post(client, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_no_file_is_400(client):
    response = client.post(URL, {})
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_rate_limited_after_60_a_minute(client, result_pdf):
    statuses = [post(client, result_pdf).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429


def test_the_operation_is_in_the_openapi_spec(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/signing/verify"]["post"]
    assert not operation.get("security")
    assert "multipart/form-data" in operation["requestBody"]["content"]
