"""Back-office admin of the directory: search without diacritics, validity filter, inlines."""

import pytest
from django.urls import reverse

from motcua.directory import seed
from motcua.directory.models import Agency, ServiceCentre

pytestmark = pytest.mark.django_db

AGENCIES = reverse("admin:directory_agency_changelist")


@pytest.fixture
def seeded():
    seed.seed_directory()


def _codes_listed(response) -> set[str]:
    return {agency.code for agency in response.context["cl"].result_list}


def test_agency_search_without_diacritics(admin_client, seeded):
    response = admin_client.get(AGENCIES, {"q": "ben thanh"})
    assert response.status_code == 200
    assert _codes_listed(response) == {seed.BEN_THANH_CODE}


def test_agency_filters_by_validity_and_level(admin_client, seeded):
    dissolved = _codes_listed(admin_client.get(AGENCIES, {"validity": "dissolved"}))
    assert dissolved == {
        seed.DISTRICT_1_CODE,
        seed.THU_DUC_CITY_CODE,
        seed.LABOUR_CODE,
        seed.TRANSPORT_CODE,
        seed.PLANNING_INVESTMENT_CODE,
    }
    active = _codes_listed(admin_client.get(AGENCIES, {"validity": "active", "level__exact": "district"}))
    assert active == set()
    response = admin_client.get(AGENCIES, {"level__exact": "special_zone"})
    assert [a.name for a in response.context["cl"].result_list] == ["Đặc khu Côn Đảo"]
    assert "hiệu lực" in response.text


def test_agency_change_page_shows_successors_and_readonly_folded_name(admin_client, seeded):
    district = Agency.objects.get(code=seed.DISTRICT_1_CODE)
    response = admin_client.get(reverse("admin:directory_agency_change", args=[district.pk]))
    assert response.status_code == 200
    assert "các cơ quan kế thừa" in response.text.lower()
    assert "Phường Tân Định" in response.text
    assert "name_folded" not in response.context["adminform"].form.fields
    assert "quan 1" in response.text


def test_admin_edit_sets_folded_name_and_principal_link(admin_client, seeded):
    sai_gon = Agency.objects.get(code=seed.SAI_GON_CODE)
    old = Agency.objects.create(code="267.99.00.H29", name="x", level="ward", valid_to="2025-06-30")
    response = admin_client.post(
        reverse("admin:directory_agency_change", args=[old.pk]),
        {
            "code": old.code,
            "name": "Phường  Đa Kao",
            "short_name": "",
            "level": "ward",
            "parent": "",
            "division_code": "",
            "valid_from": "2000-01-01",
            "valid_to": "2025-06-30",
            "successor": sai_gon.pk,
            "address": "",
            "phone": "",
            "email": "",
            "working_hours": "[]",
            "succession_links-TOTAL_FORMS": "0",
            "succession_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.name, old.name_folded) == ("Phường Đa Kao", "phuong da kao")
    assert list(old.successors.all()) == [sai_gon]


def test_service_centre_change_page_has_counter_inline(admin_client, seeded):
    centre = ServiceCentre.objects.get(code=seed.BEN_THANH_SITE_CODE)
    response = admin_client.get(reverse("admin:directory_servicecentre_change", args=[centre.pk]))
    assert response.status_code == 200
    assert "Hộ tịch, chứng thực" in response.text
    assert admin_client.get(reverse("admin:directory_servicecentre_changelist")).status_code == 200
