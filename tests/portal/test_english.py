"""The English translation: complete, well-formed, and switched on by the language button.

Vietnamese is the source language (the msgids) and the default; English comes from
src/motcua/locale/en/LC_MESSAGES/django.po. The compiled .mo is build output, so this module
compiles it first — the tests also pass in a fresh clone.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from motcua.catalog import search
from motcua.catalog.seed import seed_catalog

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# (path, English strings that must appear, Vietnamese strings that must not)
PAGES = [
    (
        "/",
        ["Administrative procedures online, all in one place", "Find a procedure", "What do you need to do?", "Log in"],
        ["Làm thủ tục hành chính trực tuyến", "Tìm thủ tục", "Bạn cần làm gì?", "Đăng nhập"],
    ),
    (
        "/tai-khoan/dang-nhap/",
        ["One account for every procedure, at every City agency.", "Username", "Password", "Log in"],
        ["Dùng một tài khoản cho mọi thủ tục", "Tên đăng nhập", "Mật khẩu", "Đăng nhập"],
    ),
    (
        "/thu-tuc/",
        ["Find an administrative procedure", "Filter the results", "All categories", "Apply filters"],
        ["Tìm thủ tục hành chính", "Lọc kết quả", "Tất cả lĩnh vực", "Áp dụng bộ lọc"],
    ),
    (
        "/tra-cuu/",
        ["Track an application", "Application code", "Look up", "You do not need to log in."],
        ["Tra cứu hồ sơ", "Mã hồ sơ", "Không cần đăng nhập."],
    ),
    (
        "/tai-khoan/dang-ky/",
        ["Create an account", "Who is the account for?", "Other organisation", "Already have an account?"],
        ["Tạo tài khoản", "Bạn tạo tài khoản cho ai?", "Tổ chức khác", "Đã có tài khoản?"],
    ),
    (
        "/tai-khoan/quen-mat-khau/",
        ["Forgotten password", "Registered email address", "Send the password reset link"],
        ["Quên mật khẩu", "E-mail đã đăng ký", "Gửi đường dẫn đặt lại mật khẩu"],
    ),
    (
        "/ngoai-tuyen/",
        ["No internet connection", "Try again", "Back to the home page"],
        ["Không có kết nối mạng", "Thử lại", "Về trang chủ"],
    ),
]
# On every page: the site header and footer.
COMMON_EN = ["Skip to main content", "Ho Chi Minh City Public Services", "MotCua open-source software", "Tiếng Việt"]
COMMON_VI = ["Bỏ qua, đến nội dung chính", "Dịch vụ công TP. Hồ Chí Minh", "Phần mềm mã nguồn mở MotCua"]


@pytest.fixture(scope="module", autouse=True)
def compiled_messages():
    """Compile the .po files (a no-op when the .mo is newer), then drop cached catalogues.

    Django caches a language's catalogue per process; overriding LOCALE_PATHS (to the same
    value) resets that cache, so a catalogue loaded before the .mo existed is not reused.
    """
    call_command(
        "compilemessages",
        verbosity=0,
        ignore_patterns=[".venv", ".tools", "node_modules", "var", ".git", "test-artifacts"],
    )
    assert MO_FILE.exists()
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        yield


def _switch_to_english(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, "no <html lang> attribute"
    return match.group(1)


def test_po_file_is_complete_and_well_formed():
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext (msgfmt) is needed to build the translations"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "--output-file=/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert re.search(r"\d+ translated messages?", report), report
    assert "untranslated" not in report and "fuzzy" not in report, report
    assert "#, fuzzy" not in PO_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(("path", "english", "vietnamese"), PAGES, ids=[p[0] for p in PAGES])
def test_language_switch_renders_the_page_in_english(client, path, english, vietnamese):
    _switch_to_english(client)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert _lang(html) == "en"
    for text in english + COMMON_EN:
        assert text in html, text
    for text in vietnamese + COMMON_VI:
        assert text not in html, text


@pytest.mark.parametrize(("path", "english", "vietnamese"), PAGES, ids=[p[0] for p in PAGES])
def test_vietnamese_is_the_default(client, path, english, vietnamese):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert _lang(html) == "vi"
    for text in vietnamese + COMMON_VI:
        assert text in html, text
    for text in english:
        assert text not in html, text


def test_switching_back_to_vietnamese(client):
    _switch_to_english(client)
    assert _lang(client.get("/").content.decode()) == "en"
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    html = client.get("/").content.decode()
    assert _lang(html) == "vi" and "Làm thủ tục hành chính trực tuyến, một cửa" in html


def test_accept_language_header_alone_picks_english(client):
    html = client.get("/tra-cuu/", headers={"accept-language": "en"}).content.decode()
    assert _lang(html) == "en" and "Track an application" in html


def test_messages_built_in_python_are_translated(client):
    """Strings from views (gettext) and forms (gettext_lazy), not only from templates."""
    _switch_to_english(client)
    response = client.get("/tra-cuu/", {"ma": "not a code"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "That application code is not in the right format." in html
    assert "Mã hồ sơ chưa đúng dạng" not in html
    response = client.post("/tai-khoan/dang-nhap/", {"username": "", "password": ""})
    html = response.content.decode()
    assert "We could not log you in" in html
    assert "Please enter your username." in html and "Please enter your password." in html


def test_procedure_page_and_results_in_english(client):
    search.reset_index()
    try:
        seed_catalog()
        _switch_to_english(client)
        html = client.get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
        assert re.search(r"\d+ procedures? match", html)
        assert "Procedure code" in html and "Mã thủ tục" not in html
        html = client.get("/thu-tuc/1.001193/").content.decode()
        for text in ("Before you start", "Who can apply", "How long it takes", "Documents to submit", "Legal basis"):
            assert text in html, text
        assert "working day" in html
        for text in ("Trước khi bắt đầu", "Ai được nộp", "Giấy tờ cần nộp", "ngày làm việc"):
            assert text not in html, text
    finally:
        search.reset_index()


def test_signed_in_pages_in_english(client, citizen, receiver):
    """A citizen's "My applications" and the officers' start page follow the language switch too."""
    _switch_to_english(client)
    client.force_login(citizen)
    html = client.get("/ho-so-cua-toi/").content.decode()
    assert _lang(html) == "en"
    for text in ("My applications", "Make a new application", "You have not made any applications yet.", "Inbox"):
        assert text in html, text
    for text in ("Hồ sơ của tôi", "Nộp hồ sơ mới", "Bạn chưa nộp hồ sơ nào.", "Hộp thư"):
        assert text not in html, text

    client.force_login(receiver)
    response = client.get("/can-bo/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _lang(html) == "en"
    for text in ("My tasks", "Counter intake", "Search by application code, applicant name or procedure name"):
        assert text in html, text
    for text in ("To receive", "For me to handle", "Result to return"):  # the queues' names
        assert text in html, text
    for text in ("Công việc của tôi", "Tiếp nhận tại quầy", "Tìm theo mã hồ sơ", "Chờ tiếp nhận", "Cần tôi xử lý"):
        assert text not in html, text
