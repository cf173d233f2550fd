"""Set up signing: create the development CA (idempotent), optionally agency certificates.

    manage.py signing_setup                    # the development CA only
    manage.py signing_setup --agency 000.00.31.H29 --agency 267.43.00.H29
    manage.py signing_setup --all-agencies     # every agency active today (seed_demo does this)

With SIGNING_PKCS12_DIR set (production) it creates nothing: it checks that each agency
asked for has a PKCS#12 file that opens with the configured password. The work is
`signing.services.signing_setup`, which `seed_demo` also calls.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.core.timeutil import local_date
from motcua.directory.models import Agency
from motcua.signing import pki, services


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
            agencies = list(Agency.objects.active_on(local_date(timezone.now())).order_by("code"))

        report = services.signing_setup(agencies=agencies)
        if report.mode != "development":
            where = pki.pkcs11_module() if report.mode == pki.SOURCE_PKCS11 else pki.pkcs12_dir()
            self.stdout.write(f"Chế độ {report.mode.upper()}: {where} (không tạo CA phát triển).")
            problems = dict(report.problems)
            for agency in agencies:
                if agency.code in problems:
                    self.stderr.write(f"{agency.code}: {problems[agency.code]}")
                else:
                    self.stdout.write(f"{agency.code}: {agency.name}")
            if report.problems:
                raise CommandError(f"{len(report.problems)} cơ quan chưa có chứng thư số dùng được.")
            return

        expires = f"{report.ca_not_after:%d/%m/%Y}" if report.ca_not_after else ""
        self.stdout.write(
            f"{'Đã tạo' if report.ca_created else 'Đã có'} {pki.DEV_CA_NAME}: {report.ca_path} "
            f"(SHA-256 {report.ca_fingerprint}, hết hạn {expires})"
        )
        if agencies:
            self.stdout.write(f"Chứng thư số cơ quan: {report.issued} mới, {report.existing} đã có.")
