"""The public page /xac-thuc-van-ban/: upload a PDF, read the answer in Vietnamese."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.signing import services
from tests.signing.pdfs import append_content_change

CODE = "000.00.31.H29-260115-0003"


@pytest.fixture
def signed(agency, result_pdf) -> bytes:
    return services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="Lãnh đạo Sở")


def upload(client, content: bytes, name: str = "ket-qua.pdf"):
    url = reverse("portal:verify")
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type="application/pdf")})


def test_the_page_has_an_accessible_upload_form(client, db):
    response = client.get("/xac-thuc-van-ban/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xác thực văn bản điện tử" in html
    assert '<label for="verify-file">' in html
    assert 'type="file" id="verify-file" name="file" accept="application/pdf,.pdf"' in html
    assert 'aria-describedby="verify-file-hint"' in html
    assert 'enctype="multipart/form-data"' in html


def test_a_genuine_document_is_explained_with_a_link_to_tracking(client, signed, agency):
    response = upload(client, signed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Văn bản hợp lệ" in html
    assert agency.name in html
    assert "Lãnh đạo Sở" in html
    assert f'href="/tra-cuu/{CODE}/"' in html
    assert 'role="status"' in html


def test_an_altered_copy_is_said_so(client, signed):
    html = upload(client, append_content_change(signed)).content.decode()
    assert "Văn bản đã bị chỉnh sửa sau khi ký" in html
    assert "card verdict verdict-altered" in html and "card verdict verdict-valid" not in html


def test_a_file_that_is_not_a_pdf_shows_an_error(client, db):
    response = upload(client, b"hello, not a pdf", name="ghi-chu.txt")
    assert response.status_code == 415
    html = response.content.decode()
    assert 'role="alert"' in html and "không phải là tệp PDF" in html
    assert 'aria-invalid="true"' in html


def test_no_file_shows_an_error(client, db):
    response = client.post(reverse("portal:verify"), {})
    assert response.status_code == 400
    assert "Vui lòng chọn tệp PDF" in response.content.decode()


def test_the_dossier_code_from_a_qr_code_lists_nothing_for_an_unknown_dossier(client, db):
    response = client.get("/xac-thuc-van-ban/", {"ma": CODE})
    assert response.status_code == 200
    assert "Chưa có văn bản nào được ký số" in response.content.decode()


def test_a_malformed_dossier_code_is_400(client, db):
    response = client.get("/xac-thuc-van-ban/", {"ma": "<script>"})
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()
