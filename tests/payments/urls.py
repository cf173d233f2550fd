"""The site's URLs with the payments router mounted at /api/v1/payments, for these tests.

`motcua.api.main` mounts the router for real; the tests do not depend on it (a router can be
mounted on several ninja APIs), so they run the same before and after.
"""

from django.urls import path
from ninja import NinjaAPI

from motcua import urls as site_urls
from motcua.api.errors import install_error_handlers
from motcua.api.routers import payments

api = NinjaAPI(urls_namespace="payments-test-api", docs_url=None, openapi_url=None)
install_error_handlers(api)
api.add_router("/payments", payments.router)

urlpatterns = [path("api/v1/", api.urls), *site_urls.urlpatterns]
handler404 = site_urls.handler404
handler403 = site_urls.handler403
handler500 = site_urls.handler500
