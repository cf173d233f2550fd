"""Writes to the catalogue: one function per use case, keyword-only arguments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F

from motcua.catalog.interchange import (
    FORMAT,
    FORMAT_VERSION,
    CatalogImportError,
    ImportResult,
    close_previous_versions,
    import_documents,
    version_to_data,
)
from motcua.catalog.models import Procedure, ProcedureVersion, Status, Synonym
from motcua.core.errors import BadInput, Conflict, NotFound
from motcua.core.text import normalize
from motcua.core.timeutil import local_date


def catalog_import(*, documents: list[tuple[str, Any]]) -> ImportResult:
    """Import interchange documents [(source name, parsed JSON), …], all or nothing.

    Raises CatalogImportError (a BadInput) listing every error, each naming the procedure
    and the field; nothing is written then. Importing the same documents again changes nothing.
    """
    return import_documents(documents)


def procedure_version_create(
    *, procedure_code: str, valid_from: dt.date, changes: dict[str, Any] | None = None
) -> ProcedureVersion:
    """Make a new version of a procedure effective from `valid_from`, copying the latest one.

    `changes` overrides keys of the interchange format (docs/catalog.md) — name, fees,
    documents, steps, form_schema, status … An active (or abolished) new version ends the
    previous one the day before; a draft (`changes={"status": "draft"}`) ends nothing: the
    version in force stays in force until the draft is activated (`procedure_version_activate`).
    Versions that dossiers reference are never rewritten; this is how a procedure is edited.
    """
    procedure = Procedure.objects.filter(code=procedure_code).first()
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục mã {procedure_code}.")
    latest = procedure.versions.order_by("-valid_from").first()
    if latest is None:
        raise NotFound(f"Thủ tục mã {procedure_code} chưa có phiên bản nào.")
    if procedure.versions.filter(valid_from__gte=valid_from).exists():
        raise BadInput(
            f"Thủ tục {procedure_code} đã có phiên bản hiệu lực từ {valid_from:%d/%m/%Y} hoặc muộn hơn.",
            fields={"valid_from": "conflict"},
        )
    data = version_to_data(latest)
    data.update(changes or {})
    data.update({"code": procedure_code, "valid_from": valid_from.isoformat(), "valid_to": None})
    from motcua.catalog.models import Field

    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "fields": [{"code": f.code, "name": f.name} for f in Field.objects.filter(code=data["field"])],
        "synonyms": [],
        "procedures": [data],
    }
    with transaction.atomic():
        import_documents([("phiên bản mới", document)])
    return procedure.versions.get(valid_from=valid_from)


def procedure_draft_import(
    *,
    procedure_code: str,
    name: str,
    field_code: str,
    level: str,
    valid_from: dt.date,
    receiving: list[str] | None = None,
    all_commune_units: bool = False,
    source: str = "",
    notes: str = "",
) -> ProcedureVersion:
    """Add a procedure the catalogue does not know yet, as a draft for an administrator to complete.

    Only what is known is filled in (code, name, field, level, where it is received); the rest
    are placeholders (one day, paper result, no online service, no documents, no steps): a
    draft is never in force, and `procedure_version_activate` refuses it until it has steps.
    A field unknown to the catalogue is created with its code as name. Raises Conflict if the
    procedure already exists.
    """
    name = normalize(name)
    if Procedure.objects.filter(code=procedure_code).exists():
        raise Conflict(f"Thủ tục mã {procedure_code} đã có trong danh mục.")
    from motcua.catalog.models import Field

    fields = [] if Field.objects.filter(code=field_code).exists() else [{"code": field_code, "name": field_code}]
    data = {
        "code": procedure_code,
        "valid_from": valid_from.isoformat(),
        "valid_to": None,
        "status": Status.DRAFT,
        "name": name,
        "field": field_code,
        "level": level,
        "agencies": {"all_commune_units": all_commune_units, "receiving": list(receiving or []), "deciding": []},
        "online_mode": "none",
        "processing_days": 1,
        "processing_hours": None,
        "result_type": "paper",
        "source": source,
        "notes": notes,
    }
    document = {"format": FORMAT, "version": FORMAT_VERSION, "fields": fields, "synonyms": [], "procedures": [data]}
    with transaction.atomic():
        import_documents([("thủ tục mới", document)])
    return ProcedureVersion.objects.get(procedure__code=procedure_code, valid_from=valid_from)


def procedure_version_activate(*, version_id: int, today: dt.date | None = None) -> ProcedureVersion:
    """Put a draft version in force from its `valid_from`; the previous version then ends the day before.

    The date must not have passed (default today, Vietnam time): dossiers received on the
    days before were received under the version then in force, and history must keep saying so.
    """
    from django.utils import timezone

    today = today or local_date(timezone.now())
    with transaction.atomic():
        version = ProcedureVersion.objects.select_for_update().select_related("procedure").filter(pk=version_id).first()
        if version is None:
            raise NotFound("Không tìm thấy phiên bản thủ tục.")
        if version.status != Status.DRAFT:
            raise Conflict(
                f"Phiên bản từ {version.valid_from:%d/%m/%Y} của thủ tục {version.code} không phải bản nháp."
            )
        if version.valid_from < today:
            raise BadInput(
                f"Phiên bản nháp của thủ tục {version.code} có hiệu lực từ {version.valid_from:%d/%m/%Y}, ngày đã qua. "
                "Hãy sửa ngày hiệu lực thành hôm nay hoặc muộn hơn rồi áp dụng.",
                fields={"valid_from": "past"},
            )
        if not version.steps.exists():
            raise BadInput(
                f"Thủ tục {version.code}: phiên bản đang áp dụng phải có quy trình nội bộ (ít nhất một bước).",
                fields={"steps": "required"},
            )
        version.status = Status.ACTIVE
        version.save(update_fields=["status", "updated_at"])
        close_previous_versions(version.procedure)
    return version


def procedure_versions_chain(*, procedure_code: str) -> None:
    """Close again each version the day before the next version that is not a draft starts.

    Called after a version's dates or status are edited by hand (the admin), so the
    procedure has exactly one version in force on any day.
    """
    procedure = Procedure.objects.filter(code=procedure_code).first()
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục mã {procedure_code}.")
    with transaction.atomic():
        close_previous_versions(procedure)


def procedure_popularity_bump(*, procedure_code: str, by: int = 1) -> None:
    """Count one more use (a dossier, a visit) of a procedure: the search's tie-breaker."""
    Procedure.objects.filter(code=procedure_code).update(popularity=F("popularity") + by)


def synonym_set(*, term: str, expansion: str) -> Synonym:
    """Add or change an everyday phrase for search ("sổ đỏ" → "giấy chứng nhận quyền sử dụng đất")."""
    term, expansion = normalize(term), normalize(expansion)
    if not term or not expansion:
        raise BadInput("Cần cả cách nói thông dụng và từ ngữ chính thức.")
    synonym, _ = Synonym.objects.update_or_create(term=term, defaults={"expansion": expansion})
    return synonym


__all__ = [
    "CatalogImportError",
    "ImportResult",
    "catalog_import",
    "procedure_draft_import",
    "procedure_popularity_bump",
    "procedure_version_activate",
    "procedure_version_create",
    "procedure_versions_chain",
    "synonym_set",
]
