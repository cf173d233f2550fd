"""Dossiers over HTTP (contract.md): submit, list, read, log, act, download documents."""

import base64
import io
from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from motcua.api.auth import signed_in
from motcua.core.errors import BadInput, NotFound
from motcua.dossiers.files import file_read
from motcua.dossiers.lifecycle import DossierState, allowed_actions, status_name, status_plain_name
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.ratings import CRITERIA as RATING_CRITERIA
from motcua.dossiers.ratings import dossier_rate, rating_grade
from motcua.dossiers.selectors import (
    dossier_events_for_user,
    dossier_get_for_user,
    dossier_list_for_user,
    dossier_roles_of,
)
from motcua.dossiers.services import dossier_act, dossier_state, dossier_submit
from motcua.dossiers.supplements import dossier_supplement_answer
from motcua.payments.services import dossier_pay_at_counter, dossier_request_payment

router = Router(auth=signed_in)
PAGE_SIZE = 20


class DocumentIn(Schema):
    requirement_code: str = Field(..., max_length=40)
    file_id: int


class DossierIn(Schema):
    procedure_code: str = Field(..., max_length=60)
    form: dict[str, Any] = Field(default_factory=dict)
    documents: list[DocumentIn] = Field(default_factory=list)
    agency_code: str | None = Field(None, max_length=40, description="nơi nộp, khi thủ tục do phường/xã thực hiện")


class AgencyRef(Schema):
    code: str
    name: str


class ApplicantOut(Schema):
    kind: int
    name: str
    id_number: str
    email: str
    phone: str


class DocumentOut(Schema):
    id: int
    kind: str
    name: str
    requirement_code: str
    form_number: str
    sha256: str | None
    reused_from: str
    url: str | None


