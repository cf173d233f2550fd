"""Set up signing: create the development CA (idempotent), optionally agency certificates.

    manage.py signing_setup                    # the development CA only
    manage.py signing_setup --agency 000.00.31.H29 --agency 267.43.00.H29
    manage.py signing_setup --all-agencies     # every agency active today

With SIGNING_PKCS12_DIR set (production) it creates nothing: it checks that each agency
asked for has a PKCS#12 file that opens with the configured password.
"""

import hashlib
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.core.timeutil import local_date
from motcua.directory.models import Agency
from motcua.signing import pki


class Command(BaseCommand):
    help = "Tạo CA phát triển và chứng thư số của các cơ quan (hoặc kiểm tra tệp PKCS#12 khi chạy thật)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", action="append", default=[], help="mã cơ quan (có thể lặp lại)")
        parser.add_argument("--all-agencies", action="store_true", help="mọi cơ quan đang hoạt động")

    def handle(self, *args: Any, **options: Any) -> None:
        agencies = list(Agency.objects.filter(code__in=options["agency"]))
        missing = set(options["agency"]) - {agency.code for agency in agencies}
        if missing:
            raise CommandError(f"Không có cơ quan mã: {', '.join(sorted(missing))}")
        if options["all_agencies"]:
            agencies = list(Agency.objects.active_on(local_date(timezone.now())))

        if pki.pkcs12_dir() is not None:
            self._check_pkcs12(agencies)
            return

        ca, created = pki.ensure_dev_ca()
        fingerprint = hashlib.sha256(ca.certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
        self.stdout.write(
            f"{'Đã tạo' if created else 'Đã có'} {pki.DEV_CA_NAME}: {pki.dev_ca_certificate_path()} "
            f"(SHA-256 {fingerprint}, hết hạn {ca.certificate.not_valid_after_utc:%d/%m/%Y})"
        )
        issued = 0
        for agency in agencies:
            _, was_issued = pki.ensure_agency_key_pair(agency)
            issued += int(was_issued)
        if agencies:
            self.stdout.write(f"Chứng thư số cơ quan: {issued} mới, {len(agencies) - issued} đã có.")

    def _check_pkcs12(self, agencies: list[Agency]) -> None:
        self.stdout.write(f"Chế độ PKCS#12: {pki.pkcs12_dir()} (không tạo CA phát triển).")
        problems = 0
        for agency in agencies:
            try:
                credentials = pki.agency_credentials(agency)
            except DomainError as exc:
                problems += 1
                self.stderr.write(f"{agency.code}: {exc.detail}")
                continue
            self.stdout.write(f"{agency.code}: {credentials.certificate.subject.human_friendly}")
        if problems:
            raise CommandError(f"{problems} cơ quan chưa có chứng thư số dùng được.")
