"""Signing results and forms (PAdES, with a visible stamp), and verifying any PDF.

`document_sign` signs bytes for an agency; `dossier_document_sign` signs a dossier's stored
document and points it to the signed copy (callers check who may sign: the dossier's
`resolve` action does, for its leader). `verify_pdf` answers, for anyone, whether a PDF is
a genuine, unaltered document signed with a MotCua certificate.

The dossier code is written into the signature dictionary's `/Reason`
("… Mã hồ sơ: <code>"). The signature dictionary lies inside the signed byte range, so a
changed code breaks the signature; verification reads it back from there.
"""

import asyncio
import hashlib
import io
import re
import secrets
from collections.abc import Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.db import transaction
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from motcua.accounts.models import User
from motcua.core.errors import BadInput, Conflict, DomainError, PayloadTooLarge, UnsupportedMediaType
from motcua.core.timeutil import format_vn, to_vn
from motcua.directory.models import Agency
from motcua.dossiers.files import MAX_UPLOAD_BYTES, file_read, file_store_generated
from motcua.dossiers.models import DossierDocument
from motcua.signing import pki, stamp
from motcua.signing.models import SigningCertificate

DEFAULT_REASON = "Ký số kết quả giải quyết thủ tục hành chính"
LOCATION = "Thành phố Hồ Chí Minh"
DOSSIER_CODE_LABEL = "Mã hồ sơ:"
_DOSSIER_CODE = re.compile(re.escape(DOSSIER_CODE_LABEL) + r"\s*(\S+)\s*$")
# A PDF's header may sit anywhere in its first kilobyte (ISO 32000-1, 7.5.2 note).
_PDF_HEADER_WINDOW = 1024

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's async API from sync code, even when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:_PDF_HEADER_WINDOW]


# --- signing ------------------------------------------------------------------------------------


