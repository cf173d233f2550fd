"""`manage.py reorganise_dossiers <dissolved agency code> [--to <code>] [--apply]`: preview, then move."""

from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.models import User
from motcua.core.errors import DomainError
from motcua.dossiers.reorganisation import reorganisation_apply, reorganisation_preview


class Command(BaseCommand):
    help = "Chuyển hồ sơ đang giải quyết của cơ quan đã giải thể sang cơ quan kế thừa (mặc định chỉ xem trước)."

    def add_arguments(self, parser):
        parser.add_argument("agency", help="mã cơ quan đã giải thể")
        parser.add_argument("--to", dest="successor", default=None, help="mã cơ quan nhận (mặc định: kế thừa chính)")
        parser.add_argument("--as", dest="username", required=True, help="tên đăng nhập của quản trị hệ thống")
        parser.add_argument("--apply", action="store_true", help="chuyển thật (không có: chỉ xem trước)")

    def handle(self, *args, agency: str, successor: str | None, username: str, apply: bool, **options) -> None:
        actor = User.objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"không có tài khoản {username}")
        try:
            plan = reorganisation_preview(actor=actor, predecessor_code=agency, successor_code=successor)
            self.stdout.write(f"{plan.count} hồ sơ: {plan.predecessor.code} → {plan.successor.code}")
            if apply:
                moved = reorganisation_apply(actor=actor, predecessor_code=agency, successor_code=successor)
                self.stdout.write(self.style.SUCCESS(f"đã chuyển {moved} hồ sơ"))
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
