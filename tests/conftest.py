"""Shared fixtures: the people every permission test needs, and a real browser."""

import os

import pytest
from django.core.cache import cache

from tests.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, require_chromium, screenshot
from tests.factories import make_agency, make_applicant, make_officer
from tests.integration_fixtures import civil_status_db, dvcqg, lgsp, population_db  # noqa: F401

# Playwright's sync API runs an event loop in the test thread; the test's own ORM calls are
# still synchronous and safe, so let Django allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit windows and cached look-ups must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


# Nothing listens on the discard port: a test that does not start a stand-in itself can never
# reach a developer's running simulators (or a real system) through the default URLs.
_NOWHERE = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _no_stray_remote_calls(settings):
    for name in (
        "PAYMENT_PLATFORM_URL",
        "SMS_GATEWAY_URL",
        "POPULATION_DB_URL",
        "CIVIL_STATUS_DB_URL",
        "SOCIAL_INSURANCE_DB_URL",
        "DVCQG_URL",
        "LGSP_URL",
        "BUSINESS_REGISTRY_URL",
    ):
        setattr(settings, name, f"{_NOWHERE}/{name.lower()}")
    settings.EMAIL_PORT = 9


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    if "real_password_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agency(db):
    return make_agency(code="000.00.31.H29", name="Sở Nội vụ Thành phố Hồ Chí Minh", level="department")


@pytest.fixture
def other_agency(db):
    return make_agency(code="000.00.32.H29", name="Sở Tư pháp Thành phố Hồ Chí Minh", level="department")


@pytest.fixture
def citizen(db):
    return make_applicant(username="citizen", id_number="079090001234", name="Nguyễn Văn An")


@pytest.fixture
def citizen2(db):
    return make_applicant(username="citizen2", id_number="079185005678", name="Trần Thị Bình")


@pytest.fixture
def business(db):
    return make_applicant(username="business", id_number="0312345678", name="Công ty TNHH Ánh Dương", kind="business")


@pytest.fixture
def receiver(agency):
    return make_officer(username="receiver", agency=agency, role="receiver")


@pytest.fixture
def specialist(agency):
    return make_officer(username="specialist", agency=agency, role="specialist")


@pytest.fixture
def leader(agency):
    return make_officer(username="leader", agency=agency, role="leader")


@pytest.fixture
def outsider(other_agency):
    """An officer of another agency: must see nothing of `agency`'s dossiers."""
    return make_officer(username="outsider", agency=other_agency, role="receiver")


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole test session."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(chromium, request):
    """A page on a 360-px-wide phone screen, in Vietnamese; screenshotted when the test ends."""
    context = chromium.new_context(
        viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", device_scale_factor=1
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    try:
        screenshot(page, request.node.name)
    finally:
        context.close()