class _TimedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is the one printed on the stamp (not a second later)."""

    def __init__(self, *args: Any, system_time: datetime, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._system_time = system_time

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._system_time
        return session


def _certificate_row(agency: Agency, certificate: asn1_x509.Certificate, source: str) -> SigningCertificate:
    return SigningCertificate(
        agency=agency,
        agency_name=agency.name,
        fingerprint_sha256=hashlib.sha256(certificate.dump()).hexdigest(),
        subject=certificate.subject.human_friendly[:500],
        issuer=certificate.issuer.human_friendly[:500],
        serial_number=format(certificate.serial_number, "x")[:80],
        not_before=certificate.not_valid_before,
        not_after=certificate.not_valid_after,
        source=source,
    )


def _register_certificates(rows: list[SigningCertificate]) -> int:
    """Remember which agency each certificate belongs to (two queries for any number); returns how many were new."""
    known = set(
        SigningCertificate.objects.filter(fingerprint_sha256__in=[row.fingerprint_sha256 for row in rows]).values_list(
            "fingerprint_sha256", flat=True
        )
    )
    fresh = [row for row in rows if row.fingerprint_sha256 not in known]
    SigningCertificate.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def _register_certificate(agency: Agency, credentials: pki.AgencyCredentials) -> None:
    _register_certificates([_certificate_row(agency, credentials.certificate, credentials.source)])


# --- set-up ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningSetupReport:
    """What `signing_setup` found and did."""

    mode: str  # "development" or "pkcs12"
    ca_created: bool = False
    ca_path: str = ""
    ca_fingerprint: str = ""
    ca_not_after: datetime | None = None
    issued: int = 0  # agency certificates created now
    existing: int = 0  # agency certificates that were already in place
    registered: int = 0  # certificates newly written to the register (SigningCertificate)
    problems: tuple[tuple[str, str], ...] = ()  # (agency code, Vietnamese detail), PKCS#12 mode only


def signing_setup(*, agencies: Iterable[Agency]) -> SigningSetupReport:
    """Make signing ready before anyone signs: idempotent, safe to run on every start.

    Development (no `SIGNING_PKCS12_DIR` nor `SIGNING_PKCS11_MODULE`): create the development CA if missing and each
    agency's key and certificate if missing or out of date (`pki.ensure_agency_key_pair`),
    and register every certificate, so the first signature of the day does not pay for it
    and the admin lists them. Production: create nothing; open each agency's PKCS#12 file or
    token key, register what opens and report what does not.
    """
    agencies = list(agencies)
    mode = pki.signing_mode()
    if mode != pki.SOURCE_DEVELOPMENT:
        rows: list[SigningCertificate] = []
        problems: list[tuple[str, str]] = []
        for agency in agencies:
            try:
                credentials = pki.agency_credentials(agency)
            except DomainError as exc:
                problems.append((agency.code, exc.detail))
                continue
            rows.append(_certificate_row(agency, credentials.certificate, credentials.source))
        return SigningSetupReport(
            mode=mode, existing=len(rows), registered=_register_certificates(rows), problems=tuple(problems)
        )

    ca, ca_created = pki.ensure_dev_ca()
    rows = []
    issued = 0
    for agency in agencies:
        pair, was_issued = pki.ensure_agency_key_pair(agency)
        issued += int(was_issued)
        rows.append(_certificate_row(agency, pki.to_asn1(pair.certificate), SigningCertificate.Source.DEVELOPMENT))
    return SigningSetupReport(
        mode="development",
        ca_created=ca_created,
        ca_path=str(pki.dev_ca_certificate_path()),
        ca_fingerprint=hashlib.sha256(ca.certificate.public_bytes(serialization.Encoding.DER)).hexdigest(),
        ca_not_after=ca.certificate.not_valid_after_utc,
        issued=issued,
        existing=len(agencies) - issued,
        registered=_register_certificates(rows),
    )


def signature_reason(reason: str, dossier_code: str) -> str:
    reason = reason.strip().rstrip(".")
    return f"{reason}. {DOSSIER_CODE_LABEL} {dossier_code}" if dossier_code else reason


def document_sign(
    *,
    pdf: bytes,
    agency: Agency,
    dossier_code: str,
    signer_name: str,
    reason: str = DEFAULT_REASON,
    now: datetime | None = None,
) -> bytes:
    """Sign `pdf` for `agency` (PAdES B-B, SHA-256) with a visible Vietnamese stamp; return the signed PDF.

    The signature is appended as an incremental update, so the original bytes are kept
    unchanged at the start of the result. `signer_name` (the official who approved) goes to
    the signature's `/Name`; the agency is the certificate's subject.
    """
    if not is_pdf(pdf):
        raise UnsupportedMediaType("Chỉ ký số được văn bản PDF.")
    if dossier_code and any(char.isspace() for char in dossier_code):
        raise BadInput("Mã hồ sơ không hợp lệ.", fields={"dossier_code": "invalid"})
    signed_at = now or timezone.now()
    credentials = pki.agency_credentials(agency)
    _register_certificate(agency, credentials)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError) as exc:
        raise BadInput("Không đọc được tệp PDF cần ký.") from exc
    if writer.prev.encrypted:
        raise BadInput("Không ký được tệp PDF đã đặt mật khẩu.")
    where = stamp.placement(writer)
    appearance = stamp.render_stamp_pdf(
        agency_name=agency.name, signed_at=format_vn(signed_at), dossier_code=dossier_code
    )
    field_name = f"MotCua_{secrets.token_hex(4)}"
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=signature_reason(reason, dossier_code),
        location=LOCATION,
        name=signer_name or agency.name,
    )
    pdf_signer = _TimedPdfSigner(
        metadata,
        signer=credentials.signer,
        stamp_style=stamp.stamp_style(appearance),
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=where.page_index, box=where.box),
        system_time=signed_at,
    )
    output = _run(pdf_signer.async_sign_pdf(writer))
    return output.getvalue()


def _signer_name(actor: User | None, agency: Agency) -> str:
    if actor is None:
        return agency.name
    return (getattr(actor, "full_name", "") or actor.get_username()).strip() or agency.name


def dossier_document_sign(*, document: DossierDocument, actor: User | None) -> DossierDocument:
    """Sign a dossier's PDF with its current agency's certificate; the document then points to the signed copy.

    Safe inside the caller's transaction (it opens a savepoint and locks the document row);
    signing an already signed document returns it unchanged. The caller checks that `actor`
    may sign (the dossier's `resolve` action does).
    """
    with transaction.atomic():
        locked = (
            DossierDocument.objects.select_for_update(of=("self",))
            .select_related("dossier", "dossier__current_agency", "file")
            .get(pk=document.pk)
        )
        if locked.signed:
            return locked
        if locked.file is None:
            raise Conflict("Văn bản chưa có tệp để ký số.")
        if locked.file.content_type != "application/pdf":
            raise UnsupportedMediaType("Chỉ ký số được văn bản PDF.")
        dossier = locked.dossier
        agency = dossier.current_agency
        signed = document_sign(
            pdf=file_read(locked.file),
            agency=agency,
            dossier_code=dossier.code,
            signer_name=_signer_name(actor, agency),
        )
        stored = file_store_generated(owner=locked.file.owner, name=locked.file.name, content=signed)
        locked.file = stored
        locked.signed = True
        locked.save(update_fields=["file", "signed"])
        return locked


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationResult:
    valid: bool
    altered: bool
    signer: str | None = None  # the agency, as its certificate names it
    agency_code: str | None = None
    signed_at: datetime | None = None  # in Vietnam's time
    dossier_code: str | None = None
    reason_text: str = ""  # the verdict in plain Vietnamese
    signer_name: str | None = None  # the official, from the signature's /Name
    signature_count: int = 0
    sha256: str = ""  # of the bytes checked


NOT_PDF = "Tệp không phải là tệp PDF. Vui lòng chọn đúng tệp văn bản PDF cần kiểm tra."
UNREADABLE = "Không đọc được tệp PDF: tệp bị hỏng hoặc đã đặt mật khẩu."
NO_SIGNATURE = "Tệp PDF này không có chữ ký số, nên không xác nhận được là văn bản do cơ quan nhà nước cấp."
ALTERED = (
    "Văn bản đã bị chỉnh sửa sau khi ký: nội dung không còn khớp với chữ ký số. "
    "Không sử dụng bản này; hãy tải lại bản gốc từ Cổng dịch vụ công."
)
UNTRUSTED = (
    "Văn bản có chữ ký số, nhưng chứng thư số không thuộc hệ thống MotCua "
    "(hoặc đã hết hiệu lực), nên không xác nhận được văn bản."
)


def _valid_text(signer: str | None, signed_at: datetime | None, dossier_code: str | None) -> str:
    when = f" lúc {format_vn(signed_at)}" if signed_at else ""
    about = f" cho hồ sơ {dossier_code}" if dossier_code else ""
    return f"Văn bản hợp lệ: do {signer} ký số{when}{about} trên hệ thống MotCua và chưa bị chỉnh sửa sau khi ký."


def _validation_context(roots: list[Any]) -> ValidationContext:
    # Offline on purpose: verification must answer without the Internet and must not let an
    # uploaded file make the server fetch URLs (its AIA/CRL/OCSP addresses). So no fetching,
    # and revocation is "soft-fail": checked when the signature embeds revocation data, not
    # required otherwise. The development CA publishes no CRL/OCSP at all; a production CA
    # with revocation services would be checked by a separate, scheduled job that refreshes
    # a local CRL cache (and then passes `crls=` here).
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _subject_value(status: PdfSignatureStatus, key: str) -> str | None:
    value = status.signing_cert.subject.native.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def _chains_to_motcua(status: PdfSignatureStatus) -> bool:
    """The CMS signature is genuine and its certificate chains to a MotCua root (document aside)."""
    return status.valid and status.trust_problem_indic is None and status.validation_path is not None


def _registered(status: PdfSignatureStatus) -> SigningCertificate | None:
    fingerprint = hashlib.sha256(status.signing_cert.dump()).hexdigest()
    return SigningCertificate.objects.filter(fingerprint_sha256=fingerprint).select_related("agency").first()


def _untouched_after(status: PdfSignatureStatus, *, last: bool) -> bool:
    """Whether what came after this signature is allowed: nothing (or only validation data) after the
    last signature; only further signatures after an earlier one."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or status.docmdp_ok is False:
        return False
    level = status.modification_level
    allowed = ModificationLevel.LTA_UPDATES if last else ModificationLevel.FORM_FILLING
    return level is not None and level.value <= allowed.value


def _validate(signature: EmbeddedPdfSignature, roots: list[Any]) -> PdfSignatureStatus | None:
    try:
        return _run(async_validate_pdf_signature(signature, signer_validation_context=_validation_context(roots)))
    except Exception:  # a malformed signature is a failed signature, never a 500
        return None


def verify_pdf(data: bytes) -> VerificationResult:
    """Is `data` a genuine, unaltered PDF signed with a MotCua certificate? Never raises for bad input."""
    digest = hashlib.sha256(data).hexdigest()
    if not is_pdf(data):
        return VerificationResult(valid=False, altered=False, reason_text=NOT_PDF, sha256=digest)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            return VerificationResult(valid=False, altered=False, reason_text=UNREADABLE, sha256=digest)
        signatures = sorted(reader.embedded_regular_signatures, key=lambda sig: sig.signed_revision)
    except Exception:  # any parser failure means "cannot read", not a server error
        return VerificationResult(valid=False, altered=False, reason_text=UNREADABLE, sha256=digest)
    if not signatures:
        return VerificationResult(valid=False, altered=False, reason_text=NO_SIGNATURE, sha256=digest)

    roots = pki.trust_roots()
    statuses = [_validate(signature, roots) for signature in signatures]
    altered = False
    for index, status in enumerate(statuses):
        last = index == len(statuses) - 1
        if status is None or not (status.intact and status.valid) or not _untouched_after(status, last=last):
            altered = True
    trusted = all(status is not None and status.bottom_line for status in statuses)
    valid = trusted and not altered

    final, final_signature = statuses[-1], signatures[-1]
    signer = agency_code = dossier_code = signer_name = None
    signed_at = None
    if final is not None and _chains_to_motcua(final):
        # Only a certificate that chains to our roots may name an agency. Its key signed the
        # signing time, so both hold even when the document was changed afterwards; what the
        # signature dictionary says (the dossier code, the official) only while it is intact.
        # The register has the full name (a CN may be cut) and the code even when a production
        # certificate's subject carries none; the certificate's subject is the fallback.
        registered = _registered(final)
        signer = registered.agency_name if registered else _subject_value(final, "common_name")
        agency_code = registered.agency.code if registered else _subject_value(final, "organizational_unit_name")
        if final.signer_reported_dt is not None:
            signed_at = to_vn(final.signer_reported_dt)
        if final.intact:
            match = _DOSSIER_CODE.search(str(final_signature.sig_object.get("/Reason", "")))
            dossier_code = match.group(1) if match else None
            name = final_signature.sig_object.get("/Name")
            signer_name = str(name) if name else None

    if valid:
        text = _valid_text(signer, signed_at, dossier_code)
    elif altered:
        text = ALTERED
    else:
        text = UNTRUSTED
    return VerificationResult(
        valid=valid,
        altered=altered,
        signer=signer,
        agency_code=agency_code,
        signed_at=signed_at,
        dossier_code=dossier_code,
        reason_text=text,
        signer_name=signer_name,
        signature_count=len(signatures),
        sha256=digest,
    )


def verify_upload(*, stream: IO[Any] | None, size: int | None = None) -> VerificationResult:
    """Verify an uploaded file: at most 10 MB (else 413), a PDF (else 415)."""
    too_large = "Tệp lớn hơn 10 MB. Văn bản do MotCua cấp thường nhỏ hơn nhiều; hãy kiểm tra lại tệp."
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(too_large)
    data = stream.read(MAX_UPLOAD_BYTES + 1) if stream is not None else b""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(too_large)
    if not data:
        raise BadInput("Tệp rỗng. Vui lòng chọn lại tệp.", fields={"file": "empty"})
    if not is_pdf(data):
        raise UnsupportedMediaType(NOT_PDF)
    return verify_pdf(data)
