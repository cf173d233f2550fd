"""The electronic receipt (biên lai thu phí, lệ phí điện tử) as an A4 PDF, rendered by WeasyPrint.

The template is `templates/payments/receipt.html`; rendering is local (only `data:` URLs).
Like the official forms, the receipt's QR code leads to the public verification page of the
dossier (`/xac-thuc-van-ban/?ma=<code>`), and the receipt is issued signed by the collecting
agency (`signed_receipt_pdf`), so checking it there says who issued it and that it is
unaltered. Documents are Vietnamese whatever the reader's interface language, because they
are administrative papers.
"""

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string

from motcua.core.timeutil import format_vn, to_vn
from motcua.dossiers.forms import qr_data_uri, tracking_url, verification_url
from motcua.payments.models import Invoice, PaymentChannel
from motcua.payments.money import amount_in_words, format_vnd
from motcua.signing.services import document_sign

RECEIPT_TITLE = "Biên lai thu phí, lệ phí điện tử"


def receipt_name(invoice: Invoice) -> str:
    return f"{RECEIPT_TITLE} {invoice.reference}"


def _date_line(moment: datetime) -> str:
    local = to_vn(moment)
    month = f"{local.month:02d}" if local.month <= 2 else str(local.month)
    return f"Ngày {local.day:02d} tháng {month} năm {local.year}"


def receipt_context(invoice: Invoice) -> dict[str, Any]:
    dossier = invoice.dossier
    agency = dossier.current_agency
    paid_at = invoice.paid_at
    assert paid_at is not None, "a receipt is only issued for a paid invoice"
    verify = verification_url(dossier.code)
    if invoice.channel == PaymentChannel.COUNTER:
        method = f"Nộp tại bộ phận một cửa (biên lai giấy số {invoice.counter_receipt_number})"
    else:
        method = f"Trực tuyến qua Cổng thanh toán (mã giao dịch {invoice.platform_transaction_id})"
    return {
        "title": RECEIPT_TITLE,
        "document_title": receipt_name(invoice),
        "reference": invoice.reference,
        "parent_name": agency.parent.name if agency.parent_id and agency.parent else "",
        "agency_name": agency.name,
        "agency_address": agency.address,
        "payer_name": dossier.applicant_name,
        "payer_address": dossier.applicant_address,
        "dossier_code": dossier.code,
        "procedure_code": dossier.procedure.code,
        "procedure_name": dossier.procedure_version.name,
        "items": [
            {"name": item.get("name", ""), "case": item.get("case", ""), "amount": format_vnd(int(item["amount_vnd"]))}
            for item in invoice.items
        ],
        "total": format_vnd(invoice.amount_vnd),
        "total_words": amount_in_words(invoice.amount_vnd),
        "method": method,
        "paid_at": format_vn(paid_at),
        "date_line": _date_line(paid_at),
        "tracking_url": tracking_url(dossier.code),
        "verification_url": verify,
        "qr": qr_data_uri(verify),
    }


def render_receipt_html(invoice: Invoice) -> str:
    return render_to_string("payments/receipt.html", receipt_context(invoice))


def render_receipt_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=2)
    return HTML(string=render_receipt_html(invoice), url_fetcher=fetcher).write_pdf()


RECEIPT_SIGNING_REASON = "Ký số biên lai thu phí, lệ phí điện tử"


def signed_receipt_pdf(invoice: Invoice) -> bytes:
    """The receipt signed by the collecting agency (the dossier's current agency), as the forms are."""
    dossier = invoice.dossier
    agency = dossier.current_agency
    return document_sign(
        pdf=render_receipt_pdf(invoice),
        agency=agency,
        dossier_code=dossier.code,
        signer_name=agency.name,
        reason=RECEIPT_SIGNING_REASON,
    )
