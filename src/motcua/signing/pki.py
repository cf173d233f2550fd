"""Keys and certificates for signing: a development CA, per-agency certificates; PKCS#12 or PKCS#11 in production.

Three sources of signing keys, chosen by configuration (a Django setting of the same name
wins over the environment variable):

Development (the default, when neither `SIGNING_PKCS12_DIR` nor `SIGNING_PKCS11_MODULE` is set)
    `manage.py signing_setup` creates "MotCua Development CA" (ECDSA P-256, self-signed,
    10 years) under `SIGNING_PKI_DIR` (default `VAR_DIR / "pki"`). The first time an agency
    signs, it gets a certificate issued by that CA (CN = agency name, OU = agency code, key
    usage digitalSignature + nonRepudiation). Each key lives with its certificate in one PEM
    file (mode 0600), written to a temporary file and renamed into place, under an exclusive
    `flock` on `pki/.lock`, so concurrent callers (threads, worker processes) create each
    key once and readers never see a key without its certificate. A certificate is issued
    again when the agency's name or code changed, when the CA changed, or 30 days before it
    expires; documents signed earlier stay valid because they embed their certificate.

Production with PKCS#12 files (`SIGNING_PKCS12_DIR` set)
    One PKCS#12 file per agency, `<agency code>.p12`, issued by a real CA; the password is
    read from the file named by `SIGNING_PKCS12_PASSWORD_FILE` (one password for all files;
    none when unset). A missing file is an error: production never falls back to the
    development CA.

Production with PKCS#11 tokens and HSMs (`SIGNING_PKCS11_MODULE` set)
    Keys never leave the token. `SIGNING_PKCS11_MODULE` is the vendor's PKCS#11 library
    (`.so`), `SIGNING_PKCS11_TOKEN_LABEL` the token's label, `SIGNING_PKCS11_PIN_FILE` a
    file holding the user PIN (read at each signing, never logged). Each agency's private
    key and certificate carry the same label on the token: the agency code, unless
    `SIGNING_PKCS11_LABELS` maps codes to labels (`code=label,code=label`, or a dict as a
    Django setting). CA certificates stored on the token are embedded as the chain.
    `agency_credentials` opens a session, reads the certificate, checks that the key
    exists and matches it with a test signature, and closes the session; the returned
    `TokenSigner` opens its own session for each signature and closes it right after. The
    module is loaded once per process; its calls are serialised by one lock. A missing
    module, token, key or certificate, or a wrong PIN, is a `SigningUnavailable` with a
    plain message; the technical cause goes to the log, without the PIN.

Verification trusts the CA certificates (PEM or DER, `*.pem`, `*.crt`, `*.cer`, `*.der`)
found in `SIGNING_TRUST_DIR`, and the development CA only while `SIGNING_TRUST_DEV_CA` is
true (default: true in development mode only). Setting both `SIGNING_PKCS12_DIR` and
`SIGNING_PKCS11_MODULE` is a configuration error: signing refuses rather than guess.
Operators' guide: docs/signing.md.
"""

import asyncio
import fcntl
import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pkcs11
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from pkcs11 import Attribute, ObjectClass, PKCS11Error, Session
from pkcs11 import exceptions as p11_errors
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import find_token, select_pkcs11_signing_params
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.sig_validate import DEFAULT_SIGNATURE_VALIDATOR

from motcua.core.errors import DomainError
from motcua.directory.models import Agency

DEV_CA_NAME = "MotCua Development CA"
DEV_CA_VALIDITY = timedelta(days=3652)  # 10 years
AGENCY_CERT_VALIDITY = timedelta(days=5 * 365)
RENEW_BEFORE = timedelta(days=30)
# X.509's upper bound for a common name (RFC 5280 ub-common-name); `cryptography` enforces it in bytes.
MAX_COMMON_NAME = 64
TRUST_SUFFIXES = {".pem", ".crt", ".cer", ".der"}
SOURCE_DEVELOPMENT, SOURCE_PKCS12, SOURCE_PKCS11 = "development", "pkcs12", "pkcs11"
# What a PKCS#11 signature is estimated at before it exists (pyHanko's own guess: room for RSA-4096).
PKCS11_SIGNATURE_SIZE_ESTIMATE = 512
_KEY_CHECK_DATA = b"MotCua: this key matches its certificate"

logger = logging.getLogger(__name__)


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

    signer: Signer
    certificate: asn1_x509.Certificate
    source: str  # "development", "pkcs12" or "pkcs11", as SigningCertificate.Source

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


