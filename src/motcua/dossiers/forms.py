"""The official forms of Circular 03/2025/TT-VPCP (Appendix I) and the result document, as PDF.

Forms 01–07 are Django templates under `templates/dossiers/forms/`, rendered to HTML and
then to A4 PDF by WeasyPrint. The wording follows the structure of the official forms in
our own words; the documents are always Vietnamese, whatever the reader's interface
language, because they are administrative papers.

Rendering is local and quick: nothing is fetched (only inline `data:` URLs; the print
stylesheet is read once from this directory), and each thread keeps one font
configuration and one parsed stylesheet. Every form and result carries a QR code pointing to
the public verification page of its dossier (`verification_url`: the documents issued for it,
with their fingerprints, a form to check a copy, and a link on to tracking); the page footer
gives the tracking address for people who type it.

`issue_form` and `issue_result_document` are called by `services.py` inside the action's
transaction, right after the event is appended, so the dossier row already shows the new
status and dates.
"""

import base64
import io
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import qrcode
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from qrcode.constants import ERROR_CORRECT_M

from motcua.accounts.models import User
from motcua.core.timeutil import format_vn, to_vn
from motcua.directory.models import Agency
from motcua.dossiers import files
from motcua.dossiers.lifecycle import Clock, Status, status_name
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierPause,
    DossierStepLog,
    DueDateChange,
)
from motcua.dossiers.register import RegisterPage, register_all_rows, register_number
from motcua.signing.services import document_sign

FORMS_DIR = Path(__file__).resolve().parent / "templates" / "dossiers" / "forms"
PLACE = "Thành phố Hồ Chí Minh"

# Number → title of the seven forms of Appendix I.
FORM_TITLES: dict[str, str] = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    "05": "Thông báo dừng giải quyết hồ sơ",
    "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    "07": "Sổ theo dõi hồ sơ",
}
RESULT_TITLE = "Kết quả giải quyết thủ tục hành chính"
# Form 07 is the agency's register (`register.py`, the back office prints it whole); the
# document issued to a dossier at return is an extract of it: its own row, numbered as in
# the register of its year of receipt.
REGISTER_EXTRACT_TITLE = "Trích sổ theo dõi hồ sơ"
REGISTER_SIGNING_REASON = "Ký số sổ theo dõi hồ sơ"


def document_title(number: str) -> str:
    """The name a form's document carries (form 07 issued for one dossier is an extract)."""
    return REGISTER_EXTRACT_TITLE if number == "07" else FORM_TITLES[number]


# The lifecycle action whose event a form records: its time is the form's date, its actor
# signs, its note is the reasons when the caller gives none.
_FORM_ACTIONS: dict[str, str] = {
    "01": "receive",
    "02": "request_supplement",
    "03": "refuse",
    "04": "extend",
    "05": "stop",
    "07": "return_result",
}
_LANDSCAPE = {"07"}

_APPLICANT_KIND = {1: "Cá nhân", 2: "Doanh nghiệp, tổ chức"}
_REUSED_FROM = {
    "population_db": "lấy từ Cơ sở dữ liệu quốc gia về dân cư",
    "civil_status_db": "lấy từ Cơ sở dữ liệu hộ tịch điện tử",
    "business_registry": "lấy từ Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp",
    "land_db": "lấy từ Cơ sở dữ liệu đất đai",
    "health_db": "lấy từ Hệ thống dữ liệu y tế",
    "insurance_db": "lấy từ Cơ sở dữ liệu bảo hiểm",
    "vehicle_db": "lấy từ Cơ sở dữ liệu đăng ký xe, giấy phép lái xe",
    "data_store": "lấy từ kho dữ liệu điện tử của người nộp",
    "my_documents": "lấy từ mục Giấy tờ của tôi",
}


class UnknownForm(ValueError):
    """A form number outside 01–07."""


# --- rendering --------------------------------------------------------------------------------


_local = threading.local()


@dataclass
class _Renderer:
    font_config: Any
    stylesheet: Any
    fetcher: Any


