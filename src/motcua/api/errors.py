"""The JSON error format of contract.md for every error under /api/v1."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from motcua.core.errors import DomainError, RateLimited, error_body


def _describe_validation(errors: list[dict]) -> tuple[str, dict[str, str]]:
    fields: dict[str, str] = {}
    for error in errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload", "form")
        ]
        fields[".".join(location) or "request"] = str(error.get("msg", "invalid"))
    names = ", ".join(fields) or "yêu cầu"
    return f"Dữ liệu không hợp lệ ở: {names}.", fields


_ERROR_DESCRIPTIONS = {
    400: "Dữ liệu gửi lên không hợp lệ (bad input)",
    405: "Phương thức không được hỗ trợ (method not allowed)",
    401: "Chưa đăng nhập (not logged in)",
    403: "Không có quyền (not allowed)",
    404: "Không tìm thấy, hoặc không được xem (unknown)",
    409: "Xung đột trạng thái hoặc phiên bản (conflict)",
    413: "Tệp quá lớn (too large)",
    415: "Loại tệp không được chấp nhận (bad file type)",
    422: "Dữ liệu tờ khai không hợp lệ (invalid form data)",
    429: "Quá nhiều yêu cầu (rate limited)",
}


def _statuses_for(operation: dict) -> list[int]:
    statuses = [400, 404, 405, 429]
    if operation.get("security") or operation.get("requestBody"):
        statuses += [401, 403]
    if operation.get("requestBody"):
        statuses += [409, 413, 415, 422]
    return sorted(statuses)


ERROR_RESPONSES = {
    "schema": {
        "type": "object",
        "title": "Error",
        "required": ["error", "detail"],
        "properties": {
            "error": {"type": "string", "description": "mã lỗi máy đọc được"},
            "detail": {"type": "string", "description": "mô tả lỗi cho người đọc"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "statuses": _statuses_for,
    "response": lambda status: {
        "description": _ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        response = api.create_response(request, exc.as_json(), status=exc.status)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        detail, fields = _describe_validation(exc.errors)
        return api.create_response(request, {**error_body(400, detail), "fields": fields}, status=400)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, error_body(401, "Vui lòng đăng nhập hoặc gửi mã truy cập hợp lệ."), status=401
        )

    @api.exception_handler(AuthorizationError)
    def authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return api.create_response(request, error_body(403, "Bạn không có quyền thực hiện thao tác này."), status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body(404, "Không tìm thấy nội dung yêu cầu."), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, error_body(exc.status_code, str(exc)), status=exc.status_code)
