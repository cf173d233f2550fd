from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from motcua.api.health import healthz, readyz
from motcua.api.main import api

admin.site.site_header = "MotCua – Quản trị hệ thống"
admin.site.site_title = "MotCua"
admin.site.index_title = "Quản trị"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("quan-tri/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("", include("motcua.portal.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "motcua.portal.views.errors.page_not_found"
handler403 = "motcua.portal.views.errors.permission_denied"
handler500 = "motcua.portal.views.errors.server_error"
