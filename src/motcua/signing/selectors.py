"""Reads for verification pages: the signed documents of a dossier, as the public may see them.

Public on purpose, like tracking by code: only the documents the system signed (results and
notices), by name, SHA-256 and size — never an applicant's uploads, never personal data.
A person holding a copy can compare its fingerprint with the one issued.
"""

from dataclasses import dataclass
from datetime import datetime

from motcua.dossiers.models import DossierDocument


@dataclass(frozen=True)
class SignedDocument:
    name: str
    sha256: str
    size: int
    stored_at: datetime


def signed_documents_public(*, dossier_code: str) -> list[SignedDocument]:
    documents = (
        DossierDocument.objects.filter(dossier__code=dossier_code, signed=True, file__isnull=False)
        .exclude(kind=DossierDocument.Kind.INPUT)
        .select_related("file")
        .order_by("id")
    )
    return [
        SignedDocument(name=doc.name, sha256=doc.file.sha256, size=doc.file.size, stored_at=doc.file.created_at)
        for doc in documents
        if doc.file is not None
    ]


def is_issued_copy(*, dossier_code: str, sha256: str) -> bool:
    """Whether these exact bytes are a signed document the system issued for this dossier."""
    return (
        DossierDocument.objects.filter(dossier__code=dossier_code, signed=True, file__sha256=sha256)
        .exclude(kind=DossierDocument.Kind.INPUT)
        .exists()
    )
