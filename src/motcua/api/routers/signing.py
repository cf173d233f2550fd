"""Public verification of signed documents: is this PDF a genuine, unaltered MotCua document?"""

from datetime import datetime

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from motcua.api.ratelimit import rate_limit
from motcua.signing import services

router = Router()


class VerificationOut(Schema):
    valid: bool
    altered: bool
    signer: str | None
    agency_code: str | None
    signed_at: datetime | None
    dossier_code: str | None
    detail: str


@router.post(
    "/verify",
    auth=None,
    response=VerificationOut,
    summary="Xác thực văn bản điện tử có chữ ký số (PDF, tối đa 10 MB)",
    description=(
        "Cho biết tệp PDF có phải văn bản do cơ quan nhà nước ký số trên hệ thống MotCua và chưa bị chỉnh sửa "
        "hay không, cơ quan nào ký, lúc nào, cho hồ sơ nào. Không cần đăng nhập. Tệp không phải PDF: 415; "
        "PDF không có chữ ký số: 200 với valid=false."
    ),
)
def verify(request: HttpRequest, file: UploadedFile = File(...)) -> dict:  # noqa: B008 - ninja's idiom
    rate_limit(request, scope="verify", limit=60)
    result = services.verify_upload(stream=file.file, size=file.size)
    return {
        "valid": result.valid,
        "altered": result.altered,
        "signer": result.signer,
        "agency_code": result.agency_code,
        "signed_at": result.signed_at,
        "dossier_code": result.dossier_code,
        "detail": result.reason_text,
    }