def _renderer() -> _Renderer:
    """One font configuration, stylesheet and fetcher per thread (WeasyPrint objects are not shared)."""
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        font_config = FontConfiguration()
        # Only inline data: the forms embed their QR code; nothing is fetched, not even local files.
        fetcher = URLFetcher(allowed_protocols={"data"}, timeout=2)
        stylesheet = CSS(filename=str(FORMS_DIR / "print.css"), font_config=font_config, url_fetcher=fetcher)
        renderer = _local.renderer = _Renderer(font_config=font_config, stylesheet=stylesheet, fetcher=fetcher)
    return renderer


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    renderer = _renderer()
    document = HTML(string=html, base_url=str(FORMS_DIR) + "/", url_fetcher=renderer.fetcher)
    return document.write_pdf(stylesheets=[renderer.stylesheet], font_config=renderer.font_config)


def tracking_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/tra-cuu/{code}/"


def verification_url(code: str) -> str:
    """Where the QR code of every issued document leads: the verification page for its dossier."""
    return f"{settings.SITE_URL.rstrip('/')}/xac-thuc-van-ban/?{urlencode({'ma': code})}"


def qr_data_uri(text: str) -> str:
    """A QR code of `text` as a PNG data: URI (error correction M survives a creased paper)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=2)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --- text helpers -----------------------------------------------------------------------------


def _css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string in a <style> element."""
    return "".join(ch if ch.isalnum() or ch in ":/.-_~?=%+" else f"\\{ord(ch):x} " for ch in text)


def _when(moment: datetime | None) -> str:
    return format_vn(moment) if moment else ""


def date_line(moment: datetime) -> str:
    """'ngày 05 tháng 01 năm 2026': a zero before days under 10 and months 1 and 2 (Decree 30/2020)."""
    local = to_vn(moment)
    month = f"{local.month:02d}" if local.month <= 2 else str(local.month)
    return f"ngày {local.day:02d} tháng {month} năm {local.year}"


def _time_limit(dossier: Dossier) -> str:
    version = dossier.procedure_version
    if version.processing_hours:
        return f"{version.processing_hours} giờ làm việc"
    if version.processing_days:
        return f"{version.processing_days} ngày làm việc"
    return ""


def _note_lines(note: str) -> list[str]:
    return [line.strip() for line in (note or "").splitlines() if line.strip()]


def _agency_lines(agency: Agency) -> tuple[str, str]:
    """(parent, agency) for the top-left heading; the parent is empty for a top-level agency."""
    parent = agency.parent.name if agency.parent_id and agency.parent else ""
    return parent, agency.name


def _on_time_text(on_time: bool | None, *, ended: bool, due: datetime | None, now: datetime) -> str:
    if ended:
        return "Đúng hạn" if on_time or on_time is None else "Quá hạn"
    if due is not None and now > due:
        return "Đang xử lý, đã quá hạn"
    return "Đang xử lý"


# --- context ----------------------------------------------------------------------------------


def _form_event(dossier: Dossier, number: str) -> DossierEvent | None:
    """The latest event of the action that issues form `number` (None for 06, which no action issues)."""
    action = _FORM_ACTIONS.get(number)
    if action is None:
        return None
    return DossierEvent.objects.filter(dossier=dossier, action=action).order_by("-seq").first()


