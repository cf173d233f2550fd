"""`manage.py dvcqg_procedures`: compare the national procedure list with the catalogue."""

from django.core.management.base import BaseCommand, CommandError

from motcua.integrations.dvcqg.sync import procedures_compare
from motcua.integrations.errors import IntegrationError


class Command(BaseCommand):
    help = "So sánh danh mục thủ tục trên Cổng DVC quốc gia với danh mục của hệ thống."

    def handle(self, *args, **options) -> None:
        try:
            differences = procedures_compare()
        except IntegrationError as error:
            raise CommandError(error.detail) from error
        for code, name in differences.missing_here:
            self.stdout.write(f"+ {code}  {name}  (có trên Cổng DVC quốc gia, chưa có trong danh mục)")
        for code, name in differences.only_here:
            self.stdout.write(f"- {code}  {name}  (có trong danh mục, không có trên Cổng DVC quốc gia)")
        for code, national, ours in differences.renamed:
            self.stdout.write(f"~ {code}  quốc gia: {national}  |  danh mục: {ours}")
        if not differences.any:
            self.stdout.write("Danh mục thủ tục khớp với Cổng DVC quốc gia.")
