"""My documents (kho dữ liệu điện tử cá nhân): what an applicant can reuse in a new dossier.

Two kinds, one list: files the applicant uploaded and kept (`PersonalDocument`; every upload
of a submitted dossier is kept automatically), and the signed results issued to them, read
from their dossiers. Each item has a key — "p<id>" or "r<id>" — that forms and drafts carry.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.db import IntegrityError, transaction

from motcua.accounts.models import User
from motcua.core.errors import BadInput, NotFound
from motcua.core.text import normalize
from motcua.dossiers import files as dossier_files
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.models import DossierDocument, PersonalDocument, StoredFile

MAX_PERSONAL_DOCUMENTS = 200
MAX_RESULTS_LISTED = 100


@dataclass(frozen=True)
class MyDocument:
    key: str
    title: str
    kind: str  # "upload" | "result"
    file: StoredFile
    created_at: datetime
    dossier_code: str = ""


def my_documents_for_user(user: User) -> list[MyDocument]:
    """Results first (newest first), then the uploads I kept (newest first): two queries."""
    if not user.is_authenticated:
        return []
    results = (
        DossierDocument.objects.filter(
            dossier__applicant=user,
            dossier__status__in=[Status.RESOLVED, Status.RETURNED],
            kind=DossierDocument.Kind.RESULT,
            file__isnull=False,
        )
        .select_related("file", "dossier")
        .order_by("-id")[:MAX_RESULTS_LISTED]
    )
    uploads = PersonalDocument.objects.filter(owner=user).select_related("file").order_by("-id")
    items = [
        MyDocument(
            key=f"r{doc.pk}",
            title=doc.name,
            kind="result",
            file=doc.file,  # type: ignore[arg-type]
            created_at=doc.created_at,
            dossier_code=doc.dossier.code,
        )
        for doc in results
    ]
    items += [
        MyDocument(key=f"p{doc.pk}", title=doc.title, kind="upload", file=doc.file, created_at=doc.created_at)
        for doc in uploads[:MAX_PERSONAL_DOCUMENTS]
    ]
    return items


def my_document_get(user: User, key: str) -> MyDocument:
    """One item of My documents by its key (404 for anyone else's)."""
    kind, number = (key or " ")[0], (key or " ")[1:]
    if not number.isdigit():
        raise NotFound("Không tìm thấy giấy tờ trong Giấy tờ của tôi.")
    if kind == "p":
        personal = PersonalDocument.objects.select_related("file").filter(owner=user, pk=int(number)).first()
        if personal is not None:
            return MyDocument(
                key=key, title=personal.title, kind="upload", file=personal.file, created_at=personal.created_at
            )
    elif kind == "r":
        result = (
            DossierDocument.objects.select_related("file", "dossier")
            .filter(
                pk=int(number),
                dossier__applicant=user,
                dossier__status__in=[Status.RESOLVED, Status.RETURNED],
                kind=DossierDocument.Kind.RESULT,
                file__isnull=False,
            )
            .first()
        )
        if result is not None and result.file is not None:
            return MyDocument(
                key=key,
                title=result.name,
                kind="result",
                file=result.file,
                created_at=result.created_at,
                dossier_code=result.dossier.code,
            )
    raise NotFound("Không tìm thấy giấy tờ trong Giấy tờ của tôi.")


def my_document_file_for_dossier(*, user: User, key: str) -> StoredFile:
    """The file to attach to a new dossier, owned by `user` (a result gets its own row, same bytes)."""
    item = my_document_get(user, key)
    if item.file.owner_id == user.pk:
        return item.file
    # Results are owned by the agency's signer; the applicant's copy shares the stored blob.
    return StoredFile.objects.create(
        sha256=item.file.sha256,
        name=item.file.name,
        content_type=item.file.content_type,
        size=item.file.size,
        owner=user,
    )


def personal_document_add(
    *,
    user: User,
    title: str,
    stream: IO[bytes] | None = None,
    name: str = "",
    size: int | None = None,
    stored: StoredFile | None = None,
    requirement_code: str = "",
) -> PersonalDocument:
    """Keep a file in My documents: a new upload (`stream`) or one already stored for `user`."""
    if not user.is_authenticated or not user.is_applicant:
        raise BadInput("Chỉ người nộp hồ sơ mới có Giấy tờ của tôi.")
    title = normalize(title or "")[:255]
    if stored is None:
        if stream is None:
            raise BadInput("Vui lòng chọn tệp để tải lên.", fields={"file": "required"})
        if not title:
            raise BadInput("Vui lòng nhập tên giấy tờ, ví dụ “Căn cước công dân”.", fields={"title": "required"})
        if PersonalDocument.objects.filter(owner=user).count() >= MAX_PERSONAL_DOCUMENTS:
            raise BadInput(f"Giấy tờ của tôi đã có {MAX_PERSONAL_DOCUMENTS} tệp. Hãy xoá bớt tệp không còn dùng.")
        stored = dossier_files.file_store(
            owner=user, name=name or str(getattr(stream, "name", "") or title), stream=stream, size=size
        )
    elif stored.owner_id != user.pk:
        raise NotFound("Không tìm thấy tệp.")
    existing = PersonalDocument.objects.filter(owner=user, file__sha256=stored.sha256).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PersonalDocument.objects.create(
                owner=user, title=title or stored.name, file=stored, requirement_code=requirement_code[:40]
            )
    except IntegrityError:
        return PersonalDocument.objects.get(owner=user, file=stored)


def personal_document_delete(*, user: User, document_id: int) -> None:
    """Remove from My documents; dossiers that used the file keep it."""
    deleted, _ = PersonalDocument.objects.filter(owner=user, pk=document_id).delete()
    if not deleted:
        raise NotFound("Không tìm thấy giấy tờ trong Giấy tờ của tôi.")
