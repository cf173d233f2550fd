"""The workspace: stale pages before validation, a query count that does not grow, and agency
admins creating officer accounts."""

import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.accounts.models import OfficerMembership, User
from motcua.directory.seed import HOME_AFFAIRS_CODE
from motcua.dossiers import files
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import dossier_act
from tests.backoffice.conftest import PDF, counter_dossier

pytestmark = pytest.mark.django_db


def test_a_stale_page_gets_the_conflict_even_when_its_form_is_also_incomplete(client, office):
    dossier = counter_dossier(office)
    stale = dossier.version
    dossier_act(actor=office.leader, code=dossier.code, action="assign", version=stale)  # someone else acted
    client.force_login(office.receiver)
    # request_supplement needs a note: the stale page sends none, and must still learn of the change.
    response = client.post(
        reverse("backoffice:action", args=[dossier.code, "request_supplement"]),
        {"request_supplement-version": stale, "request_supplement-note": ""},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Hồ sơ đã thay đổi trong lúc bạn xem" in html
    assert f'href="{reverse("backoffice:dossier", args=[dossier.code])}"' in html
    assert "Vui lòng ghi rõ" not in html  # the validation error is not what it shows
    # A missing version counts as stale too.
    response = client.post(reverse("backoffice:action", args=[dossier.code, "stop"]), {"stop-note": ""})
    assert response.status_code == 409


def _grow(office, dossier, n):
    """n more documents and n more log events (messages do not change the version)."""
    for i in range(n):
        stored = files.file_store(owner=office.receiver, name=f"extra{i}.pdf", stream=io.BytesIO(PDF + bytes([i])))
        DossierDocument.objects.create(
            dossier=dossier, kind="input", name=f"Giấy tờ thêm {i}", file=stored, uploaded_by=office.receiver
        )
    for _ in range(n // 2):
        dossier = Dossier.objects.get(pk=dossier.pk)
        dossier = dossier_act(
            actor=office.receiver, code=dossier.code, action="request_supplement", version=dossier.version, note="Thêm"
        )
        dossier_act(actor=office.receiver, code=dossier.code, action="supplement", version=dossier.version)


def _queries(client, dossier):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("backoffice:dossier", args=[dossier.code]))
    assert response.status_code == 200
    return len(queries)


def test_workspace_queries_do_not_grow_with_events_and_documents(client, office):
    dossier = counter_dossier(office)
    client.force_login(office.receiver)
    _queries(client, dossier)  # warm caches (calendar, sessions)
    _grow(office, dossier, 2)
    before = _queries(client, dossier)
    _grow(office, dossier, 8)
    after = _queries(client, dossier)
    assert Dossier.objects.get(pk=dossier.pk).events.count() >= 10
    assert after == before, f"{before} queries with few events/documents, {after} with more"


# --- officers ----------------------------------------------------------------------------------


def _agency_admin(office):
    from motcua.directory.models import Agency

    agency = Agency.objects.get(code=HOME_AFFAIRS_CODE)
    OfficerMembership.objects.create(user=office.leader, agency=agency, role=OfficerMembership.Role.AGENCY_ADMIN)
    return reverse("backoffice:agency_officers", args=[HOME_AFFAIRS_CODE])


def _create(client, url, **data):
    fields = {"full_name": "Lý Thị Ngọc", "username": "ly.thi.ngoc", "email": "ngoc.ly@tphcm.gov.vn"}
    fields["role"] = "specialist"
    fields.update(data)
    return client.post(url, {"form": "create", **{f"new-{k}": v for k, v in fields.items()}})


def test_agency_admin_creates_an_officer_who_sets_a_password_by_link(client, office):
    url = _agency_admin(office)
    client.force_login(office.leader)
    response = _create(client, url)
    assert response.status_code == 302
    officer = User.objects.get(username="ly.thi.ngoc")
    assert officer.is_officer and not officer.has_usable_password() and officer.full_name == "Lý Thị Ngọc"
    assert OfficerMembership.objects.filter(user=officer, agency__code=HOME_AFFAIRS_CODE, role="specialist").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ngoc.ly@tphcm.gov.vn"]
    link = re.search(r"https?://\S+/dat-lai-mat-khau/\S+/\S+/", mail.outbox[0].body).group(0)
    # The officer follows the link and chooses a password, then can sign in.
    client.logout()
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    response = client.post(form_url, {"new_password1": "Rat-kho-doan-2026!", "new_password2": "Rat-kho-doan-2026!"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("Rat-kho-doan-2026!")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "demo.specialist"}, "Tên đăng nhập này đã có người dùng"),
        ({"username": "DEMO.Specialist"}, "Tên đăng nhập này đã có người dùng"),
        ({"email": "khong-phai-thu"}, "Thư điện tử chưa đúng"),
        ({"username": "Có Dấu"}, "Tên đăng nhập gồm 3–150 ký tự"),
        ({"full_name": ""}, "Vui lòng nhập họ và tên cán bộ"),
    ],
)
def test_officer_creation_is_validated_in_vietnamese(client, office, data, message):
    url = _agency_admin(office)
    client.force_login(office.leader)
    response = _create(client, url, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(email="ngoc.ly@tphcm.gov.vn").exists()
    assert mail.outbox == []


def test_duplicate_email_is_refused(client, office):
    url = _agency_admin(office)
    office.specialist.email = "ngoc.ly@tphcm.gov.vn"
    office.specialist.save(update_fields=["email"])
    client.force_login(office.leader)
    response = _create(client, url)
    assert response.status_code == 400
    assert "Thư điện tử này đã dùng cho một tài khoản khác." in response.content.decode()


def test_only_agency_admins_create_officers(client, office):
    client.force_login(office.receiver)
    response = _create(client, reverse("backoffice:agency_officers", args=[HOME_AFFAIRS_CODE]))
    assert response.status_code == 404
    assert not User.objects.filter(username="ly.thi.ngoc").exists()
