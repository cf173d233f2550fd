"""Signing with agency keys on a PKCS#11 token, for real: a SoftHSM2 token per test.

Each test makes its own SoftHSM2 configuration and token (SOFTHSM2_CONF in a temporary
folder), imports with OpenSC's pkcs11-tool an agency key and certificate issued by the
development CA, points the PKCS#11 settings at it, and signs through `services.document_sign`.
SoftHSM2 and OpenSC come from scripts/system-deps.sh (`make system-deps`); without them the
tests skip on a developer's machine and fail in CI.
"""

import io
import logging
import os
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pkcs11
import pytest
from cryptography.hazmat.primitives import serialization
from pkcs11.exceptions import SessionHandleInvalid
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from motcua.signing import pki, services
from motcua.signing.models import SigningCertificate

pytestmark = pytest.mark.xdist_group("softhsm2")

CODE = "000.00.31.H29-260115-0009"
TOKEN_LABEL = "motcua-ky-so"
PIN = "246810"
SO_PIN = "97531864"
SOFTHSM_MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)


def _softhsm_module() -> str:
    module = next((path for path in SOFTHSM_MODULES if Path(path).is_file()), None)
    missing = [
        name
        for name, found in (
            ("softhsm2-util", shutil.which("softhsm2-util")),
            ("pkcs11-tool (opensc)", shutil.which("pkcs11-tool")),
            ("libsofthsm2.so", module),
        )
        if not found
    ]
    if missing or module is None:
        message = f"SoftHSM2/OpenSC not installed ({', '.join(missing)}): run `make system-deps`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return module


@dataclass
class Token:
    module: str
    folder: Path

    def write(self, kind: str, der: bytes, label: str, object_id: str) -> None:
        """Import one object onto the token the way an operator would, with pkcs11-tool."""
        path = self.folder / f"{label}-{kind}.der"
        path.write_bytes(der)
        command = ["pkcs11-tool", "--module", self.module, "--token-label", TOKEN_LABEL, "--login", "--pin", PIN]
        command += ["--write-object", str(path), "--type", kind, "--label", label, "--id", object_id]
        if kind == "privkey":
            command.append("--usage-sign")
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        path.unlink()  # keys live on the token only

    def import_key_pair(self, pair: pki.KeyPair, label: str, object_id: str) -> None:
        key = pair.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self.write("privkey", key, label, object_id)
        self.write("cert", pair.certificate.public_bytes(serialization.Encoding.DER), label, object_id)


@pytest.fixture
def token(tmp_path, monkeypatch):
    module = _softhsm_module()
    folder = tmp_path / "softhsm"
    (folder / "tokens").mkdir(parents=True)
    config = folder / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(config))
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", PIN, "--so-pin", SO_PIN],
        check=True,
        capture_output=True,
        timeout=60,
    )
    yield Token(module=module, folder=folder)
    # SoftHSM2 reads SOFTHSM2_CONF when it is initialised: the next test loads it afresh.
    pkcs11.unload(module)


@pytest.fixture
def pin_file(tmp_path) -> Path:
    path = tmp_path / "token-pin"
    path.write_text(PIN + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def on_token(settings, token, pin_file, agency, _pki):
    """The agency's development key and certificate moved onto the token (and off the disk), the CA beside them."""
    pair, _ = pki.ensure_agency_key_pair(agency)
    ca = pki.dev_ca()
    assert ca is not None
    token.import_key_pair(pair, agency.code, "01")
    token.write("cert", ca.certificate.public_bytes(serialization.Encoding.DER), "MotCua Development CA", "ca")
    shutil.rmtree(_pki / "agencies")
    settings.SIGNING_PKCS11_MODULE = token.module
    settings.SIGNING_PKCS11_TOKEN_LABEL = TOKEN_LABEL
    settings.SIGNING_PKCS11_PIN_FILE = str(pin_file)
    settings.SIGNING_PKCS11_LABELS = None
    settings.SIGNING_TRUST_DEV_CA = True
    return pair


@pytest.fixture
def sign(result_pdf):
    def sign(agency) -> bytes:
        return services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="Lê Văn Lãnh Đạo")

    return sign


@pytest.fixture
def sessions(monkeypatch):
    """Every PKCS#11 session pki opens, to check each one is closed afterwards."""
    opened: list = []
    real = pki._token_session

    @contextmanager
    def recording(config):
        with real(config) as session:
            opened.append(session)
            yield session

    monkeypatch.setattr(pki, "_token_session", recording)
    return opened


def test_a_result_signed_on_the_token_is_valid_for_pyhanko_against_the_development_ca(
    on_token, agency, _pki, sessions, sign
):
    signed = sign(agency)

    ca = pki.dev_ca()
    assert ca is not None
    [signature] = PdfFileReader(io.BytesIO(signed)).embedded_regular_signatures
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=[pki.to_asn1(ca.certificate)], allow_fetching=False)
    )
    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.md_algorithm == "sha256"
    # Signed by the key on the token: its certificate, and the CA read from the token as the chain.
    assert status.signing_cert.dump() == pki.to_asn1(on_token.certificate).dump()
    embedded = {cert.chosen.dump() for cert in signature.signed_data["certificates"]}
    assert pki.to_asn1(ca.certificate).dump() in embedded
    # The key file was removed before signing and nothing made a new one: the token signed.
    assert not (_pki / "agencies").exists()

    result = services.verify_pdf(signed)
    assert result.valid is True and result.altered is False
    assert result.signer == agency.name and result.agency_code == agency.code
    assert result.dossier_code == CODE
    assert SigningCertificate.objects.get().source == SigningCertificate.Source.PKCS11

    # One session to read the certificate and check the key, one for the signature; both closed.
    assert len(sessions) == 2
    for session in sessions:
        with pytest.raises(SessionHandleInvalid):
            session.generate_random(64)


