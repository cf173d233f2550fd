"""A full-online procedure with an e-form and documents, for the apply / My dossiers tests.

Imported by the test modules that need it (tests/portal has no conftest of its own). The
e-form mirrors the seed catalogue's: prefilled identity fields, a pattern, a date, a choice.
"""

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from motcua.accounts.models import User
from motcua.catalog.models import (
    Fee,
    Field,
    Procedure,
    ProcedureAgency,
    ProcedureVersion,
    ProcessStep,
    RequiredDocument,
)
from motcua.directory.models import Agency
from motcua.dossiers.files import file_store
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_act, dossier_submit

APPLY_CODE = "9.900101"
PDF = b"%PDF-1.4\n% test\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ho_ten": {
            "type": "string",
            "title": "Họ và tên",
            "minLength": 2,
            "maxLength": 100,
            "examples": ["Nguyễn Văn An"],
            "x-prefill": "profile.name",
        },
        "so_dinh_danh": {
            "type": "string",
            "title": "Số định danh cá nhân",
            "pattern": "^[0-9]{12}$",
            "examples": ["079090001234"],
            "x-prefill": "profile.id_number",
        },
        "dien_thoai": {
            "type": "string",
            "title": "Số điện thoại di động",
            "description": "10 chữ số bắt đầu bằng 0, để nhận tin báo.",
            "pattern": "^(0|\\+84)[0-9]{9}$",
            "examples": ["0901234567"],
            "x-prefill": "profile.phone",
        },
        "so_bhxh": {
            "type": "string",
            "title": "Mã số bảo hiểm xã hội",
            "description": "10 chữ số, in trên sổ hoặc ứng dụng VssID.",
            "pattern": "^[0-9]{10}$",
            "examples": ["7912345678"],
        },
        "ngay_nghi_viec": {
            "type": "string",
            "title": "Ngày chấm dứt hợp đồng lao động",
            "format": "date",
            "examples": ["2026-01-31"],
        },
        "nhan_ket_qua": {
            "type": "string",
            "title": "Cách nhận kết quả",
            "enum": ["Bản điện tử trong tài khoản", "Tại bộ phận một cửa"],
            "examples": ["Bản điện tử trong tài khoản"],
        },
        "ghi_chu": {"type": "string", "title": "Ghi chú", "maxLength": 200, "examples": ["Không"]},
    },
    "required": ["ho_ten", "so_dinh_danh", "dien_thoai", "so_bhxh", "ngay_nghi_viec", "nhan_ket_qua"],
    "additionalProperties": False,
}
ANSWERS = {
    "dien_thoai": "0901234567",
    "so_bhxh": "7912345678",
    "ngay_nghi_viec": "2026-01-31",
    "nhan_ket_qua": "Bản điện tử trong tài khoản",
}


@pytest.fixture
def apply_version(agency: Agency) -> ProcedureVersion:
    field_, _ = Field.objects.get_or_create(code="viec_lam", defaults={"name": "Việc làm"})
    procedure = Procedure.objects.create(code=APPLY_CODE)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        valid_from=date(2025, 7, 1),
        name="Giải quyết hưởng trợ cấp thất nghiệp",
        field=field_,
        level="province",
        online_mode="full",
        processing_days=5,
        result_type="electronic",
        result_name="Quyết định hưởng trợ cấp thất nghiệp",
        form_schema=SCHEMA,
    )
    ProcedureAgency.objects.create(version=version, agency=agency, role=ProcedureAgency.Role.RECEIVING)
    RequiredDocument.objects.create(version=version, order=1, code="TP01", name="Đề nghị hưởng trợ cấp")
    RequiredDocument.objects.create(version=version, order=2, code="TP02", name="Giấy tờ chấm dứt hợp đồng lao động")
    RequiredDocument.objects.create(
        version=version, order=3, code="TP03", name="Sổ bảo hiểm xã hội", state_data_source="insurance_db"
    )
    RequiredDocument.objects.create(version=version, order=4, code="TP04", name="Giấy tờ khác", required=False)
    for order, (name, role, hours) in enumerate(
        (("Thẩm định hồ sơ", "specialist", 16), ("Lãnh đạo phê duyệt, ký", "leader", 8)), start=1
    ):
        ProcessStep.objects.create(version=version, order=order, name=name, role=role, hours=hours)
    Fee.objects.create(version=version, order=1, case="Cấp mới", amount_vnd=50_000)
    return version


@pytest.fixture
def applicant(citizen: User) -> User:
    citizen.phone = "0901234567"
    citizen.email = "an.nguyen@example.vn"
    citizen.save()
    return citizen


def upload(name: str = "don.pdf", content: bytes = PDF) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


@dataclass
class Officers:
    receiver: User
    specialist: User
    leader: User


def act(user: User, code: str, action: str, **params: Any) -> Dossier:
    dossier = Dossier.objects.get(code=code)
    note = params.pop("note", "")
    return dossier_act(actor=user, code=code, action=action, version=dossier.version, note=note, params=params)


def stored_pdf(user: User, name: str = "giay-to.pdf"):
    return file_store(owner=user, name=name, stream=upload(name))


def submit(user, number: int = 0) -> Dossier:
    form = {**ANSWERS, "ho_ten": user.profile.name, "so_dinh_danh": user.profile.id_number}
    documents = [
        {"requirement_code": code, "file_id": stored_pdf(user, f"{code}-{number}.pdf").pk} for code in ("TP01", "TP02")
    ]
    dossier, _ = dossier_submit(actor=user, procedure_code=APPLY_CODE, form=form, documents=documents)
    return dossier
