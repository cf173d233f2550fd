"""The dossier register (Sổ theo dõi hồ sơ, form 07): every dossier an agency received in a period,
numbered by year of receipt, as a back-office page and a signed PDF; the per-dossier form 07 is an
honest extract (its real number in that register)."""

import shutil
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.errors import BadInput, NotFound, PermissionDenied
from motcua.core.timeutil import VN_TZ, format_vn
from motcua.dossiers import forms, register
from motcua.dossiers import services as dossier_services
from motcua.dossiers.files import file_read
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.signing.services import verify_pdf
from tests.dossiers import conftest as flow
from tests.dossiers.conftest import at
from tests.dossiers.test_forms import ARTIFACTS, flat, pdf_text

# The dossier flow of the forms tests (a procedure with three steps, driven through the services).
_media_in_tmp, city, flow_version, dossier_flow = flow._media_in_tmp, flow.city, flow.flow_version, flow.dossier_flow

pytestmark = pytest.mark.django_db

URL = "/can-bo/so-theo-doi/"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def received(flow_: flow.DossierFlow, when: datetime) -> str:
    """File and receive one more dossier at `when` (the flow's main dossier stays its own)."""
    main = flow_.code
    flow_.submit(when=when - timedelta(minutes=15))
    flow_.act(flow_.receiver, "receive", when=when)
    code = flow_.code
    flow_.code = main
    return code


@pytest.fixture
def quick_forms(monkeypatch):
    """Forms are another suite's subject: skip rendering them where a test only needs the register."""
    monkeypatch.setattr(dossier_services, "_issue_form", lambda *args, **kwargs: None)


@pytest.fixture
def book(dossier_flow, quick_forms, other_agency) -> dict[str, str]:
    """Four received dossiers across a year end, one submitted but never received, one elsewhere."""
    codes = {
        "dec": received(dossier_flow, vn(2025, 12, 30, 9, 0)),
        "jan5": received(dossier_flow, vn(2026, 1, 5, 8, 0)),
        "jan6a": received(dossier_flow, vn(2026, 1, 6, 10, 0)),
        "jan6b": received(dossier_flow, vn(2026, 1, 6, 14, 30)),
    }
    main = dossier_flow.code
    dossier_flow.submit(when=vn(2026, 1, 6, 9, 0))  # never received: not in the register
    codes["unreceived"] = dossier_flow.code
    elsewhere = received(dossier_flow, vn(2026, 1, 6, 11, 0))
    dossier_flow.code = main
    Dossier.objects.filter(code=elsewhere).update(receiving_agency=other_agency)
    codes["elsewhere"] = elsewhere
    return codes


def test_rows_in_order_of_receipt_numbered_by_year(book, receiver, agency):
    page = register.register_page(
        user=receiver, agency_code=agency.code, date_from=date(2025, 12, 1), date_to=date(2026, 1, 31)
    )
    assert [(row.code, row.number) for row in page.rows] == [
        (book["dec"], 1),
        (book["jan5"], 1),
        (book["jan6a"], 2),
        (book["jan6b"], 3),
    ]
    assert page.total == 4 and page.next_cursor is None
    row = page.rows[1]
    dossier = Dossier.objects.get(code=book["jan5"])
    assert row.applicant_name == "Nguyễn Văn An"
    assert row.procedure_code == "9.900001" and row.procedure_name == dossier.procedure_version.name
    assert row.received_at == dossier.received_at and row.due_at == dossier.original_due_at
    assert row.new_due_at is None and row.resolved_at is None and row.returned_at is None

    # A later period keeps each row's number in the year's register.
    later = register.register_page(
        user=receiver, agency_code=agency.code, date_from=date(2026, 1, 6), date_to=date(2026, 1, 6)
    )
    assert [(row.code, row.number) for row in later.rows] == [(book["jan6a"], 2), (book["jan6b"], 3)]


def test_keyset_pages_continue_the_numbering(book, leader, agency):
    first = register.register_page(
        user=leader, agency_code=agency.code, date_from=date(2025, 12, 1), date_to=date(2026, 1, 31), limit=2
    )
    assert [row.number for row in first.rows] == [1, 1] and first.next_cursor
    second = register.register_page(
        user=leader,
        agency_code=agency.code,
        date_from=date(2025, 12, 1),
        date_to=date(2026, 1, 31),
        cursor=first.next_cursor,
        limit=2,
    )
    assert [(row.code, row.number) for row in second.rows] == [(book["jan6a"], 2), (book["jan6b"], 3)]
    assert second.next_cursor is None
    with pytest.raises(BadInput):
        register.register_page(
            user=leader, agency_code=agency.code, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31), cursor="x!"
        )


