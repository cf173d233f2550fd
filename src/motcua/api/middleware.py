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


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
