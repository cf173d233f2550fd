import json
from pathlib import Path

from django.core.management.base import BaseCommand

from motcua.catalog.selectors import catalog_export


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục ra JSON (định dạng docs/catalog.md), ra màn hình hoặc vào tệp."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="tệp đích (mặc định: in ra màn hình)")
        parser.add_argument("--code", action="append", dest="codes", help="chỉ xuất thủ tục mã này (lặp lại được)")

    def handle(self, *args, output: str | None = None, codes: list[str] | None = None, **options):
        text = json.dumps(catalog_export(codes=codes), ensure_ascii=False, indent=1) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Đã ghi {output}.")
        else:
            self.stdout.write(text, ending="")
