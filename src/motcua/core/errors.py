"""Domain errors, mapped in one place to the API's JSON error format and to pages.

Services raise these; interfaces never invent their own status codes. The `detail` is
shown to people, so it is plain Vietnamese saying what is wrong and how to fix it.
"""

from typing import Any

from django.utils.translation import gettext, gettext_noop


class DomainError(Exception):
    code = "error"
    status = 400
    default_detail = gettext_noop("Yêu cầu không hợp lệ.")

    def __init__(self, detail: str | None = None, *, fields: dict[str, str] | None = None, **extra: Any):
        # The text is a msgid of the catalogue (see translated_error_names): shown in the
        # language of the request that raised it; text built at run time stays as it is.
        self.detail = gettext(str(detail or self.default_detail))
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
    code, status, default_detail = "bad_request", 400, gettext_noop("Dữ liệu gửi lên không hợp lệ.")


class NotAuthenticated(DomainError):
    code, status, default_detail = "not_authenticated", 401, gettext_noop("Vui lòng đăng nhập để tiếp tục.")


class PermissionDenied(DomainError):
    code, status, default_detail = "forbidden", 403, gettext_noop("Bạn không có quyền thực hiện thao tác này.")


class NotFound(DomainError):
    # Also raised for what exists but the caller may not see: never confirm existence.
    code, status, default_detail = "not_found", 404, gettext_noop("Không tìm thấy nội dung yêu cầu.")


class Conflict(DomainError):
    code, status, default_detail = "conflict", 409, gettext_noop("Thao tác không còn phù hợp với trạng thái hiện tại.")


class StaleVersion(Conflict):
    code, default_detail = (
        "stale_version",
        gettext_noop("Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang để xem trạng thái mới nhất."),
    )


class PayloadTooLarge(DomainError):
    code, status, default_detail = "too_large", 413, gettext_noop("Tệp quá lớn.")


class UnsupportedMediaType(DomainError):
    code, status, default_detail = "unsupported_media_type", 415, gettext_noop("Loại tệp không được chấp nhận.")


class InvalidFormData(DomainError):
    code, status, default_detail = (
        "invalid_form",
        422,
        gettext_noop("Thông tin trong tờ khai chưa đúng. Vui lòng kiểm tra các ô được đánh dấu."),
    )


class RateLimited(DomainError):
    code, status, default_detail = (
        "rate_limited",
        429,
        gettext_noop("Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút."),
    )

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


def translated_error_names() -> list[str]:
    """The names under which domain errors are raised: their first argument is a message.

    Every subclass in the project counts, wherever it is defined, so a new error class needs no
    change here; the base names are listed too because makemessages runs before apps import.
    """
    names = {"DomainError", "BadInput", "NotAuthenticated", "PermissionDenied", "NotFound", "Conflict"}
    names |= {"StaleVersion", "PayloadTooLarge", "UnsupportedMediaType", "InvalidFormData", "RateLimited"}
    pending = list(DomainError.__subclasses__())
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return sorted(names)
