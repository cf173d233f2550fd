from datetime import datetime

import pytest
from django.test import Client

from motcua.catalog.seed import seed_catalog
from motcua.catalog.selectors import procedure_detail, procedure_expected_due
from motcua.core.timeutil import VN_TZ

pytestmark = pytest.mark.django_db


def test_expected_due_follows_working_days_across_tet():
    seed_catalog()
    version = procedure_detail(code="1.014200")  # re-issue of a work permit: 3 working days
    assert version.processing_days == 3 and not version.processing_hours
    # Received Wed 3/2/2027 10:00; Tết 4–10/2 skipped: Thu 11, Fri 12, Mon 15 → 17:00 Mon 15/2/2027.
    due = procedure_expected_due(version, now=datetime(2027, 2, 3, 10, 0, tzinfo=VN_TZ))
    assert due == datetime(2027, 2, 15, 17, 0, tzinfo=VN_TZ)


def test_procedure_page_says_when_the_result_is_expected(client: Client):
    seed_catalog()
    html = client.get("/thu-tuc/1.014200/").content.decode()
    assert "dự kiến có kết quả trước 17:00 ngày" in html


def test_expected_due_uses_the_receiving_agencys_working_hours():
    from motcua.catalog.selectors import procedure_receiving_agency
    from motcua.directory.models import Agency

    seed_catalog()
    version = procedure_detail(code="1.014200")
    agency = procedure_receiving_agency(version)
    assert agency is not None
    received = datetime(2027, 2, 3, 10, 0, tzinfo=VN_TZ)
    # This agency closes at 16:30: the last of the three working days ends then, not at 17:00.
    Agency.objects.filter(pk=agency.pk).update(working_hours=[["07:30", "11:30"], ["13:00", "16:30"]])
    version = procedure_detail(code="1.014200")
    assert procedure_expected_due(version, now=received) == datetime(2027, 2, 15, 16, 30, tzinfo=VN_TZ)


def test_a_ward_procedure_uses_the_chosen_wards_hours(client: Client):
    from motcua.catalog.selectors import procedure_receiving_agency
    from motcua.directory.models import Agency

    seed_catalog()
    ward = Agency.objects.get(name="Phường Bến Thành")
    Agency.objects.filter(pk=ward.pk).update(working_hours=[["07:00", "11:00"], ["13:00", "16:00"]])
    version = procedure_detail(code="1.014061")  # identity card: a ward procedure of several days
    assert version.all_commune_units and version.processing_days
    chosen = procedure_receiving_agency(version, agency_code=ward.code)
    assert chosen is not None and chosen.pk == ward.pk
    received = datetime(2027, 3, 1, 9, 0, tzinfo=VN_TZ)  # a Monday
    at_ward = procedure_expected_due(version, now=received, agency=chosen)
    assert at_ward.time().hour == 16
    # Wards keep different hours now: with none chosen, the default hours are used.
    assert procedure_expected_due(version, now=received).time().hour == 17
    html = client.get(f"/thu-tuc/1.014061/?agency={ward.code}").content.decode()
    assert "dự kiến có kết quả trước 16:00 ngày" in html
    assert "Bạn đã chọn nộp tại Phường Bến Thành" in html
