# ruff: noqa: F811 (fixtures imported from tests.portal.apply_fixtures are used as arguments)
"""My dossiers: list (keyset pages, drafts), a dossier's page and its actions, downloads, permissions."""

import io

import pytest
from django.urls import reverse

from motcua.dossiers import services as dossier_services
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.messages import dossier_message_post, dossier_messages_for_user
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.payments.services import dossier_request_payment
from tests.factories import PASSWORD
from tests.portal.apply_fixtures import act, applicant, apply_version, stored_pdf, submit, upload  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Official forms are rendered in the journey test; here only their place on the page matters.
    monkeypatch.setattr(dossier_services, "_issue_form", lambda *args, **kwargs: None)


@pytest.fixture
def signed_in(client, applicant):
    assert client.login(username=applicant.username, password=PASSWORD)
    return client


def page_of(client, dossier: Dossier, name: str = "my_dossier"):
    return client.get(reverse(f"portal:{name}", kwargs={"code": dossier.code}))


def test_list_is_keyset_paginated_with_few_queries(signed_in, applicant, apply_version, django_assert_max_num_queries):
    codes = [submit(applicant, n).code for n in range(23)]
    with django_assert_max_num_queries(6):
        first = signed_in.get(reverse("portal:my_dossiers"))
    html = first.content.decode()
    assert all(code in html for code in codes[-20:]) and codes[2] not in html
    assert "Đã nộp, chờ cán bộ tiếp nhận" in html and "?truoc=" in html
    before = first.context["next_before"]
    second = signed_in.get(reverse("portal:my_dossiers") + f"?truoc={before}").content.decode()
    assert all(code in second for code in codes[:3]) and codes[3] not in second


def test_only_the_applicant_sees_the_page(client, applicant, citizen2, receiver, apply_version):
    dossier = submit(applicant)
    for other in (citizen2, receiver):
        client.force_login(other)
        assert page_of(client, dossier).status_code == 404
        document = DossierDocument.objects.filter(dossier=dossier).exclude(file=None).first()
        url = reverse("portal:my_dossier_download", kwargs={"code": dossier.code, "document_id": document.pk})
        assert client.get(url).status_code == 404
    client.logout()
    assert page_of(client, dossier).status_code == 302


def test_detail_page_with_few_queries(signed_in, applicant, receiver, apply_version, django_assert_max_num_queries):
    dossier = submit(applicant)
    act(receiver, dossier.code, "receive")
    act(receiver, dossier.code, "assign")
    dossier_message_post(user=receiver, dossier=dossier, text="Hồ sơ đang được thẩm định.")
    with django_assert_max_num_queries(13):
        response = page_of(signed_in, dossier)
    html = response.content.decode()
    assert "Đang giải quyết" in html and "Hồ sơ đang được thẩm định." in html
    assert "Thẩm định hồ sơ" in html and "Đang thực hiện" in html and "Chưa đến" in html
    assert "Tiếp nhận hồ sơ, hẹn ngày trả kết quả" in html or "Tiếp nhận" in html
    assert "Rút hồ sơ" in html


def test_message_with_attachment_and_download(signed_in, applicant, receiver, apply_version):
    dossier = submit(applicant)
    response = signed_in.post(
        reverse("portal:my_dossier_message", kwargs={"code": dossier.code}),
        {"text": "Xin chào cán bộ", "files": [upload("anh.pdf")]},
    )
    assert response.status_code == 302
    message = dossier_messages_for_user(receiver, dossier).get()
    file_id = message.attachments.get().pk
    url = reverse("portal:my_dossier_attachment", kwargs={"code": dossier.code, "file_id": file_id})
    assert signed_in.get(url).status_code == 200
    empty = signed_in.post(reverse("portal:my_dossier_message", kwargs={"code": dossier.code}), {"text": " "})
    assert empty.status_code == 400 and "Vui lòng nhập nội dung tin nhắn" in empty.content.decode()


def test_answering_a_supplement_request(signed_in, applicant, receiver, apply_version):
    dossier = submit(applicant)
    act(receiver, dossier.code, "receive")
    act(receiver, dossier.code, "request_supplement", note="Thiếu bản sao hợp đồng lao động.")
    html = page_of(signed_in, dossier).content.decode()
    assert "Thiếu bản sao hợp đồng lao động." in html and "Nộp bổ sung" in html
    dossier.refresh_from_db()
    url = reverse("portal:my_dossier_supplement", kwargs={"code": dossier.code})
    nothing = signed_in.post(url, {"version": dossier.version})
    assert nothing.status_code == 400 and "Vui lòng tải lên giấy tờ bổ sung" in nothing.content.decode()
    stale = signed_in.post(url, {"version": dossier.version - 1, "files": [upload("hd.pdf")]})
    assert stale.status_code == 409 and "vừa được người khác cập nhật" in stale.content.decode()
    done = signed_in.post(url, {"version": dossier.version, "files": [upload("hd.pdf")], "note": "Đã bổ sung"})
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.clock == "running"
    assert DossierDocument.objects.get(dossier=dossier, requirement_code="BO_SUNG").file.name == "hd.pdf"


