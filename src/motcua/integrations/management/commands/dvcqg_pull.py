"""`manage.py dvcqg_pull`: file the dossiers submitted at the national portal (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from motcua.integrations.dvcqg.sync import dvcqg_pull
from motcua.integrations.errors import IntegrationError


class Command(BaseCommand):
    help = "Nhận các hồ sơ nộp trên Cổng DVC quốc gia vào hệ thống."

    def handle(self, *args, **options) -> None:
        try:
            report = dvcqg_pull()
        except IntegrationError as error:
            raise CommandError(error.detail) from error
        self.stdout.write(
            f"created: {len(report.created)}, already filed: {len(report.existing)}, failed: {len(report.failed)}"
        )
        for national_code, reason in report.failed:
            self.stderr.write(f"{national_code}: {reason}")