def pkcs11_module() -> str | None:
    value = _setting("SIGNING_PKCS11_MODULE")
    return str(value) if value else None


def signing_mode() -> str:
    """Where agencies' keys come from: SOURCE_PKCS11, SOURCE_PKCS12 or SOURCE_DEVELOPMENT."""
    if pkcs11_module() is not None:
        return SOURCE_PKCS11
    if pkcs12_dir() is not None:
        return SOURCE_PKCS12
    return SOURCE_DEVELOPMENT


def trusts_dev_ca() -> bool:
    value = _setting("SIGNING_TRUST_DEV_CA")
    if value is None:
        return signing_mode() == SOURCE_DEVELOPMENT
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
    """The signer for `agency`: its key on the PKCS#11 token or its PKCS#12 file in production,
    the development CA otherwise."""
    config = pkcs11_config()
    directory = pkcs12_dir()
    if config is not None and directory is not None:
        logger.error("Both SIGNING_PKCS11_MODULE and SIGNING_PKCS12_DIR are set: set one")
        raise SigningUnavailable(DEVICE_CONFIGURATION)
    if config is not None:
        return load_pkcs11_credentials(agency, config)
    if directory is not None:
        path = directory / f"{agency.code}.p12"
        if not path.is_file():
            raise SigningUnavailable(
                f"Chưa có chứng thư số của cơ quan {agency.name} ({agency.code}). Vui lòng liên hệ quản trị hệ thống."
            )
        signer = load_pkcs12_signer(path, _pkcs12_password())
        return AgencyCredentials(signer=signer, certificate=signer.signing_cert, source=SOURCE_PKCS12)
    pair, _ = ensure_agency_key_pair(agency)
    ca, _ = ensure_dev_ca()
    signer = _simple_signer(pair, [ca.certificate])
    return AgencyCredentials(signer=signer, certificate=signer.signing_cert, source=SOURCE_DEVELOPMENT)


# --- PKCS#11 tokens and HSMs ------------------------------------------------------------------

DEVICE_MODULE_UNAVAILABLE = (
    "Không nạp được thư viện của thiết bị ký số (token/HSM). Vui lòng liên hệ quản trị hệ thống."
)
DEVICE_NOT_FOUND = "Không tìm thấy thiết bị ký số (token/HSM) đã cấu hình. Vui lòng liên hệ quản trị hệ thống."
DEVICE_PIN_REFUSED = (
    "Thiết bị ký số không chấp nhận mã PIN (sai, hết hạn hoặc đã bị khoá). Vui lòng liên hệ quản trị hệ thống."
)
DEVICE_PIN_UNREADABLE = "Không đọc được tệp mã PIN của thiết bị ký số. Vui lòng liên hệ quản trị hệ thống."
DEVICE_FAILED = "Thiết bị ký số (token/HSM) báo lỗi khi ký. Vui lòng thử lại hoặc liên hệ quản trị hệ thống."
DEVICE_CONFIGURATION = "Cấu hình thiết bị ký số không hợp lệ. Vui lòng liên hệ quản trị hệ thống."
_PIN_ERRORS = (
    p11_errors.PinIncorrect,
    p11_errors.PinInvalid,
    p11_errors.PinLenRange,
    p11_errors.PinLocked,
    p11_errors.PinExpired,
    p11_errors.UserPinNotInitialized,
)

# python-pkcs11 loads each module once per process (and initialises it without threading
# arguments, so the library may assume one caller at a time): every PKCS#11 call holds this lock.
_pkcs11_lock = threading.RLock()


@dataclass(frozen=True)
class Pkcs11Config:
    module: str
    token_label: str | None
    pin_file: Path | None
    labels: Mapping[str, str]

    def label_for(self, agency: Agency) -> str:
        return self.labels.get(agency.code, agency.code)


def _parse_labels(value: Any) -> dict[str, str]:
    """`SIGNING_PKCS11_LABELS`: a dict, or `code=label,code=label` from the environment."""
    if not value:
        return {}
    items = value.items() if isinstance(value, Mapping) else _label_pairs(str(value))
    labels = {str(code).strip(): str(label).strip() for code, label in items}
    if any(not code or not label for code, label in labels.items()):
        raise ValueError("SIGNING_PKCS11_LABELS: an empty agency code or label")
    return labels


