"""The official forms 01–07 and the result document: valid PDFs, correct Vietnamese, issued by the services."""

import base64
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core.timeutil import format_vn
from motcua.dossiers import forms
from motcua.dossiers.files import file_read
from motcua.dossiers.models import DossierDocument, DueDateChange
from tests.dossiers.conftest import FLOW_STEPS, DossierFlow, at

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

# --- a small PDF text extractor (pypdf is not installed; pyhanko's reader parses the file) -------

_HEX = re.compile(rb"<([0-9a-fA-F]+)>")
_TEXT_OPS = re.compile(
    rb"/([^\s/\[\]<>()]+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj|\bTm\b|\bTd\b|\bT\*", re.S
)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}

    def utf16(hexstr: bytes) -> str:
        return bytes.fromhex(hexstr.decode()).decode("utf-16-be")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        pairs = _HEX.findall(block)
        for source, target in zip(pairs[::2], pairs[1::2], strict=True):
            mapping[int(source, 16)] = utf16(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, target in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _pages(node):
    if node["/Type"] == "/Pages":
        for kid in node["/Kids"]:
            yield from _pages(kid.get_object())
    else:
        yield node


def pdf_text(pdf: bytes) -> str:
    """The text of a WeasyPrint PDF (CID fonts with ToUnicode maps), one line per text position, NFC."""
    reader = PdfFileReader(io.BytesIO(pdf))
    lines: list[str] = []
    for page in _pages(reader.root["/Pages"]):
        resources = page["/Resources"]
        font_ref = resources.get("/Font")
        fonts = font_ref.get_object() if font_ref is not None else {}
        maps = {name.lstrip("/"): _to_unicode(fonts[name]["/ToUnicode"].data) for name in fonts}
        contents = page["/Contents"]
        data = contents.data if hasattr(contents, "data") else b"\n".join(part.get_object().data for part in contents)
        current: dict[int, str] = {}
        line = ""
        for match in _TEXT_OPS.finditer(data):
            if match.group(1):
                current = maps.get(match.group(1).decode(), {})
            elif match.group(2) is not None or match.group(3) is not None:
                runs = _HEX.findall(match.group(2)) if match.group(2) is not None else [match.group(3)]
                for run in runs:
                    line += "".join(current.get(int(run[i : i + 4], 16), "") for i in range(0, len(run), 4))
            else:
                lines.append(line)
                line = ""
        lines.append(line)
    return unicodedata.normalize("NFC", "\n".join(line for line in lines if line.strip()))


def flat(text: str) -> str:
    """Lines joined with single spaces: phrases wrapped over two lines still match."""
    return re.sub(r"\s+", " ", text)


def notice(flow: DossierFlow, number: str) -> DossierDocument:
    return DossierDocument.objects.get(dossier__code=flow.code, kind=DossierDocument.Kind.NOTICE, form_number=number)


def notice_text(flow: DossierFlow, number: str) -> str:
    document = notice(flow, number)
    pdf = file_read(document.file)
    assert pdf.startswith(b"%PDF-")
    return flat(pdf_text(pdf))


# --- reaching each form through the services ------------------------------------------------------

SUPPLEMENT_NOTE = "Bản sao hộ chiếu còn hiệu lực\nGiấy chứng nhận sức khỏe do cơ sở y tế cấp trong 12 tháng"
REFUSAL_NOTE = "Thủ tục này thuộc thẩm quyền của phường nơi người lao động làm việc."
EXTENSION_NOTE = "Cần xác minh thông tin với cơ quan quản lý xuất nhập cảnh."
STOP_NOTE = "Người nộp đề nghị dừng để bổ sung hợp đồng lao động mới."


def reach(flow: DossierFlow, number: str) -> None:
    """Drive the flow's dossier to the action that issues form `number` (06 is only rendered)."""
    if number == "03":
        flow.act(flow.receiver, "refuse", when=at(hours=1), note=REFUSAL_NOTE)
        return
    if number in ("06", "07"):
        flow.run_to_resolved()
        if number == "07":
            flow.act(flow.receiver, "return_result", when=at(days=4, hours=1))
        return
    flow.act(flow.receiver, "receive", when=at(hours=0.25))
    if number == "02":
        flow.act(flow.receiver, "request_supplement", when=at(hours=1), note=SUPPLEMENT_NOTE)
    elif number == "04":
        flow.act(flow.receiver, "assign", when=at(hours=1))
        flow.act(flow.leader, "extend", when=at(days=2), note=EXTENSION_NOTE)
    elif number == "05":
        flow.act(flow.receiver, "stop", when=at(hours=2), note=STOP_NOTE)


COMMON_WORDS = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH",
    "SỞ NỘI VỤ THÀNH PHỐ HỒ CHÍ MINH",
    "Thành phố Hồ Chí Minh, ngày",
    "Cấp giấy phép lao động cho người lao động nước ngoài",
    "Nguyễn Văn An",
]


