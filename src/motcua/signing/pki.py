"""Keys and certificates for signing: a development CA, per-agency certificates, PKCS#12 in production.

Two sources of signing keys, chosen by configuration (a Django setting of the same name
wins over the environment variable):

Development (the default, when `SIGNING_PKCS12_DIR` is not set)
    `manage.py signing_setup` creates "MotCua Development CA" (ECDSA P-256, self-signed,
    10 years) under `SIGNING_PKI_DIR` (default `VAR_DIR / "pki"`). The first time an agency
    signs, it gets a certificate issued by that CA (CN = agency name, OU = agency code, key
    usage digitalSignature + nonRepudiation). Each key lives with its certificate in one PEM
    file (mode 0600), written to a temporary file and renamed into place, under an exclusive
    `flock` on `pki/.lock`, so concurrent callers (threads, worker processes) create each
    key once and readers never see a key without its certificate. A certificate is issued
    again when the agency's name or code changed, when the CA changed, or 30 days before it
    expires; documents signed earlier stay valid because they embed their certificate.

Production (`SIGNING_PKCS12_DIR` set)
    One PKCS#12 file per agency, `<agency code>.p12`, issued by a real CA; the password is
    read from the file named by `SIGNING_PKCS12_PASSWORD_FILE` (one password for all files;
    none when unset). A missing file is an error: production never falls back to the
    development CA. Verification trusts the CA certificates (PEM or DER, `*.pem`, `*.crt`,
    `*.cer`, `*.der`) found in `SIGNING_TRUST_DIR`, and the development CA only while
    `SIGNING_TRUST_DEV_CA` is true (default: true without `SIGNING_PKCS12_DIR`).

PKCS#11 tokens and HSMs (not implemented here)
    pyHanko signs with keys that never leave a token through
    `pyhanko.sign.pkcs11.PKCS11Signer` (needs the `python-pkcs11` package): open a session
    with `pkcs11.open_pkcs11_session(lib_location="/usr/lib/…/libsofthsm2.so",
    token_criteria=TokenCriteria(label="…"), user_pin=…)`, then
    `PKCS11Signer(session, cert_label=<agency code>, key_label=<agency code>)`, and return
    it from `agency_credentials` in place of the `SimpleSigner` (keep the session open for
    the signing call; close it after). Everything else — stamping, the register of
    certificates, verification — is unchanged, because `services` only needs a pyHanko
    `Signer` and its certificate.
"""

import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.core.errors import DomainError
from motcua.directory.models import Agency

DEV_CA_NAME = "MotCua Development CA"
DEV_CA_VALIDITY = timedelta(days=3652)  # 10 years
AGENCY_CERT_VALIDITY = timedelta(days=5 * 365)
RENEW_BEFORE = timedelta(days=30)
# X.509's upper bound for a common name (RFC 5280 ub-common-name); `cryptography` enforces it in bytes.
MAX_COMMON_NAME = 64
TRUST_SUFFIXES = {".pem", ".crt", ".cer", ".der"}


class SigningUnavailable(DomainError):
    code, status, default_detail = (
        "signing_unavailable",
        409,
        "Cơ quan chưa có chứng thư số để ký văn bản. Vui lòng liên hệ quản trị hệ thống.",
    )


@dataclass(frozen=True)
class KeyPair:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True)
class AgencyCredentials:
    """What signing needs: a pyHanko signer (key + certificate + chain) and where it came from."""

    signer: SimpleSigner
    certificate: asn1_x509.Certificate
    source: str  # "development" or "pkcs12", as SigningCertificate.Source

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.certificate.dump()).hexdigest()


# --- configuration ----------------------------------------------------------------------


def _setting(name: str) -> Any:
    value = getattr(settings, name, None)
    if value is None or value == "":
        value = os.environ.get(name) or None
    return value


def pki_dir() -> Path:
    return Path(_setting("SIGNING_PKI_DIR") or Path(settings.VAR_DIR) / "pki")


def pkcs12_dir() -> Path | None:
    value = _setting("SIGNING_PKCS12_DIR")
    return Path(value) if value else None


def trust_dir() -> Path | None:
    value = _setting("SIGNING_TRUST_DIR")
    return Path(value) if value else None


def trusts_dev_ca() -> bool:
    value = _setting("SIGNING_TRUST_DEV_CA")
    if value is None:
        return pkcs12_dir() is None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _pkcs12_password() -> bytes | None:
    file_name = _setting("SIGNING_PKCS12_PASSWORD_FILE")
    if not file_name:
        return None
    return Path(file_name).read_bytes().rstrip(b"\r\n")


# --- files: one lock, atomic writes ------------------------------------------------------


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock across threads and processes of this machine (flock on pki/.lock)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _bundle(pair: KeyPair) -> bytes:
    key = pair.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key + pair.certificate.public_bytes(serialization.Encoding.PEM)


def _read_bundle(path: Path) -> KeyPair | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path}: expected an EC private key")
    return KeyPair(key=key, certificate=x509.load_pem_x509_certificate(data))


# --- the development CA ----------------------------------------------------------------


def _ca_path() -> Path:
    return pki_dir() / "ca" / "ca.pem"


def dev_ca_certificate_path() -> Path:
    """The CA's certificate alone (0644), to hand to people who verify documents elsewhere."""
    return pki_dir() / "ca" / "ca-cert.pem"


def dev_ca() -> KeyPair | None:
    return _read_bundle(_ca_path())