def _label_pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        code, separator, label = item.partition("=")
        if not separator:
            raise ValueError(f"SIGNING_PKCS11_LABELS: {item!r} is not code=label")
        pairs.append((code, label))
    return pairs


def pkcs11_config() -> Pkcs11Config | None:
    """The PKCS#11 settings, or None when keys do not come from a token."""
    module = pkcs11_module()
    if module is None:
        return None
    try:
        labels = _parse_labels(_setting("SIGNING_PKCS11_LABELS"))
    except ValueError as exc:
        logger.error("PKCS#11 signing is misconfigured: %s", exc)
        raise SigningUnavailable(DEVICE_CONFIGURATION) from exc
    pin_file = _setting("SIGNING_PKCS11_PIN_FILE")
    return Pkcs11Config(
        module=module,
        token_label=_setting("SIGNING_PKCS11_TOKEN_LABEL"),
        pin_file=Path(pin_file) if pin_file else None,
        labels=labels,
    )


def _pkcs11_pin(config: Pkcs11Config) -> str | None:
    if config.pin_file is None:
        return None  # the token needs no login, or asks on its own PIN pad
    try:
        return config.pin_file.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        logger.error("PKCS#11 PIN file %s cannot be read: %s", config.pin_file, type(exc).__name__)
        raise SigningUnavailable(DEVICE_PIN_UNREADABLE) from None


@contextmanager
def _token_session(config: Pkcs11Config) -> Iterator[Session]:
    """A logged-in session on the configured token, closed on exit; PKCS#11 calls hold the lock."""
    pin = _pkcs11_pin(config)
    where = f"module {config.module}, token {config.token_label!r}"
    with _pkcs11_lock:
        try:
            library = pkcs11.lib(config.module)
        except PKCS11Error as exc:
            logger.error("PKCS#11 module cannot be loaded (%s): %s", where, exc)
            raise SigningUnavailable(DEVICE_MODULE_UNAVAILABLE) from exc
        try:
            criteria = TokenCriteria(label=config.token_label) if config.token_label else None
            token = find_token(library.get_slots(), token_criteria=criteria)
        except PKCS11Error as exc:
            logger.error("PKCS#11 token lookup failed (%s): %s", where, exc)
            raise SigningUnavailable(DEVICE_NOT_FOUND) from exc
        if token is None:
            logger.error("PKCS#11 token not found (%s)", where)
            raise SigningUnavailable(DEVICE_NOT_FOUND)
        try:
            session = token.open(user_pin=pin) if pin is not None else token.open()
        except _PIN_ERRORS as exc:
            logger.error("PKCS#11 login refused (%s): %s", where, type(exc).__name__)
            raise SigningUnavailable(DEVICE_PIN_REFUSED) from None
        except PKCS11Error as exc:
            logger.error("PKCS#11 session cannot be opened (%s): %s", where, type(exc).__name__)
            raise SigningUnavailable(DEVICE_FAILED) from exc
        del pin
        try:
            yield session
        finally:
            try:
                session.close()
            except PKCS11Error as exc:  # the token went away: nothing left to close
                logger.warning("PKCS#11 session close failed (%s): %s", where, type(exc).__name__)


def _token_objects(session: Session, object_class: ObjectClass, label: str | None = None) -> list[Any]:
    template: dict[Attribute, Any] = {Attribute.CLASS: object_class}
    if object_class == ObjectClass.PRIVATE_KEY:
        template[Attribute.SIGN] = True
    if label is not None:
        template[Attribute.LABEL] = label
    return list(session.get_objects(template))  # run the search to its end, which closes it