@pytest.mark.parametrize("number", ["01", "02", "03", "04", "05", "07"])
def test_each_issuing_action_attaches_its_form_as_a_valid_pdf(dossier_flow, number):
    reach(dossier_flow, number)
    document = notice(dossier_flow, number)
    assert document.name == forms.document_title(number)
    assert document.file.content_type == "application/pdf" and document.file.owner is None
    assert document.file.name == f"Mau-{number}-{dossier_flow.code}.pdf"
    text = notice_text(dossier_flow, number)
    assert dossier_flow.code in text
    assert f"Mẫu số {number} — {forms.document_title(number)}" in text
    for words in COMMON_WORDS:
        assert words in text, words
    assert forms.tracking_url(dossier_flow.code) in text


def test_receipt_form_01_gives_received_and_due_times_in_vietnam_time(dossier_flow):
    dossier = dossier_flow.act(dossier_flow.receiver, "receive", when=at(hours=0.25))
    document = notice(dossier_flow, "01")
    assert document.uploaded_by == dossier_flow.receiver
    text = notice_text(dossier_flow, "01")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text
    assert "Thời điểm tiếp nhận hồ sơ: 07/09/2026 09:15" in text
    # 5 working days from Monday 7/9/2026 (2/9 holiday is past): Monday 14/9 at 17:00.
    assert format_vn(dossier.due_at) == "14/09/2026 17:00"
    assert "Hẹn trả kết quả: 14/09/2026 17:00" in text
    assert "Thành phố Hồ Chí Minh, ngày 07 tháng 9 năm 2026" in text
    assert "Tờ khai đề nghị cấp giấy phép" in text
    assert "Căn cước công dân (lấy từ Cơ sở dữ liệu quốc gia về dân cư)" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "Lê Thị Thu" in text


def test_form_02_lists_what_to_add(dossier_flow):
    reach(dossier_flow, "02")
    text = notice_text(dossier_flow, "02")
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    for line in SUPPLEMENT_NOTE.splitlines():
        assert line in text


def test_form_03_gives_the_reasons_for_refusal(dossier_flow):
    reach(dossier_flow, "03")
    text = notice_text(dossier_flow, "03")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert REFUSAL_NOTE in text


def test_form_04_keeps_old_and_new_appointment(dossier_flow):
    reach(dossier_flow, "04")
    change = DueDateChange.objects.get(dossier__code=dossier_flow.code, reason=DueDateChange.Reason.EXTENSION)
    text = notice_text(dossier_flow, "04")
    assert "VĂN BẢN XIN LỖI" in text and "xin lỗi" in text
    assert EXTENSION_NOTE in text
    assert format_vn(change.previous_due_at) in text and format_vn(change.new_due_at) in text
    assert text.index(format_vn(change.previous_due_at)) < text.rindex(format_vn(change.new_due_at))
    assert "Võ Minh Đức" in text


def test_form_05_gives_the_reasons_for_stopping(dossier_flow):
    reach(dossier_flow, "05")
    text = notice_text(dossier_flow, "05")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert STOP_NOTE in text


def test_form_06_has_one_row_per_hand_over_with_on_time_in_words(dossier_flow):
    reach(dossier_flow, "06")
    pdf = forms.render_form_pdf(dossier_flow.dossier, "06")
    assert pdf.startswith(b"%PDF-")
    text = flat(pdf_text(pdf))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Phiếu kiểm soát quá trình giải quyết hồ sơ" in text
    assert dossier_flow.code in text
    for step in ("Thẩm định hồ sơ", "Dự thảo kết quả, trình ký", "Lãnh đạo phê duyệt, ký kết quả"):
        assert step in text
    assert "Phạm Quốc Việt" in text and "Võ Minh Đức" in text
    # Step 1 (16 working hours from Monday 10:00) ended on Thursday: late; the others on time.
    assert "Quá hạn" in text and "Đúng hạn" in text
    assert "Đánh giá chung: Giải quyết đúng hạn" in text


def test_form_07_is_an_extract_of_the_register(dossier_flow):
    reach(dossier_flow, "07")
    dossier = dossier_flow.dossier
    text = notice_text(dossier_flow, "07")
    assert "TRÍCH SỔ THEO DÕI HỒ SƠ" in text
    # The only dossier its agency received in 2026: row 1 of that year's register.
    assert "Trích dòng số 1 của sổ theo dõi hồ sơ năm 2026" in text
    assert format_vn(dossier.received_at) in text and format_vn(dossier.returned_at) in text
    assert "12 Nguyễn Huệ" in text