def test_queries_do_not_grow_with_rows(dossier_flow, quick_forms, receiver, agency):
    for day in (5, 6, 7, 8):
        received(dossier_flow, vn(2026, 1, day, 9, 0))

    def count(limit: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            page = register.register_page(
                user=receiver,
                agency_code=agency.code,
                date_from=date(2026, 1, 1),
                date_to=date(2026, 1, 31),
                limit=limit,
            )
        assert len(page.rows) == limit
        return len(queries)

    assert count(1) == count(4)


def test_notes_new_appointment_and_lateness(dossier_flow, receiver, specialist, leader, agency):
    dossier_flow.run_to_resolved()  # received Monday 7/9/2026, resolved on time
    dossier_flow.act(receiver, "return_result", when=at(days=4), channel=2)
    late = received(dossier_flow, vn(2026, 9, 8, 9, 0))
    dossier_flow.code, main = late, dossier_flow.code
    dossier_flow.act(receiver, "request_supplement", when=vn(2026, 9, 8, 10, 0), note="Thiếu bản sao hộ chiếu.")
    dossier_flow.code = main
    page = register.register_page(
        user=receiver,
        agency_code=agency.code,
        date_from=date(2026, 9, 1),
        date_to=date(2026, 9, 30),
        now=vn(2026, 12, 1, 9, 0),
    )
    first, second = page.rows
    returned = Dossier.objects.get(code=main)
    assert first.code == main and first.timing == "Đúng hạn" and not first.late
    assert first.resolved_at == returned.resolved_at and first.returned_at == returned.returned_at
    assert "Trả trực tuyến" in first.notes
    assert second.code == late and second.timing == "Tạm dừng, chờ người nộp"
    assert "Yêu cầu bổ sung 1 lần" in second.notes


def test_who_may_read_which_register(book, agency, receiver, leader, specialist, outsider, other_agency, client):
    for officer in (receiver, leader):
        assert register.register_agency_for_user(officer, agency.code) == agency
    with pytest.raises(PermissionDenied):
        register.register_agency_for_user(specialist, agency.code)
    with pytest.raises(NotFound):
        register.register_agency_for_user(outsider, agency.code)
    with pytest.raises(NotFound):
        register.register_agency_for_user(receiver, "000.00.99.H29")

    query = {"co_quan": agency.code, "tu": "2026-01-01", "den": "2026-01-31"}
    client.force_login(receiver)
    assert client.get(URL, query).status_code == 200
    client.force_login(leader)
    assert client.get(URL, query).status_code == 200
    client.force_login(specialist)
    assert client.get(URL, query).status_code == 403
    assert client.get(URL + "pdf/", query).status_code == 403
    client.force_login(outsider)
    assert client.get(URL, query).status_code == 404
    assert client.get(URL + "pdf/", query).status_code == 404
    # Their own agency's register does not show ours.
    own = client.get(URL, {**query, "co_quan": other_agency.code})
    assert own.status_code == 200
    html = own.content.decode()
    assert book["elsewhere"] in html and book["jan5"] not in html


def test_citizens_and_strangers_do_not_reach_it(client, citizen, db):
    assert client.get(URL).status_code == 302
    client.force_login(citizen)
    assert client.get(URL).status_code == 403


def test_the_page_shows_the_table_with_a_pdf_link(client, book, receiver, agency):
    client.force_login(receiver)
    response = client.get(URL, {"co_quan": agency.code, "tu": "2025-12-01", "den": "2026-01-31"})
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(book[key]) for key in ("dec", "jan5", "jan6a", "jan6b")]
    assert positions == sorted(positions)
    assert book["unreceived"] not in html and book["elsewhere"] not in html
    assert "4 hồ sơ tiếp nhận từ 01/12/2025 đến 31/01/2026" in html
    assert format_vn(Dossier.objects.get(code=book["jan6b"]).received_at) in html
    assert f"/can-bo/so-theo-doi/pdf/?co_quan={agency.code}&amp;tu=2025-12-01&amp;den=2026-01-31" in html
    assert '<label for="id_tu">' in html and 'type="date"' in html
    # The navigation links the register for receivers and leaders.
    assert 'href="/can-bo/so-theo-doi/" aria-current="page"' in html