def ensure_dev_ca() -> tuple[KeyPair, bool]:
    """The development CA, created on first use; returns (ca, created)."""
    existing = dev_ca()
    if existing is not None:
        return existing, False
    with _locked(pki_dir()):
        existing = dev_ca()
        if existing is not None:
            return existing, False
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "MotCua"),
                x509.NameAttribute(NameOID.COMMON_NAME, DEV_CA_NAME),
            ]
        )
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + DEV_CA_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        pair = KeyPair(key=key, certificate=certificate)
        _write_atomic(_ca_path(), _bundle(pair), 0o600)
        _write_atomic(dev_ca_certificate_path(), certificate.public_bytes(serialization.Encoding.PEM), 0o644)
        return pair, True


# --- agency certificates (development) ---------------------------------------------------


def common_name_for(agency: Agency) -> str:
    """The agency's name as a certificate CN: the full name, else the short one, else cut to fit.

    `cryptography` counts the 64 of RFC 5280's ub-common-name in UTF-8 bytes, and Vietnamese
    letters take two or three, so long names are cut on a character boundary. The register
    (`SigningCertificate.agency_name`) keeps the full name for verification.
    """
    for candidate in (agency.name, agency.short_name):
        if candidate and len(candidate.encode("utf-8")) <= MAX_COMMON_NAME:
            return candidate
    cut = agency.name
    while len((cut + "…").encode("utf-8")) > MAX_COMMON_NAME:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _file_stem(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", code) or "_"


def _agency_path(code: str) -> Path:
    return pki_dir() / "agencies" / f"{_file_stem(code)}.pem"


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _is_current(pair: KeyPair, agency: Agency, ca: KeyPair) -> bool:
    certificate = pair.certificate
    return (
        _attribute(certificate.subject, NameOID.COMMON_NAME) == common_name_for(agency)
        and _attribute(certificate.subject, NameOID.ORGANIZATIONAL_UNIT_NAME) == agency.code
        and certificate.issuer == ca.certificate.subject
        and certificate.not_valid_after_utc - RENEW_BEFORE > datetime.now(UTC)
        and _issued_by(certificate, ca.certificate)
    )


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _issue_agency_certificate(agency: Agency, ca: KeyPair) -> KeyPair:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "Thành phố Hồ Chí Minh"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, agency.code),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name_for(agency)),
        ]
    )
    now = datetime.now(UTC)
    not_after = min(now + AGENCY_CERT_VALIDITY, ca.certificate.not_valid_after_utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.certificate.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return KeyPair(key=key, certificate=certificate)


def ensure_agency_key_pair(agency: Agency) -> tuple[KeyPair, bool]:
    """The agency's development key and certificate, issued if missing or out of date."""
    ca, _ = ensure_dev_ca()
    path = _agency_path(agency.code)
    existing = _read_bundle(path)
    if existing is not None and _is_current(existing, agency, ca):
        return existing, False
    with _locked(pki_dir()):
        existing = _read_bundle(path)
        if existing is not None and _is_current(existing, agency, ca):
            return existing, False
        pair = _issue_agency_certificate(agency, ca)
        _write_atomic(path, _bundle(pair), 0o600)
        return pair, True


# --- pyHanko signers ---------------------------------------------------------------------


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _simple_signer(pair: KeyPair, chain: list[x509.Certificate]) -> SimpleSigner:
    key_info = asn1_keys.PrivateKeyInfo.load(
        pair.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    registry = SimpleCertificateStore()
    registry.register_multiple([to_asn1(cert) for cert in chain])
    return SimpleSigner(signing_cert=to_asn1(pair.certificate), signing_key=key_info, cert_registry=registry)


def load_pkcs12_signer(path: Path, password: bytes | None) -> SimpleSigner:
    """A signer from a PKCS#12 file (key, certificate and the chain it carries)."""
    try:
        return SimpleSigner.load_pkcs12_data(path.read_bytes(), other_certs=[], passphrase=password)
    except ValueError as exc:
        raise SigningUnavailable(
            "Không mở được tệp chứng thư số (PKCS#12) của cơ quan. Vui lòng liên hệ quản trị hệ thống."
        ) from exc


def agency_credentials(agency: Agency) -> AgencyCredentials:
    """The signer for `agency`: its PKCS#12 file in production, the development CA otherwise."""
    directory = pkcs12_dir()
    if directory is not None:
        path = directory / f"{agency.code}.p12"
        if not path.is_file():
            raise SigningUnavailable(
                f"Chưa có chứng thư số của cơ quan {agency.name} ({agency.code}). Vui lòng liên hệ quản trị hệ thống."
            )
        signer = load_pkcs12_signer(path, _pkcs12_password())
        return AgencyCredentials(signer=signer, certificate=signer.signing_cert, source="pkcs12")
    pair, _ = ensure_agency_key_pair(agency)
    ca, _ = ensure_dev_ca()
    signer = _simple_signer(pair, [ca.certificate])
    return AgencyCredentials(signer=signer, certificate=signer.signing_cert, source="development")


# --- trust ----------------------------------------------------------------------------------


def _load_certificates(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def trust_roots() -> list[asn1_x509.Certificate]:
    """The CA certificates a MotCua signature must chain to (never the operating system's list)."""
    roots: list[x509.Certificate] = []
    if trusts_dev_ca():
        ca = dev_ca()
        if ca is not None:
            roots.append(ca.certificate)
    directory = trust_dir()
    if directory is not None and directory.is_dir():
        for path in sorted(directory.iterdir()):
            if path.suffix.lower() in TRUST_SUFFIXES and path.is_file():
                roots.extend(_load_certificates(path))
    return [to_asn1(cert) for cert in roots]
