"""`manage.py outbox_worker`: deliver the outbox in a loop (or `--once`).

`run_periodic` and the task worker deliver it too; this is the outbox alone, for an extra
worker process or a test that kills one mid-send. Any number may run at once: each message
is claimed before it is sent.
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from motcua.core.outbox import deliver_pending


class Command(BaseCommand):
    help = "Gửi các thông điệp trong hàng đợi (outbox)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--every", type=float, default=1.0)

    def handle(self, *args, once: bool, every: float, **options) -> None:
        while True:
            close_old_connections()  # a long-running loop must not keep a broken connection
            delivered = deliver_pending()
            if delivered:
                self.stdout.write(f"outbox delivered: {delivered}", ending="\n")
                self.stdout.flush()
            if once:
                return
            time.sleep(every)
