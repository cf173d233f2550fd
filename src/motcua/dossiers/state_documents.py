"""Documents taken from data the state holds ("declare only once"), really taken from it.

When a required document's `state_data_source` has a client here, submitting the dossier asks
that database for the applicant's record (by the applicant's personal ID) and stores what came
back as a small PDF extract the officers can open, with `reused_from` set and the record's
reference and fetch time in the document's name.

    state_document_take(source=..., requirement_name=..., dossier=..., now=...) -> Taken | None

The three outcomes:

* the record is found → `Taken` (the stored PDF and the document's name);
* the database answers that it has no such record → `BadInput` asking the citizen to upload
  the paper instead (the submission is refused, the draft and its uploads are kept);
* the database is down, too slow or answers garbage, the applicant is not a person with a
  12-digit personal ID, or the source has no client → None: the document stays "to be taken
  from the database" with no file (logged when the database failed), so an officer can still
  ask for it and the citizen is never refused because a national system is down.

Simplifications: civil status gives the applicant's own birth record (or marriage record when
the requirement names a marriage), whatever the e-form says about other people.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.template.loader import render_to_string

from motcua.core.errors import BadInput
from motcua.core.text import fold, normalize
from motcua.core.timeutil import format_vn, to_vn
from motcua.dossiers.files import file_store_generated
from motcua.dossiers.forms import html_to_pdf
from motcua.dossiers.models import Dossier, StoredFile
from motcua.integrations import civil_status, population, social_insurance
from motcua.integrations.errors import IntegrationError

logger = logging.getLogger(__name__)

PERSON_KIND = 1  # ApplicantProfile.Kind.PERSON


@dataclass(frozen=True)
class Extract:
    """What a database answered, ready to print: a title, the record's reference and its fields."""

    title: str
    reference: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Taken:
    file: StoredFile
    name: str  # the dossier document's name: requirement, source, reference, fetch time


@dataclass(frozen=True)
class _Source:
    label: str  # the database's name, as people read it
    fetch: Callable[[str, str], Extract | None]  # (personal ID, requirement name) → extract


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _population(id_number: str, requirement_name: str) -> Extract | None:
    person = population.fetch_person(id_number=id_number)
    if person is None:
        return None
    rows = [
        ("Họ và tên", person.full_name),
        ("Số định danh cá nhân", person.id_number),
        ("Ngày sinh", _day(person.date_of_birth)),
        ("Giới tính", person.gender),
        ("Dân tộc", person.ethnicity),
        ("Quốc tịch", person.nationality),
        ("Quê quán", person.hometown),
        ("Nơi thường trú", person.permanent_address),
        ("Nơi ở hiện tại", person.current_address),
        ("Chủ hộ", person.household_head),
        ("Tình trạng hôn nhân", person.marital_status),
    ]
    for member in person.household:
        rows.append(("Thành viên hộ", f"{member.full_name} ({member.relation}, sinh {_day(member.date_of_birth)})"))
    return Extract("Thông tin công dân", person.id_number, tuple((k, v) for k, v in rows if v))


def _civil_status(id_number: str, requirement_name: str) -> Extract | None:
    if "ket hon" in fold(requirement_name):
        marriage = civil_status.marriage_record(id_number=id_number)
        if marriage is None:
            return None
        return Extract(
            "Trích lục kết hôn",
            f"{marriage.registration_number}/{marriage.book}",
            (
                ("Họ và tên chồng", marriage.husband.full_name),
                ("Số định danh của chồng", marriage.husband.id_number),
                ("Ngày sinh của chồng", _day(marriage.husband.date_of_birth)),
                ("Họ và tên vợ", marriage.wife.full_name),
                ("Số định danh của vợ", marriage.wife.id_number),
                ("Ngày sinh của vợ", _day(marriage.wife.date_of_birth)),
                ("Số đăng ký", marriage.registration_number),
                ("Quyển số", marriage.book),
                ("Ngày đăng ký", _day(marriage.registered_on)),
                ("Nơi đăng ký", marriage.registered_at),
            ),
        )
    birth = civil_status.birth_record(id_number=id_number)
    if birth is None:
        return None
    rows = (
        ("Họ và tên", birth.full_name),
        ("Số định danh cá nhân", birth.id_number),
        ("Ngày sinh", _day(birth.date_of_birth)),
        ("Giới tính", birth.gender),
        ("Nơi sinh", birth.place_of_birth),
        ("Họ và tên cha", birth.father_name),
        ("Họ và tên mẹ", birth.mother_name),
        ("Số đăng ký", birth.registration_number),
        ("Quyển số", birth.book),
        ("Ngày đăng ký", _day(birth.registered_on)),
        ("Nơi đăng ký", birth.registered_at),
    )
    return Extract(
        "Trích lục khai sinh", f"{birth.registration_number}/{birth.book}", tuple((k, v) for k, v in rows if v)
    )


