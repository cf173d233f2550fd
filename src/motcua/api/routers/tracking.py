"""Public dossier tracking by code (contract.md): progress only, nothing personal.

Anyone holding the code (printed with a QR on the receipt) sees the procedure, the
status, the receipt and appointment times and the public events. The applicant's name is
masked; no personal ID, address, phone, e-mail, attachment, internal note or officer.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from motcua.api.ratelimit import rate_limit
from motcua.core.codes import DOSSIER_CODE
from motcua.core.errors import NotFound
from motcua.core.text import mask_name
from motcua.core.timeutil import to_vn
from motcua.dossiers.lifecycle import status_name
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.selectors import dossier_public_by_code

router = Router()

MAX_CODE_LENGTH = 60


class TrackingEvent(Schema):
    at: datetime
    status: int
    title: str


class Tracking(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    applicant: str
    status: int
    status_name: str
    received_at: datetime | None
    due_at: datetime | None
    events: list[TrackingEvent]


def _vn(moment: datetime | None) -> datetime | None:
    return to_vn(moment) if moment else None


def _not_found() -> NotFound:
    return NotFound("Không tìm thấy hồ sơ có mã này. Vui lòng kiểm tra lại mã trên giấy tiếp nhận.")


@router.get(
    "/{dossier_code}",
    response=Tracking,
    auth=None,
    summary="Tra cứu tiến độ hồ sơ theo mã (công khai)",
    description=(
        "Trạng thái, thời điểm tiếp nhận, ngày hẹn trả và các bước công khai của hồ sơ. "
        "Tên người nộp được che; không có số định danh, địa chỉ, điện thoại, thư điện tử hay tệp đính kèm."
    ),
)
def track_dossier(request: HttpRequest, dossier_code: str) -> dict:
    rate_limit(request, scope="tracking", limit=60)
    code = dossier_code.strip().upper()
    if len(code) > MAX_CODE_LENGTH or not DOSSIER_CODE.fullmatch(code):
        raise _not_found()
    dossier = dossier_public_by_code(code)
    events = (
        DossierEvent.objects.filter(dossier=dossier, public=True)
        .order_by("seq")
        .values_list("at", "to_status", "title")
    )
    return {
        "code": dossier.code,
        "procedure_code": dossier.procedure_version.procedure.code,
        "procedure_name": dossier.procedure_version.name,
        "applicant": mask_name(dossier.applicant_name),
        "status": dossier.status,
        "status_name": status_name(dossier.status),
        "received_at": _vn(dossier.received_at),
        "due_at": _vn(dossier.due_at),
        "events": [{"at": to_vn(at), "status": status, "title": title} for at, status, title in events],
    }
