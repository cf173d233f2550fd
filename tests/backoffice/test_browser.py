"""The back office in Debian's Chromium on the live server: a counter dossier from intake to
return as demo.receiver → demo.specialist → demo.leader → demo.receiver; a stale page's action
explained; another agency's officer gets 404; one phone check; no serious axe violation."""

import pytest
from django.conf import settings
from django.test import Client

from motcua.catalog.eforms import form_example
from motcua.dossiers.models import Dossier
from tests.backoffice.conftest import PDF, PROCEDURE_CODE, counter_dossier
from tests.browser import axe_violations, format_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def open_as(chromium, site, request):
    """open_as(user, viewport) → a signed-in page (session made by Django, so no 2FA detour)."""
    contexts = []

    def _open(user, viewport=DESKTOP):
        client = Client()
        client.force_login(user)
        context = chromium.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(20_000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": site,
                }
            ]
        )
        contexts.append(context)
        return context.new_page()

    yield _open
    for index, context in enumerate(contexts):
        for page in context.pages:
            screenshot(page, f"{request.node.name}_{index}")
        context.close()


def _no_axe(page, where):
    violations = axe_violations(page)
    assert violations == [], f"{where}: {format_violations(violations)}"


def _act(page, label):
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def _open_from_queue(page, site, queue_title, code):
    page.goto(f"{site}/can-bo/")
    page.get_by_role("link", name=queue_title).click()
    screenshot(page, f"backoffice_queue_{queue_title[:8]}")
    page.get_by_role("link", name=code).click()
    page.wait_for_url(f"**/can-bo/ho-so/{code}/")