def _base_context(dossier: Dossier, *, issued_at: datetime) -> dict[str, Any]:
    agency = Agency.objects.select_related("parent").get(pk=dossier.current_agency_id)
    parent_name, agency_name = _agency_lines(agency)
    version = dossier.procedure_version
    url = tracking_url(dossier.code)
    return {
        "dossier": dossier,
        "code": dossier.code,
        # Joined with "-<wbr>" in narrow table cells, so the code may wrap after its hyphens.
        "code_parts": dossier.code.split("-"),
        "procedure_code": dossier.procedure.code,
        "procedure_name": version.name,
        "result_name": version.result_name,
        "time_limit": _time_limit(dossier),
        "agency_name": agency_name,
        "parent_name": parent_name,
        "agency_address": agency.address,
        "agency_phone": agency.phone,
        "applicant_name": dossier.applicant_name,
        "applicant_kind": _APPLICANT_KIND.get(dossier.applicant_kind, ""),
        "applicant_address": dossier.applicant_address,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "channel": Channel(dossier.channel).label if dossier.channel in Channel.values else "",
        "submitted_at": _when(dossier.submitted_at),
        "received_at": _when(dossier.received_at),
        "due_at": _when(dossier.due_at),
        "original_due_at": _when(dossier.original_due_at),
        "resolved_at": _when(dossier.resolved_at),
        "returned_at": _when(dossier.returned_at),
        "issued_at": _when(issued_at),
        "place_date": f"{PLACE}, {date_line(issued_at)}",
        "tracking_url": url,
        "tracking_url_css": _css_string(url),
        "verification_url": verification_url(dossier.code),
        "qr": qr_data_uri(verification_url(dossier.code)),
        "status_name": status_name(dossier.status),
    }


def _input_documents(dossier: Dossier) -> list[dict[str, str]]:
    return [
        {"name": doc.name, "source": _REUSED_FROM.get(doc.reused_from, "") if doc.reused_from else ""}
        for doc in dossier.documents.filter(kind=DossierDocument.Kind.INPUT).order_by("id")
    ]


def _extension(dossier: Dossier) -> tuple[datetime | None, datetime | None]:
    change = (
        DueDateChange.objects.filter(dossier=dossier, reason=DueDateChange.Reason.EXTENSION).order_by("at", "id").last()
    )
    if change is not None:
        return change.previous_due_at, change.new_due_at
    return dossier.original_due_at, dossier.due_at


def _step_rows(dossier: Dossier, now: datetime) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    if dossier.received_at:
        receipt = DossierEvent.objects.filter(dossier=dossier, action="receive").order_by("seq").first()
        rows.append(
            {
                "step": "Tiếp nhận hồ sơ (bộ phận một cửa)",
                "agency": dossier.receiving_agency.name,
                "handler": receipt.actor_name if receipt else "",
                "started_at": _when(dossier.submitted_at),
                "due_at": "",
                "ended_at": _when(dossier.received_at),
                "result": "Đã tiếp nhận",
            }
        )
    logs = DossierStepLog.objects.filter(dossier=dossier).select_related("agency", "handler").order_by("started_at")
    for log in logs:
        rows.append(
            {
                "step": log.step_name,
                "agency": log.agency.name,
                "handler": (log.handler.full_name or log.handler.username) if log.handler else "",
                "started_at": _when(log.started_at),
                "due_at": _when(log.due_at),
                "ended_at": _when(log.ended_at),
                "result": _on_time_text(log.on_time, ended=log.ended_at is not None, due=log.due_at, now=now),
            }
        )
    if dossier.returned_at:
        returned = DossierEvent.objects.filter(dossier=dossier, action="return_result").order_by("seq").last()
        rows.append(
            {
                "step": "Trả kết quả cho người nộp",
                "agency": dossier.home_agency.name,
                "handler": returned.actor_name if returned else "",
                "started_at": _when(dossier.resolved_at),
                "due_at": "",
                "ended_at": _when(dossier.returned_at),
                "result": "Đã trả",
            }
        )
    return rows


def _overall(dossier: Dossier, now: datetime) -> str:
    if dossier.status in (Status.REFUSED, Status.STOPPED):
        return "Hồ sơ đã kết thúc, không giải quyết (" + status_name(dossier.status) + ")"
    if dossier.on_time is True:
        return "Giải quyết đúng hạn"
    if dossier.on_time is False:
        return "Giải quyết quá hạn"
    if dossier.due_at is None:
        return "Chưa tiếp nhận, chưa tính thời hạn"
    if dossier.clock == Clock.PAUSED:
        return "Đang tạm dừng tính thời gian (chờ người nộp)"
    return "Đang giải quyết, đã quá hạn" if now > dossier.due_at else "Đang giải quyết, còn trong hạn"


