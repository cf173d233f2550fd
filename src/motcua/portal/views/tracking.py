"""Public dossier tracking pages: look a dossier up by its code, see where it is (no login).

Only what the public tracking API shows: plain status words (official name in small type),
what has happened, what happens next, who holds it (the agency, never an officer), by
when, and whether it is on time — in words and an icon, not colour alone. The applicant's
name is masked; nothing personal appears.
"""

import time
from datetime import datetime

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.core.codes import DOSSIER_CODE
from motcua.core.errors import NotFound
from motcua.core.text import mask_name
from motcua.core.timeutil import format_vn, to_vn
from motcua.dossiers.lifecycle import Clock, Status, status_name, status_plain_name
from motcua.dossiers.models import Dossier, DossierEvent, DueDateChange
from motcua.dossiers.selectors import dossier_public_by_code

CODE_EXAMPLE = "000.00.31.H29-260907-0001"
MAX_CODE_LENGTH = 60
# Lookups per client address and minute; a person never needs more. The API has its own limit
# (motcua.api.ratelimit); interfaces do not import each other, so the page keeps this small one.
PAGE_LIMIT_PER_MINUTE = 60


def _clean_code(raw: str) -> str | None:
    code = "".join(raw.split()).upper()
    if not code or len(code) > MAX_CODE_LENGTH or not DOSSIER_CODE.fullmatch(code):
        return None
    return code


def _rate_limited(request: HttpRequest) -> int | None:
    """Seconds to wait when this client has looked up too many codes this minute, else None."""
    window = int(time.time() // 60)
    key = f"ratelimit:tracking_page:{request.META.get('REMOTE_ADDR', 'unknown')}:{window}"
    cache.add(key, 0, timeout=61)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=61)
        count = 1
    if count > PAGE_LIMIT_PER_MINUTE:
        return 60 - int(time.time()) % 60 or 1
    return None


def _search_page(request: HttpRequest, *, code: str = "", error: str = "", status: int = 200) -> HttpResponse:
    return render(
        request,
        "portal/tracking/search.html",
        {"code": code, "error": error, "example": CODE_EXAMPLE},
        status=status,
    )


def _format_error() -> str:
    return _("Mã hồ sơ chưa đúng dạng. Hãy chép đúng mã trên giấy tiếp nhận, ví dụ %(example)s.") % {
        "example": CODE_EXAMPLE
    }


