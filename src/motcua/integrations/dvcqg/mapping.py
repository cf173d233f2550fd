"""MotCua ↔ the national portal (DVCQG): every field mapping in one module.

The official specification is not public (domain.md); these are the field names public
integrations use. Dates are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh, empty when unknown.

Out (push): `HoSo` — MaHoSo, MaTTHC, TenTTHC, MaLinhVuc, ChuHoSo, LoaiDoiTuong (1 person,
2 business), MaDoiTuong, SoDienThoai, Email, TrichYeuHoSo, NgayTiepNhan, NgayHenTra,
TrangThaiHoSo (1..10), NgayKetThucXuLy, NgayTra, DonViXuLy, KenhThucHien (1 in person,
2 online, 3 post), TaiLieuNop[], DanhSachLePhi[], DanhSachHoSoBoSung[] (NgayHenTraTruoc,
NgayHenTraMoi), DanhSachGiayToKetQua[]; `TienDo` — MaHoSo, NguoiXuLy, ChucDanh,
ThoiDiemXuLy, PhongBanXuLy, NoiDungXuLy, TrangThai, NgayBatDau, NgayKetThucTheoQuyDinh.

In (pull): a dossier submitted at the national portal — MaHoSoQG, MaTTHC, ChuHoSo,
MaDoiTuong, NgaySinh (yyyyMMdd), GioiTinh, DiaChi, SoDienThoai, Email, DonViXuLy,
DuLieuToKhai {…the e-form…}, TaiLieuNop [{MaThanhPhan, TenTep, NoiDungBase64}].
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from motcua.core.text import normalize
from motcua.core.timeutil import to_vn

DATE_FORMAT = "%Y%m%d%H%M%S"


class MappingError(ValueError):
    """The national portal's data does not have the expected shape."""


def when(moment: datetime | None) -> str:
    return to_vn(moment).strftime(DATE_FORMAT) if moment else ""


def dossier_to_wire(dossier: Any) -> dict[str, Any]:
    """`HoSo` for a dossier loaded with its procedure version, field, agencies, documents,
    due-date changes and invoices (see `integrations.dvcqg.sync._load`)."""
    version = dossier.procedure_version
    documents = list(dossier.documents.all())
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": version.field.code,
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": 2 if dossier.applicant_kind == 2 else 1,
        "MaDoiTuong": dossier.applicant_id_number,
        "SoDienThoai": dossier.applicant_phone,
        "Email": dossier.applicant_email,
        "TrichYeuHoSo": dossier.summary,
        "NgayNopHoSo": when(dossier.submitted_at),
        "NgayTiepNhan": when(dossier.received_at),
        "NgayHenTra": when(dossier.due_at),
        "TrangThaiHoSo": int(dossier.status),
        "NgayKetThucXuLy": when(dossier.resolved_at),
        "NgayTra": when(dossier.returned_at),
        "DonViXuLy": dossier.current_agency.code,
        "TenDonViXuLy": dossier.current_agency.name,
        "KenhThucHien": int(dossier.channel),
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": doc.requirement_code,
                "TenTaiLieu": doc.name,
                "TenTepDinhKem": doc.file.name if doc.file_id else "",
                "MaHash": doc.file.sha256 if doc.file_id else "",
                "DuLieuTaiSuDung": doc.reused_from,
            }
            for doc in documents
            if doc.kind == "input"
        ],
        "DanhSachLePhi": [
            {"TenPhiLePhi": invoice.fee_case, "MucPhi": invoice.amount_vnd, "TrangThai": invoice.state}
            for invoice in dossier.invoices.all()
        ],
        "DanhSachHoSoBoSung": [
            {
                "NgayYeuCau": when(change.at),
                "NgayHenTraTruoc": when(change.previous_due_at),
                "NgayHenTraMoi": when(change.new_due_at),
                "LyDo": change.reason,
            }
            for change in dossier.due_changes.all()
        ],
        "DanhSachGiayToKetQua": [
            {"TenGiayTo": doc.name, "MaHash": doc.file.sha256 if doc.file_id else "", "DaKySo": doc.signed}
            for doc in documents
            if doc.kind == "result"
        ],
    }


