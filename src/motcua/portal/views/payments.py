"""Paying a fee online: the invoice page with the pay button, and the page the platform returns to."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from motcua.core.errors import DomainError, NotFound
from motcua.payments.models import Invoice, InvoiceState
from motcua.payments.money import format_vnd
from motcua.payments.selectors import invoice_get_for_user
from motcua.payments.services import payment_return, payment_start

# What the payer reads on the result page, in plain words (ux: plain words first).
RESULTS: dict[str, tuple[str, str, str]] = {
    InvoiceState.SUCCESS: (
        "ok",
        "Thanh toán thành công",
        "Bạn đã nộp đủ phí, lệ phí. Hồ sơ được tiếp tục giải quyết; biên lai điện tử đã được lưu trong hồ sơ.",
    ),
    InvoiceState.REFUNDED: ("ok", "Khoản phí đã được hoàn trả", "Số tiền đã nộp được hoàn trả cho bạn."),
    InvoiceState.STARTED: (
        "waiting",
        "Đang chờ xác nhận từ cổng thanh toán",
        "Chúng tôi chưa nhận được kết quả thanh toán. Nếu bạn đã trả tiền, xin đừng thanh toán lại: trang này tự "
        "cập nhật sau ít giây, và kết quả sẽ có trong hồ sơ trong vòng vài phút.",
    ),
    InvoiceState.FAILED: (
        "failed",
        "Thanh toán chưa thành công",
        "Giao dịch không thành công nên bạn chưa bị trừ tiền. Bạn có thể thanh toán lại.",
    ),
    InvoiceState.CANCELLED: (
        "failed",
        "Bạn đã huỷ thanh toán",
        "Giao dịch đã được huỷ, bạn chưa bị trừ tiền. Bạn có thể thanh toán lại khi sẵn sàng.",
    ),
    InvoiceState.EXPIRED: (
        "failed",
        "Giao dịch đã hết hạn",
        "Giao dịch quá thời gian cho phép nên đã bị huỷ, bạn chưa bị trừ tiền. Bạn có thể thanh toán lại.",
    ),
    InvoiceState.CREATED: ("failed", "Chưa thanh toán", "Khoản phí này chưa được thanh toán."),
}


def _invoice(request: HttpRequest, reference: str) -> Invoice:
    try:
        return invoice_get_for_user(request.user, reference)
    except NotFound as error:
        raise Http404(error.detail) from error


def _context(invoice: Invoice) -> dict:
    return {
        "invoice": invoice,
        "dossier": invoice.dossier,
        "amount": format_vnd(invoice.amount_vnd),
        "items": [{**item, "amount": format_vnd(int(item.get("amount_vnd", 0)))} for item in invoice.items],
        "state_name": invoice.get_state_display(),
    }


@require_http_methods(["GET", "POST"])
def payment(request: HttpRequest, reference: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:accounts:login"))
    invoice = _invoice(request, reference)
    is_owner = invoice.dossier.applicant_id == request.user.pk
    error = ""
    if request.method == "POST":
        return_url = request.build_absolute_uri(reverse("portal:payment_result", args=[invoice.reference]))
        try:
            redirect_url = payment_start(invoice=invoice, return_url=return_url, actor=request.user)
        except DomainError as exc:
            error = exc.detail
            invoice = _invoice(request, reference)
        else:
            # The platform's own page: an external address, by design.
            return HttpResponseRedirect(redirect_url)
    context = _context(invoice)
    context.update(
        error=error,
        can_pay=is_owner and invoice.state not in (InvoiceState.SUCCESS, InvoiceState.REFUNDED),
        is_owner=is_owner,
    )
    return render(request, "portal/payments/invoice.html", context, status=409 if error else 200)


@require_http_methods(["GET"])
def payment_result(request: HttpRequest, reference: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:accounts:login"))
    invoice = _invoice(request, reference)
    query = request.GET
    if query or invoice.state == InvoiceState.STARTED:
        try:
            invoice = payment_return(invoice=invoice, query=query)
        except DomainError:
            invoice = _invoice(request, reference)  # the platform is away: show what we know
    if query:
        # Signed parameters are used once; a reload shows the state without them.
        return HttpResponseRedirect(reverse("portal:payment_result", args=[invoice.reference]))
    tone, title, text = RESULTS.get(invoice.state, RESULTS[InvoiceState.CREATED])
    context = _context(invoice)
    context.update(tone=tone, title=title, text=text, waiting=tone == "waiting")
    return render(request, "portal/payments/result.html", context)
