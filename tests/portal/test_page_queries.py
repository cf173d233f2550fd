# ruff: noqa: F811 (fixtures imported from tests.portal.apply_fixtures are used as arguments)
"""Citizen pages need a few queries, and their number does not grow with what the page lists
(events of a dossier, procedures in the catalogue)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.dossiers import services as dossier_services
from tests.factories import PASSWORD
from tests.portal.apply_fixtures import APPLY_CODE, act, applicant, apply_version, submit  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(dossier_services, "_issue_form", lambda *args, **kwargs: None)


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _returned(applicant, receiver, specialist, leader, number: int):
    dossier = submit(applicant, number)
    for action, user in (
        ("receive", receiver),
        ("assign", receiver),
        ("forward", specialist),
        ("approve", leader),
        ("resolve", leader),
        ("return_result", receiver),
    ):
        act(user, dossier.code, action)
    return dossier


def test_tracking_page_does_not_grow_with_the_log(client, applicant, apply_version, receiver, specialist, leader):
    short = submit(applicant, 1)
    act(receiver, short.code, "receive")
    long = _returned(applicant, receiver, specialist, leader, 2)
    assert long.events.count() > short.events.count() + 3
    url = lambda dossier: reverse("portal:tracking_detail", kwargs={"code": dossier.code})  # noqa: E731
    few, many = queries_of(client, url(short)), queries_of(client, url(long))
    assert many == few, (few, many)
    assert many <= 6


def test_catalogue_and_procedure_pages(client, apply_version):
    assert queries_of(client, reverse("portal:catalog") + "?q=tro+cap+that+nghiep") <= 10
    assert queries_of(client, reverse("portal:procedure", kwargs={"code": APPLY_CODE})) <= 12


def test_signed_in_pages(client, applicant, apply_version, receiver, specialist, leader):
    returned = _returned(applicant, receiver, specialist, leader, 3)
    assert client.login(username=applicant.username, password=PASSWORD)
    assert queries_of(client, reverse("portal:accounts:profile")) <= 8
    assert queries_of(client, reverse("portal:notification_preferences")) <= 6
    assert queries_of(client, reverse("portal:my_dossier_rate", kwargs={"code": returned.code})) <= 7
