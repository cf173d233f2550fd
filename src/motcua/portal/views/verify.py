"""The public page that verifies a signed PDF: upload it, read the answer in plain Vietnamese."""

import time
from urllib.parse import quote

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.core.codes import DOSSIER_CODE
from motcua.core.errors import DomainError
from motcua.core.timeutil import format_vn
from motcua.signing import selectors, services

# Checks per client address and minute, as the API's (motcua.api.ratelimit, scope "verify");
# interfaces do not import each other, so the page keeps this small one.
PAGE_LIMIT_PER_MINUTE = 60


def _rate_limited(request: HttpRequest) -> int | None:
    """Seconds to wait when this client has checked too many files this minute, else None."""
    window = int(time.time() // 60)
    key = f"ratelimit:verify_page:{request.META.get('REMOTE_ADDR', 'unknown')}:{window}"
    cache.add(key, 0, timeout=61)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=61)
        count = 1
    if count > PAGE_LIMIT_PER_MINUTE:
        return 60 - int(time.time()) % 60 or 1
    return None


def _clean_code(raw: str) -> str | None:
    code = "".join(raw.split()).upper()[:60]
    return code if code and DOSSIER_CODE.fullmatch(code) else None


def _tracking_url(code: str) -> str:
    try:
        return reverse("portal:tracking_detail", args=[code])
    except NoReverseMatch:
        return f"/tra-cuu/{quote(code, safe='')}/"


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    context: dict = {"result": None, "error": "", "max_mb": services.MAX_UPLOAD_BYTES // (1024 * 1024)}
    status = 200
    raw_code = request.GET.get("ma", "")[:200].strip()
    if raw_code:
        # The QR code's dossier: list what the system signed for it, to compare fingerprints.
        code = _clean_code(raw_code)
        if code is None:
            context["error"] = _("Mã hồ sơ chưa đúng dạng. Hãy chép đúng mã in trên văn bản hoặc giấy tiếp nhận.")
            status = 400
        else:
            context.update(
                dossier_code=code,
                documents=selectors.signed_documents_public(dossier_code=code),
                tracking_url=_tracking_url(code),
            )
    if request.method == "POST":
        retry_after = _rate_limited(request)
        upload = request.FILES.get("file")
        if retry_after is not None:
            context["error"] = _("Bạn kiểm tra quá nhiều tệp trong một phút. Vui lòng thử lại sau %(s)s giây.") % {
                "s": retry_after
            }
            response = render(request, "portal/verify/verify.html", context, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        if upload is None:
            context["error"] = _("Vui lòng chọn tệp PDF cần kiểm tra.")
            status = 400
        else:
            try:
                result = services.verify_upload(stream=upload.file, size=upload.size)
            except DomainError as exc:
                context["error"] = exc.detail
                status = exc.status
            else:
                context.update(
                    result=result,
                    file_name=upload.name,
                    signed_at=format_vn(result.signed_at) if result.signed_at else "",
                    tracking_url=_tracking_url(result.dossier_code) if result.dossier_code else "",
                    issued_copy=bool(
                        result.valid
                        and result.dossier_code
                        and selectors.is_issued_copy(dossier_code=result.dossier_code, sha256=result.sha256)
                    ),
                )
    return render(request, "portal/verify/verify.html", context, status=status)
