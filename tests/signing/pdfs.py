"""PDFs for the signing tests: a small result, a foreign signature, two kinds of tampering."""

import io
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from motcua.signing import pki


def make_pdf(html: str = "<p>Kết quả</p>") -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf()


def self_signed(common_name: str, organizational_unit: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A key and a self-signed certificate that claims to be an agency (a forger's)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organizational_unit),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
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
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def sign_with(pdf: bytes, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate, *, reason: str) -> bytes:
    """Sign with any key through pyHanko's plain API (no MotCua code)."""
    from asn1crypto import keys as asn1_keys
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(
        signing_cert=pki.to_asn1(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore(),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name="Forged", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256", reason=reason
    )
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def tamper_in_signed_range(signed: bytes) -> bytes:
    """Change one byte of the original document (inside the signature's byte range), keeping offsets."""
    position = signed.index(b"WeasyPrint")
    assert position < signed.index(b"/ByteRange")
    return signed[:position] + b"X" + signed[position + 1 :]


def append_content_change(signed: bytes) -> bytes:
    """An incremental update after the signature that replaces the first page's content."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    font = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        }
    )
    resources = generic.DictionaryObject(
        {generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/F9"): writer.add_object(font)})}
    )
    content = generic.StreamObject(stream_data=b"BT /F9 28 Tf 72 700 Td (Ket qua: DA DUYET - GIA MAO) Tj ET")
    page[generic.NameObject("/Contents")] = writer.add_object(content)
    page[generic.NameObject("/Resources")] = resources
    writer.update_container(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
