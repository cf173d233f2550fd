"""The workspace over HTTP (Django's client): actions, stale pages, other agencies, documents."""

import pytest
from django.urls import reverse

from motcua.dossiers.models import Dossier
from tests.backoffice.conftest import counter_dossier

pytestmark = pytest.mark.django_db


def _url(dossier):
    return reverse("backoffice:dossier", args=[dossier.code])


def _act(client, dossier, action, **data):
    data.setdefault("version", Dossier.objects.get(pk=dossier.pk).version)
    return client.post(
        reverse("backoffice:action", args=[dossier.code, action]), {f"{action}-{k}": v for k, v in data.items()}
    )


def test_counter_dossier_is_received_digitised_with_form_01(client, office):
    dossier = counter_dossier(office)
    assert dossier.status == 2 and dossier.channel == 1
    assert dossier.applicant == office.citizen and dossier.submitted_by == office.receiver
    inputs = dossier.documents.filter(kind="input", file__isnull=False)
    assert inputs.exists() and all(doc.digitised for doc in inputs)
    assert dossier.documents.filter(form_number="01").exists()
    client.force_login(office.receiver)
    page = client.get(_url(dossier))
    assert page.status_code == 200
    html = page.content.decode()
    assert "In giấy tiếp nhận (mẫu 01)" in html
    assert "Đã số hoá từ bản giấy" in html


def test_full_walk_through_the_workspace(client, office):
    dossier = counter_dossier(office)
    client.force_login(office.receiver)
    response = _act(client, dossier, "assign", handler="demo.specialist")
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(office.specialist)  # receipt did the one-stop's own first step
    assert _act(client, dossier, "forward", handler="demo.leader").status_code == 302
    client.force_login(office.leader)
    assert _act(client, dossier, "approve").status_code == 302
    assert _act(client, dossier, "resolve").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == 9
    assert dossier.documents.filter(kind="result", signed=True).exists()
    client.force_login(office.receiver)
    assert _act(client, dossier, "return_result", channel=1).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == 10 and dossier.return_channel == 1


def test_stale_page_is_refused_with_an_explanation(client, office):
    dossier = counter_dossier(office)
    stale_version = dossier.version
    client.force_login(office.receiver)
    assert _act(client, dossier, "assign", version=stale_version).status_code == 302
    response = _act(client, dossier, "request_supplement", version=stale_version, note="Thiếu sổ BHXH")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Hồ sơ đã thay đổi trong lúc bạn xem" in html
    assert "Chuyển hồ sơ đến bộ phận xử lý" in html  # what happened, by whom
    assert "Tải lại trang" in html
    assert Dossier.objects.get(pk=dossier.pk).status == 4


def test_required_reason_is_asked_for(client, office):
    dossier = counter_dossier(office)
    client.force_login(office.receiver)
    response = _act(client, dossier, "request_supplement", note="")
    assert response.status_code == 400
    assert "Vui lòng ghi rõ giấy tờ cần bổ sung và lý do." in response.content.decode()


def test_officer_of_another_agency_gets_404(client, office):
    dossier = counter_dossier(office)
    client.force_login(office.ward_receiver)
    assert client.get(_url(dossier)).status_code == 404
    document = dossier.documents.exclude(file=None).first()
    assert client.get(reverse("backoffice:document", args=[dossier.code, document.pk])).status_code == 404
    assert client.get(reverse("backoffice:form06", args=[dossier.code])).status_code == 404
    assert _act(client, dossier, "assign").status_code == 404


def test_citizen_cannot_open_the_back_office(client, office):
    client.force_login(office.citizen)
    assert client.get(reverse("backoffice:home")).status_code == 403


