"""The REST API at /api/v1: one NinjaAPI, one router per domain, one error format."""

from ninja import NinjaAPI

from motcua.api.errors import install_error_handlers
from motcua.api.routers import agencies, auth, calendar, procedures

api = NinjaAPI(
    title="MotCua API",
    version="1",
    description=(
        "API của hệ thống thông tin giải quyết thủ tục hành chính MotCua (Cổng dịch vụ công và Một cửa điện tử)."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)

api.add_router("/auth", auth.router, tags=["auth"])
api.add_router("/agencies", agencies.router, tags=["agencies"])
api.add_router("/calendar", calendar.router, tags=["calendar"])
api.add_router("/procedures", procedures.router, tags=["procedures"])
