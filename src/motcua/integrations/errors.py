"""Errors of the national systems' clients, with Vietnamese details safe to show a user.

`IntegrationUnavailable` means "try again later": the remote is down, too slow, or answered
something that is not its protocol. The outbox retries it; a page shows its `detail`.
"""

from motcua.core.errors import DomainError


class IntegrationError(DomainError):
    code, status, default_detail = ("integration_error", 502, "Không kết nối được với hệ thống bên ngoài.")


class IntegrationUnavailable(IntegrationError):
    """Down, timed out, or an answer that is not the protocol: retry later."""

    code, status, default_detail = (
        "integration_unavailable",
        503,
        "Hệ thống dữ liệu quốc gia tạm thời không phản hồi. Vui lòng thử lại sau ít phút.",
    )


class IntegrationRefused(IntegrationError):
    """The remote understood the request and refused it (4xx): retrying the same will not help."""

    code, status, default_detail = ("integration_refused", 502, "Hệ thống dữ liệu quốc gia từ chối yêu cầu.")
