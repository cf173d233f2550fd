"""The installable app over HTTP: manifest, icons, service worker, offline page."""

import json

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db


def test_manifest_is_served_with_its_content_type_and_its_icons_exist(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content)
    assert data["name"] == "MotCua – Dịch vụ công" and data["short_name"] == "MotCua"
    assert data["lang"] == "vi" and data["display"] == "standalone" and data["start_url"].startswith("/")
    assert data["theme_color"] == "#a4161a"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        if icon["type"] == "image/png":
            width, height = (int(n) for n in icon["sizes"].split("x"))
            assert Image.open(path).size == (width, height)


def test_service_worker_is_served_at_the_root_with_its_scope_header(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "motcua-static-" in body and '"/ngoai-tuyen/"' in body and "/static/motcua/site.css" in body


def test_offline_page_and_base_template_links(client):
    html = client.get("/ngoai-tuyen/").content.decode()
    assert "Không có kết nối mạng" in html
    home = client.get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in home
    assert 'data-sw="/sw.js"' in home and 'name="theme-color"' in home
