"""Public tracking by dossier code: the API of contract.md and the /tra-cuu/ pages, nothing personal."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.testing import TestClient

from motcua.api.errors import install_error_handlers
from motcua.api.routers import tracking
from motcua.core.text import mask_name
from motcua.dossiers.lifecycle import TRANSITIONS, status_name, status_plain_name
from tests.browser import axe_violations, format_violations, screenshot
from tests.dossiers.conftest import DossierFlow, at

pytestmark = pytest.mark.django_db

SUPPLEMENT_NOTE = "Bổ sung bản sao hộ chiếu; số hộ chiếu cũ B1234567 đã hết hạn"
UNKNOWN_CODE = "000.00.31.H29-260907-9999"


def _test_api() -> NinjaAPI:
    api = NinjaAPI(urls_namespace="tracking-tests")
    install_error_handlers(api)
    api.add_router("/tracking", tracking.router)
    return api


_API = _test_api()


@pytest.fixture
def api_client() -> TestClient:
    """The router on its own API with the project's error handlers (it is mounted in api/main.py separately)."""
    return TestClient(_API)


def body_text(response) -> str:
    """The response as people would read it: JSON with its non-ASCII letters unescaped."""
    return json.dumps(response.json(), ensure_ascii=False)


def personal_data(flow: DossierFlow) -> list[str]:
    dossier = flow.dossier
    return [
        dossier.applicant_name,
        "Nguyễn",
        dossier.applicant_id_number,
        dossier.applicant_phone,
        dossier.applicant_email,
        "Nguyễn Huệ",
        flow.receiver.full_name,
        flow.specialist.full_name,
        flow.receiver.username,
        "to-khai.pdf",
        "Mau-01",
        "B1234567",
    ]


def test_tracking_api_has_the_contract_shape(dossier_flow, api_client):
    dossier_flow.act(dossier_flow.receiver, "receive", when=at(hours=0.25))
    dossier = dossier_flow.act(dossier_flow.receiver, "assign", when=at(hours=1))
    response = api_client.get(f"/tracking/{dossier.code}")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {
        "code",
        "procedure_code",
        "procedure_name",
        "applicant",
        "status",
        "status_name",
        "received_at",
        "due_at",
        "events",
    }
    assert data["code"] == dossier.code
    assert data["procedure_code"] == "9.900001"
    assert data["procedure_name"] == "Cấp giấy phép lao động cho người lao động nước ngoài"
    assert data["applicant"] == mask_name("Nguyễn Văn An") == "N***** V** A*"
    assert data["status"] == 4 and data["status_name"] == status_name(4) == "Đang xử lý"
    assert data["received_at"] == "2026-09-07T09:15:00+07:00"
    assert data["due_at"] == "2026-09-14T17:00:00+07:00"
    assert [set(event) for event in data["events"]] == [{"at", "status", "title"}] * 3
    assert [(event["status"], event["title"]) for event in data["events"]] == [
        (1, TRANSITIONS["submit"].title),
        (2, TRANSITIONS["receive"].title),
        (4, TRANSITIONS["assign"].title),
    ]
    assert [event["at"] for event in data["events"]] == [
        "2026-09-07T09:00:00+07:00",
        "2026-09-07T09:15:00+07:00",
        "2026-09-07T10:00:00+07:00",
    ]


def test_a_just_submitted_dossier_has_no_dates_yet(dossier_flow, api_client):
    data = api_client.get(f"/tracking/{dossier_flow.code}").json()
    assert data["status"] == 1 and data["received_at"] is None and data["due_at"] is None
    assert len(data["events"]) == 1


def test_tracking_api_shows_nothing_personal_nor_internal_notes(dossier_flow, api_client):
    dossier_flow.act(dossier_flow.receiver, "receive", when=at(hours=0.25))
    dossier_flow.act(dossier_flow.receiver, "request_supplement", when=at(hours=1), note=SUPPLEMENT_NOTE)
    response = api_client.get(f"/tracking/{dossier_flow.code}")
    assert response.status_code == 200
    readable, raw = body_text(response), response.content.decode()
    for value in personal_data(dossier_flow):
        assert value and value not in readable and value not in raw, value
    assert response.json()["status"] == 5


def test_internal_events_are_hidden(dossier_flow, api_client, monkeypatch):
    monkeypatch.setitem(TRANSITIONS, "assign", replace(TRANSITIONS["assign"], public=False))
    dossier_flow.act(dossier_flow.receiver, "receive", when=at(hours=0.25))
    dossier_flow.act(dossier_flow.receiver, "assign", when=at(hours=1))
    assert dossier_flow.dossier.events.filter(public=False).count() == 1
    data = api_client.get(f"/tracking/{dossier_flow.code}").json()
    assert [event["title"] for event in data["events"]] == [TRANSITIONS["submit"].title, TRANSITIONS["receive"].title]
    assert data["status"] == 4


@pytest.mark.parametrize(
    "code",
    [
        UNKNOWN_CODE,
        "abc",
        "000.00.31.H29-260907-0001'--",
        "000.00.31.H29-260907-0001%00",
        "%F0%9F%92%A9",
        "9" * 500,
    ],
)
def test_unknown_or_malformed_codes_are_404_json(dossier_flow, api_client, code):
    response = api_client.get(f"/tracking/{code}")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found" and body["detail"]


def test_codes_are_found_whatever_their_case(dossier_flow, api_client):
    response = api_client.get(f"/tracking/{dossier_flow.code.lower()}")
    assert response.status_code == 200 and response.json()["code"] == dossier_flow.code


