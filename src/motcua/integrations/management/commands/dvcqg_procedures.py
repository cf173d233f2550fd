"""`manage.py dvcqg_procedures [--apply] [--effective-from YYYY-MM-DD]`: bring the catalogue in
line with the national procedure list.

Without `--apply` it only prints the plan. With it, renamed procedures get a new draft version
and unknown ones are imported as drafts (see `procedures_sync`); procedures no longer on the
national list are listed, never abolished. Running it twice writes nothing the second time.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.integrations.dvcqg.sync import procedures_sync
from motcua.integrations.errors import IntegrationError


class Command(BaseCommand):
    help = "Đồng bộ danh mục thủ tục với Cổng DVC quốc gia (mặc định chỉ in kế hoạch; --apply để thực hiện)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--apply", action="store_true", help="Tạo các bản nháp theo kế hoạch (mặc định chỉ in kế hoạch)."
        )
        parser.add_argument(
            "--effective-from",
            dest="effective_from",
            default=None,
            help="Ngày hiệu lực của các bản nháp, dạng YYYY-MM-DD (mặc định: ngày mai).",
        )

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        valid_from = today + dt.timedelta(days=1)
        if options["effective_from"]:
            try:
                valid_from = dt.date.fromisoformat(options["effective_from"])
            except ValueError as error:
                raise CommandError("Ngày hiệu lực phải có dạng YYYY-MM-DD, ví dụ 2026-01-31.") from error
            if valid_from < today:
                raise CommandError("Ngày hiệu lực không được trước hôm nay.")
        try:
            plan = procedures_sync(valid_from=valid_from, apply=options["apply"])
        except IntegrationError as error:
            raise CommandError(error.detail) from error
        write = self.stdout.write
        for code, name in plan.imports:
            write(f"+ {code}  {name}  (có trên Cổng DVC quốc gia, chưa có trong danh mục: nhập thành bản nháp)")
        for rename in plan.renames:
            if rename.pending_draft is not None:
                write(f"~ {rename.code}  quốc gia: {rename.national_name}  |  đã có bản nháp chờ áp dụng")
            else:
                write(
                    f"~ {rename.code}  quốc gia: {rename.national_name}  |  danh mục: {rename.current_name}"
                    f"  (tạo bản nháp hiệu lực từ {valid_from:%d/%m/%Y})"
                )
        for item in plan.abolished:
            write(
                f"- {item.code}  {item.name}  (có trong danh mục, không có trên Cổng DVC quốc gia; "
                f"{item.open_dossiers} hồ sơ đang giải quyết; cần quản trị viên xem xét, không tự bãi bỏ)"
            )
        if not (plan.imports or plan.renames or plan.abolished):
            write("Danh mục thủ tục khớp với Cổng DVC quốc gia.")
        if plan.applied:
            for label in plan.created:
                write(f"Đã tạo bản nháp {label}.")
            for code, why in plan.failed:
                self.stderr.write(f"Không tạo được bản nháp cho thủ tục {code}: {why}")
            write(f"Đã tạo {len(plan.created)} bản nháp; quản trị viên kiểm tra và áp dụng trong trang quản trị.")
        elif plan.to_do:
            write("Chưa thay đổi gì. Chạy lại với --apply để tạo các bản nháp.")
