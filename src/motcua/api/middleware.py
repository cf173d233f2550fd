"""Give every error under /api/ the contract's JSON shape, even those Django or Ninja make
themselves (405 from routing, 404 for unknown paths, 413 from the upload limit)."""

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from motcua.core.errors import error_body

_DETAILS = {
    404: "Không tìm thấy nội dung yêu cầu.",
    405: "Phương thức HTTP này không được hỗ trợ ở địa chỉ này.",
    413: "Dữ liệu gửi lên quá lớn.",
}


_NUL_DETAIL = "Dữ liệu gửi lên chứa ký tự NUL (\\u0000), không phải văn bản hợp lệ. Vui lòng bỏ ký tự đó."


def _has_nul(request: HttpRequest) -> bool:
    """NUL is never valid text, and PostgreSQL refuses it in text columns: reject it at the door.

    Only the path, the query and JSON bodies are text; uploaded files may hold any byte.
    """
    if "\x00" in request.path or any("\x00" in value for values in request.GET.lists() for value in values[1]):
        return True
    if request.content_type == "application/json":
        body = request.body
        return b"\x00" in body or b"\\u0000" in body.lower()
    return False


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and _has_nul(request):
            return HttpResponse(
                json.dumps(error_body(400, _NUL_DETAIL), ensure_ascii=False),
                status=400,
                content_type="application/json; charset=utf-8",
            )
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = _DETAILS.get(response.status_code, "Yêu cầu không thực hiện được.")
            response.content = json.dumps(error_body(response.status_code, detail), ensure_ascii=False).encode()
            response["Content-Type"] = "application/json; charset=utf-8"
            response["Content-Length"] = str(len(response.content))
        return response
