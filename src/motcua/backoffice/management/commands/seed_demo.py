"""`manage.py seed_demo`: the demo agencies, calendar, catalogue and accounts, the signing
certificates of every agency (the development CA and one certificate per agency active today),
and, with `--with-dossiers`, a few dossiers in every state. Idempotent."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from motcua.accounts.seed import seed_demo_accounts
from motcua.catalog.seed import seed_catalog
from motcua.core.seed import seed_calendar_overrides
from motcua.core.timeutil import local_date
from motcua.directory import seed as directory_seed
from motcua.directory.models import Agency
from motcua.dossiers.demo import seed_demo_dossiers
from motcua.signing.services import signing_setup


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu thử nghiệm: cơ quan, lịch làm việc, danh mục thủ tục và tài khoản demo (chạy lại không nhân đôi)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--with-dossiers",
            action="store_true",
            help="Nộp thêm vài hồ sơ mẫu ở các trạng thái khác nhau (make run dùng tuỳ chọn này).",
        )

    def handle(self, *args: object, **options: object) -> None:
        seed_calendar_overrides()
        directory_seed.seed_directory()
        seed_catalog(seed_agencies=False)
        seed_demo_accounts(
            agency_codes={"home_affairs": directory_seed.HOME_AFFAIRS_CODE, "ben_thanh": directory_seed.BEN_THANH_CODE}
        )
        self._signing()
        if options["with_dossiers"]:
            filed = seed_demo_dossiers()
            self.stdout.write(f"Hồ sơ mẫu mới / demo dossiers filed: {filed}")
        self.stdout.write(self.style.SUCCESS("Đã tạo dữ liệu thử nghiệm / demo data ready."))

    def _signing(self) -> None:
        """Every agency can sign from the start (the demo dossiers' forms are signed as they are issued)."""
        agencies = Agency.objects.active_on(local_date(timezone.now())).order_by("code")
        report = signing_setup(agencies=agencies)
        if report.mode != "development":
            for code, detail in report.problems:
                self.stderr.write(f"{code}: {detail}")
            usable, missing = report.existing, len(report.problems)
            self.stdout.write(f"Chứng thư số ({report.mode.upper()}): {usable} dùng được, {missing} chưa có.")
            return
        self.stdout.write(
            f"Chứng thư số / signing certificates: CA {'mới' if report.ca_created else 'đã có'}, "
            f"{report.issued} mới, {report.existing} đã có ({report.ca_path})"
        )
