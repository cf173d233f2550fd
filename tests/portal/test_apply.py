# ruff: noqa: F811 (fixtures imported from tests.portal.apply_fixtures are used as arguments)
"""Applying online through the wizard: prefill and locks, inline errors, drafts, documents, submit."""

import pytest
from django.urls import reverse

from motcua.dossiers.models import Dossier, DossierDocument, DossierDraft, PersonalDocument
from motcua.dossiers.my_documents import personal_document_add
from tests.factories import PASSWORD
from tests.portal.apply_fixtures import ANSWERS, APPLY_CODE, PDF, applicant, apply_version, upload  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, applicant):
    assert client.login(username=applicant.username, password=PASSWORD)
    return client


def _url(name: str) -> str:
    return reverse(f"portal:{name}", kwargs={"code": APPLY_CODE})


def test_anonymous_is_sent_to_login(client, apply_version):
    response = client.get(_url("apply"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:accounts:login"))


def test_procedure_page_links_to_the_wizard(client, apply_version):
    page = client.get(reverse("portal:procedure", kwargs={"code": APPLY_CODE})).content.decode()
    assert f'href="{_url("apply")}"' in page and "Nộp hồ sơ trực tuyến" in page


def test_form_is_prefilled_and_identity_locked(signed_in, apply_version, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = signed_in.get(_url("apply"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Nguyễn Văn An"' in page and 'value="079090001234"' in page
    assert page.count('readonly aria-describedby="id_ho_ten_source"') + page.count("readonly") >= 2
    assert "Ví dụ: 7912345678" in page and "10 chữ số, in trên sổ hoặc ứng dụng VssID." in page
    assert "Cơ sở dữ liệu quốc gia về dân cư" in page
    assert 'value="0901234567"' in page  # the phone comes from the account (not locked)


def test_inline_errors_in_vietnamese_next_to_the_field(signed_in, apply_version):
    data = {**ANSWERS, "so_bhxh": "123", "ngay_nghi_viec": ""}
    response = signed_in.post(_url("apply"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "“Mã số bảo hiểm xã hội” chưa đúng định dạng, ví dụ 7912345678." in page
    assert "Vui lòng nhập “Ngày chấm dứt hợp đồng lao động”." in page
    assert 'id="id_so_bhxh_error"' in page
    assert 'aria-describedby="id_so_bhxh_error id_so_bhxh_help id_so_bhxh_example"' in page
    assert 'aria-invalid="true"' in page
    assert not DossierDraft.objects.exists()


def test_locked_fields_ignore_what_the_browser_sends(signed_in, apply_version, applicant):
    data = {**ANSWERS, "ho_ten": "Người Khác", "so_dinh_danh": "079099999999"}
    response = signed_in.post(_url("apply"), data)
    assert response.status_code == 302 and response["Location"] == _url("apply_documents")
    draft = DossierDraft.objects.get(applicant=applicant)
    assert draft.form_data["ho_ten"] == "Nguyễn Văn An"
    assert draft.form_data["so_dinh_danh"] == "079090001234"
    assert draft.step == "documents"


def test_save_a_draft_and_come_back_from_my_dossiers(signed_in, apply_version, applicant):
    response = signed_in.post(_url("apply"), {"so_bhxh": "79123", "save_draft": "1"})
    assert response.status_code == 302 and response["Location"] == _url("apply")
    draft = DossierDraft.objects.get(applicant=applicant)
    assert draft.form_data["so_bhxh"] == "79123"  # kept as typed, checked only on "continue"
    listing = signed_in.get(reverse("portal:my_dossiers")).content.decode()
    assert "Hồ sơ đang soạn (nháp)" in listing and _url("apply") in listing
    again = signed_in.get(_url("apply")).content.decode()
    assert 'value="79123"' in again
    discard = signed_in.post(_url("apply_discard"))
    assert discard.status_code == 302 and not DossierDraft.objects.exists()


def test_documents_upload_one_reuse_one_then_submit(signed_in, apply_version, applicant):
    kept = personal_document_add(user=applicant, title="Quyết định thôi việc", stream=upload("thoi-viec.pdf"))
    assert signed_in.post(_url("apply"), ANSWERS).status_code == 302

    page = signed_in.get(_url("apply_documents")).content.decode()
    assert "Quyết định thôi việc" in page  # offered from My documents
    assert "Sổ bảo hiểm xã hội" in page and "Không cần nộp" in page

    missing = signed_in.post(_url("apply_documents"), {})
    assert missing.status_code == 400
    assert "Vui lòng tải lên hoặc chọn “Đề nghị hưởng trợ cấp”." in missing.content.decode()

    wrong_type = signed_in.post(_url("apply_documents"), {"file_TP01": upload("virus.exe", b"MZ\x90\x00")})
    assert "Chỉ nhận tệp PDF hoặc ảnh" in wrong_type.content.decode()

    done = signed_in.post(
        _url("apply_documents"), {"file_TP01": upload("de-nghi.pdf", PDF + b"% de nghi\n"), "pick_TP02": f"p{kept.pk}"}
    )
    assert done.status_code == 302 and done["Location"] == _url("apply_review")

    review = signed_in.get(_url("apply_review")).content.decode()
    assert "de-nghi.pdf" in review and "thoi-viec.pdf" in review and "7912345678" in review
    assert "31/01/2026" in review

    submitted = signed_in.post(_url("apply_review"), {"draft_id": DossierDraft.objects.get().pk})
    dossier = Dossier.objects.get(applicant=applicant)
    assert submitted.status_code == 302
    assert submitted["Location"] == reverse("portal:my_dossier", kwargs={"code": dossier.code})
    assert dossier.status == 1 and dossier.form_data["so_bhxh"] == "7912345678"
    documents = {d.requirement_code: d for d in DossierDocument.objects.filter(dossier=dossier)}
    assert documents["TP01"].reused_from == "" and documents["TP01"].file.name == "de-nghi.pdf"
    assert documents["TP02"].reused_from == "my_documents"
    assert documents["TP03"].reused_from == "insurance_db" and documents["TP03"].file is None
    assert not DossierDraft.objects.exists()
    # The new upload is kept in My documents for next time.
    assert PersonalDocument.objects.filter(owner=applicant, requirement_code="TP01").exists()

    detail = signed_in.get(submitted["Location"]).content.decode()
    assert dossier.code in detail and "Đã nộp hồ sơ" in detail


def test_pressing_submit_twice_files_once(signed_in, apply_version, applicant):
    signed_in.post(_url("apply"), ANSWERS)
    signed_in.post(_url("apply_documents"), {"file_TP01": upload("a.pdf"), "file_TP02": upload("b.pdf")})
    draft_id = DossierDraft.objects.get().pk
    first = signed_in.post(_url("apply_review"), {"draft_id": draft_id})
    second = signed_in.post(_url("apply_review"), {"draft_id": draft_id})
    assert Dossier.objects.filter(applicant=applicant).count() == 1
    assert first["Location"] == second["Location"]


def test_officers_cannot_apply(client, apply_version, receiver):
    assert client.login(username=receiver.username, password=PASSWORD)
    assert client.get(_url("apply")).status_code == 404


def test_documents_and_review_pages_need_few_queries(
    signed_in, apply_version, applicant, django_assert_max_num_queries
):
    personal_document_add(user=applicant, title="Quyết định thôi việc", stream=upload("thoi-viec.pdf"))
    signed_in.post(_url("apply"), ANSWERS)
    with django_assert_max_num_queries(9):
        assert signed_in.get(_url("apply_documents")).status_code == 200
    signed_in.post(_url("apply_documents"), {"file_TP01": upload("a.pdf", PDF + b"a"), "file_TP02": upload("b.pdf")})
    with django_assert_max_num_queries(9):
        assert signed_in.get(_url("apply_review")).status_code == 200


def test_a_tampered_locked_value_is_not_shown_back(signed_in, apply_version):
    response = signed_in.post(_url("apply"), {**ANSWERS, "so_bhxh": "1", "ho_ten": "Người Khác"})
    page = response.content.decode()
    assert response.status_code == 200 and "Người Khác" not in page and 'value="Nguyễn Văn An"' in page
    assert "Ví dụ: Nguyễn Văn An" not in page  # no example for a value the applicant does not type


def test_a_paper_the_state_holds_may_be_uploaded_instead(signed_in, apply_version, applicant):
    """When the database has no record of it, the citizen uploads the paper in the wizard."""
    assert signed_in.post(_url("apply"), ANSWERS).status_code == 302
    page = signed_in.get(_url("apply_documents")).content.decode()
    assert 'name="file_TP03"' in page and "Tải bản chụp lên thay thế" in page
    done = signed_in.post(
        _url("apply_documents"),
        {
            "file_TP01": upload("de-nghi.pdf", PDF + b"% 1\n"),
            "file_TP02": upload("cham-dut.pdf", PDF + b"% 2\n"),
            "file_TP03": upload("so-bhxh.pdf", PDF + b"% 3\n"),
        },
    )
    assert done.status_code == 302
    review = signed_in.get(_url("apply_review")).content.decode()
    assert "so-bhxh.pdf" in review and "bản bạn tải lên" in review
    signed_in.post(_url("apply_review"), {"draft_id": DossierDraft.objects.get().pk})
    dossier = Dossier.objects.get(applicant=applicant)
    taken = DossierDocument.objects.get(dossier=dossier, requirement_code="TP03")
    assert taken.file is not None and taken.file.name == "so-bhxh.pdf" and taken.reused_from == ""
