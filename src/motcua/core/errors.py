"""Domain errors, mapped in one place to the API's JSON error format and to pages.

Services raise these; interfaces never invent their own status codes. The `detail` is
shown to people, so it is plain Vietnamese saying what is wrong and how to fix it.
"""

from typing import Any


class DomainError(Exception):
    code = "error"
    status = 400
    default_detail = "Yêu cầu không hợp lệ."

    def __init__(self, detail: str | None = None, *, fields: dict[str, str] | None = None, **extra: Any):
        self.detail = detail or self.default_detail
        self.fields = fields or {}
        self.extra = extra
        super().__init__(self.detail)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "detail": self.detail}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body


class BadInput(DomainError):
    code, status, default_detail = "bad_request", 400, "Dữ liệu gửi lên không hợp lệ."


class NotAuthenticated(DomainError):
    code, status, default_detail = "not_authenticated", 401, "Vui lòng đăng nhập để tiếp tục."


class PermissionDenied(DomainError):
    code, status, default_detail = "forbidden", 403, "Bạn không có quyền thực hiện thao tác này."


class NotFound(DomainError):
    # Also raised for what exists but the caller may not see: never confirm existence.
    code, status, default_detail = "not_found", 404, "Không tìm thấy nội dung yêu cầu."


class Conflict(DomainError):
    code, status, default_detail = "conflict", 409, "Thao tác không còn phù hợp với trạng thái hiện tại."


class StaleVersion(Conflict):
    code, default_detail = (
        "stale_version",
        "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang để xem trạng thái mới nhất.",
    )


class PayloadTooLarge(DomainError):
    code, status, default_detail = "too_large", 413, "Tệp quá lớn."


class UnsupportedMediaType(DomainError):
    code, status, default_detail = "unsupported_media_type", 415, "Loại tệp không được chấp nhận."


class InvalidFormData(DomainError):
    code, status, default_detail = (
        "invalid_form",
        422,
        "Thông tin trong tờ khai chưa đúng. Vui lòng kiểm tra các ô được đánh dấu.",
    )


class RateLimited(DomainError):
    code, status, default_detail = "rate_limited", 429, "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút."

    def __init__(self, detail: str | None = None, *, retry_after: int = 60, **extra: Any):
        self.retry_after = retry_after
        super().__init__(detail, **extra)


# Django/HTTP status → error code, for errors raised outside the domain (404 from routing,
# 405, validation by the framework) so every JSON error has the same shape.
STATUS_CODES: dict[int, str] = {
    400: BadInput.code,
    401: NotAuthenticated.code,
    403: PermissionDenied.code,
    404: NotFound.code,
    405: "method_not_allowed",
    409: Conflict.code,
    413: PayloadTooLarge.code,
    415: UnsupportedMediaType.code,
    422: InvalidFormData.code,
    429: RateLimited.code,
    500: "server_error",
}


def error_body(status: int, detail: str) -> dict[str, str]:
    return {"error": STATUS_CODES.get(status, "error"), "detail": detail}