def test_configuration_from_the_environment_with_a_label_mapping(
    settings, monkeypatch, token, pin_file, agency, _pki, sign
):
    pair, _ = pki.ensure_agency_key_pair(agency)
    token.import_key_pair(pair, "so-noi-vu", "02")
    for name in ("MODULE", "TOKEN_LABEL", "PIN_FILE", "LABELS"):
        setattr(settings, f"SIGNING_PKCS11_{name}", None)
    settings.SIGNING_TRUST_DEV_CA = True
    monkeypatch.setenv("SIGNING_PKCS11_MODULE", token.module)
    monkeypatch.setenv("SIGNING_PKCS11_TOKEN_LABEL", TOKEN_LABEL)
    monkeypatch.setenv("SIGNING_PKCS11_PIN_FILE", str(pin_file))
    monkeypatch.setenv("SIGNING_PKCS11_LABELS", f"000.00.99.H29=khac, {agency.code}=so-noi-vu")

    assert pki.signing_mode() == pki.SOURCE_PKCS11
    assert pki.trusts_dev_ca() is True  # only because SIGNING_TRUST_DEV_CA says so
    result = services.verify_pdf(sign(agency))
    assert result.valid is True and result.agency_code == agency.code

    monkeypatch.setenv("SIGNING_PKCS11_LABELS", f"{agency.code}")
    with pytest.raises(pki.SigningUnavailable, match="Cấu hình thiết bị ký số không hợp lệ"):
        sign(agency)


def test_a_wrong_pin_is_refused_clearly_and_never_logged(on_token, pin_file, agency, caplog, sign):
    wrong = "999999"
    pin_file.write_text(wrong)
    with caplog.at_level(logging.DEBUG), pytest.raises(pki.SigningUnavailable) as refused:
        sign(agency)
    assert refused.value.detail == pki.DEVICE_PIN_REFUSED
    assert "PinIncorrect" in caplog.text  # the cause is logged for the operator…
    assert wrong not in caplog.text and PIN not in caplog.text  # …without any PIN
    assert wrong not in str(refused.value)
    assert not SigningCertificate.objects.exists()


def test_an_unreadable_pin_file_is_refused_clearly(settings, on_token, tmp_path, agency, sign):
    settings.SIGNING_PKCS11_PIN_FILE = str(tmp_path / "no-such-pin-file")
    with pytest.raises(pki.SigningUnavailable) as refused:
        sign(agency)
    assert refused.value.detail == pki.DEVICE_PIN_UNREADABLE


def test_an_agency_without_a_key_on_the_token_is_refused_by_name(on_token, other_agency, caplog, sign):
    with caplog.at_level(logging.ERROR), pytest.raises(pki.SigningUnavailable) as refused:
        sign(other_agency)
    assert other_agency.name in refused.value.detail and other_agency.code in refused.value.detail
    assert "chưa có khoá và chứng thư số" in refused.value.detail
    assert "0 certificate(s) and 0 signing key(s)" in caplog.text
    assert not SigningCertificate.objects.exists()


def test_a_certificate_that_does_not_match_the_key_is_refused(token, settings, pin_file, agency, other_agency, sign):
    mine, _ = pki.ensure_agency_key_pair(agency)
    theirs, _ = pki.ensure_agency_key_pair(other_agency)
    token.import_key_pair(pki.KeyPair(key=mine.key, certificate=theirs.certificate), agency.code, "03")
    settings.SIGNING_PKCS11_MODULE = token.module
    settings.SIGNING_PKCS11_TOKEN_LABEL = TOKEN_LABEL
    settings.SIGNING_PKCS11_PIN_FILE = str(pin_file)
    with pytest.raises(pki.SigningUnavailable, match="chưa có khoá và chứng thư số"):
        sign(agency)


def test_a_missing_token_or_module_is_refused_clearly(settings, on_token, agency, sign):
    settings.SIGNING_PKCS11_TOKEN_LABEL = "khong-co-token-nay"
    with pytest.raises(pki.SigningUnavailable) as refused:
        sign(agency)
    assert refused.value.detail == pki.DEVICE_NOT_FOUND

    settings.SIGNING_PKCS11_MODULE = "/nonexistent/libpkcs11.so"
    with pytest.raises(pki.SigningUnavailable) as refused:
        sign(agency)
    assert refused.value.detail == pki.DEVICE_MODULE_UNAVAILABLE


def test_pkcs11_and_pkcs12_together_is_a_configuration_error(settings, on_token, tmp_path, agency, sign):
    settings.SIGNING_PKCS12_DIR = str(tmp_path)
    with pytest.raises(pki.SigningUnavailable) as refused:
        sign(agency)
    assert refused.value.detail == pki.DEVICE_CONFIGURATION


def test_the_development_ca_is_not_trusted_on_a_token_unless_asked(settings, on_token):
    settings.SIGNING_TRUST_DEV_CA = None
    assert pki.trusts_dev_ca() is False