def test_tracking_api_is_rate_limited_per_client(dossier_flow, api_client):
    for _ in range(60):
        assert api_client.get(f"/tracking/{dossier_flow.code}").status_code == 200
    response = api_client.get(f"/tracking/{dossier_flow.code}")
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited" and int(response["Retry-After"]) >= 1


def test_tracking_api_through_the_mounted_url(dossier_flow, client):
    from motcua.api.main import api

    if not any(router is tracking.router for _, router in api._routers):
        pytest.skip("the tracking router is not mounted in motcua.api.main yet")
    response = client.get(f"/api/v1/tracking/{dossier_flow.code}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == dossier_flow.code
    missing = client.get(f"/api/v1/tracking/{UNKNOWN_CODE}")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


# --- pages ----------------------------------------------------------------------------------------


def test_search_page_explains_where_the_code_is(client):
    response = client.get(reverse("portal:tracking"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="tracking-code"' in html and "Mã hồ sơ" in html
    assert "giấy tiếp nhận" in html and "QR" in html
    assert "Tra cứu hồ sơ" in html


def test_search_form_goes_to_the_dossier_page(dossier_flow, client):
    response = client.get(reverse("portal:tracking"), {"ma": f"  {dossier_flow.code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/tra-cuu/{dossier_flow.code}/"


def test_search_form_says_how_to_fix_a_malformed_code(client):
    response = client.get(reverse("portal:tracking"), {"ma": "12345"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mã hồ sơ chưa đúng dạng" in html and 'aria-invalid="true"' in html and 'value="12345"' in html


def test_dossier_page_shows_plain_status_timeline_and_next_step(dossier_flow, client, monkeypatch):
    dossier_flow.act(dossier_flow.receiver, "receive", when=at(hours=0.25))
    dossier = dossier_flow.act(dossier_flow.receiver, "request_supplement", when=at(hours=1), note=SUPPLEMENT_NOTE)
    monkeypatch.setattr(timezone, "now", lambda: at(hours=2))
    response = client.get(reverse("portal:tracking_detail", kwargs={"code": dossier.code}))
    assert response.status_code == 200
    html = response.content.decode()
    assert status_plain_name(5) in html and "Cần nộp thêm giấy tờ" in html
    assert f"Trạng thái chính thức: {status_name(5)} (mã 5)" in html
    assert "Tạm dừng tính thời gian" in html  # on-time information in words, with an icon
    assert "Bạn cần nộp thêm giấy tờ" in html  # what happens next
    assert TRANSITIONS["receive"].title in html and "07/09/2026 09:15" in html
    assert "14/09/2026 17:00" in html  # by when
    assert "N***** V** A*" in html and dossier.current_agency.name in html
    for value in personal_data(dossier_flow):
        assert value not in html, value


def test_dossier_page_says_on_time_or_late_in_words(dossier_flow, client, monkeypatch):
    dossier = dossier_flow.act(dossier_flow.receiver, "receive", when=at(hours=0.25))
    url = reverse("portal:tracking_detail", kwargs={"code": dossier.code})
    monkeypatch.setattr(timezone, "now", lambda: at(days=1))
    assert "Đúng tiến độ: hẹn trả trước 14/09/2026 17:00" in client.get(url).content.decode()
    monkeypatch.setattr(timezone, "now", lambda: dossier.due_at + timedelta(minutes=1))
    assert "Đã quá ngày hẹn trả (14/09/2026 17:00)" in client.get(url).content.decode()


def test_resolved_dossier_page_says_it_was_on_time(dossier_flow, client):
    dossier = dossier_flow.run_to_resolved()
    html = client.get(reverse("portal:tracking_detail", kwargs={"code": dossier.code})).content.decode()
    assert "Đã có kết quả" in html and "Đã giải quyết đúng hạn" in html


def test_dossier_page_leads_on_to_verifying_its_documents(dossier_flow, client):
    """The QR on every paper leads here; from here to the signature check (issue 7)."""
    dossier = dossier_flow.run_to_resolved()
    html = client.get(reverse("portal:tracking_detail", kwargs={"code": dossier.code})).content.decode()
    assert f'href="{reverse("portal:verify")}"' in html and "Kiểm tra chữ ký số của văn bản" in html


def test_unknown_dossier_page_is_404_with_the_form_again(client):
    response = client.get(reverse("portal:tracking_detail", kwargs={"code": UNKNOWN_CODE}))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy hồ sơ có mã" in html and 'name="ma"' in html
    assert client.get("/tra-cuu/khong-phai-ma/").status_code == 404


def test_lower_case_code_in_the_address_redirects_to_the_canonical_page(dossier_flow, client):
    response = client.get(f"/tra-cuu/{dossier_flow.code.lower()}/")
    assert response.status_code == 302 and response["Location"] == f"/tra-cuu/{dossier_flow.code}/"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tracking_pages_on_a_phone_are_accessible(live_server, phone_page, dossier_flow):
    dossier_flow.act(dossier_flow.receiver, "receive", when=at(hours=0.25))
    page = phone_page
    page.goto(f"{live_server.url}/tra-cuu/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_label("Mã hồ sơ").fill(dossier_flow.code)
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_url(f"{live_server.url}/tra-cuu/{dossier_flow.code}/")
    assert page.locator(".status-plain").inner_text() == status_plain_name(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "tracking_detail_phone")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    page.goto(f"{live_server.url}/tra-cuu/?ma=sai-ma")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