def progress_to_wire(dossier: Any, event: Any, *, title: str = "") -> dict[str, Any]:
    """`TienDo` for one event of the dossier log (the handler's title comes from the caller)."""
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": event.actor_name,
        "ChucDanh": title,
        "ThoiDiemXuLy": when(event.at),
        "PhongBanXuLy": event.agency_code,
        "NoiDungXuLy": event.title + (f": {event.note}" if event.note and event.public else ""),
        "TrangThai": int(event.to_status),
        "NgayBatDau": when(dossier.step_started_at or dossier.received_at or dossier.submitted_at),
        "NgayKetThucTheoQuyDinh": when(dossier.step_due_at or dossier.due_at),
    }


@dataclass(frozen=True)
class NationalDocument:
    requirement_code: str
    file_name: str
    content: bytes


@dataclass(frozen=True)
class NationalDossier:
    """A dossier submitted at the national portal, as MotCua needs it to file it."""

    national_code: str
    procedure_code: str
    applicant_name: str
    id_number: str
    date_of_birth: date | None
    gender: str
    address: str
    phone: str
    email: str
    agency_code: str
    form: dict[str, Any]
    documents: tuple[NationalDocument, ...]


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise MappingError(f"{key} missing")
        return ""
    if not isinstance(value, str | int):
        raise MappingError(f"{key} is not text")
    return normalize(str(value))


def submitted_from_wire(data: Any) -> NationalDossier:
    if not isinstance(data, dict):
        raise MappingError("dossier is not an object")
    birth = _text(data, "NgaySinh")
    try:
        dob = datetime.strptime(birth[:8], "%Y%m%d").date() if birth else None
    except ValueError as error:
        raise MappingError("NgaySinh is not yyyyMMdd") from error
    form = data.get("DuLieuToKhai") or {}
    if not isinstance(form, dict):
        raise MappingError("DuLieuToKhai is not an object")
    documents = []
    for item in data.get("TaiLieuNop") or []:
        if not isinstance(item, dict):
            raise MappingError("TaiLieuNop item is not an object")
        try:
            content = base64.b64decode(str(item.get("NoiDungBase64", "")), validate=True)
        except (binascii.Error, ValueError) as error:
            raise MappingError("NoiDungBase64 is not base64") from error
        documents.append(
            NationalDocument(
                requirement_code=_text(item, "MaThanhPhan", required=True),
                file_name=_text(item, "TenTep") or "tai-lieu.pdf",
                content=content,
            )
        )
    gender = {"1": "Nam", "2": "Nữ"}.get(_text(data, "GioiTinh"), _text(data, "GioiTinh"))
    return NationalDossier(
        national_code=_text(data, "MaHoSoQG", required=True),
        procedure_code=_text(data, "MaTTHC", required=True),
        applicant_name=_text(data, "ChuHoSo", required=True),
        id_number=_text(data, "MaDoiTuong", required=True),
        date_of_birth=dob,
        gender=gender,
        address=_text(data, "DiaChi"),
        phone=_text(data, "SoDienThoai"),
        email=_text(data, "Email"),
        agency_code=_text(data, "DonViXuLy"),
        form=form,
        documents=tuple(documents),
    )


@dataclass(frozen=True)
class NationalProcedure:
    code: str
    name: str
    field_code: str
    level: str


def procedure_from_wire(data: Any) -> NationalProcedure:
    if not isinstance(data, dict):
        raise MappingError("procedure is not an object")
    return NationalProcedure(
        code=_text(data, "MaTTHC", required=True),
        name=_text(data, "TenTTHC", required=True),
        field_code=_text(data, "MaLinhVuc"),
        level=_text(data, "CapThucHien"),
    )