def test_the_link_is_not_shown_to_a_specialist(client, specialist):
    client.force_login(specialist)
    assert 'href="/can-bo/so-theo-doi/"' not in client.get("/can-bo/").content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"tu": "2026-02-01", "den": "2026-01-01"}, "“Từ ngày” phải trước hoặc trùng “Đến ngày”."),
        ({"tu": "2025-01-01", "den": "2026-06-01"}, "Mỗi lần chỉ xem được tối đa 366 ngày."),
        ({"tu": "31/02/2026", "den": "2026-03-01"}, "Ngày chưa đúng."),
    ],
)
def test_a_bad_period_says_how_to_fix_it(client, receiver, agency, query, message):
    client.force_login(receiver)
    response = client.get(URL, {"co_quan": agency.code, **query})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'role="alert"' in html


def test_the_pdf_is_the_register_signed_by_the_agency(client, book, receiver, agency):
    client.force_login(receiver)
    response = client.get(URL + "pdf/", {"co_quan": agency.code, "tu": "2025-12-01", "den": "2026-01-31"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    pdf = response.content
    verdict = verify_pdf(pdf)
    assert verdict.valid and not verdict.altered, verdict.reason_text
    assert verdict.agency_code == agency.code and verdict.signer == agency.name
    text = flat(pdf_text(pdf))
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Mẫu số 07" in text
    assert "Từ ngày 01/12/2025 đến ngày 31/01/2026" in text
    for key in ("dec", "jan5", "jan6a", "jan6b"):
        assert book[key].split("-")[-1] in text
    assert book["unreceived"] not in text and "Nguyễn Văn An" in text
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "register.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                str(ARTIFACTS / "register.pdf"),
                str(ARTIFACTS / "register"),
            ],
            check=True,
        )


def test_too_many_rows_for_one_pdf_is_refused_plainly(client, book, receiver, agency, monkeypatch):
    monkeypatch.setattr(register, "MAX_PDF_ROWS", 2)
    client.force_login(receiver)
    response = client.get(URL + "pdf/", {"co_quan": agency.code, "tu": "2025-12-01", "den": "2026-01-31"})
    assert response.status_code == 400
    assert "quá nhiều cho một tệp PDF" in response.content.decode()


def test_the_form_07_issued_at_return_is_an_extract_with_its_real_number(dossier_flow, receiver):
    # Two dossiers received earlier in 2026 and one in 2025: the returned one is row 3 of 2026.
    main = dossier_flow.code
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dossier_services, "_issue_form", lambda *args, **kwargs: None)
        received(dossier_flow, vn(2025, 12, 30, 9, 0))
        received(dossier_flow, vn(2026, 3, 2, 9, 0))
        received(dossier_flow, vn(2026, 6, 1, 9, 0))
    assert dossier_flow.code == main
    dossier_flow.run_to_resolved()
    dossier_flow.act(receiver, "return_result", when=at(days=4), channel=1)
    dossier = dossier_flow.dossier
    assert register.register_number(dossier) == 3
    document = DossierDocument.objects.get(dossier=dossier, form_number="07")
    assert document.name == "Trích sổ theo dõi hồ sơ" and document.signed
    pdf = file_read(document.file)
    text = flat(pdf_text(pdf))
    assert "TRÍCH SỔ THEO DÕI HỒ SƠ" in text
    assert "Trích dòng số 3 của sổ theo dõi hồ sơ năm 2026" in text
    assert forms.form_context(dossier, "07")["register_number"] == 3
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "register_extract.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        target = str(ARTIFACTS / "register_extract")
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-", target], input=pdf, check=True)


def test_register_queries_are_served_by_their_index(agency):
    """The page and the year's running numbers read the (receiving_agency, received_at, id) index."""
    from datetime import date

    from django.db import connection

    from motcua.dossiers import register as register_module

    if connection.vendor != "sqlite":
        pytest.skip("plans checked on SQLite here; PostgreSQL plans depend on statistics")

    period = register_module._ordered(register_module._in_period(agency, date(2026, 1, 1), date(2026, 1, 31)))
    plan = period.explain()
    assert "dossier_register" in plan, plan
