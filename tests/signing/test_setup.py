"""Set-up makes signing ready before anyone signs: the development CA and every agency's certificate,
created by `seed_demo` (so by `make run`), and nothing new the second time."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.core.timeutil import local_date
from motcua.directory.models import Agency
from motcua.directory.seed import BEN_THANH_CODE, HOME_AFFAIRS_CODE
from motcua.signing import pki, services
from motcua.signing.models import SigningCertificate

pytestmark = pytest.mark.django_db


def _files(pki_dir) -> dict[str, bytes]:
    return {str(path.relative_to(pki_dir)): path.read_bytes() for path in sorted(pki_dir.rglob("*.pem"))}


def test_seed_demo_creates_the_ca_and_every_agency_certificate_once(_pki):
    assert pki.dev_ca() is None
    first = StringIO()
    call_command("seed_demo", stdout=first)

    active = list(Agency.objects.active_on(local_date(timezone.now())))
    assert len(active) > 100  # the city, its departments and 168 commune-level units
    ca = pki.dev_ca()
    assert ca is not None
    agency_files = {path.name for path in (_pki / "agencies").iterdir()}
    assert len(agency_files) == len(active)
    registered = dict(SigningCertificate.objects.values_list("agency__code", "fingerprint_sha256"))
    assert set(registered) == {agency.code for agency in active}
    for code in (HOME_AFFAIRS_CODE, BEN_THANH_CODE):
        pair, created = pki.ensure_agency_key_pair(Agency.objects.get(code=code))
        assert not created
        pair.certificate.verify_directly_issued_by(ca.certificate)
        assert registered[code] == hashlib.sha256(pki.to_asn1(pair.certificate).dump()).hexdigest()
    assert f"{len(active)} mới, 0 đã có" in first.getvalue()

    before, rows = _files(_pki), SigningCertificate.objects.count()
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert _files(_pki) == before  # same CA, same keys, same certificates
    assert SigningCertificate.objects.count() == rows
    assert f"CA đã có, 0 mới, {len(active)} đã có" in again.getvalue()


def test_signing_after_set_up_uses_the_prepared_certificate(agency, result_pdf):
    report = services.signing_setup(agencies=[agency])
    assert report.mode == "development" and report.ca_created and report.issued == 1 and report.registered == 1
    row = SigningCertificate.objects.get(agency=agency)
    signed = services.document_sign(pdf=result_pdf, agency=agency, dossier_code="", signer_name="Lãnh đạo")
    verdict = services.verify_pdf(signed)
    assert verdict.valid and verdict.agency_code == agency.code
    assert SigningCertificate.objects.filter(agency=agency).count() == 1
    assert SigningCertificate.objects.get(agency=agency).fingerprint_sha256 == row.fingerprint_sha256

    second = services.signing_setup(agencies=[agency])
    assert (second.ca_created, second.issued, second.existing, second.registered) == (False, 0, 1, 0)


def test_a_renamed_agency_gets_a_new_certificate_on_set_up(agency):
    services.signing_setup(agencies=[agency])
    agency.name = "Sở Nội vụ (tên mới)"
    agency.save(update_fields=["name"])
    report = services.signing_setup(agencies=[agency])
    assert (report.issued, report.registered) == (1, 1)
    assert SigningCertificate.objects.filter(agency=agency).count() == 2