class DossierSummaryOut(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    status: int
    status_name: str
    status_plain: str
    submitted_at: datetime
    due_at: datetime | None
    current_agency: AgencyRef


class DossierListOut(Schema):
    items: list[DossierSummaryOut]
    next_cursor: str | None


class DossierOut(DossierSummaryOut):
    version: int
    channel: int
    received_at: datetime | None
    original_due_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    on_time: bool | None
    late: bool
    step_index: int
    step_count: int
    step_due_at: datetime | None
    supplement_requests: int
    receiving_agency: AgencyRef
    applicant: ApplicantOut
    form: dict[str, Any]
    documents: list[DocumentOut]
    allowed_actions: list[str]


class EventOut(Schema):
    at: datetime
    actor: str
    role: str
    action: str
    title: str
    from_status: int | None
    to_status: int
    note: str
    public: bool
    data: dict[str, Any]
    hash: str


class EventListOut(Schema):
    items: list[EventOut]


class ActionIn(Schema):
    version: int = Field(..., ge=1, description="phiên bản hồ sơ đang xem; sai thì trả 409")
    note: str = Field("", max_length=4000)
    handler: str | None = Field(None, max_length=150, description="tên đăng nhập người xử lý tiếp theo")
    agency_code: str | None = Field(None, max_length=40, description="cơ quan phối hợp (liên thông)")
    file_id: int | None = Field(None, description="tệp kết quả đã tải lên")
    new_due_at: datetime | None = Field(None, description="ngày hẹn mới khi gia hạn")
    extra_days: int | None = Field(None, ge=1, le=365)
    channel: int | None = Field(
        None, ge=1, le=3, description="kênh trả kết quả: 1 trực tiếp, 2 trực tuyến, 3 bưu chính"
    )
    documents: list[DocumentIn] | None = Field(
        None, max_length=10, description="supplement: giấy tờ nộp bổ sung, như khi nộp hồ sơ"
    )
    fee_case: str | None = Field(
        None, max_length=300, description="request_payment: trường hợp thu phí (mặc định: khoản đầu tiên)"
    )
    receipt_number: str | None = Field(
        None, max_length=60, description="pay (cán bộ một cửa): số biên lai thu phí tại quầy"
    )


# Fields of ActionIn that the fee and supplement actions take themselves (not lifecycle params).
_OWN_FIELDS = {"version", "note", "documents", "fee_case", "receipt_number"}


def _summary(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "procedure_code": dossier.procedure.code,
        "procedure_name": dossier.procedure_version.name,
        "status": dossier.status,
        "status_name": status_name(dossier.status),
        "status_plain": status_plain_name(dossier.status),
        "submitted_at": dossier.submitted_at,
        "due_at": dossier.due_at,
        "current_agency": {"code": dossier.current_agency.code, "name": dossier.current_agency.name},
    }


def _detail(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    now = timezone.now()
    state = dossier_state(dossier, now=now)
    documents = DossierDocument.objects.filter(dossier=dossier).select_related("file").order_by("id")
    return {
        **_summary(dossier),
        "version": dossier.version,
        "channel": dossier.channel,
        "received_at": dossier.received_at,
        "original_due_at": dossier.original_due_at,
        "resolved_at": dossier.resolved_at,
        "returned_at": dossier.returned_at,
        "on_time": dossier.on_time,
        "late": state.late,
        "step_index": dossier.step_index,
        "step_count": dossier.step_count,
        "step_due_at": dossier.step_due_at,
        "supplement_requests": dossier.supplement_requests,
        "receiving_agency": {"code": dossier.receiving_agency.code, "name": dossier.receiving_agency.name},
        "applicant": {
            "kind": dossier.applicant_kind,
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "email": dossier.applicant_email,
            "phone": dossier.applicant_phone,
        },
        "form": dossier.form_data,
        "documents": [
            {
                "id": document.id,
                "kind": document.kind,
                "name": document.name,
                "requirement_code": document.requirement_code,
                "form_number": document.form_number,
                "sha256": document.file.sha256 if document.file else None,
                "reused_from": document.reused_from,
                "url": (
                    request.build_absolute_uri(f"/api/v1/dossiers/{dossier.code}/documents/{document.id}")
                    if document.file
                    else None
                ),
            }
            for document in documents
        ],
        "allowed_actions": _allowed(state, request.user, dossier),
    }


def _allowed(state: DossierState, user: Any, dossier: Dossier) -> list[str]:
    actions = allowed_actions(state, dossier_roles_of(user, dossier))
    if "request_payment" in actions and not dossier.procedure_version.fees.filter(amount_vnd__gt=0).exists():
        actions.remove("request_payment")  # the procedure charges nothing: there is no invoice to make
    return actions


def _load(request: HttpRequest, code: str) -> Dossier:
    dossier = dossier_get_for_user(request.user, code)
    # Re-read with the relations the detail needs, in one query.
    return Dossier.objects.select_related(
        "procedure", "procedure_version", "current_agency", "receiving_agency", "home_agency"
    ).get(pk=dossier.pk)


@router.post("", response={201: DossierOut, 200: DossierOut}, summary="Nộp hồ sơ trực tuyến")
def submit(request: HttpRequest, payload: DossierIn) -> Status:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key.strip()) <= 100):
        raise BadInput("Idempotency-Key phải dài từ 1 đến 100 ký tự.")
    dossier, created = dossier_submit(
        actor=request.user,
        procedure_code=payload.procedure_code,
        form=payload.form,
        documents=[document.dict() for document in payload.documents],
        idempotency_key=key,
        agency_code=payload.agency_code,
    )
    return Status(201 if created else 200, _detail(request, _load(request, dossier.code)))


