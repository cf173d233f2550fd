from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.log_verification import verify_dossier_logs


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm của nhật ký mọi hồ sơ, chỉ ra mắt xích hỏng đầu tiên (verify every dossier log)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="only these dossier codes")

    def handle(self, *args, codes: list[str], **options) -> None:
        broken = list(verify_dossier_logs(dossier_codes=codes or None))
        for link in broken:
            self.stderr.write(f"BROKEN {link.dossier_code} at event #{link.seq}: {link.reason}")
        if broken:
            first = broken[0]
            raise CommandError(
                f"{len(broken)} dossier log(s) broken; first: {first.dossier_code} "
                f"at event #{first.seq}: {first.reason}"
            )
        self.stdout.write(self.style.SUCCESS("Nhật ký hồ sơ toàn vẹn / every dossier log verifies."))
