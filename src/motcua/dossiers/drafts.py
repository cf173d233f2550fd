"""Drafts of online applications: saved at every step of the wizard, submitted once.

A draft holds the e-form answers and, per required document, the stored file chosen for it
(uploaded now, or taken from My documents). Submitting calls `dossier_submit` with them and
keeps every upload in My documents, so the next application can reuse it.
"""

import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import BadInput, NotFound, PermissionDenied
from motcua.core.text import normalize
from motcua.dossiers.models import Dossier, DossierDraft, StoredFile
from motcua.dossiers.my_documents import personal_document_add
from motcua.dossiers.services import dossier_submit

MAX_FORM_BYTES = 64 * 1024
MAX_DRAFTS = 50
STEPS = ("form", "documents", "review")


def draft_list_for_user(user: User) -> QuerySet[DossierDraft]:
    return (
        DossierDraft.objects.filter(applicant=user)
        .select_related("procedure_version", "procedure")
        .order_by("-updated_at")
    )


def draft_get(user: User, procedure_code: str) -> DossierDraft | None:
    return (
        DossierDraft.objects.select_related("procedure_version")
        .filter(applicant=user, procedure__code=procedure_code)
        .first()
    )


def _clean_form(form_data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {
        str(key)[:100]: normalize(value) if isinstance(value, str) else value
        for key, value in form_data.items()
        if isinstance(value, str | int | float | bool) or value is None
    }
    if len(json.dumps(cleaned, ensure_ascii=False).encode()) > MAX_FORM_BYTES:
        raise BadInput("Tờ khai quá dài để lưu nháp. Vui lòng rút gọn nội dung.")
    return cleaned


def draft_save(
    *,
    user: User,
    version: ProcedureVersion,
    form_data: dict[str, Any] | None = None,
    documents: dict[str, dict[str, Any]] | None = None,
    step: str | None = None,
    agency_code: str | None = None,
) -> DossierDraft:
    """Create or update the applicant's draft for this procedure; only given parts change."""
    if not user.is_authenticated or not user.is_applicant:
        raise PermissionDenied("Chỉ công dân, doanh nghiệp, tổ chức mới nộp hồ sơ trực tuyến.")
    with transaction.atomic():
        draft = (
            DossierDraft.objects.select_for_update().filter(applicant=user, procedure_id=version.procedure_id).first()
        )
        if draft is None:
            if DossierDraft.objects.filter(applicant=user).count() >= MAX_DRAFTS:
                raise BadInput(f"Bạn đang có {MAX_DRAFTS} hồ sơ nháp. Hãy nộp hoặc xoá bớt hồ sơ nháp cũ.")
            draft = DossierDraft(applicant=user, procedure_id=version.procedure_id, procedure_version=version)
        draft.procedure_version = version
        if form_data is not None:
            draft.form_data = _clean_form(form_data)
        if documents is not None:
            valid_codes = set(version.documents.values_list("code", flat=True))
            file_ids = {
                int(item["file_id"])
                for item in documents.values()
                if isinstance(item, dict) and isinstance(item.get("file_id"), int)
            }
            owned = set(StoredFile.objects.filter(owner=user, pk__in=file_ids).values_list("pk", flat=True))
            draft.documents = {
                code: {
                    "file_id": int(item["file_id"]),
                    "reused_from": str(item.get("reused_from", ""))[:40],
                    "name": normalize(str(item.get("name", "")))[:255],
                }
                for code, item in documents.items()
                if code in valid_codes and isinstance(item, dict) and item.get("file_id") in owned
            }
        if step in STEPS:
            draft.step = step
        if agency_code is not None:
            draft.agency_code = agency_code.strip()[:40]
        draft.save()
    return draft


def draft_delete(*, user: User, procedure_code: str) -> None:
    deleted, _ = DossierDraft.objects.filter(applicant=user, procedure__code=procedure_code).delete()
    if not deleted:
        raise NotFound("Không tìm thấy hồ sơ nháp.")


def draft_submit(
    *, user: User, draft: DossierDraft, idempotency_key: str | None = None, now: datetime | None = None
) -> Dossier:
    """File the dossier from the draft; the draft is gone and the uploads are kept in My documents."""
    if draft.applicant_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.")
    documents = [
        {"requirement_code": code, "file_id": item["file_id"], "reused_from": item.get("reused_from", "")}
        for code, item in draft.documents.items()
    ]
    names = dict(draft.procedure_version.documents.values_list("code", "name"))
    with transaction.atomic():
        dossier, created = dossier_submit(
            actor=user,
            procedure_code=draft.procedure_version.procedure.code,
            form=draft.form_data,
            documents=documents,
            idempotency_key=idempotency_key,
            agency_code=draft.agency_code or None,
            now=now,
        )
        if created:
            for code, item in draft.documents.items():
                if item.get("reused_from"):
                    continue
                stored = StoredFile.objects.filter(pk=item["file_id"], owner=user).first()
                if stored is not None:
                    personal_document_add(
                        user=user, title=names.get(code, stored.name), stored=stored, requirement_code=code
                    )
        DossierDraft.objects.filter(pk=draft.pk).delete()
    return dossier
