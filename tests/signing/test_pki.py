"""The development CA and agency certificates (lazy, idempotent, locked) and the PKCS#12 production path."""

import stat
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import call_command

from motcua.signing import pki, services
from motcua.signing.models import SigningCertificate
from tests.signing.pdfs import self_signed

CODE = "000.00.31.H29-260115-0004"


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_signing_setup_creates_the_development_ca_once(_pki):
    out = StringIO()
    call_command("signing_setup", stdout=out)
    assert "Đã tạo MotCua Development CA" in out.getvalue()
    ca = pki.dev_ca()
    assert ca is not None
    certificate = ca.certificate
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "MotCua Development CA"
    assert certificate.issuer == certificate.subject
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert timedelta(days=3650) <= lifetime <= timedelta(days=3654)
    assert _mode(_pki / "ca" / "ca.pem") == 0o600
    assert _mode(pki.dev_ca_certificate_path()) == 0o644
    assert b"PRIVATE KEY" not in pki.dev_ca_certificate_path().read_bytes()

    again = StringIO()
    call_command("signing_setup", stdout=again)
    assert "Đã có MotCua Development CA" in again.getvalue()
    assert pki.dev_ca().certificate == certificate


def test_signing_setup_can_issue_agency_certificates(agency, other_agency):
    out = StringIO()
    call_command("signing_setup", "--agency", agency.code, "--agency", other_agency.code, stdout=out)
    assert "2 mới, 0 đã có" in out.getvalue()


def test_agency_certificate_subject_key_usage_chain_and_file_mode(agency, _pki):
    pair, created = pki.ensure_agency_key_pair(agency)
    assert created
    certificate = pair.certificate
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == agency.name
    assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == agency.code
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    ca = pki.dev_ca()
    certificate.verify_directly_issued_by(ca.certificate)
    files = list((_pki / "agencies").iterdir())
    assert [_mode(path) for path in files] == [0o600]
    assert _mode(_pki) == 0o700
    # Idempotent: the same key and certificate the second time.
    again, created_again = pki.ensure_agency_key_pair(agency)
    assert not created_again and again.certificate == certificate


def test_concurrent_callers_get_one_certificate(agency):
    barrier = threading.Barrier(6)
    fingerprints: list[bytes] = []
    errors: list[BaseException] = []

    def work():
        try:
            barrier.wait()
            pair, _ = pki.ensure_agency_key_pair(agency)
            fingerprints.append(pair.certificate.fingerprint(hashes.SHA256()))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(fingerprints) == 6 and len(set(fingerprints)) == 1


def test_a_renamed_agency_gets_a_new_certificate_and_old_documents_stay_valid(agency, result_pdf):
    before = services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="x")
    old, _ = pki.ensure_agency_key_pair(agency)
    agency.name = "Sở Nội vụ Thành phố Hồ Chí Minh (tên mới)"
    agency.save()
    new, created = pki.ensure_agency_key_pair(agency)
    assert created and new.certificate != old.certificate
    after = services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="x")
    assert services.verify_pdf(before).valid
    result = services.verify_pdf(after)
    assert result.valid and result.signer == agency.name
    assert SigningCertificate.objects.filter(agency=agency).count() == 2


# --- production: PKCS#12 files and a trust folder -----------------------------------------------


def _production_ca(tmp_path):
    """A stand-in for a real CA: its certificate goes to the trust folder, it issues the agency's .p12."""
    ca_key, ca_cert = self_signed("Cơ quan chứng thực thử nghiệm", "CA")
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "ca.crt").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    return ca_key, ca_cert, trust


def _agency_p12(agency, ca_key, ca_cert, directory, password: bytes) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, agency.name)]))  # no agency code in it
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
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
        .sign(ca_key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        name=agency.code.encode(),
        key=key,
        cert=certificate,
        cas=[ca_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )
    directory.mkdir(exist_ok=True)
    (directory / f"{agency.code}.p12").write_bytes(data)


@pytest.fixture
def production(settings, tmp_path, agency):
    ca_key, ca_cert, trust = _production_ca(tmp_path)
    password_file = tmp_path / "p12-password"
    password_file.write_text("mat-khau-thu-nghiem\n")
    _agency_p12(agency, ca_key, ca_cert, tmp_path / "p12", b"mat-khau-thu-nghiem")
    settings.SIGNING_PKCS12_DIR = str(tmp_path / "p12")
    settings.SIGNING_PKCS12_PASSWORD_FILE = str(password_file)
    settings.SIGNING_TRUST_DIR = str(trust)
    return tmp_path


def test_pkcs12_signing_verifies_against_the_trust_folder(production, agency, result_pdf, _pki):
    signed = services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="Giám đốc Sở")
    result = services.verify_pdf(signed)
    assert result.valid is True and result.altered is False
    assert result.signer == agency.name
    # The certificate carries no agency code: the register supplies it.
    assert result.agency_code == agency.code
    assert result.dossier_code == CODE
    assert SigningCertificate.objects.get().source == "pkcs12"
    # Production never makes a development CA.
    assert not (_pki / "ca").exists()


def test_in_production_the_development_ca_is_not_trusted(settings, production, agency, result_pdf):
    settings.SIGNING_PKCS12_DIR = None
    dev_signed = services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="x")
    settings.SIGNING_PKCS12_DIR = str(production / "p12")
    result = services.verify_pdf(dev_signed)
    assert result.valid is False and result.signer is None


def test_a_missing_or_unreadable_pkcs12_file_refuses_to_sign(settings, production, agency, other_agency, result_pdf):
    with pytest.raises(pki.SigningUnavailable):
        services.document_sign(pdf=result_pdf, agency=other_agency, dossier_code=CODE, signer_name="x")
    (production / "p12-password").write_text("sai-mat-khau")
    with pytest.raises(pki.SigningUnavailable):
        services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="x")


def test_signing_setup_checks_pkcs12_files_in_production(production, agency, other_agency):
    out, err = StringIO(), StringIO()
    call_command("signing_setup", "--agency", agency.code, stdout=out, stderr=err)
    assert agency.name in out.getvalue()
    with pytest.raises(Exception, match="chưa có chứng thư số"):
        call_command("signing_setup", "--agency", other_agency.code, stdout=out, stderr=err)