def _pauses(dossier: Dossier) -> list[dict[str, str]]:
    reasons = {"request_supplement": "Chờ bổ sung hồ sơ", "request_payment": "Chờ đóng phí, lệ phí"}
    return [
        {
            "reason": reasons.get(pause.reason, pause.reason),
            "started_at": _when(pause.started_at),
            "ended_at": _when(pause.ended_at) or "chưa kết thúc",
        }
        for pause in DossierPause.objects.filter(dossier=dossier).order_by("started_at")
    ]


def _transfers(dossier: Dossier) -> list[dict[str, str]]:
    names: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    for event in DossierEvent.objects.filter(dossier=dossier, action__in=("transfer", "return_transfer")).order_by(
        "seq"
    ):
        code = event.data.get("to_agency") if event.action == "transfer" else event.data.get("from_agency")
        if code and code not in names:
            agency = Agency.objects.filter(code=code).only("name").first()
            names[code] = agency.name if agency else code
        rows.append(
            {
                "kind": "Chuyển đến" if event.action == "transfer" else "Nhận lại từ",
                "agency": names.get(code, "") if code else "",
                "at": _when(event.at),
            }
        )
    return rows


def form_context(dossier: Dossier, number: str, *, note: str = "") -> dict[str, Any]:
    """Everything the template of form `number` shows (public for tests and previews)."""
    if number not in FORM_TITLES:
        raise UnknownForm(f"Không có mẫu số “{number}” (chỉ có 01–07).")
    event = _form_event(dossier, number)
    now = timezone.now()
    context = _base_context(dossier, issued_at=event.at if event is not None else now)
    context.update(
        number=number,
        title=FORM_TITLES[number],
        landscape=number in _LANDSCAPE,
        reasons=_note_lines(note or (event.note if event is not None else "")),
        signer=event.actor_name if event is not None else "",
    )
    if number == "01":
        context["documents"] = _input_documents(dossier)
    if number == "04":
        previous, new = _extension(dossier)
        context.update(previous_due_at=_when(previous), new_due_at=_when(new))
    if number == "05":
        context["withdrawn"] = DossierEvent.objects.filter(dossier=dossier, action="withdraw").exists()
    if number == "06":
        context.update(
            rows=_step_rows(dossier, now),
            overall=_overall(dossier, now),
            pauses=_pauses(dossier),
            transfers=_transfers(dossier),
        )
    if number == "07":
        previous, new = _extension(dossier)
        context.update(
            title=REGISTER_EXTRACT_TITLE,
            register_title=FORM_TITLES["07"],
            register_number=register_number(dossier),
            register_year=to_vn(dossier.received_at).year if dossier.received_at else None,
            register_agency=dossier.receiving_agency.name,
            extended=bool(previous and new and previous != new),
            previous_due_at=_when(previous),
            transfers=_transfers(dossier),
            overall=_overall(dossier, now),
            return_channel=Channel(dossier.return_channel).label if dossier.return_channel else "",
            supplement_requests=dossier.supplement_requests,
        )
    return context


def render_form_html(dossier: Dossier, number: str, *, note: str = "") -> str:
    return render_to_string(f"dossiers/forms/form_{number}.html", form_context(dossier, number, note=note))


def render_form_pdf(dossier: Dossier, number: str, *, note: str = "") -> bytes:
    """Form `number` (01–07) of the dossier as an A4 PDF; `note` holds the reasons where the form has them."""
    return html_to_pdf(render_form_html(dossier, number, note=note))


def result_context(dossier: Dossier) -> dict[str, Any]:
    decided_at = dossier.resolved_at or timezone.now()
    context = _base_context(dossier, issued_at=decided_at)
    context.update(
        title=RESULT_TITLE,
        number="",
        landscape=False,
        decided_at=_when(decided_at),
        applicant_id_number=dossier.applicant_id_number,
        id_label="Mã số thuế" if dossier.applicant_kind == 2 else "Số định danh cá nhân",
    )
    return context


def render_result_pdf(dossier: Dossier) -> bytes:
    return html_to_pdf(render_to_string("dossiers/forms/result.html", result_context(dossier)))


