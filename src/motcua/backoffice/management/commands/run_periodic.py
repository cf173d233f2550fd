"""`manage.py run_periodic`: the clock of the system, started by `make run`.

Every few seconds it delivers the outbox; every minute it flags late dossiers, queues
due-soon reminders and reconciles payments that never got a callback. In production run
one of these (or call `--once` from cron). A job that fails is logged and tried again at its
next turn; the loop never stops on an error (`core.tasks.run_job`).
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from motcua.core.outbox import deliver_pending
from motcua.core.tasks import run_job
from motcua.dossiers.lateness import dossiers_flag_late, dossiers_remind_due_soon
from motcua.integrations.dvcqg.sync import dvcqg_pull_periodic
from motcua.payments.services import payments_reconcile


class Command(BaseCommand):
    help = "Chạy các việc định kỳ: gửi hàng đợi, đánh dấu hồ sơ quá hạn, nhắc hồ sơ sắp đến hạn."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument("--outbox-every", type=float, default=5.0)
        parser.add_argument("--lateness-every", type=float, default=60.0)

    def handle(self, *args, once: bool, outbox_every: float, lateness_every: float, **options) -> None:
        next_lateness = 0.0
        next_pull = 0.0
        while True:
            delivered = run_job("outbox", deliver_pending, 0)
            if time.monotonic() >= next_pull:
                # Dossiers submitted at the national portal (DVCQG) are filed here.
                pulled = run_job("national portal pull", dvcqg_pull_periodic, 0)
                if pulled:
                    self.stdout.write(f"national portal dossiers filed: {pulled}")
                next_pull = time.monotonic() + settings.DVCQG_PULL_EVERY_SECONDS
            if time.monotonic() >= next_lateness:
                late = run_job("late flags", dossiers_flag_late, 0)
                soon = run_job("due-soon reminders", dossiers_remind_due_soon, 0)
                settled = run_job("payment reconciliation", payments_reconcile, 0)
                if late or soon or settled:
                    self.stdout.write(f"late flagged: {late}, due-soon reminders: {soon}, payments settled: {settled}")
                next_lateness = time.monotonic() + lateness_every
            if delivered:
                self.stdout.write(f"outbox delivered: {delivered}")
            if once:
                return
            time.sleep(outbox_every)
