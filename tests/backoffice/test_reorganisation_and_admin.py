"""Reorganisation (preview, apply, logged, clocks unchanged) and who may administer what."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import OfficerMembership
from motcua.core.errors import BadInput, PermissionDenied
from motcua.directory.seed import HOME_AFFAIRS_CODE
from motcua.directory.services import agency_dissolve
from motcua.dossiers.models import Dossier
from motcua.dossiers.reorganisation import reorganisation_apply, reorganisation_preview
from motcua.dossiers.services import dossier_act
from tests.backoffice.conftest import counter_dossier
from tests.factories import make_agency, make_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def dissolved(office):
    """Three open dossiers of Sở Nội vụ (received, processing, waiting for papers), then it is dissolved."""
    received = counter_dossier(office)
    processing = counter_dossier(office)
    dossier_act(actor=office.receiver, code=processing.code, action="assign", version=processing.version)
    waiting = counter_dossier(office)
    dossier_act(
        actor=office.receiver, code=waiting.code, action="request_supplement", version=waiting.version, note="Thiếu"
    )
    returned = counter_dossier(office, receive=False)
    dossier_act(actor=office.receiver, code=returned.code, action="refuse", version=returned.version, note="Sai nơi")
    successor = make_agency(code="000.00.99.H29", name="Sở Nội vụ và Lao động Thành phố Hồ Chí Minh")
    successor.valid_from = timezone.localdate() - timedelta(days=30)
    successor.save()
    from motcua.directory.models import Agency

    home = Agency.objects.get(code=HOME_AFFAIRS_CODE)
    agency_dissolve(agency=home, last_day=timezone.localdate() - timedelta(days=1), successors=[successor])
    return {"open": [received.code, processing.code, waiting.code], "closed": returned.code, "successor": successor}


def test_preview_then_apply_moves_open_dossiers_and_keeps_clocks(office, dissolved):
    before = {d.code: (d.due_at, d.clock, d.status, d.version) for d in Dossier.objects.all()}
    plan = reorganisation_preview(actor=office.admin, predecessor_code=HOME_AFFAIRS_CODE)
    assert plan.successor == dissolved["successor"]
    assert plan.count == 3
    assert sorted(plan.dossiers.values_list("code", flat=True)) == sorted(dissolved["open"])
    # The preview changed nothing.
    assert {d.code: (d.due_at, d.clock, d.status, d.version) for d in Dossier.objects.all()} == before

    assert reorganisation_apply(actor=office.admin, predecessor_code=HOME_AFFAIRS_CODE) == 3
    for code in dissolved["open"]:
        dossier = Dossier.objects.get(code=code)
        due_at, clock, status, _version = before[code]
        assert dossier.current_agency == dissolved["successor"]
        assert dossier.home_agency == dissolved["successor"]
        assert (dossier.due_at, dossier.clock, dossier.status) == (due_at, clock, status)
        event = dossier.events.order_by("-seq").first()
        assert event.action == "reassign" and event.data["to_agency"] == "000.00.99.H29"
        assert "Quản trị hệ thống" in event.note
    assert Dossier.objects.get(code=dissolved["closed"]).current_agency.code == HOME_AFFAIRS_CODE
    # Idempotent: a second run finds nothing left.
    assert reorganisation_apply(actor=office.admin, predecessor_code=HOME_AFFAIRS_CODE) == 0


def test_only_city_admins_reorganise_and_only_dissolved_agencies(office, dissolved):
    with pytest.raises(PermissionDenied):
        reorganisation_preview(actor=office.leader, predecessor_code=HOME_AFFAIRS_CODE)
    with pytest.raises(BadInput):
        reorganisation_preview(actor=office.admin, predecessor_code="000.00.99.H29")  # still active


def test_reorganisation_page_and_command(client, office, dissolved):
    client.force_login(office.leader)
    assert client.get(reverse("backoffice:reorganisation")).status_code == 403
    client.force_login(office.admin)
    page = client.get(reverse("backoffice:reorganisation"), {"tu": HOME_AFFAIRS_CODE})
    assert page.status_code == 200
    assert "3 hồ sơ sẽ chuyển" in page.content.decode()
    call_command("reorganise_dossiers", HOME_AFFAIRS_CODE, "--as", "demo.admin", "--apply", verbosity=0)
    assert Dossier.objects.filter(current_agency__code="000.00.99.H29").count() == 3


def test_agency_admin_manages_only_their_agency(client, office):
    from motcua.directory.models import Agency

    home = Agency.objects.get(code=HOME_AFFAIRS_CODE)
    admin = make_officer(username="nv.admin", agency=home, role="agency_admin")
    client.force_login(admin)
    url = reverse("backoffice:agency_officers", args=[HOME_AFFAIRS_CODE])
    page = client.get(url)
    assert page.status_code == 200 and "demo.specialist" in page.content.decode()
    # Another agency's page does not exist for them.
    other = office.ward_receiver.memberships.first().agency
    assert client.get(reverse("backoffice:agency_officers", args=[other.code])).status_code == 404
    # Give demo.ward.receiver a role here, then end it.
    response = client.post(url, {"username": "demo.ward.receiver", "role": "specialist", "title": "Chuyên viên"})
    assert response.status_code == 302
    membership = OfficerMembership.objects.get(user=office.ward_receiver, agency=home, role="specialist")
    response = client.post(reverse("backoffice:membership_remove", args=[HOME_AFFAIRS_CODE, membership.pk]))
    assert response.status_code == 302
    assert not OfficerMembership.objects.filter(pk=membership.pk).exists()  # started today: removed
    # Unknown usernames are explained.
    response = client.post(url, {"username": "khong.co", "role": "specialist"})
    assert response.status_code == 400
    assert "Không có cán bộ nào với tên đăng nhập này" in response.content.decode()


def test_officers_without_admin_role_cannot_administer(client, office):
    client.force_login(office.receiver)
    assert client.get(reverse("backoffice:admin")).status_code == 403
    url = reverse("backoffice:agency_officers", args=[HOME_AFFAIRS_CODE])
    assert client.get(url).status_code == 404
    assert client.post(url, {"username": "demo.receiver", "role": "leader"}).status_code == 404
    assert not OfficerMembership.objects.filter(user=office.receiver, role="leader").exists()


def test_city_admin_sees_links_to_the_django_admin(client, office):
    client.force_login(office.admin)
    html = client.get(reverse("backoffice:admin")).content.decode()
    assert "/quan-tri/core/calendaroverride/" in html
    assert "/quan-tri/directory/servicecentre/" in html


def test_a_dossier_out_at_a_partner_comes_back_to_the_successor(office):
    partner = make_agency(code="000.00.50.H29", name="Sở Tài chính Thành phố Hồ Chí Minh")
    partner.valid_from = timezone.localdate() - timedelta(days=30)
    partner.save()
    dossier = counter_dossier(office)
    dossier = dossier_act(actor=office.receiver, code=dossier.code, action="assign", version=dossier.version)
    dossier = dossier_act(
        actor=office.specialist,
        code=dossier.code,
        action="transfer",
        version=dossier.version,
        note="Lấy ý kiến Sở Tài chính",
        params={"agency_code": partner.code},
    )
    assert dossier.current_agency == partner
    successor = make_agency(code="000.00.99.H29", name="Sở Nội vụ và Lao động Thành phố Hồ Chí Minh")
    successor.valid_from = timezone.localdate() - timedelta(days=30)
    successor.save()
    from motcua.directory.models import Agency

    home = Agency.objects.get(code=HOME_AFFAIRS_CODE)
    agency_dissolve(agency=home, last_day=timezone.localdate() - timedelta(days=1), successors=[successor])
    plan = reorganisation_preview(actor=office.admin, predecessor_code=HOME_AFFAIRS_CODE)
    assert list(plan.dossiers.values_list("code", flat=True)) == [dossier.code]
    assert reorganisation_apply(actor=office.admin, predecessor_code=HOME_AFFAIRS_CODE) == 1
    dossier.refresh_from_db()
    # Still with the partner, but it will be handed back to the successor, not the dissolved agency.
    assert dossier.current_agency == partner and dossier.home_agency == successor
    event = dossier.events.order_by("-seq").first()
    assert event.data["from_agency"] == HOME_AFFAIRS_CODE and event.data["to_agency"] == successor.code
