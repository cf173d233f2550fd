"""Messages between an applicant and the officers about a dossier, with attachments.

Either party may write: the applicant, or an officer of an agency that holds, received or
returns the dossier. Messages are not lifecycle events (see `DossierMessage`); each one is
put on the outbox (`dossier.message`) so notifications can tell the other party.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import IO, Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.rules import is_system_admin, officer_agency_ids
from motcua.core import outbox
from motcua.core.errors import BadInput, NotFound, PermissionDenied, RateLimited
from motcua.core.text import normalize
from motcua.dossiers import files as dossier_files
from motcua.dossiers.models import Dossier, DossierMessage, StoredFile

MAX_TEXT_CHARS = 4000
MAX_ATTACHMENTS = 5
# Enough for any real conversation; stops a script from flooding the officers' inbox.
MAX_PER_HOUR = 30


def _agency_ids(dossier: Dossier) -> set[int]:
    return {dossier.current_agency_id, dossier.receiving_agency_id, dossier.home_agency_id}


def message_role_of(user: User, dossier: Dossier) -> str | None:
    """The side `user` writes for on this dossier, or None when they are not a party."""
    if not user.is_authenticated:
        return None
    if dossier.applicant_id == user.pk:
        return DossierMessage.AuthorRole.APPLICANT
    if officer_agency_ids(user) & _agency_ids(dossier):
        return DossierMessage.AuthorRole.OFFICER
    return None


def _normalize_text(text: str) -> str:
    # Keep line breaks (a message has paragraphs); normalise each line on its own.
    lines = [normalize(line) for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    joined = "\n".join(lines).strip()
    while "\n\n\n" in joined:
        joined = joined.replace("\n\n\n", "\n\n")
    return joined


def _stored_files(user: User, items: Iterable[Any]) -> list[StoredFile]:
    """Accept files already stored (owned by `user`) or uploads (anything with read() and name)."""
    stored: list[StoredFile] = []
    for item in items:
        if isinstance(item, StoredFile):
            if item.owner_id != user.pk:
                raise BadInput("Không tìm thấy tệp đính kèm.", fields={"files": "invalid"})
            stored.append(item)
        else:
            stream: IO[bytes] = item
            stored.append(
                dossier_files.file_store(
                    owner=user,
                    name=str(getattr(item, "name", "") or "tep-dinh-kem"),
                    stream=stream,
                    size=getattr(item, "size", None),
                )
            )
    return stored


def dossier_message_post(
    *,
    user: User,
    dossier: Dossier,
    text: str,
    files: Iterable[Any] = (),
    kind: str = DossierMessage.Kind.MESSAGE,
) -> DossierMessage:
    """Write a message on `dossier` as its applicant or as one of its officers."""
    role = message_role_of(user, dossier)
    if role is None:
        if is_system_admin(user):
            raise PermissionDenied("Chỉ người nộp hồ sơ và cán bộ của cơ quan giải quyết mới gửi tin nhắn.")
        # Never confirm that a dossier the user may not see exists.
        raise NotFound("Không tìm thấy hồ sơ, hoặc bạn không có quyền xem hồ sơ này.")
    if kind not in DossierMessage.Kind.values:
        raise BadInput("Loại tin nhắn không hợp lệ.", fields={"kind": "invalid"})
    if kind == DossierMessage.Kind.COMPLAINT and role != DossierMessage.AuthorRole.APPLICANT:
        raise PermissionDenied("Chỉ người nộp hồ sơ mới gửi phản ánh, kiến nghị về hồ sơ.")
    text = _normalize_text(text)
    items = list(files)
    if len(text) > MAX_TEXT_CHARS:
        raise BadInput(
            f"Nội dung dài {len(text)} ký tự, vượt quá {MAX_TEXT_CHARS} ký tự. Vui lòng viết ngắn gọn hơn.",
            fields={"text": "too_long"},
        )
    if not text and not items:
        raise BadInput("Vui lòng nhập nội dung tin nhắn hoặc đính kèm tệp.", fields={"text": "required"})
    if len(items) > MAX_ATTACHMENTS:
        raise BadInput(
            f"Mỗi tin nhắn đính kèm tối đa {MAX_ATTACHMENTS} tệp.",
            fields={"files": "too_many"},
        )
    since = timezone.now() - timedelta(hours=1)
    if DossierMessage.objects.filter(dossier=dossier, author=user, created_at__gte=since).count() >= MAX_PER_HOUR:
        raise RateLimited("Bạn đã gửi quá nhiều tin nhắn trong một giờ. Vui lòng thử lại sau.", retry_after=600)
    stored = _stored_files(user, items)
    agency_name = ""
    if role == DossierMessage.AuthorRole.OFFICER:
        agency_name = dossier.current_agency.name
    with transaction.atomic():
        message = DossierMessage.objects.create(
            dossier=dossier,
            kind=kind,
            author=user,
            author_role=role,
            author_name=(user.full_name or user.username)[:255],
            agency_name=agency_name[:500],
            text=text,
        )
        if stored:
            message.attachments.add(*stored)
        outbox.enqueue(
            topic="dossier.message",
            payload={"code": dossier.code, "message_id": message.pk, "author_role": role, "kind": kind},
            key=f"dossier:{dossier.code}:message:{message.pk}",
        )
    return message


def dossier_messages_for_user(user: User, dossier: Dossier) -> QuerySet[DossierMessage]:
    """The conversation, oldest first, for a party of the dossier (or an administrator)."""
    if message_role_of(user, dossier) is None and not is_system_admin(user):
        return DossierMessage.objects.none()
    return (
        DossierMessage.objects.filter(dossier=dossier)
        .order_by("id")
        .prefetch_related(Prefetch("attachments", queryset=StoredFile.objects.order_by("id")))
    )


def message_attachment_for_user(user: User, dossier: Dossier, file_id: int) -> StoredFile:
    """An attachment of one of the dossier's messages, for a download view (404 otherwise)."""
    if message_role_of(user, dossier) is None and not is_system_admin(user):
        raise NotFound("Không tìm thấy tệp.")
    stored = StoredFile.objects.filter(
        pk=file_id,
        pk__in=DossierMessage.attachments.through.objects.filter(dossiermessage__dossier=dossier).values(
            "storedfile_id"
        ),
    ).first()
    if stored is None:
        raise NotFound("Không tìm thấy tệp.")
    return stored


def complaint_list_for_officer(user: User, *, limit: int = 50) -> QuerySet[DossierMessage]:
    """Complaints sent with bad ratings on the dossiers of the officer's agencies, newest first."""
    agency_ids = officer_agency_ids(user)
    if not agency_ids and not is_system_admin(user):
        return DossierMessage.objects.none()
    complaints = DossierMessage.objects.filter(kind=DossierMessage.Kind.COMPLAINT)
    if not is_system_admin(user):
        complaints = complaints.filter(
            Q(dossier__current_agency_id__in=agency_ids)
            | Q(dossier__receiving_agency_id__in=agency_ids)
            | Q(dossier__home_agency_id__in=agency_ids)
        )
    return complaints.select_related("dossier").order_by("-id")[:limit]
