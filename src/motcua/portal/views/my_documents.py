"""My documents: the applicant's reusable papers (results issued to them and files they kept)."""

import io

from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import DomainError, NotFound
from motcua.dossiers.files import MAX_UPLOAD_BYTES, file_read
from motcua.dossiers.my_documents import (
    my_document_get,
    my_documents_for_user,
    personal_document_add,
    personal_document_delete,
)


def _login_needed(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:accounts:login"))
    if not request.user.is_applicant:
        raise Http404(_("Chỉ người nộp hồ sơ mới có Giấy tờ của tôi."))
    return None


@require_http_methods(["GET", "POST"])
def my_documents(request: HttpRequest) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    errors: dict[str, str] = {}
    title = ""
    if request.method == "POST":
        title = request.POST.get("title", "")[:255]
        upload = request.FILES.get("file")
        try:
            personal_document_add(
                user=request.user,
                title=title,
                stream=upload,
                name=(upload.name or "") if upload else "",
                size=upload.size if upload else None,
            )
        except DomainError as error:
            field = next(iter(error.fields), "file")
            errors["title" if field == "title" else "file"] = error.detail
        else:
            flash.success(request, _("Đã lưu vào Giấy tờ của tôi. Bạn có thể dùng lại khi nộp hồ sơ."))
            return redirect("portal:my_documents")
    items = my_documents_for_user(request.user)
    return render(
        request,
        "portal/my/documents.html",
        {
            "results": [item for item in items if item.kind == "result"],
            "uploads": [item for item in items if item.kind == "upload"],
            "errors": errors,
            "title": title,
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        },
        status=400 if errors else 200,
    )


@require_POST
def my_document_delete(request: HttpRequest, document_id: int) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    try:
        personal_document_delete(user=request.user, document_id=document_id)
    except NotFound as error:
        raise Http404(error.detail) from error
    flash.success(request, _("Đã xoá khỏi Giấy tờ của tôi. Hồ sơ đã nộp bằng giấy tờ này không bị ảnh hưởng."))
    return redirect("portal:my_documents")


@require_GET
def my_document_download(request: HttpRequest, key: str) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    try:
        item = my_document_get(request.user, key)
    except NotFound as error:
        raise Http404(error.detail) from error
    response = FileResponse(
        io.BytesIO(file_read(item.file)), content_type=item.file.content_type, filename=item.file.name
    )
    response["Cache-Control"] = "private, no-store"
    return response
