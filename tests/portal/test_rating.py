# ruff: noqa: F811 (fixtures imported from tests.portal.apply_fixtures are used as arguments)
"""The nine-criterion evaluation: once per dossier, by its applicant, after return; grades; the
complaint path of a bad rating; the page and POST /api/v1/dossiers/{code}/rating."""

import pytest
from django.test import Client
from django.urls import reverse

from motcua.core.errors import BadInput, Conflict, NotFound, PermissionDenied
from motcua.dossiers import services as dossier_services
from motcua.dossiers.messages import dossier_messages_for_user
from motcua.dossiers.models import DossierRating
from motcua.dossiers.ratings import CRITERIA, dossier_rate, rating_grade, rating_is_bad
from tests.factories import PASSWORD
from tests.portal.apply_fixtures import act, applicant, apply_version, submit  # noqa: F401

pytestmark = pytest.mark.django_db
GOOD = dict.fromkeys(CRITERIA, 2)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(dossier_services, "_issue_form", lambda *args, **kwargs: None)


@pytest.fixture
def returned(applicant, apply_version, receiver, specialist, leader):
    dossier = submit(applicant)
    act(receiver, dossier.code, "receive")
    act(receiver, dossier.code, "assign")
    act(specialist, dossier.code, "forward")
    act(leader, dossier.code, "approve")
    act(leader, dossier.code, "resolve")
    return act(receiver, dossier.code, "return_result")


def test_grades_follow_domain_md():
    assert [rating_grade(total)[0] for total in (18, 16, 15, 12, 11, 9, 8, 6, 5, 0)] == [
        "excellent",
        "excellent",
        "good",
        "good",
        "fair",
        "fair",
        "average",
        "average",
        "weak",
        "weak",
    ]
    assert not rating_is_bad(GOOD)
    assert rating_is_bad({**GOOD, "attitude": 0})
    assert rating_is_bad(dict.fromkeys(CRITERIA, 1) | {"publicity": 0})


def test_once_by_the_applicant_after_return(applicant, citizen2, receiver, apply_version, returned):
    with pytest.raises(NotFound):
        dossier_rate(user=citizen2, code=returned.code, scores=GOOD)
    with pytest.raises(PermissionDenied):
        dossier_rate(user=receiver, code=returned.code, scores=GOOD)
    with pytest.raises(BadInput) as missing:
        dossier_rate(user=applicant, code=returned.code, scores={**GOOD, "attitude": 3})
    assert "Thái độ của cán bộ" in missing.value.detail and "attitude" in missing.value.fields
    with pytest.raises(BadInput):
        dossier_rate(user=applicant, code=returned.code, scores=GOOD, complaint="Không hài lòng")
    rating = dossier_rate(user=applicant, code=returned.code, scores=GOOD, comment="Rất  nhanh")
    assert (rating.total, rating.dissatisfied, rating.comment) == (18, False, "Rất nhanh")
    assert rating.agency_id == returned.home_agency_id
    with pytest.raises(Conflict):
        dossier_rate(user=applicant, code=returned.code, scores=GOOD)


def test_not_before_the_result_is_returned(applicant, apply_version):
    dossier = submit(applicant)
    with pytest.raises(Conflict):
        dossier_rate(user=applicant, code=dossier.code, scores=GOOD)


def test_bad_rating_with_a_complaint_reaches_the_officers(applicant, receiver, returned):
    rating = dossier_rate(
        user=applicant, code=returned.code, scores={**GOOD, "contacts": 0}, complaint="Phải đi lại ba lần."
    )
    assert rating.dissatisfied
    complaint = dossier_messages_for_user(receiver, returned).get()
    assert (complaint.kind, complaint.text) == ("complaint", "Phải đi lại ba lần.")


def test_rating_page_errors_then_complaint(client, applicant, receiver, returned):
    client.force_login(applicant)
    url = reverse("portal:my_dossier_rate", kwargs={"code": returned.code})
    form = client.get(url).content.decode()
    assert form.count('type="radio"') == 27 and "Thái độ của cán bộ" in form
    partial = client.post(url, {**{name: "2" for name in CRITERIA[:8]}})
    html = partial.content.decode()
    assert partial.status_code == 400 and "Vui lòng chọn mức đánh giá cho “Tiến độ và chất lượng" in html
    assert 'aria-describedby="online_service-error"' in html and 'value="2" id="id_total_time_2" checked' in html
    scores = {name: "1" for name in CRITERIA}
    assert client.post(url, scores).status_code == 302
    page = client.get(url).content.decode()
    assert "9/18 điểm" in page and "Gửi phản ánh" not in page  # fair: no complaint path
    DossierRating.objects.all().delete()
    client.post(url, {**scores, "attitude": "0"})
    page = client.get(url).content.decode()
    assert "Có điều bạn chưa hài lòng? Gửi phản ánh, kiến nghị" in page
    complain = reverse("portal:my_dossier_complain", kwargs={"code": returned.code})
    assert client.post(complain, {"text": "Cán bộ thiếu nhiệt tình."}).status_code == 302
    assert dossier_messages_for_user(receiver, returned).get().kind == "complaint"


def test_rating_api(applicant, returned):
    api = Client()
    response = api.post(
        "/api/v1/auth/token", {"username": applicant.username, "password": PASSWORD}, content_type="application/json"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}
    url = f"/api/v1/dossiers/{returned.code}/rating"
    wrong = api.post(url, {**GOOD, "attitude": 5}, content_type="application/json", **auth)
    assert wrong.status_code in (400, 422)
    created = api.post(url, {**GOOD, "comment": "Tốt"}, content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["total"], body["grade"], body["dissatisfied"], body["scores"]["attitude"]) == (
        18,
        "excellent",
        False,
        2,
    )
    again = api.post(url, GOOD, content_type="application/json", **auth)
    assert again.status_code == 409 and "một lần" in again.json()["detail"]