def _insurance(id_number: str, requirement_name: str) -> Extract | None:
    book = social_insurance.insurance_record(id_number=id_number)
    if book is None:
        return None
    rows = [
        ("Họ và tên", book.full_name),
        ("Số định danh cá nhân", book.id_number),
        ("Ngày sinh", _day(book.date_of_birth)),
        ("Mã số bảo hiểm xã hội", book.insurance_number),
        ("Tổng số tháng đóng bảo hiểm thất nghiệp", str(book.unemployment_months)),
    ]
    for period in book.periods:
        rows.append(
            (
                f"Từ {period.from_month} đến {period.to_month}",
                f"{period.employer} ({period.unemployment_months} tháng đóng bảo hiểm thất nghiệp)",
            )
        )
    return Extract("Quá trình đóng bảo hiểm xã hội, bảo hiểm thất nghiệp", book.insurance_number, tuple(rows))


SOURCES: dict[str, _Source] = {
    "population_db": _Source("Cơ sở dữ liệu quốc gia về dân cư", _population),
    "civil_status_db": _Source("Cơ sở dữ liệu hộ tịch điện tử", _civil_status),
    social_insurance.SOURCE: _Source("Cơ sở dữ liệu quốc gia về bảo hiểm", _insurance),
}


def state_document_take(*, source: str, requirement_name: str, dossier: Dossier, now: datetime) -> Taken | None:
    """Fetch the applicant's record from `source` and store it as a PDF extract (see the module)."""
    handler = SOURCES.get(source)
    id_number = dossier.applicant_id_number
    if handler is None or dossier.applicant_kind != PERSON_KIND or not (len(id_number) == 12 and id_number.isdigit()):
        return None
    try:
        extract = handler.fetch(id_number, requirement_name)
    except IntegrationError as error:
        logger.warning(
            "state document not fetched: dossier=%s source=%s reason=%s",
            dossier.code,
            source,
            error.extra.get("reason") or error.detail,
        )
        return None
    if extract is None:
        raise BadInput(
            f"{handler.label} không có dữ liệu cho “{requirement_name}” của người nộp. "
            "Vui lòng tải lên bản chụp giấy tờ này thay thế, hoặc mang bản giấy đến Bộ phận Một cửa.",
            fields={"documents": "state_record_missing"},
        )
    fetched_at = format_vn(now)
    html = render_to_string(
        "dossiers/state_extract.html",
        {
            "title": extract.title,
            "code": dossier.code,
            "requirement_name": requirement_name,
            "source_label": handler.label,
            "reference": extract.reference,
            "fetched_at": fetched_at,
            "rows": extract.rows,
        },
    )
    stamp = to_vn(now).strftime("%Y%m%d%H%M")
    stored = file_store_generated(
        owner=None, name=f"Trich-xuat-{source}-{dossier.code}-{stamp}.pdf", content=html_to_pdf(html)
    )
    suffix = f" — trích xuất từ {handler.label}, mã bản ghi {extract.reference}, lúc {fetched_at}"
    return Taken(file=stored, name=normalize(requirement_name[: 500 - len(suffix)] + suffix))