def _issuer_chain(certificate: asn1_x509.Certificate, pool: list[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    """The issuers of `certificate` found in `pool`, nearest first, up to a self-signed root."""
    chain: list[asn1_x509.Certificate] = []
    current = certificate
    while current.self_signed == "no" and len(chain) < len(pool):
        seen = {cert.dump() for cert in chain} | {current.dump()}
        issuer = next((c for c in pool if c.subject == current.issuer and c.dump() not in seen), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def _token_sign(key: Any, certificate: asn1_x509.Certificate, data: bytes, digest_algorithm: str) -> bytes:
    """Sign `data` with a key handle, the way pyHanko's PKCS11Signer would for this certificate.

    ECDSA hashes here and sends the digest (CKM_ECDSA): tokens and SoftHSM2 rarely offer the
    hash-and-sign ECDSA mechanisms; RSA uses hash-and-sign mechanisms (CKM_SHA256_RSA_PKCS).
    """
    mechanism = _signature_mechanism(certificate, digest_algorithm)
    spec = select_pkcs11_signing_params(
        mechanism,
        digest_algorithm,
        use_raw_mechanism=certificate.public_key.algorithm == "ec",
        sign_kwargs={},
    )
    payload = spec.pre_sign_transform(data) if spec.pre_sign_transform is not None else data
    signature = bytes(key.sign(payload, **spec.sign_kwargs))
    return spec.post_sign_transform(signature) if spec.post_sign_transform is not None else signature


def _signature_mechanism(certificate: asn1_x509.Certificate, digest_algorithm: str) -> Any:
    probe = Signer(signing_cert=certificate)
    return probe.get_signature_mechanism_for_digest(digest_algorithm)


class TokenSigner(Signer):
    """A pyHanko signer whose private key stays on a PKCS#11 token.

    The certificate and chain are read when it is built; each signature opens its own
    session (log in, find the key by label, sign) and closes it right after, so
    no session stays open between signings and a token unplugged meanwhile is noticed.
    """

    def __init__(
        self,
        *,
        config: Pkcs11Config,
        key_label: str,
        signing_cert: asn1_x509.Certificate,
        chain: list[asn1_x509.Certificate],
    ):
        registry = SimpleCertificateStore()
        registry.register_multiple([signing_cert, *chain])
        super().__init__(signing_cert=signing_cert, cert_registry=registry, embed_roots=True)
        self.config = config
        self.key_label = key_label

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(PKCS11_SIGNATURE_SIZE_ESTIMATE)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._sign_in_session, data, digest_algorithm)

    def _sign_in_session(self, data: bytes, digest_algorithm: str) -> bytes:
        certificate = self.signing_cert
        assert certificate is not None
        with _token_session(self.config) as session:
            keys = _token_objects(session, ObjectClass.PRIVATE_KEY, self.key_label)
            if len(keys) != 1:
                logger.error("PKCS#11 key %r: %d objects on the token at signing time", self.key_label, len(keys))
                raise SigningUnavailable(DEVICE_FAILED)
            try:
                return _token_sign(keys[0], certificate, data, digest_algorithm)
            except PKCS11Error as exc:
                logger.error("PKCS#11 signature with key %r failed: %s", self.key_label, type(exc).__name__)
                raise SigningUnavailable(DEVICE_FAILED) from exc


def load_pkcs11_credentials(agency: Agency, config: Pkcs11Config) -> AgencyCredentials:
    """The agency's certificate from the token and a `TokenSigner` for its key (checked to match)."""
    label = config.label_for(agency)
    missing = SigningUnavailable(
        f"Thiết bị ký số chưa có khoá và chứng thư số của cơ quan {agency.name} ({agency.code}). "
        "Vui lòng liên hệ quản trị hệ thống."
    )
    with _token_session(config) as session:
        try:
            own = _token_objects(session, ObjectClass.CERTIFICATE, label)
            keys = _token_objects(session, ObjectClass.PRIVATE_KEY, label)
            if len(own) != 1 or len(keys) != 1:
                logger.error(
                    "PKCS#11 token %r has %d certificate(s) and %d signing key(s) labelled %r (need one each)",
                    config.token_label,
                    len(own),
                    len(keys),
                    label,
                )
                raise missing
            certificate = asn1_x509.Certificate.load(own[0][Attribute.VALUE])
            pool = [
                asn1_x509.Certificate.load(obj[Attribute.VALUE])
                for obj in _token_objects(session, ObjectClass.CERTIFICATE)
            ]
            check = _token_sign(keys[0], certificate, _KEY_CHECK_DATA, "sha256")
        except PKCS11Error as exc:
            logger.error("PKCS#11 token %r cannot be read: %s", config.token_label, type(exc).__name__)
            raise SigningUnavailable(DEVICE_FAILED) from exc
    try:
        DEFAULT_SIGNATURE_VALIDATOR.validate_signature(
            check, _KEY_CHECK_DATA, certificate.public_key, _signature_mechanism(certificate, "sha256")
        )
    except (InvalidSignature, ValueError) as exc:
        logger.error("PKCS#11 key %r does not match the certificate of the same label", label)
        raise missing from exc
    signer = TokenSigner(
        config=config, key_label=label, signing_cert=certificate, chain=_issuer_chain(certificate, pool)
    )
    return AgencyCredentials(signer=signer, certificate=certificate, source=SOURCE_PKCS11)


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
