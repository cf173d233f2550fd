import pytest

from tests.signing.pdfs import make_pdf


@pytest.fixture(autouse=True)
def _pki(settings, tmp_path):
    """Each test has its own PKI folder and development mode (no PKCS#12, no extra trust)."""
    settings.SIGNING_PKI_DIR = str(tmp_path / "pki")
    settings.SIGNING_PKCS12_DIR = None
    settings.SIGNING_PKCS12_PASSWORD_FILE = None
    settings.SIGNING_TRUST_DIR = None
    settings.SIGNING_TRUST_DEV_CA = None
    return tmp_path / "pki"


@pytest.fixture(scope="session")
def result_pdf() -> bytes:
    return make_pdf(
        "<h1>KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH</h1><p>Cấp cho: Nguyễn Văn An</p>"
        "<p>Sở Nội vụ đã giải quyết xong hồ sơ.</p>"
    )