def test_counter_dossier_from_intake_to_return(open_as, office, site, tmp_path):
    scan = tmp_path / "ban-quet.pdf"
    scan.write_bytes(PDF)

    # demo.receiver takes a walk-in dossier at the counter.
    receiver = open_as(office.receiver)
    receiver.goto(f"{site}/can-bo/")
    assert receiver.get_by_role("heading", name="Công việc của tôi").is_visible()
    _no_axe(receiver, "start page")
    receiver.get_by_role("link", name="Tiếp nhận tại quầy").click()
    receiver.get_by_label("Thủ tục").select_option(PROCEDURE_CODE)
    receiver.get_by_label("Số định danh cá nhân của người nộp").fill("079090001234")
    _no_axe(receiver, "intake step 1")
    receiver.get_by_role("button", name="Tìm người nộp").click()
    assert receiver.get_by_text("Nguyễn Văn An").first.is_visible()
    for name, value in form_example(office.version.form_schema).items():
        field = receiver.locator(f'[name="f-{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        elif field.get_attribute("type") == "checkbox":
            field.set_checked(bool(value))
        elif not field.input_value():
            field.fill(str(value))
    for requirement in office.version.documents.filter(state_data_source=""):
        receiver.locator(f'[name="d-{requirement.code}"]').set_input_files(str(scan))
    _no_axe(receiver, "intake step 2")
    receiver.get_by_role("button", name="Tiếp nhận hồ sơ và in giấy hẹn").click()
    receiver.wait_for_url("**/can-bo/ho-so/**")
    dossier = Dossier.objects.get()
    assert receiver.get_by_text(f"Đã tiếp nhận hồ sơ {dossier.code}").is_visible()
    assert receiver.get_by_text("Đã số hoá từ bản giấy").first.is_visible()
    form01 = receiver.get_by_role("link", name="In giấy tiếp nhận (mẫu 01)")
    pdf = receiver.request.get(site + form01.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    _no_axe(receiver, "workspace")
    assert receiver.get_by_label("Người xử lý tiếp theo").input_value() == "demo.specialist"
    _act(receiver, "Chuyển xử lý")
    assert receiver.get_by_text("Đã thực hiện: Chuyển xử lý.").is_visible()

    # demo.specialist finds it in their queue (the appraisal step) and submits it to the leader.
    specialist = open_as(office.specialist)
    _open_from_queue(specialist, site, "Cần tôi xử lý 1", dossier.code)
    assert specialist.get_by_label("Người xử lý tiếp theo").input_value() == "demo.leader"
    _act(specialist, "Chuyển bước tiếp theo")

    # demo.leader approves and signs the result at the leader's step.
    leader = open_as(office.leader)
    _open_from_queue(leader, site, "Cần tôi xử lý 1", dossier.code)
    _act(leader, "Phê duyệt kết quả")
    _act(leader, "Ký số, ban hành kết quả")
    assert leader.get_by_text("Đã có kết quả").first.is_visible()
    assert leader.get_by_text("Đã ký số").first.is_visible()

    # demo.receiver returns the result at the counter.
    _open_from_queue(receiver, site, "Chờ trả kết quả 1", dossier.code)
    receiver.get_by_label("Hình thức trả").select_option("1")
    _act(receiver, "Trả kết quả")
    assert receiver.get_by_text("Đã nhận kết quả").first.is_visible()
    dossier.refresh_from_db()
    assert dossier.status == 10 and dossier.on_time is True
    assert [e.action for e in dossier.events.order_by("seq")] == [
        "submit",
        "receive",
        "assign",
        "forward",
        "approve",
        "resolve",
        "return_result",
    ]


def test_stale_page_is_explained_and_reload_works(open_as, office, site):
    dossier = counter_dossier(office)
    receiver = open_as(office.receiver)
    leader = open_as(office.leader)
    for page in (receiver, leader):
        page.goto(f"{site}/can-bo/ho-so/{dossier.code}/")
    _act(receiver, "Chuyển xử lý")
    # The leader's page still shows the received dossier; their action is refused, with why.
    leader.get_by_label("Giấy tờ cần bổ sung và lý do").fill("Thiếu quyết định nghỉ việc")
    _act(leader, "Yêu cầu bổ sung (mẫu 02)")
    alert = leader.get_by_role("alert")
    assert "Hồ sơ đã thay đổi trong lúc bạn xem" in alert.inner_text()
    assert "Chuyển hồ sơ đến bộ phận xử lý" in alert.inner_text()
    assert "Phạm Thu Hà" in alert.inner_text()
    _no_axe(leader, "conflict")
    leader.get_by_role("link", name="Tải lại trang").click()
    assert leader.get_by_text("Đang giải quyết").first.is_visible()
    assert Dossier.objects.get(pk=dossier.pk).status == 4


def test_officer_of_another_agency_gets_404(open_as, office, site):
    dossier = counter_dossier(office)
    ward = open_as(office.ward_receiver)
    response = ward.goto(f"{site}/can-bo/ho-so/{dossier.code}/")
    assert response.status == 404
    ward.goto(f"{site}/can-bo/")
    assert ward.get_by_text(dossier.code).count() == 0


def test_queue_and_workspace_on_a_phone(open_as, office, site):
    dossier = counter_dossier(office)
    page = open_as(office.receiver, viewport={"width": 360, "height": 780})
    page.goto(f"{site}/can-bo/?ds=assign")
    assert page.get_by_role("link", name=dossier.code).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name=dossier.code).click()
    assert page.get_by_role("button", name="Chuyển xử lý").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _no_axe(page, "phone workspace")


def test_administration_pages_and_error_states_are_accessible(open_as, office, site):
    from motcua.directory.models import Agency
    from tests.factories import make_officer

    home = Agency.objects.get(code="000.00.31.H29")
    agency_admin = make_officer(username="nv.admin", agency=home, role="agency_admin")
    page = open_as(agency_admin)
    page.goto(f"{site}/can-bo/quan-tri/")
    page.get_by_role("link", name=home.name).click()
    _no_axe(page, "agency officers")
    page.get_by_label("Tên đăng nhập của cán bộ").fill("khong.co")
    page.get_by_role("button", name="Giao vai trò", exact=True).click()
    assert "Không có cán bộ nào với tên đăng nhập này" in page.get_by_role("alert").inner_text()
    _no_axe(page, "agency officers with an error")

    city = open_as(office.admin)
    city.goto(f"{site}/can-bo/quan-tri/")
    _no_axe(city, "administration")
    city.get_by_role("link", name="Sắp xếp tổ chức: chuyển hồ sơ sang cơ quan kế thừa").click()
    _no_axe(city, "reorganisation")

    receiver = open_as(office.receiver)
    receiver.goto(f"{site}/can-bo/tiep-nhan/")
    receiver.get_by_role("button", name="Tìm người nộp").click()
    assert "Vui lòng chọn thủ tục" in receiver.get_by_role("alert").inner_text()
    _no_axe(receiver, "intake errors")
    receiver.goto(f"{site}/can-bo/?ds=receive&q=khong+co+ai")
    assert receiver.get_by_text("Không có hồ sơ nào trong danh sách này.").is_visible()
    _no_axe(receiver, "empty search")
