"""The REST API at /api/v1: one NinjaAPI, one router per domain, one error format."""

from typing import Any

from ninja import NinjaAPI

from motcua.api.errors import ERROR_RESPONSES, install_error_handlers
from motcua.api.rendering import VietnamTimeRenderer
from motcua.api.routers import agencies, auth, calendar, dossiers, files, payments, procedures, signing, tracking


class MotCuaAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The spec, with the contract's error responses documented on every operation."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_RESPONSES["schema"]
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                for status in ERROR_RESPONSES["statuses"](operation):
                    responses.setdefault(str(status), ERROR_RESPONSES["response"](status))
        return schema


api = MotCuaAPI(
    title="MotCua API",
    version="1",
    description=(
        "API của hệ thống thông tin giải quyết thủ tục hành chính MotCua (Cổng dịch vụ công và Một cửa điện tử)."
    ),
    urls_namespace="api",
    renderer=VietnamTimeRenderer(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)

api.add_router("/auth", auth.router, tags=["auth"])
api.add_router("/agencies", agencies.router, tags=["agencies"])
api.add_router("/calendar", calendar.router, tags=["calendar"])
api.add_router("/procedures", procedures.router, tags=["procedures"])
api.add_router("/files", files.router, tags=["files"])
api.add_router("/dossiers", dossiers.router, tags=["dossiers"])
api.add_router("/payments", payments.router, tags=["payments"])
api.add_router("/signing", signing.router, tags=["signing"])
api.add_router("/tracking", tracking.router, tags=["tracking"])
