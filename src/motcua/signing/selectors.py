"""Reads for verification pages: the signed documents of a dossier, as the public may see them.

Public on purpose, like tracking by code: only the documents the system signed (results,
notices and receipts), by name, signing agency, signing time, SHA-256 and size — never an
applicant's uploads, never personal data. A person holding a copy can compare its
fingerprint with the one issued.

The agency and time come from each document's own (last) signature: its certificate's
fingerprint is looked up in the register of certificates (one query for the whole list), its
signing time is the one the signer wrote. Reading a signature needs the file, so the
summary is cached by SHA-256: a stored file never changes, so the cache never goes stale.
"""

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

from motcua.core.timeutil import to_vn
from motcua.dossiers.files import file_read
from motcua.dossiers.models import DossierDocument, StoredFile
from motcua.signing.models import SigningCertificate

_CACHE_PREFIX = "signing:summary:v1:"
_CACHE_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class SignedDocument:
    name: str
    sha256: str
    size: int
    stored_at: datetime
    agency_name: str = ""  # the signing agency, from the register of certificates
    agency_code: str = ""
    signed_at: datetime | None = None  # in Vietnam's time


@dataclass(frozen=True)
class _Signature:
    fingerprint: str
    signed_at: datetime | None


def _last_signature(stored: StoredFile) -> _Signature | None:
    """The certificate fingerprint and signing time of a stored PDF's last signature (None if unsigned)."""
    key = _CACHE_PREFIX + stored.sha256
    cached = cache.get(key)
    if cached is not None:
        return _Signature(*cached) if cached else None
    summary: _Signature | None = None
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(io.BytesIO(file_read(stored)), strict=False)
        signatures = sorted(reader.embedded_regular_signatures, key=lambda sig: sig.signed_revision)
        if signatures:
            last = signatures[-1]
            moment = last.self_reported_timestamp
            summary = _Signature(hashlib.sha256(last.signer_cert.dump()).hexdigest(), moment)
    except Exception:  # an unreadable file lists without agency and time; it never breaks the page
        summary = None
    cache.set(key, (summary.fingerprint, summary.signed_at) if summary else (), _CACHE_SECONDS)
    return summary


def signed_documents_public(*, dossier_code: str) -> list[SignedDocument]:
    documents = [
        doc
        for doc in DossierDocument.objects.filter(dossier__code=dossier_code, signed=True, file__isnull=False)
        .exclude(kind=DossierDocument.Kind.INPUT)
        .select_related("file")
        .order_by("id")
        if doc.file is not None
    ]
    signatures = {doc.pk: _last_signature(doc.file) for doc in documents if doc.file is not None}
    fingerprints = {signature.fingerprint for signature in signatures.values() if signature is not None}
    certificates = {
        row.fingerprint_sha256: row
        for row in SigningCertificate.objects.filter(fingerprint_sha256__in=fingerprints).select_related("agency")
    }
    listed: list[SignedDocument] = []
    for doc in documents:
        assert doc.file is not None
        signature = signatures.get(doc.pk)
        certificate = certificates.get(signature.fingerprint) if signature is not None else None
        listed.append(
            SignedDocument(
                name=doc.name,
                sha256=doc.file.sha256,
                size=doc.file.size,
                stored_at=doc.file.created_at,
                agency_name=certificate.agency_name if certificate else "",
                agency_code=certificate.agency.code if certificate else "",
                signed_at=to_vn(signature.signed_at) if signature and signature.signed_at else None,
            )
        )
    return listed


def is_issued_copy(*, dossier_code: str, sha256: str) -> bool:
    """Whether these exact bytes are a signed document the system issued for this dossier."""
    return (
        DossierDocument.objects.filter(dossier__code=dossier_code, signed=True, file__sha256=sha256)
        .exclude(kind=DossierDocument.Kind.INPUT)
        .exists()
    )
