"""The applicant answers a supplement request (form 02): new documents and a note, in one step.

The lifecycle action `supplement` resumes the clock; the files become input documents of
the dossier (kind "input") in the same transaction, so officers never see the dossier
resumed without the papers. Files come as uploads (the portal, the counter's scans), as
rows already stored (My documents), or — over the API — as `documents: [{"requirement_code",
"file_id"}]`, the shape of a submission: the requirement is one of the procedure's documents,
or "BO_SUNG" for a paper the request named that is not in the list.
"""

from collections.abc import Iterable
from typing import IO, Any

from django.db import transaction

from motcua.accounts.models import User
from motcua.core.errors import BadInput
from motcua.dossiers import files as dossier_files
from motcua.dossiers.models import Dossier, DossierDocument, StoredFile
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.dossiers.services import dossier_act

SUPPLEMENT_CODE = "BO_SUNG"
MAX_FILES = 10


def dossier_supplement_answer(
    *,
    user: User,
    code: str,
    version: int | None,
    note: str = "",
    files: Iterable[IO[bytes] | StoredFile] = (),
    documents: Iterable[dict[str, Any]] = (),
) -> Dossier:
    uploads = list(files)
    items = list(documents)
    if not uploads and not items and not (note or "").strip():
        raise BadInput("Vui lòng tải lên giấy tờ bổ sung hoặc ghi rõ nội dung bổ sung.", fields={"files": "required"})
    if len(uploads) + len(items) > MAX_FILES:
        raise BadInput(f"Mỗi lần bổ sung tối đa {MAX_FILES} tệp.", fields={"files": "too_many"})
    rows: list[tuple[str, str, StoredFile]] = []  # (requirement code, document name, file)
    if items:
        rows += _listed_documents(user, code, items)
    for upload in uploads:
        if isinstance(upload, StoredFile):
            # Taken from My documents: already stored, and it must be the applicant's own row.
            if upload.owner_id != user.pk:
                raise BadInput("Không tìm thấy giấy tờ đã chọn.", fields={"files": "invalid"})
            rows.append((SUPPLEMENT_CODE, f"Giấy tờ bổ sung: {upload.name}", upload))
            continue
        stored = dossier_files.file_store(
            owner=user,
            name=str(getattr(upload, "name", "") or "bo-sung"),
            stream=upload,
            size=getattr(upload, "size", None),
        )
        rows.append((SUPPLEMENT_CODE, f"Giấy tờ bổ sung: {stored.name}", stored))
    with transaction.atomic():
        attachments = [
            {"name": name[:500], "requirement_code": requirement_code, "sha256": stored.sha256, "reused_from": ""}
            for requirement_code, name, stored in rows
        ]
        dossier = dossier_act(
            actor=user, code=code, action="supplement", version=version, note=note, attachments=attachments
        )
        DossierDocument.objects.bulk_create(
            DossierDocument(
                dossier=dossier,
                kind=DossierDocument.Kind.INPUT,
                requirement_code=requirement_code,
                name=name[:500],
                file=stored,
                uploaded_by=user,
            )
            for requirement_code, name, stored in rows
        )
    return dossier


def _listed_documents(user: User, code: str, items: list[dict[str, Any]]) -> list[tuple[str, str, StoredFile]]:
    """`[{"requirement_code", "file_id"}]` checked against the procedure and the user's own files."""
    dossier = dossier_get_for_user(user, code)
    requirements = dict(dossier.procedure_version.documents.values_list("code", "name"))
    ids = [item.get("file_id") for item in items]
    owned = {stored.pk: stored for stored in StoredFile.objects.filter(owner=user, pk__in=[i for i in ids if i])}
    rows = []
    for item in items:
        requirement_code = str(item.get("requirement_code") or "").strip()
        if requirement_code != SUPPLEMENT_CODE and requirement_code not in requirements:
            raise BadInput(
                f"Giấy tờ “{requirement_code}” không thuộc thành phần hồ sơ của thủ tục này "
                f"(dùng “{SUPPLEMENT_CODE}” cho giấy tờ khác được yêu cầu bổ sung).",
                fields={"documents": "unknown_requirement"},
            )
        stored = owned.get(item.get("file_id"))  # type: ignore[arg-type]
        if stored is None:
            raise BadInput(
                "Không tìm thấy tệp đã tải lên cho giấy tờ bổ sung. Vui lòng tải lại.", fields={"documents": "file"}
            )
        label = requirements.get(requirement_code) or stored.name
        rows.append((requirement_code, f"Giấy tờ bổ sung: {label}", stored))
    return rows