@require_GET
def tracking_search(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("ma", "")[:200]
    if not raw.strip():
        return _search_page(request)
    code = _clean_code(raw)
    if code is None:
        return _search_page(request, code=raw.strip(), error=_format_error(), status=400)
    return redirect("portal:tracking_detail", code=code)


def _next_step(dossier: Dossier) -> str:
    texts = {
        Status.SUBMITTED: _(
            "Cán bộ bộ phận một cửa kiểm tra hồ sơ. Nếu đủ giấy tờ, hồ sơ được tiếp nhận và bạn nhận giấy hẹn "
            "trả kết quả; nếu còn thiếu, bạn được báo cần nộp thêm gì."
        ),
        Status.RECEIVED: _("Hồ sơ được chuyển đến bộ phận chuyên môn để xem xét, giải quyết."),
        Status.REFUSED: _(
            "Hồ sơ đã kết thúc, không được giải quyết. Lý do ghi trong phiếu từ chối gửi đến bạn; "
            "bạn có thể nộp hồ sơ mới khi đủ điều kiện."
        ),
        Status.PROCESSING: _("Cơ quan đang xem xét, giải quyết. Khi có kết quả, bạn được báo để nhận."),
        Status.SUPPLEMENT_REQUESTED: _(
            "Bạn cần nộp thêm giấy tờ theo phiếu yêu cầu bổ sung (xem trong tài khoản hoặc thư báo). "
            "Thời gian giải quyết tạm dừng cho đến khi bạn nộp."
        ),
        Status.PAYMENT_DUE: _("Bạn cần đóng phí, lệ phí. Sau khi đóng, hồ sơ được giải quyết tiếp."),
        Status.WITHDRAWAL_REQUESTED: _("Cơ quan xem xét yêu cầu rút hồ sơ của bạn và thông báo dừng giải quyết."),
        Status.STOPPED: _("Hồ sơ đã dừng giải quyết. Lý do ghi trong thông báo dừng giải quyết gửi đến bạn."),
        Status.RESOLVED: _(
            "Kết quả đã sẵn sàng. Bạn nhận kết quả theo cách đã chọn: trực tuyến trong tài khoản, tại nơi nộp "
            "hoặc qua bưu chính."
        ),
        Status.RETURNED: _("Hồ sơ đã hoàn tất. Cảm ơn bạn; bạn có thể đánh giá mức độ hài lòng trong tài khoản."),
    }
    return texts[Status(dossier.status)]


def dossier_timing(dossier: Dossier, now: datetime) -> dict[str, str]:
    """Whether the dossier is on time, as words with an icon (never colour alone)."""
    due = format_vn(dossier.due_at) if dossier.due_at else ""
    if dossier.status in (Status.REFUSED, Status.STOPPED):
        return {"kind": "closed", "icon": "■", "text": _("Hồ sơ đã kết thúc.")}
    if dossier.on_time is True:
        return {"kind": "ok", "icon": "✓", "text": _("Đã giải quyết đúng hạn.")}
    if dossier.on_time is False:
        return {"kind": "late", "icon": "⚠", "text": _("Đã giải quyết, nhưng trễ so với ngày hẹn.")}
    if dossier.due_at is None:
        return {"kind": "waiting", "icon": "…", "text": _("Chưa có ngày hẹn: hồ sơ chưa được tiếp nhận.")}
    if dossier.clock == Clock.PAUSED:
        return {
            "kind": "paused",
            "icon": "⏸",
            "text": _("Tạm dừng tính thời gian trong lúc chờ bạn; ngày hẹn sẽ được lùi tương ứng."),
        }
    if now > dossier.due_at:
        return {"kind": "late", "icon": "⚠", "text": _("Đã quá ngày hẹn trả (%(due)s).") % {"due": due}}
    return {"kind": "ok", "icon": "✓", "text": _("Đúng tiến độ: hẹn trả trước %(due)s.") % {"due": due}}


@require_GET
def tracking_detail(request: HttpRequest, code: str) -> HttpResponse:
    retry_after = _rate_limited(request)
    if retry_after is not None:
        response = _search_page(
            request,
            code=code[:MAX_CODE_LENGTH],
            error=_("Bạn tra cứu quá nhiều lần trong một phút. Vui lòng thử lại sau ít phút."),
            status=429,
        )
        response["Retry-After"] = str(retry_after)
        return response
    clean = _clean_code(code)
    if clean is None:
        return _search_page(request, code=code[:MAX_CODE_LENGTH], error=_format_error(), status=404)
    if clean != code:
        return redirect("portal:tracking_detail", code=clean)
    try:
        dossier = dossier_public_by_code(clean)
    except NotFound:
        return _search_page(
            request,
            code=clean,
            error=_(
                "Không tìm thấy hồ sơ có mã %(code)s. Hãy kiểm tra lại mã trên giấy tiếp nhận hoặc thư báo; "
                "hồ sơ vừa nộp có mã ngay sau khi nộp xong."
            )
            % {"code": clean},
            status=404,
        )
    now = timezone.now()
    events = [
        {
            "at": format_vn(event.at),
            "iso": to_vn(event.at).isoformat(),
            "title": event.title,
            "status_plain": status_plain_name(event.to_status),
        }
        for event in DossierEvent.objects.filter(dossier=dossier, public=True)
        .order_by("seq")
        .only("at", "title", "to_status")
    ]
    extension = (
        DueDateChange.objects.filter(dossier=dossier, reason=DueDateChange.Reason.EXTENSION)
        .order_by("at", "id")
        .first()
    )
    return render(
        request,
        "portal/tracking/detail.html",
        {
            "code": dossier.code,
            "procedure_name": dossier.procedure_version.name,
            "procedure_code": dossier.procedure_version.procedure.code,
            "applicant": mask_name(dossier.applicant_name),
            "status": dossier.status,
            "status_plain": status_plain_name(dossier.status),
            "status_official": status_name(dossier.status),
            "agency_name": dossier.current_agency.name,
            "submitted_at": format_vn(dossier.submitted_at),
            "received_at": format_vn(dossier.received_at) if dossier.received_at else "",
            "due_at": format_vn(dossier.due_at) if dossier.due_at else "",
            "due_iso": to_vn(dossier.due_at).isoformat() if dossier.due_at else "",
            "first_due_at": format_vn(extension.previous_due_at) if extension else "",
            "finished": dossier.status in (Status.REFUSED, Status.STOPPED, Status.RETURNED),
            "resolved_at": format_vn(dossier.resolved_at) if dossier.resolved_at else "",
            "next_step": _next_step(dossier),
            "timing": dossier_timing(dossier, now),
            "events": events,
        },
    )
