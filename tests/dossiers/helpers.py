"""Builders for the lifecycle, services, log and walkthrough tests (plain functions, explicit data).

Kept apart from `conftest.py` (another suite's fixtures) so these modules stand on their own.
"""

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest

from motcua.accounts.models import User
from motcua.catalog.models import Field, Procedure, ProcedureAgency, ProcedureVersion, ProcessStep, RequiredDocument
from motcua.core.timeutil import VN_TZ
from motcua.directory.models import Agency
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, StoredFile

FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ho_ten", "so_dinh_danh"],
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ và tên", "minLength": 1},
        "so_dinh_danh": {
            "type": "string",
            "title": "Số định danh cá nhân",
            "pattern": "^[0-9]{12}$",
            "examples": ["079090001234"],
        },
        "ghi_chu": {"type": "string", "title": "Ghi chú"},
    },
}
GOOD_FORM: dict[str, Any] = {"ho_ten": "Nguyễn Văn An", "so_dinh_danh": "079090001234"}

# Three internal steps adding up to the procedure's 5 working days (40 working hours).
THREE_STEPS: tuple[tuple[str, str, int], ...] = (
    ("Thẩm định hồ sơ", "specialist", 16),
    ("Xử lý, lấy ý kiến cơ quan phối hợp", "specialist", 16),
    ("Lãnh đạo phê duyệt, ký kết quả", "leader", 8),
)
UPLOADED_DOCUMENT = "TO_KHAI"
_codes = itertools.count(1)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def make_procedure(
    *,
    agency: Agency,
    code: str | None = None,
    days: int | None = 5,
    hours: int | None = None,
    steps: tuple[tuple[str, str, int], ...] = THREE_STEPS,
    schema: dict[str, Any] | None = None,
) -> ProcedureVersion:
    """An active, fully online procedure version received by `agency`, with documents and steps."""
    field_, _ = Field.objects.get_or_create(code="noi_vu", defaults={"name": "Nội vụ"})
    procedure = Procedure.objects.create(code=code or f"9.{next(_codes):06d}")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        valid_from=date(2025, 7, 1),
        name="Cấp giấy xác nhận thử nghiệm",
        field=field_,
        level="province",
        online_mode="full",
        processing_days=days,
        processing_hours=hours,
        result_type="electronic",
        result_name="Giấy xác nhận",
        form_schema=FORM_SCHEMA if schema is None else schema,
    )
    ProcedureAgency.objects.create(version=version, agency=agency, role=ProcedureAgency.Role.RECEIVING)
    RequiredDocument.objects.create(version=version, order=1, code=UPLOADED_DOCUMENT, name="Tờ khai đề nghị")
    RequiredDocument.objects.create(
        version=version, order=2, code="CCCD", name="Căn cước công dân", state_data_source="population_db"
    )
    RequiredDocument.objects.create(version=version, order=3, code="KHAC", name="Giấy tờ khác (nếu có)", required=False)
    for order, (name, role, budget) in enumerate(steps, start=1):
        ProcessStep.objects.create(version=version, order=order, name=name, role=role, hours=budget)
    return version


def stored_file(owner: User | None, name: str = "to-khai.pdf") -> StoredFile:
    """A file row (no bytes in storage: the services only look the row up)."""
    digest = hashlib.sha256(f"{name}:{next(_codes)}".encode()).hexdigest()
    return StoredFile.objects.create(sha256=digest, name=name, content_type="application/pdf", size=1234, owner=owner)


def submit(
    applicant: User,
    version: ProcedureVersion,
    *,
    now: datetime,
    form: dict[str, Any] | None = None,
    key: str | None = None,
) -> Dossier:
    upload = stored_file(applicant)
    dossier, created = services.dossier_submit(
        actor=applicant,
        procedure_code=version.procedure.code,
        form=dict(GOOD_FORM if form is None else form),
        documents=[{"requirement_code": UPLOADED_DOCUMENT, "file_id": upload.pk}],
        idempotency_key=key,
        now=now,
    )
    assert created
    return dossier


@dataclass
class IssuedForms:
    """What the services asked to render and to sign, instead of doing it.

    Rendering (WeasyPrint) and signing (pyHanko) have their own tests (test_forms.py, signing);
    here they would only slow the hundreds of transitions down.
    """

    issued: list[tuple[str, str]] = field(default_factory=list)  # (dossier code, form number)
    signed: list[tuple[str, str]] = field(default_factory=list)  # (dossier code, document kind)

    def numbers(self, code: str | None = None) -> list[str]:
        return [number for dossier_code, number in self.issued if code is None or dossier_code == code]


def record_forms(monkeypatch: pytest.MonkeyPatch) -> IssuedForms:
    """Replace form rendering and document signing by a recorder for the rest of the test."""
    recorder = IssuedForms()

    def issue(dossier, number, *, actor, note):
        recorder.issued.append((dossier.code, number))

    def sign(*, document, actor):
        recorder.signed.append((document.dossier.code, document.kind))
        document.signed = True
        document.save(update_fields=["signed"])
        return document

    monkeypatch.setattr(services, "_issue_form", issue)
    if hasattr(services, "dossier_document_sign"):
        monkeypatch.setattr(services, "dossier_document_sign", sign)
    return recorder


def act(actor: User | None, dossier: Dossier, action: str, *, now: datetime, note: str = "", **params: Any) -> Dossier:
    """One service action on the dossier's current version; returns the fresh row."""
    current = Dossier.objects.get(pk=dossier.pk)
    services.dossier_act(
        actor=actor, code=current.code, action=action, version=current.version, note=note, params=params, now=now
    )
    return Dossier.objects.get(pk=dossier.pk)
