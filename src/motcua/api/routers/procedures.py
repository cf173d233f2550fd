"""Public procedure catalogue: search and detail (contract.md)."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field as SchemaField
from pydantic import ValidationInfo, field_validator

from motcua.catalog import selectors
from motcua.core.errors import BadInput

router = Router()


class ProcedureListItem(Schema):
    code: str
    name: str
    field: str
    field_code: str
    level: str
    online_mode: str
    processing_days: int | None
    processing_hours: int | None
    fee_vnd: int | None
    agency_codes: list[str]


class ProcedureList(Schema):
    count: int
    page: int
    pages: int
    items: list[ProcedureListItem]


class ListFilters(Schema):
    q: str = SchemaField("", max_length=200, description="Từ khoá, có dấu hoặc không dấu")
    agency: str | None = SchemaField(None, max_length=40, description="Mã cơ quan (cả mã phường, xã)")
    field: str | None = SchemaField(None, max_length=40, description="Mã lĩnh vực")
    # "" is in the spec because it is accepted: it means no filter / the default.
    online: Literal["full", "partial", "none", ""] | None = None
    level: Literal["province", "commune", ""] | None = None
    page: Annotated[int, SchemaField(ge=1, le=10_000)] | Literal[""] = 1
    page_size: Annotated[int, SchemaField(ge=1, le=100)] | Literal[""] = 20

    # Forms and contract.md's own example send every parameter, empty ones too
    # (`?q=&agency=&online=&page=`): empty means "no filter" and the first page.
    @field_validator("agency", "field", "online", "level", mode="before")
    @classmethod
    def _empty_is_no_filter(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("page", "page_size", mode="before")
    @classmethod
    def _empty_is_the_default(cls, value: Any, info: ValidationInfo) -> Any:
        if value == "":
            return cls.model_fields[info.field_name or ""].default
        return value


class Document(Schema):
    code: str
    name: str
    required: bool
    copies: int
    form: str
    template_url: str
    state_data_source: str
    note: str


class Fee(Schema):
    case: str
    amount_vnd: int
    note: str


class Step(Schema):
    order: int
    name: str
    role: str
    agency_code: str | None
    hours: float


class ProcedureDetail(Schema):
    code: str
    version_id: int
    valid_from: str
    valid_to: str | None
    name: str
    field: str
    field_code: str
    level: str
    online_mode: str
    processing_days: int | None
    processing_hours: int | None
    cutoff_hour: str | None
    result_type: str
    result_name: str
    applicants: str
    description: str
    result_delivery: str
    fee_vnd: int | None
    fee_note: str
    fees: list[Fee]
    documents: list[Document]
    form_schema: dict[str, Any]
    steps: list[Step]
    legal_basis: list[str]
    agency_codes: list[str]


@router.get("", response=ProcedureList, auth=None, summary="Tìm thủ tục hành chính")
def list_procedures(request: HttpRequest, filters: Query[ListFilters]) -> dict:
    """Procedures in force, best match first; `q` matches with or without diacritics."""
    result = selectors.procedure_search(
        q=filters.q,
        agency=filters.agency,
        field=filters.field,
        online=filters.online,
        level=filters.level,
        page=filters.page or 1,
        page_size=filters.page_size or 20,
    )
    units = selectors.commune_unit_codes() if any(hit.all_commune_units for hit in result.items) else []
    return {
        "count": result.count,
        "page": result.page,
        "pages": result.pages,
        "items": [
            {
                "code": hit.code,
                "name": hit.name,
                "field": hit.field_name,
                "field_code": hit.field_code,
                "level": hit.level,
                "online_mode": hit.online_mode,
                "processing_days": hit.processing_days,
                "processing_hours": hit.processing_hours,
                "fee_vnd": hit.fee_vnd,
                "agency_codes": selectors.hit_agency_codes(hit, commune_units=units),
            }
            for hit in result.items
        ],
    }


@router.get("/{code}", response=ProcedureDetail, auth=None, summary="Chi tiết một thủ tục")
def get_procedure(request: HttpRequest, code: str) -> dict:
    if len(code) > 60:
        raise BadInput("Mã thủ tục quá dài.")
    version = selectors.procedure_detail(code=code)
    fees = list(version.fees.all())
    return {
        "code": version.procedure.code,
        "version_id": version.pk,
        "valid_from": version.valid_from.isoformat(),
        "valid_to": version.valid_to.isoformat() if version.valid_to else None,
        "name": version.name,
        "field": version.field.name,
        "field_code": version.field.code,
        "level": version.level,
        "online_mode": version.online_mode,
        "processing_days": version.processing_days,
        "processing_hours": version.processing_hours,
        "cutoff_hour": version.cutoff_hour.strftime("%H:%M") if version.cutoff_hour else None,
        "result_type": version.result_type,
        "result_name": version.result_name,
        "applicants": version.applicants,
        "description": version.description,
        "result_delivery": version.result_delivery,
        "fee_vnd": min((fee.amount_vnd for fee in fees), default=None),
        "fee_note": version.fee_note,
        "fees": [{"case": fee.case, "amount_vnd": fee.amount_vnd, "note": fee.note} for fee in fees],
        "documents": [
            {
                "code": doc.code,
                "name": doc.name,
                "required": doc.required,
                "copies": doc.copies,
                "form": doc.form,
                "template_url": doc.template_url,
                "state_data_source": doc.state_data_source,
                "note": doc.note,
            }
            for doc in version.documents.all()
        ],
        "form_schema": version.form_schema,
        "steps": [
            {
                "order": position,
                "name": step.name,
                "role": step.role,
                "agency_code": step.agency.code if step.agency else None,
                "hours": float(step.hours),
            }
            for position, step in enumerate(version.steps.all(), start=1)
        ],
        "legal_basis": list(version.legal_basis),
        "agency_codes": selectors.version_agency_codes(version),
    }
