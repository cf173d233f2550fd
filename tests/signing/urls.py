"""The project's URLs, plus the signing router under /api/v1/signing if main.py does not mount it yet."""

from django.urls import Resolver404, path, resolve

from motcua.urls import urlpatterns as project_urlpatterns

try:
    resolve("/api/v1/signing/verify", urlconf="motcua.urls")
    urlpatterns = list(project_urlpatterns)
except Resolver404:
    from motcua.api.errors import install_error_handlers
    from motcua.api.main import MotCuaAPI
    from motcua.api.routers.signing import router

    test_api = MotCuaAPI(title="MotCua API (signing tests)", version="1-signing-test", urls_namespace="signing_test")
    install_error_handlers(test_api)
    test_api.add_router("/signing", router, tags=["signing"])
    urlpatterns = [path("api/v1/", test_api.urls), *project_urlpatterns]