def test_withdraw_needs_confirmation(signed_in, applicant, apply_version):
    dossier = submit(applicant)
    url = reverse("portal:my_dossier_withdraw", kwargs={"code": dossier.code})
    assert "Tôi chắc chắn muốn rút hồ sơ này" in signed_in.get(url).content.decode()
    unconfirmed = signed_in.post(url, {"version": dossier.version})
    assert unconfirmed.status_code == 400 and "đánh dấu ô xác nhận" in unconfirmed.content.decode()
    assert signed_in.post(url, {"version": dossier.version, "confirm": "yes", "reason": "Nộp nhầm"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWAL_REQUESTED


def test_pay_button_when_a_fee_is_due(signed_in, applicant, receiver, apply_version):
    dossier = submit(applicant)
    act(receiver, dossier.code, "receive")
    dossier.refresh_from_db()
    invoice = dossier_request_payment(actor=receiver, code=dossier.code, version=dossier.version)
    html = page_of(signed_in, dossier).content.decode()
    assert reverse("portal:payment", kwargs={"reference": invoice.reference}) in html and "50.000 đ" in html


def test_results_and_notices_download_but_internal_forms_do_not(signed_in, applicant, apply_version):
    dossier = submit(applicant)
    result = DossierDocument.objects.create(
        dossier=dossier, kind="result", name="Kết quả: Quyết định", file=stored_pdf(applicant, "kq.pdf"), signed=True
    )
    internal = DossierDocument.objects.create(
        dossier=dossier, kind="notice", form_number="06", name="Phiếu kiểm soát", file=stored_pdf(applicant, "06.pdf")
    )
    html = page_of(signed_in, dossier).content.decode()
    assert "Kết quả: Quyết định" in html and "Phiếu kiểm soát" not in html
    ok = signed_in.get(reverse("portal:my_dossier_download", kwargs={"code": dossier.code, "document_id": result.pk}))
    assert ok.status_code == 200 and b"".join(ok.streaming_content).startswith(b"%PDF-")
    assert ok["Cache-Control"] == "private, no-store"
    hidden = reverse("portal:my_dossier_download", kwargs={"code": dossier.code, "document_id": internal.pk})
    assert signed_in.get(hidden).status_code == 404


def test_my_documents_page_upload_list_delete(signed_in, applicant, apply_version, django_assert_max_num_queries):
    url = reverse("portal:my_documents")
    missing = signed_in.post(url, {"title": "", "file": upload("cccd.pdf")})
    assert missing.status_code == 400 and "Vui lòng nhập tên giấy tờ" in missing.content.decode()
    assert signed_in.post(url, {"title": "Căn cước công dân", "file": upload("cccd.pdf")}).status_code == 302
    with django_assert_max_num_queries(6):
        html = signed_in.get(url).content.decode()
    assert "Căn cước công dân" in html
    item = applicant.personal_documents.get()
    download = signed_in.get(reverse("portal:my_document_download", kwargs={"key": f"p{item.pk}"}))
    assert download.status_code == 200
    assert signed_in.post(reverse("portal:my_document_delete", kwargs={"document_id": item.pk})).status_code == 302
    assert not applicant.personal_documents.exists()


def test_someone_elses_document_is_not_found(client, applicant, citizen2, apply_version):
    from motcua.dossiers.my_documents import personal_document_add

    item = personal_document_add(user=applicant, title="Giấy khai sinh", stream=io.BytesIO(b"%PDF-1.4 x"))
    client.force_login(citizen2)
    assert client.get(reverse("portal:my_document_download", kwargs={"key": f"p{item.pk}"})).status_code == 404
    assert client.post(reverse("portal:my_document_delete", kwargs={"document_id": item.pk})).status_code == 404


def test_my_documents_queries_do_not_grow_with_documents(
    signed_in, applicant, apply_version, django_assert_max_num_queries
):
    from motcua.dossiers.my_documents import personal_document_add

    for number in range(3):
        dossier = submit(applicant, number)
        Dossier.objects.filter(pk=dossier.pk).update(status=Status.RESOLVED)
        DossierDocument.objects.create(
            dossier=dossier, kind="result", name=f"Kết quả {number}", file=stored_pdf(applicant, f"kq{number}.pdf")
        )
        content = b"%PDF-1.4 g" + bytes([48 + number])
        personal_document_add(user=applicant, title=f"Giấy tờ {number}", stream=upload(f"g{number}.pdf", content))
    with django_assert_max_num_queries(5):
        html = signed_in.get(reverse("portal:my_documents")).content.decode()
    assert html.count("Kết quả ") >= 3 and "Giấy tờ 2" in html


def test_supplement_with_a_paper_from_my_documents(signed_in, applicant, citizen2, receiver, apply_version):
    from motcua.dossiers.my_documents import personal_document_add

    kept = personal_document_add(user=applicant, title="Hợp đồng lao động", stream=upload("hd.pdf", b"%PDF-1.4 hd"))
    theirs = personal_document_add(user=citizen2, title="Của người khác", stream=upload("x.pdf", b"%PDF-1.4 x"))
    dossier = submit(applicant)
    act(receiver, dossier.code, "receive")
    act(receiver, dossier.code, "request_supplement", note="Thiếu hợp đồng.")
    assert "Hợp đồng lao động" in page_of(signed_in, dossier).content.decode()
    dossier.refresh_from_db()
    url = reverse("portal:my_dossier_supplement", kwargs={"code": dossier.code})
    other = signed_in.post(url, {"version": dossier.version, "pick": f"p{theirs.pk}"})
    assert other.status_code == 400
    assert signed_in.post(url, {"version": dossier.version, "pick": f"p{kept.pk}"}).status_code == 302
    document = DossierDocument.objects.get(dossier=dossier, requirement_code="BO_SUNG")
    assert document.file_id == kept.file_id
