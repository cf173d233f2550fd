"""The National Public Service Portal's stand-in (Cổng Dịch vụ công quốc gia, DVCQG, mô phỏng).

The official specification is not public; this follows the field names public integrations
use (domain.md, "The national portal (DVCQG) interface"). JSON; every API call needs the
header `X-Api-Key`.

* `POST /dvcqg/api/v1/hoso/dongbo` with header `Idempotency-Key` and {"HoSo": {MaHoSo,
  MaTTHC, TenTTHC, …, TrangThaiHoSo, …}, "TienDo": {MaHoSo, NguoiXuLy, …} | null,
  "PhienBan": n} → 200 {"KetQua": "OK", "MaHoSo"}. A key already seen is answered the same
  and not applied again (counted in `duplicates`). The portal keeps the dossier of the
  highest `PhienBan` (an older push arriving late never overwrites a newer state) and every
  progress entry once.
* `GET /dvcqg/api/v1/hoso/moi` → {"items": [...]}: dossiers submitted at the national portal
  that MotCua has not acknowledged yet; `POST /dvcqg/api/v1/hoso/moi/<MaHoSoQG>/xacnhan`
  {"MaHoSo": "<MotCua's code>"} acknowledges one (idempotent).
* `GET /dvcqg/api/v1/thutuc` → {"items": [{MaTTHC, TenTTHC, MaLinhVuc, CapThucHien,
  MucDo}]}: the national procedure list.

`_control`: the fault switches of `simulators/faults.py`, plus (POST) {"procedures": [...]}
to replace the procedure list; `POST /dvcqg/_control/submit` with a dossier (MaTTHC, ChuHoSo,
MaDoiTuong, NgaySinh, …) queues it as "submitted at the national portal"; `GET /dvcqg/_control`
shows the switches, every dossier received (`dossiers`), progress entries (`progress`), the
counters `pushes` (accepted) and `duplicates` (dropped by idempotency key), and the inbox.
"""

import os
import threading
from pathlib import Path
from typing import Any

from simulators import Request, Response
from simulators.faults import Faults, control_response

# DEVELOPMENT ONLY: the same default as motcua.settings.DVCQG_API_KEY.
DEVELOPMENT_API_KEY = "motcua-development-dvcqg-key-NOT-FOR-PRODUCTION"

# A slice of the national procedure database (codes and names as published).
PROCEDURES: list[dict[str, Any]] = [
    {"MaTTHC": "1.001193", "TenTTHC": "Đăng ký khai sinh", "MaLinhVuc": "HO-TICH", "CapThucHien": "Xã", "MucDo": 4},
    {"MaTTHC": "1.000656", "TenTTHC": "Đăng ký khai tử", "MaLinhVuc": "HO-TICH", "CapThucHien": "Xã", "MucDo": 4},
    {"MaTTHC": "1.000894", "TenTTHC": "Đăng ký kết hôn", "MaLinhVuc": "HO-TICH", "CapThucHien": "Xã", "MucDo": 3},
    {
        "MaTTHC": "1.004873",
        "TenTTHC": "Cấp Giấy xác nhận tình trạng hôn nhân",
        "MaLinhVuc": "HO-TICH",
        "CapThucHien": "Xã",
        "MucDo": 4,
    },
    {"MaTTHC": "1.004194", "TenTTHC": "Đăng ký tạm trú", "MaLinhVuc": "CU-TRU", "CapThucHien": "Xã", "MucDo": 4},
    {"MaTTHC": "1.004222", "TenTTHC": "Đăng ký thường trú", "MaLinhVuc": "CU-TRU", "CapThucHien": "Xã", "MucDo": 3},
    {
        "MaTTHC": "1.010041",
        "TenTTHC": "Xác nhận thông tin về cư trú",
        "MaLinhVuc": "CU-TRU",
        "CapThucHien": "Xã",
        "MucDo": 4,
    },
    {
        "MaTTHC": "1.001978",
        "TenTTHC": "Giải quyết hưởng trợ cấp thất nghiệp",
        "MaLinhVuc": "VIEC-LAM",
        "CapThucHien": "Tỉnh",
        "MucDo": 4,
    },
    {
        "MaTTHC": "1.001612",
        "TenTTHC": "Đăng ký thành lập hộ kinh doanh",
        "MaLinhVuc": "HO-KINH-DOANH",
        "CapThucHien": "Xã",
        "MucDo": 4,
    },
    {
        "MaTTHC": "3.000333",
        "TenTTHC": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        "MaLinhVuc": "LY-LICH-TU-PHAP",
        "CapThucHien": "Tỉnh",
        "MucDo": 4,
    },
    {
        "MaTTHC": "3.000348",
        "TenTTHC": "Cấp lại giấy phép lái xe",
        "MaLinhVuc": "GPLX",
        "CapThucHien": "Tỉnh",
        "MucDo": 4,
    },
    {
        "MaTTHC": "2.001583",
        "TenTTHC": "Đăng ký thành lập công ty TNHH một thành viên",
        "MaLinhVuc": "DOANH-NGHIEP",
        "CapThucHien": "Tỉnh",
        "MucDo": 4,
    },
]