def test_document_preview_and_form_06(client, office):
    dossier = counter_dossier(office)
    client.force_login(office.receiver)
    document = dossier.documents.exclude(file=None).first()
    response = client.get(reverse("backoffice:document", args=[dossier.code, document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    sheet = client.get(reverse("backoffice:form06", args=[dossier.code]))
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")


def test_due_soon_prompts_the_leader_to_apologise_and_extend(client, office):
    from datetime import timedelta

    from django.utils import timezone

    from motcua.dossiers.queues import queue_page

    dossier = counter_dossier(office)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() + timedelta(hours=3))
    rows = queue_page(office.leader, "due_soon").rows
    assert [r.dossier.code for r in rows] == [dossier.code] and rows[0].due_soon
    client.force_login(office.receiver)
    html = client.get(_url(dossier)).content.decode()
    # The receiver cannot extend but proposes it to the leader (tests/backoffice/test_extension_proposals.py).
    assert "Hồ sơ sắp đến hạn" in html and "Đề nghị lãnh đạo gia hạn" in html and "Gửi đề nghị gia hạn" in html
    client.force_login(office.leader)
    html = client.get(_url(dossier)).content.decode()
    assert "Đến mục xin lỗi, gia hạn" in html
    new_day = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = _act(client, dossier, "extend", note="Cần xác minh thêm với cơ quan bảo hiểm", new_due_date=new_day)
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier.refresh_from_db()
    assert dossier.due_at.date().isoformat() == new_day
    assert dossier.documents.filter(form_number="04").exists()
    assert dossier.due_changes.filter(reason="extension").exists()


def test_form_dates_read_as_dd_mm_yyyy_and_admin_link_only_for_admins(client, office):
    dossier = counter_dossier(office)
    client.force_login(office.receiver)
    html = client.get(_url(dossier)).content.decode()
    assert "31/01/2026" in html  # ngay_nghi_viec example 2026-01-31
    assert reverse("backoffice:admin") not in html
    client.force_login(office.admin)
    assert reverse("backoffice:admin") in client.get(reverse("backoffice:home")).content.decode()


def test_transfer_to_another_agency_and_receive_it_back(client, office):
    from motcua.directory.seed import BEN_THANH_CODE, HOME_AFFAIRS_CODE
    from motcua.dossiers.queues import queue_page

    dossier = counter_dossier(office)
    client.force_login(office.receiver)
    assert _act(client, dossier, "assign", handler="demo.specialist").status_code == 302
    client.force_login(office.specialist)
    response = _act(client, dossier, "transfer", agency_code=BEN_THANH_CODE, note="Xác minh nơi cư trú")
    assert response.status_code == 302, response.content.decode()[:3000]
    # Still visible at home, with nothing to do there until it comes back.
    html = client.get(_url(dossier)).content.decode()
    assert "Bạn không có thao tác nào" in html
    # The coordinating ward finds it in its queue and sends it back.
    assert [r.dossier.code for r in queue_page(office.ward_receiver, "transferred_in").rows] == [dossier.code]
    client.force_login(office.ward_receiver)
    assert _act(client, dossier, "return_transfer", note="Đã xác minh").status_code == 302
    dossier.refresh_from_db()
    assert dossier.current_agency.code == HOME_AFFAIRS_CODE and not dossier.transferred_out
    # Once back, the ward no longer holds it in any list.
    assert queue_page(office.ward_receiver, "transferred_in").rows == []


def test_supplement_request_and_papers_brought_to_the_counter(client, office):
    from motcua.dossiers.queues import queue_page

    dossier = counter_dossier(office)
    client.force_login(office.receiver)
    assert _act(client, dossier, "request_supplement", note="Thiếu quyết định nghỉ việc").status_code == 302
    assert [r.dossier.code for r in queue_page(office.receiver, "waiting").rows] == [dossier.code]
    dossier.refresh_from_db()
    assert dossier.status == 5 and dossier.documents.filter(form_number="02").exists()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.backoffice.conftest import PDF

    response = client.post(
        reverse("backoffice:action", args=[dossier.code, "supplement"]),
        {
            "supplement-version": Dossier.objects.get(pk=dossier.pk).version,
            "supplement-note": "Đã nộp bản sao quyết định",
            "supplement-files": [SimpleUploadedFile("qd.pdf", PDF, "application/pdf")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier.refresh_from_db()
    assert dossier.status == 2 and dossier.clock == "running"
    assert dossier.documents.filter(requirement_code="BO_SUNG", uploaded_by=office.receiver).count() == 1


def test_strangers_are_sent_to_sign_in(client, office):
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
