"""The installable app: web manifest, service worker (served at the root scope) and offline page."""

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME_COLOUR = "#a4161a"
BACKGROUND_COLOUR = "#ffffff"
# Shell files precached at install; their content is part of the cache version.
SHELL_STATIC = [
    "motcua/site.css",
    "motcua/pwa/register.js",
    "motcua/pwa/icon.svg",
    "motcua/pwa/icon-192.png",
    "motcua/pwa/icon-512.png",
]


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "id": "/",
        "name": "MotCua – Dịch vụ công",
        "short_name": "MotCua",
        "description": _("Nộp hồ sơ, đóng phí, theo dõi và nhận kết quả thủ tục hành chính trực tuyến."),
        "lang": "vi",
        "dir": "ltr",
        "start_url": "/?nguon=ung-dung",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["government", "utilities"],
        "icons": [
            {"src": static("motcua/pwa/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("motcua/pwa/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("motcua/pwa/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("motcua/pwa/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
    }
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")


@lru_cache(maxsize=1)
def cache_version() -> str:
    """Changes whenever the worker or a shell file changes, so old caches are dropped on activate."""
    digest = hashlib.sha256()
    digest.update(get_template("portal/pwa/sw.js").template.source.encode("utf-8"))  # type: ignore[attr-defined]
    for name in SHELL_STATIC:
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": cache_version() if not settings.DEBUG else _debug_version(),
        "offline_url": reverse("portal:offline"),
        "shell": json.dumps([reverse("portal:offline"), *(static(name) for name in SHELL_STATIC)]),
        "static_prefix": json.dumps(static("")),
    }
    response = HttpResponse(
        render_to_string("portal/pwa/sw.js", context), content_type="application/javascript; charset=utf-8"
    )
    # The file lives at the root, so it may control the whole site.
    response["Service-Worker-Allowed"] = "/"
    return response


def _debug_version() -> str:
    # In development the files change without a restart: recompute on every request.
    cache_version.cache_clear()
    return cache_version()


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/pwa/offline.html")