def test_the_leaders_approval_attaches_the_result_signed_in_the_leaders_name(dossier_flow):
    from motcua.signing.services import verify_pdf

    dossier = dossier_flow.run_to_resolved()
    result = DossierDocument.objects.get(dossier=dossier, kind=DossierDocument.Kind.RESULT)
    approve = dossier.events.get(action="approve")
    # The log says who signed what: the approval event names the signed document by its SHA-256.
    assert approve.actor == dossier_flow.leader
    assert approve.data["signed_documents"] == [{"name": result.name, "sha256": result.file.sha256}]
    assert "signed_documents" not in dossier.events.get(action="resolve").data
    assert result.name == "Kết quả: Giấy phép lao động" and result.signed
    pdf = file_read(result.file)
    assert pdf.startswith(b"%PDF-")
    verdict = verify_pdf(pdf)
    assert verdict.valid and not verdict.altered
    assert verdict.dossier_code == dossier.code
    assert verdict.agency_code == dossier.current_agency.code
    text = flat(pdf_text(pdf))
    assert "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
    assert "Giấy phép lao động" in text and dossier.code in text and "Nguyễn Văn An" in text
    assert verdict.signer_name == dossier_flow.leader.full_name
    # Decided when the leader signed it (approval), not when it was handed over (resolve).
    assert f"Ngày quyết định {format_vn(approve.at)}" in text


def test_qr_code_points_to_the_public_verification_page_of_the_dossier(dossier_flow):
    dossier_flow.act(dossier_flow.receiver, "receive", when=at(hours=0.25))
    html = forms.render_form_html(dossier_flow.dossier, "01")
    url = f"https://dichvucong.example.vn/xac-thuc-van-ban/?ma={dossier_flow.code}"
    assert forms.verification_url(dossier_flow.code) == url
    match = re.search(r'<img class="qr" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert match, "the QR code is an inline PNG"
    image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
    assert image.format == "PNG" and image.width == image.height >= 100
    # No QR decoder is installed: the encoding is deterministic, so check the encoder was given this URL.
    assert forms.qr_data_uri(url) == f"data:image/png;base64,{match.group(1)}"
    assert forms.qr_data_uri(forms.tracking_url(dossier_flow.code)) != f"data:image/png;base64,{match.group(1)}"
    # The footer still gives the tracking address, for people who type it.
    assert forms.tracking_url(dossier_flow.code) in html
    # Nothing to fetch from the network.
    assert not re.search(r'(?:src|href)="(?!data:)', html)


def test_the_result_document_qr_leads_to_verification_too(dossier_flow):
    dossier = dossier_flow.run_to_resolved()
    html = forms.render_to_string("dossiers/forms/result.html", forms.result_context(dossier))
    assert forms.qr_data_uri(forms.verification_url(dossier.code)) in html


def test_reasons_are_escaped_not_markup(dossier_flow):
    html = forms.render_form_html(dossier_flow.dossier, "03", note='<img src="http://evil.example/x">')
    assert "<img src=&quot;" not in html and "&lt;img src=" in html


def test_unknown_form_number_is_refused(dossier_flow):
    with pytest.raises(forms.UnknownForm):
        forms.render_form_pdf(dossier_flow.dossier, "08")


def test_date_line_follows_the_administrative_style():
    from motcua.core.timeutil import VN_TZ

    assert forms.date_line(at().replace(month=1, day=5)) == "ngày 05 tháng 01 năm 2026"
    assert forms.date_line(at()) == "ngày 07 tháng 9 năm 2026"
    assert forms.date_line(at().replace(month=12, day=31, hour=23, tzinfo=VN_TZ)) == "ngày 31 tháng 12 năm 2026"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")
def test_forms_01_and_06_render_to_png_for_people_to_look_at(dossier_flow):
    """Kept in test-artifacts/ for a human check of diacritics and layout."""
    reach(dossier_flow, "06")
    ARTIFACTS.mkdir(exist_ok=True)
    for number, pdf in (
        ("01", file_read(notice(dossier_flow, "01").file)),
        ("06", forms.render_form_pdf(dossier_flow.dossier, "06")),
    ):
        for old in ARTIFACTS.glob(f"form_{number}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-", str(ARTIFACTS / f"form_{number}")], input=pdf, check=True)
        pages = sorted(ARTIFACTS.glob(f"form_{number}-*.png"))
        assert pages and all(page.stat().st_size > 10_000 for page in pages)


def test_resolve_stores_the_control_sheet_06_signed_with_every_hand_over(dossier_flow):
    from motcua.signing.services import verify_pdf

    dossier = dossier_flow.run_to_resolved()
    document = notice(dossier_flow, "06")
    assert document.name == forms.FORM_TITLES["06"] and document.signed
    assert document.file.name == f"Mau-06-{dossier.code}.pdf"
    pdf = file_read(document.file)
    verdict = verify_pdf(pdf)
    assert verdict.valid and not verdict.altered and verdict.dossier_code == dossier.code
    text = flat(pdf_text(pdf))
    assert f"Mẫu số 06 — {forms.FORM_TITLES['06']}" in text
    # Every step of the process is on the stored sheet, the late first step marked as such.
    for name, _role, _hours in FLOW_STEPS:
        assert name in text, name
