from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from motcua.api.auth import signed_in
from motcua.api.ratelimit import rate_limit
from motcua.dossiers.files import file_store

router = Router(auth=signed_in)


class StoredFileOut(Schema):
    id: int
    sha256: str
    size: int
    content_type: str
    name: str


@router.post("", response={201: StoredFileOut}, summary="Tải lên một tệp đính kèm (PDF, JPG, PNG, WEBP; tối đa 10 MB)")
def upload(request: HttpRequest, file: UploadedFile = File(...)) -> Status:  # noqa: B008 - ninja's idiom
    rate_limit(request, scope="files", limit=120)
    stored = file_store(owner=request.user, name=file.name or "tep", stream=file.file, size=file.size)
    return Status(
        201,
        {
            "id": stored.pk,
            "sha256": stored.sha256,
            "size": stored.size,
            "content_type": stored.content_type,
            "name": stored.name,
        },
    )
