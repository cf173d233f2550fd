import re
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections

from motcua.core.codes import (
    format_dossier_code,
    is_agency_code,
    next_dossier_code,
    validate_personal_id,
    validate_tax_code,
)
from motcua.core.errors import BadInput
from motcua.core.timeutil import VN_TZ, NaiveDatetimeError


@pytest.mark.parametrize("code", ["000.00.00.H29", "000.00.31.H29", "267.43.00.H29", "G01.00.01.H29"])
def test_valid_agency_codes(code):
    assert is_agency_code(code)


@pytest.mark.parametrize("code", ["", "000.00.00", "00.00.00.H29", "000.00.00.29", "000-00-00-H29", "000.00.00.h29"])
def test_invalid_agency_codes(code):
    assert not is_agency_code(code)


def test_dossier_code_format():
    assert format_dossier_code("000.00.00.H29", datetime(2026, 1, 5).date(), 1) == "000.00.00.H29-260105-0001"


@pytest.mark.django_db
def test_dossier_codes_count_per_agency_per_local_day():
    # 23:30 on 4/1 in UTC is 06:30 on 5/1 in Vietnam: the code uses Vietnam's day.
    late_utc = datetime(2026, 1, 4, 23, 30, tzinfo=UTC)
    assert next_dossier_code("000.00.00.H29", late_utc) == "000.00.00.H29-260105-0001"
    assert next_dossier_code("000.00.00.H29", late_utc) == "000.00.00.H29-260105-0002"
    assert next_dossier_code("000.00.31.H29", late_utc) == "000.00.31.H29-260105-0001"
    next_day = datetime(2026, 1, 6, 8, 0, tzinfo=VN_TZ)
    assert next_dossier_code("000.00.00.H29", next_day) == "000.00.00.H29-260106-0001"


@pytest.mark.django_db
def test_dossier_code_refuses_naive_datetime_and_bad_agency():
    with pytest.raises(NaiveDatetimeError):
        next_dossier_code("000.00.00.H29", datetime(2026, 1, 5, 8, 0))
    with pytest.raises(BadInput):
        next_dossier_code("H29", datetime(2026, 1, 5, 8, 0, tzinfo=VN_TZ))


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_get_the_same_dossier_number():
    """Many threads, each with its own database connection, ask for numbers at once."""
    moment = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
    threads_count, per_thread = 8, 15
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads_count)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                from django.db import transaction

                with transaction.atomic():
                    code = next_dossier_code("000.00.31.H29", moment)
                with lock:
                    codes.append(code)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(codes) == threads_count * per_thread
    assert len(set(codes)) == len(codes), "a dossier number was handed out twice"
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, threads_count * per_thread + 1)), "numbers must be gap-free"
    assert all(re.match(r"^000\.00\.31\.H29-260302-\d{4}$", code) for code in codes)
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.parametrize("value", ["079090001234", " 079090001234 ", "001203000123"])
def test_valid_personal_ids(value):
    assert validate_personal_id(value) == value.strip()


@pytest.mark.parametrize("value", ["", "07909000123", "0790900012345", "07909000123a", "999090001234", "000090001234"])
def test_invalid_personal_ids_say_how_to_fix(value):
    with pytest.raises(BadInput) as error:
        validate_personal_id(value)
    assert "12 chữ số" in error.value.detail


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0312345678", "0312345678"), ("0312345678-001", "0312345678-001"), ("0312345678001", "0312345678-001")],
)
def test_valid_tax_codes(value, expected):
    assert validate_tax_code(value) == expected


@pytest.mark.parametrize("value", ["", "031234567", "03123456789", "0312345678-01", "abcdefghij"])
def test_invalid_tax_codes(value):
    with pytest.raises(BadInput) as error:
        validate_tax_code(value)
    assert "Mã số thuế" in error.value.detail
