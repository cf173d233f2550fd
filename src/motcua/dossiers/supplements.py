"""The applicant answers a supplement request (form 02): new documents and a note, in one step.

The lifecycle action `supplement` resumes the clock; the files become input documents of
the dossier (kind "input", requirement "BO_SUNG") in the same transaction, so officers never
see the dossier resumed without the papers.
"""

from collections.abc import Iterable
from typing import IO

from django.db import transaction

from motcua.accounts.models import User
from motcua.core.errors import BadInput
from motcua.dossiers import files as dossier_files
from motcua.dossiers.models import Dossier, DossierDocument, StoredFile
from motcua.dossiers.services import dossier_act

SUPPLEMENT_CODE = "BO_SUNG"
MAX_FILES = 10


def dossier_supplement_answer(
    *, user: User, code: str, version: int | None, note: str = "", files: Iterable[IO[bytes] | StoredFile] = ()
) -> Dossier:
    uploads = list(files)
    if not uploads and not (note or "").strip():
        raise BadInput("Vui lòng tải lên giấy tờ bổ sung hoặc ghi rõ nội dung bổ sung.", fields={"files": "required"})
    if len(uploads) > MAX_FILES:
        raise BadInput(f"Mỗi lần bổ sung tối đa {MAX_FILES} tệp.", fields={"files": "too_many"})
    stored: list[StoredFile] = []
    for upload in uploads:
        if isinstance(upload, StoredFile):
            # Taken from My documents: already stored, and it must be the applicant's own row.
            if upload.owner_id != user.pk:
                raise BadInput("Không tìm thấy giấy tờ đã chọn.", fields={"files": "invalid"})
            stored.append(upload)
            continue
        stored.append(
            dossier_files.file_store(
                owner=user,
                name=str(getattr(upload, "name", "") or "bo-sung"),
                stream=upload,
                size=getattr(upload, "size", None),
            )
        )
    with transaction.atomic():
        dossier = dossier_act(actor=user, code=code, action="supplement", version=version, note=note)
        DossierDocument.objects.bulk_create(
            DossierDocument(
                dossier=dossier,
                kind=DossierDocument.Kind.INPUT,
                requirement_code=SUPPLEMENT_CODE,
                name=f"Giấy tờ bổ sung: {item.name}"[:500],
                file=item,
                uploaded_by=user,
            )
            for item in stored
        )
    return dossier
