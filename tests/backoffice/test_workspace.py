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
    client.force_login(office.specialist)
    assert _act(client, dossier, "forward", handler="demo.specialist").status_code == 302
    assert _act(client, dossier, "forward", handler="demo.leader").status_code == 302
    client.force_login(office.leader)
    assert _act(client, dossier, "forward", handler="demo.receiver").status_code == 302
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
