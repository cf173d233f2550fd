"""Friendly error pages; API paths get the JSON error format instead."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from motcua.core.errors import error_body


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(404, "Không tìm thấy nội dung yêu cầu."), status=404)
    return render(request, "errors/404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(403, "Bạn không có quyền thực hiện thao tác này."), status=403)
    return render(request, "errors/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(500, "Hệ thống đang gặp sự cố. Vui lòng thử lại sau."), status=500)
    return render(request, "errors/500.html", status=500)
