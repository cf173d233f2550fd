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
