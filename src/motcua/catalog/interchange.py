"""The catalogue's JSON interchange format (docs/catalog.md): validation, import and export.

One procedure *version* per item of `procedures`, identified by (`code`, `valid_from`).
Import is all-or-nothing (one transaction, everything validated before anything is written),
idempotent (an item equal to what is stored changes nothing), and every error names the
procedure and the field. Export writes the same format in a canonical order, so
export → import → export gives the same document.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from motcua.catalog.eforms import check_form_schema, with_field_order
from motcua.catalog.models import (
    Fee,
    Level,
    OnlineMode,
    Procedure,
    ProcedureAgency,
    ProcedureVersion,
    ProcessStep,
    RequiredDocument,
    ResultType,
    StateDataSource,
    Status,
    Synonym,
)
from motcua.catalog.models import Field as ProcedureField
from motcua.core.errors import BadInput
from motcua.core.text import normalize
from motcua.directory.models import Agency

FORMAT = "motcua-catalog"
FORMAT_VERSION = 1
# D.NNNNNN with an optional local suffix (e.g. an agency code): 1.000494.000.00.00.H29
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}(\.[0-9A-Za-z]+)*$")
HOURS_PER_DAY = 8

VERSION_KEYS = [
    "code",
    "valid_from",
    "valid_to",
    "status",
    "name",
    "field",
    "level",
    "agencies",
    "online_mode",
    "processing_days",
    "processing_hours",
    "cutoff_hour",
    "result_type",
    "result_name",
    "applicants",
    "description",
    "result_delivery",
    "keywords",
    "popularity",
    "legal_basis",
    "fee_note",
    "fees",
    "documents",
    "steps",
    "form_schema",
    "source",
    "notes",
]
TEXT_KEYS = ["result_name", "applicants", "description", "result_delivery", "keywords", "fee_note", "source", "notes"]
DOCUMENT_KEYS = ["code", "name", "copies", "form", "required", "template_url", "state_data_source", "note"]


class CatalogImportError(BadInput):
    code = "catalog_import_error"

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("Tệp danh mục có lỗi, chưa nhập gì:\n" + "\n".join(errors), errors=errors)


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    fields_changed: int = 0
    synonyms_changed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.fields_changed or self.synonyms_changed)


# --- export -------------------------------------------------------------------------------


def _hours_out(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def version_to_data(version: ProcedureVersion) -> dict[str, Any]:
    """The canonical interchange form of one version."""
    links = list(version.agency_links.all())
    return {
        "code": version.procedure.code,
        "valid_from": version.valid_from.isoformat(),
        "valid_to": version.valid_to.isoformat() if version.valid_to else None,
        "status": version.status,
        "name": version.name,
        "field": version.field.code,
        "level": version.level,
        "agencies": {
            "all_commune_units": version.all_commune_units,
            "receiving": [link.agency.code for link in links if link.role == ProcedureAgency.Role.RECEIVING],
            "deciding": [link.agency.code for link in links if link.role == ProcedureAgency.Role.DECIDING],
        },
        "online_mode": version.online_mode,
        "processing_days": version.processing_days,
        "processing_hours": version.processing_hours,
        "cutoff_hour": version.cutoff_hour.strftime("%H:%M") if version.cutoff_hour else None,
        "result_type": version.result_type,
        "result_name": version.result_name,
        "applicants": version.applicants,
        "description": version.description,
        "result_delivery": version.result_delivery,
        "keywords": version.keywords,
        "popularity": version.procedure.popularity,
        "legal_basis": list(version.legal_basis),
        "fee_note": version.fee_note,
        "fees": [{"case": fee.case, "amount_vnd": fee.amount_vnd, "note": fee.note} for fee in version.fees.all()],
        "documents": [
            {
                "code": doc.code,
                "name": doc.name,
                "copies": doc.copies,
                "form": doc.form,
                "required": doc.required,
                "template_url": doc.template_url,
                "state_data_source": doc.state_data_source,
                "note": doc.note,
            }
            for doc in version.documents.all()
        ],
        "steps": [
            {
                "name": step.name,
                "role": step.role,
                "agency": step.agency.code if step.agency else None,
                "hours": _hours_out(step.hours),
            }
            for step in version.steps.all()
        ],
        "form_schema": version.form_schema,
        "source": version.source,
        "notes": version.notes,
    }


def _versions_for_export():
    return ProcedureVersion.objects.select_related("procedure", "field").prefetch_related(
        "agency_links__agency", "fees", "documents", "steps__agency"
    )


def catalog_export(*, codes: list[str] | None = None) -> dict[str, Any]:
    """The whole catalogue (or the given procedures) as an interchange document."""
    versions = _versions_for_export().order_by("procedure__code", "valid_from")
    if codes:
        versions = versions.filter(procedure__code__in=codes)
    items = [version_to_data(version) for version in versions]
    used_fields = {item["field"] for item in items}
    fields = ProcedureField.objects.order_by("code")
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "fields": [{"code": f.code, "name": f.name} for f in fields if not codes or f.code in used_fields],
        "synonyms": sorted(
            ({"term": s.term, "expansion": s.expansion} for s in Synonym.objects.all()), key=lambda s: s["term"]
        ),
        "procedures": items,
    }


# --- validation ---------------------------------------------------------------------------


def _parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _label(item: Any, index: int) -> str:
    if isinstance(item, dict):
        code = item.get("code") or f"#{index + 1}"
        name = item.get("name")
        return f"Thủ tục {code}" + (f" «{name}»" if name else "") + (f" (từ {item.get('valid_from')})")
    return f"Thủ tục #{index + 1}"


def _is_int(value: Any, *, minimum: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _validate_item(item: dict[str, Any], field_codes: set[str], agency_codes: set[str]) -> list[str]:
    errors: list[str] = []

    def bad(key: str, message: str) -> None:
        errors.append(f"{key}: {message}")

    unknown = set(item) - set(VERSION_KEYS)
    for key in sorted(unknown):
        bad(key, "trường không có trong định dạng")
    code = item.get("code")
    if not isinstance(code, str) or not PROCEDURE_CODE.match(code):
        bad("code", "mã thủ tục phải có dạng D.NNNNNN (có thể thêm hậu tố), ví dụ 1.001193")
    valid_from = _parse_date(item.get("valid_from"))
    if valid_from is None:
        bad("valid_from", "ngày hiệu lực phải có dạng YYYY-MM-DD")
    if item.get("valid_to") is not None:
        valid_to = _parse_date(item.get("valid_to"))
        if valid_to is None:
            bad("valid_to", "ngày hết hiệu lực phải có dạng YYYY-MM-DD hoặc null")
        elif valid_from and valid_to < valid_from:
            bad("valid_to", "ngày hết hiệu lực trước ngày hiệu lực")
    if item.get("status", Status.ACTIVE) not in Status.values:
        bad("status", f"phải là một trong {', '.join(Status.values)}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        bad("name", "thiếu tên thủ tục")
    elif len(name) > 500:
        bad("name", "tên dài quá 500 ký tự")
    if item.get("field") not in field_codes:
        bad("field", f"lĩnh vực “{item.get('field')}” chưa có trong danh sách lĩnh vực (fields)")
    if item.get("level") not in Level.values:
        bad("level", f"phải là một trong {', '.join(Level.values)}")
    agencies = item.get("agencies", {})
    if not isinstance(agencies, dict):
        bad("agencies", "phải là đối tượng {all_commune_units, receiving, deciding}")
        agencies = {}
    if not isinstance(agencies.get("all_commune_units", False), bool):
        bad("agencies.all_commune_units", "phải là true hoặc false")
    for role in ("receiving", "deciding"):
        codes = agencies.get(role, [])
        if not isinstance(codes, list):
            bad(f"agencies.{role}", "phải là danh sách mã cơ quan")
            continue
        for position, agency_code in enumerate(codes):
            if agency_code not in agency_codes:
                bad(f"agencies.{role}[{position}]", f"không có cơ quan mã “{agency_code}”")
    if not agencies.get("all_commune_units") and not agencies.get("receiving"):
        bad("agencies.receiving", "cần ít nhất một cơ quan tiếp nhận (hoặc all_commune_units)")
    if item.get("online_mode") not in OnlineMode.values:
        bad("online_mode", f"phải là một trong {', '.join(OnlineMode.values)}")
    days, hours = item.get("processing_days"), item.get("processing_hours")
    if days is not None and not _is_int(days, minimum=1):
        bad("processing_days", "phải là số nguyên dương hoặc null")
    if hours is not None and not _is_int(hours, minimum=1):
        bad("processing_hours", "phải là số nguyên dương hoặc null")
    if (days is None) == (hours is None):
        bad("processing_days", "cần đúng một trong processing_days (ngày) hoặc processing_hours (giờ)")
    cutoff = item.get("cutoff_hour")
    if cutoff is not None:
        try:
            dt.time.fromisoformat(cutoff)
        except (TypeError, ValueError):
            bad("cutoff_hour", "giờ chốt phải có dạng HH:MM hoặc null")
    if item.get("result_type") not in ResultType.values:
        bad("result_type", f"phải là một trong {', '.join(ResultType.values)}")
    for key in TEXT_KEYS:
        if not isinstance(item.get(key, ""), str):
            bad(key, "phải là chuỗi ký tự")
    if item.get("popularity") is not None and not _is_int(item.get("popularity")):
        bad("popularity", "phải là số nguyên không âm")
    legal = item.get("legal_basis", [])
    if not isinstance(legal, list) or not all(isinstance(x, str) and x.strip() for x in legal):
        bad("legal_basis", "phải là danh sách văn bản (chuỗi)")
    fees = item.get("fees", [])
    if not isinstance(fees, list):
        bad("fees", "phải là danh sách")
        fees = []
    for position, fee in enumerate(fees):
        where = f"fees[{position}]"
        if not isinstance(fee, dict):
            bad(where, "phải là đối tượng {case, amount_vnd, note}")
            continue
        if not isinstance(fee.get("case"), str) or not fee["case"].strip():
            bad(f"{where}.case", "thiếu trường hợp áp dụng")
        if not _is_int(fee.get("amount_vnd")):
            bad(f"{where}.amount_vnd", "mức thu phải là số nguyên đồng, không âm")
        if not isinstance(fee.get("note", ""), str):
            bad(f"{where}.note", "phải là chuỗi ký tự")
    documents = item.get("documents", [])
    if not isinstance(documents, list):
        bad("documents", "phải là danh sách")
        documents = []
    seen_codes: set[str] = set()
    for position, doc in enumerate(documents):
        where = f"documents[{position}]"
        if not isinstance(doc, dict):
            bad(where, "phải là đối tượng")
            continue
        for key in sorted(set(doc) - set(DOCUMENT_KEYS)):
            bad(f"{where}.{key}", "trường không có trong định dạng")
        doc_code = doc.get("code")
        if not isinstance(doc_code, str) or not doc_code.strip():
            bad(f"{where}.code", "thiếu mã giấy tờ")
        elif doc_code in seen_codes:
            bad(f"{where}.code", f"mã giấy tờ “{doc_code}” bị trùng")
        else:
            seen_codes.add(doc_code)
        if not isinstance(doc.get("name"), str) or not doc["name"].strip():
            bad(f"{where}.name", "thiếu tên giấy tờ")
        if not _is_int(doc.get("copies", 1), minimum=1):
            bad(f"{where}.copies", "số bản phải là số nguyên ≥ 1")
        if doc.get("form", "original") not in RequiredDocument.Form.values:
            bad(f"{where}.form", f"phải là một trong {', '.join(RequiredDocument.Form.values)}")
        if not isinstance(doc.get("required", True), bool):
            bad(f"{where}.required", "phải là true hoặc false")
        if doc.get("state_data_source", "") not in StateDataSource.values:
            bad(
                f"{where}.state_data_source",
                f"nguồn dữ liệu “{doc.get('state_data_source')}” không hợp lệ; dùng một trong "
                + ", ".join(v for v in StateDataSource.values if v),
            )
        for key in ("template_url", "note"):
            if not isinstance(doc.get(key, ""), str):
                bad(f"{where}.{key}", "phải là chuỗi ký tự")
    steps = item.get("steps", [])
    if not isinstance(steps, list):
        bad("steps", "phải là danh sách")
        steps = []
    total = Decimal(0)
    steps_ok = True
    for position, step in enumerate(steps):
        where = f"steps[{position}]"
        if not isinstance(step, dict):
            bad(where, "phải là đối tượng {name, role, agency, hours}")
            steps_ok = False
            continue
        if not isinstance(step.get("name"), str) or not step["name"].strip():
            bad(f"{where}.name", "thiếu tên bước")
        if step.get("role") not in ProcessStep.Role.values:
            bad(f"{where}.role", f"vai trò phải là một trong {', '.join(ProcessStep.Role.values)}")
        if step.get("agency") is not None and step.get("agency") not in agency_codes:
            bad(f"{where}.agency", f"không có cơ quan mã “{step.get('agency')}”")
        try:
            hours_value = Decimal(str(step.get("hours")))
            if hours_value <= 0 or hours_value != hours_value.quantize(Decimal("0.01")):
                raise InvalidOperation
            total += hours_value
        except (InvalidOperation, ValueError):
            bad(f"{where}.hours", "thời gian phải là số giờ dương (tối đa 2 chữ số thập phân)")
            steps_ok = False
    expected = hours if hours else (days or 0) * HOURS_PER_DAY
    status = item.get("status", Status.ACTIVE)
    if not steps and status == Status.ACTIVE:
        bad("steps", "thủ tục đang áp dụng phải có quy trình nội bộ (ít nhất một bước)")
    elif steps and steps_ok and _is_int(expected, minimum=1) and total != expected:
        bad(
            "steps",
            f"tổng thời gian các bước là {_hours_out(total)} giờ, phải bằng thời hạn giải quyết {expected} giờ "
            f"làm việc ({HOURS_PER_DAY} giờ/ngày)",
        )
    schema = item.get("form_schema", {})
    if schema or item.get("online_mode") in (OnlineMode.FULL, OnlineMode.PARTIAL):
        for path, message in check_form_schema(schema):
            bad(f"form_schema.{path}" if path != "form_schema" else "form_schema", message)
    return errors


def validate_catalog_data(document: Any, *, source: str = "") -> list[str]:
    """Every error of an interchange document, each naming the procedure and the field."""
    prefix = f"{source}: " if source else ""
    if not isinstance(document, dict):
        return [f"{prefix}tệp phải là một đối tượng JSON"]
    errors: list[str] = []
    if document.get("format") != FORMAT:
        errors.append(f"{prefix}format: phải là “{FORMAT}”")
    if document.get("version") != FORMAT_VERSION:
        errors.append(f"{prefix}version: phiên bản định dạng được hỗ trợ là {FORMAT_VERSION}")
    fields = document.get("fields", [])
    field_codes = set(ProcedureField.objects.values_list("code", flat=True))
    if not isinstance(fields, list):
        errors.append(f"{prefix}fields: phải là danh sách")
        fields = []
    for position, entry in enumerate(fields):
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str) or not entry.get("code"):
            errors.append(f"{prefix}fields[{position}].code: thiếu mã lĩnh vực")
        elif not isinstance(entry.get("name"), str) or not entry["name"].strip():
            errors.append(f"{prefix}fields[{position}].name: thiếu tên lĩnh vực “{entry['code']}”")
        else:
            field_codes.add(entry["code"])
    synonyms = document.get("synonyms", [])
    if not isinstance(synonyms, list):
        errors.append(f"{prefix}synonyms: phải là danh sách")
        synonyms = []
    for position, entry in enumerate(synonyms):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("term"), str)
            and entry["term"].strip()
            and isinstance(entry.get("expansion"), str)
            and entry["expansion"].strip()
        ):
            errors.append(f"{prefix}synonyms[{position}]: cần “term” và “expansion” là chuỗi khác rỗng")
    procedures = document.get("procedures", [])
    if not isinstance(procedures, list):
        return [*errors, f"{prefix}procedures: phải là danh sách"]
    agency_codes = set(Agency.objects.values_list("code", flat=True))
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(procedures):
        label = _label(item, index)
        if not isinstance(item, dict):
            errors.append(f"{prefix}{label}: phải là một đối tượng")
            continue
        key = (str(item.get("code")), str(item.get("valid_from")))
        if key in seen:
            errors.append(f"{prefix}{label} — valid_from: phiên bản này xuất hiện hai lần trong tệp")
        seen.add(key)
        errors.extend(f"{prefix}{label} — {message}" for message in _validate_item(item, field_codes, agency_codes))
    return errors


# --- import -------------------------------------------------------------------------------


def _canonical(item: dict[str, Any]) -> dict[str, Any]:
    """An incoming item with defaults filled in, comparable to `version_to_data`."""
    agencies = item.get("agencies", {})
    data = {
        "code": item["code"],
        "valid_from": item["valid_from"],
        "valid_to": item.get("valid_to"),
        "status": item.get("status", Status.ACTIVE),
        "name": normalize(item["name"]),
        "field": item["field"],
        "level": item["level"],
        "agencies": {
            "all_commune_units": agencies.get("all_commune_units", False),
            "receiving": list(agencies.get("receiving", [])),
            "deciding": list(agencies.get("deciding", [])),
        },
        "online_mode": item["online_mode"],
        "processing_days": item.get("processing_days"),
        "processing_hours": item.get("processing_hours"),
        "cutoff_hour": dt.time.fromisoformat(item["cutoff_hour"]).strftime("%H:%M")
        if item.get("cutoff_hour")
        else None,
        "result_type": item["result_type"],
        **{key: item.get(key, "") for key in TEXT_KEYS},
        "popularity": item.get("popularity"),
        "legal_basis": list(item.get("legal_basis", [])),
        "fees": [
            {"case": fee["case"], "amount_vnd": fee["amount_vnd"], "note": fee.get("note", "")}
            for fee in item.get("fees", [])
        ],
        "documents": [
            {
                "code": doc["code"],
                "name": doc["name"],
                "copies": doc.get("copies", 1),
                "form": doc.get("form", RequiredDocument.Form.ORIGINAL),
                "required": doc.get("required", True),
                "template_url": doc.get("template_url", ""),
                "state_data_source": doc.get("state_data_source", ""),
                "note": doc.get("note", ""),
            }
            for doc in item.get("documents", [])
        ],
        "steps": [
            {
                "name": step["name"],
                "role": step["role"],
                "agency": step.get("agency"),
                "hours": _hours_out(Decimal(str(step["hours"]))),
            }
            for step in item.get("steps", [])
        ],
        "form_schema": with_field_order(item.get("form_schema", {})),
    }
    return data


def _chained(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Close each open version of a procedure the day before its next version in the same file."""
    by_code: dict[str, list[dict[str, Any]]] = {}
    for data in items:
        by_code.setdefault(data["code"], []).append(data)
    for versions in by_code.values():
        # A draft ends nothing: only a version that is (or was) in force closes the one before.
        versions = sorted((data for data in versions if data["status"] != Status.DRAFT), key=lambda d: d["valid_from"])
        for current, following in itertools.pairwise(versions):
            last_day = (dt.date.fromisoformat(following["valid_from"]) - dt.timedelta(days=1)).isoformat()
            if current["valid_to"] is None or current["valid_to"] > last_day:
                current["valid_to"] = last_day
    return items


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    # Popularity is live data (a counter): it seeds a new procedure, and never resets one.
    # The form's field order (`x-order`) is storage, not a rule: versions stored before it
    # existed compare equal to the same form with it.
    comparable = {key: value for key, value in data.items() if key != "popularity"}
    comparable["form_schema"] = _without_field_order(comparable.get("form_schema"))
    return comparable