def api_key_from_environment() -> str:
    file_name = os.environ.get("DVCQG_API_KEY_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get("DVCQG_API_KEY") or DEVELOPMENT_API_KEY


class DvcqgSimulator:
    name = "dvcqg"

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or api_key_from_environment()
        self.faults = Faults()
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.faults.reset()
        with self._lock:
            self.dossiers: dict[str, dict[str, Any]] = {}
            self.versions: dict[str, int] = {}
            self.progress: list[dict[str, Any]] = []
            self.answers: dict[str, dict[str, Any]] = {}  # idempotency key → the answer given
            self.pushes = 0
            self.duplicates = 0
            self.inbox: dict[str, dict[str, Any]] = {}  # submitted at the portal, by MaHoSoQG
            self.acknowledged: dict[str, str] = {}  # MaHoSoQG → MotCua's MaHoSo
            self.procedures = [dict(p) for p in PROCEDURES]
            self._sequence = 0

    # --- the API ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        parts = [part for part in request.path.split("/") if part]
        if parts[:1] == ["_control"]:
            if parts == ["_control", "submit"] and request.method == "POST":
                return self._submit_at_portal(request)
            if parts == ["_control"] and request.method == "POST":
                try:
                    body = request.json()
                except ValueError:
                    body = None
                if isinstance(body, dict) and isinstance(body.get("procedures"), list):
                    with self._lock:
                        self.procedures = [dict(p) for p in body.pop("procedures")]
            return control_response(self.faults, request, parts, self._state, self.reset)
        if request.headers.get("x-api-key") != self.api_key:
            return Response.json({"error": "unauthorized", "detail": "missing or wrong X-Api-Key"}, 401)
        faulty = self.faults.intercept(request)
        if faulty is not None:
            return faulty
        if parts[:2] != ["api", "v1"]:
            return Response.json({"error": "not_found"}, 404)
        route = parts[2:]
        if route == ["hoso", "dongbo"] and request.method == "POST":
            return self._push(request)
        if route == ["hoso", "moi"] and request.method == "GET":
            with self._lock:
                items = [dict(d) for key, d in self.inbox.items() if key not in self.acknowledged]
            return Response.json({"items": items})
        if len(route) == 4 and route[:2] == ["hoso", "moi"] and route[3] == "xacnhan" and request.method == "POST":
            return self._acknowledge(request, route[2])
        if route == ["thutuc"] and request.method == "GET":
            with self._lock:
                return Response.json({"items": [dict(p) for p in self.procedures]})
        return Response.json({"error": "not_found"}, 404)

    def _push(self, request: Request) -> Response:
        key = request.headers.get("idempotency-key", "")
        if not key:
            return Response.json({"error": "bad_request", "detail": "Idempotency-Key header is required"}, 400)
        try:
            body = request.json()
            dossier = body["HoSo"]
            code = str(dossier["MaHoSo"])
            version = int(body["PhienBan"])
            progress = body.get("TienDo")
        except (ValueError, KeyError, TypeError):
            return Response.json({"error": "bad_request", "detail": "HoSo.MaHoSo and PhienBan are required"}, 400)
        missing = [f for f in ("MaTTHC", "TrangThaiHoSo", "ChuHoSo", "KenhThucHien") if f not in dossier]
        if missing:
            return Response.json({"error": "bad_request", "detail": f"missing fields: {missing}"}, 400)
        with self._lock:
            if key in self.answers:
                self.duplicates += 1
                return Response.json(self.answers[key])
            if version >= self.versions.get(code, 0):
                self.dossiers[code] = dossier
                self.versions[code] = version
            if isinstance(progress, dict):
                self.progress.append({**progress, "_key": key})
            self.pushes += 1
            answer = {"KetQua": "OK", "MaHoSo": code}
            self.answers[key] = answer
        return Response.json(answer)

    def _acknowledge(self, request: Request, national_code: str) -> Response:
        try:
            code = str(request.json()["MaHoSo"])
        except (ValueError, KeyError, TypeError):
            return Response.json({"error": "bad_request", "detail": "MaHoSo is required"}, 400)
        with self._lock:
            if national_code not in self.inbox:
                return Response.json({"error": "not_found"}, 404)
            self.acknowledged.setdefault(national_code, code)
            return Response.json(
                {"KetQua": "OK", "MaHoSoQG": national_code, "MaHoSo": self.acknowledged[national_code]}
            )

    # --- test switches --------------------------------------------------------------------

    def _submit_at_portal(self, request: Request) -> Response:
        try:
            dossier = request.json()
        except ValueError:
            dossier = None
        if not isinstance(dossier, dict) or not {"MaTTHC", "ChuHoSo", "MaDoiTuong"} <= dossier.keys():
            return Response.json({"error": "bad_request", "detail": "MaTTHC, ChuHoSo, MaDoiTuong required"}, 400)
        with self._lock:
            self._sequence += 1
            code = dossier.get("MaHoSoQG") or f"G22.99-{self._sequence:06d}"
            self.inbox[code] = {**dossier, "MaHoSoQG": code}
        return Response.json({"MaHoSoQG": code}, 201)

    def _state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "dossiers": dict(self.dossiers),
                "versions": dict(self.versions),
                "progress": list(self.progress),
                "pushes": self.pushes,
                "duplicates": self.duplicates,
                "inbox": dict(self.inbox),
                "acknowledged": dict(self.acknowledged),
                "procedures": len(self.procedures),
                "received": self.faults.received,
            }