# --- issuing ----------------------------------------------------------------------------------


def issue_form(dossier: Dossier, number: str, *, actor: User | None, note: str = "") -> DossierDocument:
    """Render form `number`, store it, and attach it to the dossier as a notice document."""
    pdf = render_form_pdf(dossier, number, note=note)
    stored = files.file_store_generated(owner=None, name=f"Mau-{number}-{dossier.code}.pdf", content=pdf)
    return DossierDocument.objects.create(
        dossier=dossier,
        kind=DossierDocument.Kind.NOTICE,
        form_number=number,
        name=document_title(number),
        file=stored,
        uploaded_by=actor,
    )


def issue_result_document(dossier: Dossier, *, actor: User | None) -> DossierDocument:
    """Generate the result document (procedure result, applicant, decision date, code, QR) and attach it.

    The PDF is stored unsigned (`signed=False`); the signing service signs it with the
    agency's certificate and marks the document signed.
    """
    pdf = render_result_pdf(dossier)
    stored = files.file_store_generated(owner=None, name=f"Ket-qua-{dossier.code}.pdf", content=pdf)
    version = dossier.procedure_version
    return DossierDocument.objects.create(
        dossier=dossier,
        kind=DossierDocument.Kind.RESULT,
        name=f"Kết quả: {version.result_name or version.name}"[:500],
        file=stored,
        uploaded_by=actor,
    )


# --- the register (form 07, whole) ---------------------------------------------------------


def _period_text(page: RegisterPage) -> str:
    if page.date_from == page.date_to:
        return f"Ngày {page.date_from:%d/%m/%Y}"
    return f"Từ ngày {page.date_from:%d/%m/%Y} đến ngày {page.date_to:%d/%m/%Y}"


def register_context(page: RegisterPage, *, issued_at: datetime) -> dict[str, Any]:
    parent_name, agency_name = _agency_lines(page.agency)
    url = f"{settings.SITE_URL.rstrip('/')}/xac-thuc-van-ban/"
    return {
        "title": FORM_TITLES["07"],
        "number": "07",
        "agency_name": agency_name,
        "parent_name": parent_name,
        "agency_code": page.agency.code,
        "period": _period_text(page),
        "rows": [
            {
                "number": row.number,
                "code_parts": row.code.split("-"),
                "procedure": f"{row.procedure_name} ({row.procedure_code})",
                "applicant": row.applicant_name,
                "received_at": _when(row.received_at),
                "due_at": _when(row.due_at),
                "new_due_at": _when(row.new_due_at),
                "resolved_at": _when(row.resolved_at),
                "returned_at": _when(row.returned_at),
                "timing": row.timing,
                "notes": row.notes,
            }
            for row in page.rows
        ],
        "total": page.total,
        "issued_at": _when(issued_at),
        "place_date": f"{PLACE}, {date_line(issued_at)}",
        "verification_url": url,
        "verification_url_css": _css_string(url),
        "qr": qr_data_uri(url),
    }


def render_register_pdf(page: RegisterPage, *, issued_at: datetime) -> bytes:
    return html_to_pdf(render_to_string("dossiers/forms/register.html", register_context(page, issued_at=issued_at)))


def register_export_pdf(
    *, user: User, agency_code: str, date_from: date | None, date_to: date | None, now: datetime | None = None
) -> tuple[RegisterPage, bytes]:
    """The agency's register for a period as one PDF, signed by the agency (who may read it, may print it)."""
    now = now or timezone.now()
    page = register_all_rows(user=user, agency_code=agency_code, date_from=date_from, date_to=date_to, now=now)
    pdf = render_register_pdf(page, issued_at=now)
    signer = (user.full_name or user.get_username()).strip() or page.agency.name
    signed = document_sign(
        pdf=pdf,
        agency=page.agency,
        dossier_code="",
        signer_name=signer,
        reason=f"{REGISTER_SIGNING_REASON}, {_period_text(page).lower()}",
        now=now,
    )
    return page, signed