def _without_field_order(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {key: _without_field_order(value) for key, value in schema.items() if key != "x-order"}
    if isinstance(schema, list):
        return [_without_field_order(value) for value in schema]
    return schema


def _write_version(version: ProcedureVersion, data: dict[str, Any], fields: dict[str, ProcedureField]) -> None:
    agencies = {a.code: a for a in Agency.objects.filter(code__in=_agency_codes_of(data))}
    version.valid_to = dt.date.fromisoformat(data["valid_to"]) if data["valid_to"] else None
    version.status = data["status"]
    version.name = data["name"]
    version.field = fields[data["field"]]
    version.level = data["level"]
    version.all_commune_units = data["agencies"]["all_commune_units"]
    version.online_mode = data["online_mode"]
    version.processing_days = data["processing_days"]
    version.processing_hours = data["processing_hours"]
    version.cutoff_hour = dt.time.fromisoformat(data["cutoff_hour"]) if data["cutoff_hour"] else None
    version.result_type = data["result_type"]
    for key in TEXT_KEYS:
        setattr(version, key, data[key])
    version.legal_basis = data["legal_basis"]
    version.form_schema = data["form_schema"]
    version.save()
    version.agency_links.all().delete()
    version.fees.all().delete()
    version.documents.all().delete()
    version.steps.all().delete()
    ProcedureAgency.objects.bulk_create(
        [
            ProcedureAgency(version=version, agency=agencies[code], role=role)
            for role in (ProcedureAgency.Role.RECEIVING, ProcedureAgency.Role.DECIDING)
            for code in data["agencies"][role.value]
        ]
    )
    Fee.objects.bulk_create(
        [
            Fee(version=version, order=i, case=fee["case"], amount_vnd=fee["amount_vnd"], note=fee["note"])
            for i, fee in enumerate(data["fees"])
        ]
    )
    RequiredDocument.objects.bulk_create(
        [RequiredDocument(version=version, order=i, **doc) for i, doc in enumerate(data["documents"])]
    )
    ProcessStep.objects.bulk_create(
        [
            ProcessStep(
                version=version,
                order=i,
                name=step["name"],
                role=step["role"],
                agency=agencies[step["agency"]] if step["agency"] else None,
                hours=Decimal(str(step["hours"])),
            )
            for i, step in enumerate(data["steps"])
        ]
    )


def _agency_codes_of(data: dict[str, Any]) -> set[str]:
    codes = set(data["agencies"]["receiving"]) | set(data["agencies"]["deciding"])
    codes |= {step["agency"] for step in data["steps"] if step["agency"]}
    return codes


def close_previous_versions(procedure: Procedure) -> None:
    """Make a procedure's versions a chain: each open version ends the day before the next starts.

    Drafts are left out: preparing a new version never ends the one in force. It is closed
    when the draft is activated (or a version is imported active or abolished).
    """
    versions = list(procedure.versions.exclude(status=Status.DRAFT).order_by("valid_from"))
    for current, following in itertools.pairwise(versions):
        last_day = following.valid_from - dt.timedelta(days=1)
        if current.valid_to is None or current.valid_to > last_day:
            current.valid_to = last_day
            current.save(update_fields=["valid_to", "updated_at"])


def import_documents(documents: list[tuple[str, Any]]) -> ImportResult:
    """Validate every (source name, document) pair, then import all of them in one transaction."""
    errors: list[str] = []
    for source, document in documents:
        errors.extend(validate_catalog_data(document, source=source))
    if errors:
        raise CatalogImportError(errors)
    result = ImportResult()
    with transaction.atomic():
        for _source, document in documents:
            for entry in document.get("fields", []):
                obj, created = ProcedureField.objects.get_or_create(
                    code=entry["code"], defaults={"name": entry["name"]}
                )
                if not created and obj.name != entry["name"]:
                    obj.name = entry["name"]
                    obj.save(update_fields=["name"])
                    result.fields_changed += 1
                elif created:
                    result.fields_changed += 1
            for entry in document.get("synonyms", []):
                term, expansion = normalize(entry["term"]), normalize(entry["expansion"])
                synonym, created = Synonym.objects.get_or_create(term=term, defaults={"expansion": expansion})
                if not created and synonym.expansion != expansion:
                    synonym.expansion = expansion
                    synonym.save(update_fields=["expansion", "updated_at"])
                    result.synonyms_changed += 1
                elif created:
                    result.synonyms_changed += 1
        fields = {f.code: f for f in ProcedureField.objects.all()}
        touched: set[int] = set()
        in_use: list[str] = []
        for _source, document in documents:
            for data in _chained([_canonical(item) for item in document.get("procedures", [])]):
                label = f"{data['code']}@{data['valid_from']}"
                procedure, created = Procedure.objects.get_or_create(
                    code=data["code"], defaults={"popularity": data["popularity"] or 0}
                )
                valid_from = dt.date.fromisoformat(data["valid_from"])
                version = procedure.versions.filter(valid_from=valid_from).first()
                if version is None:
                    version = ProcedureVersion(procedure=procedure, valid_from=valid_from)
                    _write_version(version, data, fields)
                    result.created.append(label)
                    touched.add(procedure.pk)
                    continue
                current = version_to_data(_versions_for_export().get(pk=version.pk))
                if _comparable(current) == _comparable(data):
                    result.unchanged.append(label)
                    if version.form_schema != data["form_schema"]:  # only the field order was missing
                        version.form_schema = data["form_schema"]
                        version.save(update_fields=["form_schema"])
                    continue
                if _rules_changed(current, data) and _version_in_use(version):
                    in_use.append(
                        f"{label}: đã có hồ sơ được tiếp nhận theo phiên bản này nên không sửa được nội dung; "
                        "hãy nhập một phiên bản mới với valid_from khác."
                    )
                    continue
                _write_version(version, data, fields)
                result.updated.append(label)
                touched.add(procedure.pk)
        if in_use:
            # Raising inside the transaction rolls back everything this import wrote.
            raise CatalogImportError(in_use)
        for procedure in Procedure.objects.filter(pk__in=touched):
            close_previous_versions(procedure)
    return result


# A version's end date and status may still change (it is closed or abolished); nothing else
# may once a dossier was received under it.
_LIFECYCLE_KEYS = {"valid_to", "status"}


def _rules_changed(current: dict[str, Any], data: dict[str, Any]) -> bool:
    strip = lambda d: {k: v for k, v in _comparable(d).items() if k not in _LIFECYCLE_KEYS}  # noqa: E731
    return strip(current) != strip(data)


def _version_in_use(version: ProcedureVersion) -> bool:
    from motcua.catalog.selectors import version_in_use

    return version_in_use(version)
