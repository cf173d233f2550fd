"""Drafts (one per applicant and procedure, only own files) and My documents (uploads kept, results reused)."""

import io

import pytest

from motcua.core.errors import NotFound, PermissionDenied
from motcua.dossiers.drafts import draft_get, draft_save, draft_submit
from motcua.dossiers.files import file_store
from motcua.dossiers.models import DossierDocument, DossierDraft, PersonalDocument
from motcua.dossiers.my_documents import (
    my_document_file_for_dossier,
    my_document_get,
    my_documents_for_user,
    personal_document_add,
    personal_document_delete,
)

pytestmark = pytest.mark.django_db


def _pdf(text: str) -> io.BytesIO:
    stream = io.BytesIO(f"%PDF-1.4\n% {text}\n%%EOF\n".encode())
    stream.name = f"{text}.pdf"
    return stream


def test_one_draft_per_procedure_and_only_own_files(flow_version, citizen, citizen2, receiver):
    mine = file_store(owner=citizen, name="mine.pdf", stream=_pdf("mine"))
    theirs = file_store(owner=citizen2, name="theirs.pdf", stream=_pdf("theirs"))
    draft = draft_save(user=citizen, version=flow_version, form_data={"ghi_chu": "Nháp  một"})
    again = draft_save(
        user=citizen,
        version=flow_version,
        documents={
            "TO_KHAI": {"file_id": theirs.pk, "name": "x"},
            "KHONG_CO": {"file_id": mine.pk, "name": "y"},
        },
    )
    assert again.pk == draft.pk and DossierDraft.objects.count() == 1
    assert again.form_data == {"ghi_chu": "Nháp một"}  # kept, NFC and spaces normalised
    assert again.documents == {}  # someone else's file and an unknown requirement are dropped
    again = draft_save(user=citizen, version=flow_version, documents={"TO_KHAI": {"file_id": mine.pk, "name": "a"}})
    assert again.documents["TO_KHAI"]["file_id"] == mine.pk
    with pytest.raises(PermissionDenied):
        draft_save(user=receiver, version=flow_version, form_data={})
    with pytest.raises(NotFound):
        draft_submit(user=citizen2, draft=again)
    dossier = draft_submit(user=citizen, draft=again)
    assert dossier.status == 1 and draft_get(citizen, flow_version.procedure.code) is None
    assert PersonalDocument.objects.get(owner=citizen).file_id == mine.pk


def test_uploads_are_kept_once_and_results_are_reused(dossier_flow, citizen, citizen2):
    first = personal_document_add(user=citizen, title="Căn cước", stream=_pdf("cccd"))
    same = personal_document_add(user=citizen, title="Căn cước (lần 2)", stream=_pdf("cccd"))
    assert same.pk == first.pk
    dossier = dossier_flow.run_to_resolved()
    result = DossierDocument.objects.get(dossier=dossier, kind="result")
    items = my_documents_for_user(citizen)
    assert [item.kind for item in items] == ["result", "upload"]
    assert items[0].key == f"r{result.pk}" and items[0].dossier_code == dossier.code
    copy = my_document_file_for_dossier(user=citizen, key=f"r{result.pk}")
    assert copy.owner_id == citizen.pk and copy.sha256 == result.file.sha256 and copy.pk != result.file_id
    for key in (f"r{result.pk}", f"p{first.pk}", "x1", "p", ""):
        with pytest.raises(NotFound):
            my_document_get(citizen2, key)
    with pytest.raises(NotFound):
        personal_document_delete(user=citizen2, document_id=first.pk)
    personal_document_delete(user=citizen, document_id=first.pk)
    assert [item.kind for item in my_documents_for_user(citizen)] == ["result"]