def _encode_cursor(dossier_id: int) -> str:
    return base64.urlsafe_b64encode(str(dossier_id).encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise BadInput("Tham số cursor không hợp lệ.") from None


@router.get("", response=DossierListOut, summary="Danh sách hồ sơ bạn được xem, mới nhất trước")
def list_dossiers(request: HttpRequest, cursor: str | None = None) -> dict[str, Any]:
    dossiers = dossier_list_for_user(request.user).select_related("procedure").order_by("-id")
    if cursor:
        dossiers = dossiers.filter(id__lt=_decode_cursor(cursor))
    page = list(dossiers[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return {
        "items": [_summary(dossier) for dossier in page],
        "next_cursor": _encode_cursor(page[-1].id) if more else None,
    }


@router.get("/{code}", response=DossierOut, summary="Chi tiết một hồ sơ")
def get_dossier(request: HttpRequest, code: str) -> dict[str, Any]:
    return _detail(request, _load(request, code))


@router.get("/{code}/events", response=EventListOut, summary="Nhật ký hồ sơ, cũ nhất trước")
def dossier_events(request: HttpRequest, code: str) -> dict[str, Any]:
    dossier = dossier_get_for_user(request.user, code)
    return {
        "items": [
            {
                "at": event.at,
                "actor": event.actor_name,
                "role": event.role,
                "action": event.action,
                "title": event.title,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "public": event.public,
                "data": event.data,
                "hash": event.hash,
            }
            for event in dossier_events_for_user(request.user, dossier)
        ]
    }


@router.post("/{code}/actions/{action}", response=DossierOut, summary="Thực hiện một thao tác xử lý hồ sơ")
def act(request: HttpRequest, code: str, action: str, payload: ActionIn) -> dict[str, Any]:
    """One lifecycle action. Three go through their own services, in one transaction each:

    * `request_payment` creates the invoice of the procedure's fee (`fee_case` picks the case);
    * `pay` by the dossier agency's one-stop officer records the open invoice as paid at the
      counter (`receipt_number` required); the applicant is refused with 403 `forbidden` — their
      fee is settled by paying online (`POST /api/v1/payments/invoices/{reference}/start`);
    * `supplement` attaches `documents` (`[{"requirement_code", "file_id"}]`, as at submission)
      and resumes the clock.
    """
    user = request.user
    if action == "request_payment":
        dossier_request_payment(
            actor=user, code=code, version=payload.version, note=payload.note, fee_case=payload.fee_case
        )
    elif action == "pay":
        dossier_pay_at_counter(
            actor=user, code=code, version=payload.version, receipt_number=payload.receipt_number or ""
        )
    elif action == "supplement":
        dossier_supplement_answer(
            user=user,
            code=code,
            version=payload.version,
            note=payload.note,
            documents=[document.dict() for document in payload.documents or []],
        )
    else:
        params = payload.dict(exclude=_OWN_FIELDS, exclude_none=True)
        dossier_act(actor=user, code=code, action=action, version=payload.version, note=payload.note, params=params)
    return _detail(request, _load(request, code))


@router.get("/{code}/documents/{document_id}", summary="Tải một giấy tờ của hồ sơ", response={200: None})
def download_document(request: HttpRequest, code: str, document_id: int) -> FileResponse:
    dossier = dossier_get_for_user(request.user, code)
    document = DossierDocument.objects.select_related("file").filter(dossier=dossier, pk=document_id).first()
    if document is None or document.file is None:
        raise NotFound("Không tìm thấy giấy tờ này trong hồ sơ.")
    response = FileResponse(
        io.BytesIO(file_read(document.file)),
        content_type=document.file.content_type,
        filename=document.file.name,
        as_attachment=False,
    )
    response["X-Content-SHA256"] = document.file.sha256
    return response


class RatingIn(Schema):
    """The nine criteria of domain.md § Evaluation, 0–2 points each."""

    total_time: int = Field(..., ge=0, le=2, description="tổng thời gian giải quyết so với quy định")
    agency_time: int = Field(..., ge=0, le=2, description="thời gian giải quyết tại từng cơ quan")
    contacts: int = Field(..., ge=0, le=2, description="số lần phải liên hệ")
    agencies_contacted: int = Field(..., ge=0, le=2, description="số cơ quan phải liên hệ")
    desk_organisation: int = Field(..., ge=0, le=2, description="tổ chức của bộ phận một cửa")
    publicity: int = Field(..., ge=0, le=2, description="công khai thủ tục")
    attitude: int = Field(..., ge=0, le=2, description="thái độ của cán bộ")
    feedback_handling: int = Field(..., ge=0, le=2, description="xử lý phản ánh, kiến nghị")
    online_service: int = Field(..., ge=0, le=2, description="tiến độ, chất lượng dịch vụ công trực tuyến")
    comment: str = Field("", max_length=2000)
    complaint: str = Field("", max_length=4000, description="phản ánh gửi cơ quan khi chưa hài lòng")


class RatingOut(Schema):
    code: str
    scores: dict[str, int]
    total: int
    grade: str
    grade_name: str
    dissatisfied: bool
    comment: str
    created_at: datetime


@router.post("/{code}/rating", response={201: RatingOut}, summary="Đánh giá việc giải quyết hồ sơ (một lần)")
def rate(request: HttpRequest, code: str, payload: RatingIn) -> Status:
    data = payload.dict()
    comment, complaint = data.pop("comment"), data.pop("complaint")
    rating = dossier_rate(user=request.user, code=code, scores=data, comment=comment, complaint=complaint)
    grade, grade_name = rating_grade(rating.total)
    return Status(
        201,
        {
            "code": code,
            "scores": {name: getattr(rating, name) for name in RATING_CRITERIA},
            "total": rating.total,
            "grade": grade,
            "grade_name": grade_name,
            "dissatisfied": rating.dissatisfied,
            "comment": rating.comment,
            "created_at": rating.created_at,
        },
    )
