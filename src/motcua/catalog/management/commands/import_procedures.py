import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.services import CatalogImportError, catalog_import


class Command(BaseCommand):
    help = "Nhập thủ tục hành chính từ tệp JSON (định dạng docs/catalog.md). Có lỗi thì không nhập gì."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="tệp JSON theo định dạng motcua-catalog")

    def handle(self, *args, files: list[str], **options):
        documents = []
        for name in files:
            try:
                documents.append((name, json.loads(Path(name).read_text(encoding="utf-8"))))
            except OSError as exc:
                raise CommandError(f"{name}: không đọc được tệp ({exc.strerror}).") from exc
            except json.JSONDecodeError as exc:
                raise CommandError(f"{name}: không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}).") from exc
        try:
            result = catalog_import(documents=documents)
        except CatalogImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(exc.errors)} lỗi; chưa nhập gì.") from exc
        self.stdout.write(
            f"Thêm {len(result.created)}, cập nhật {len(result.updated)}, "
            f"không đổi {len(result.unchanged)} phiên bản thủ tục; "
            f"lĩnh vực đổi {result.fields_changed}, từ đồng nghĩa đổi {result.synonyms_changed}."
        )
