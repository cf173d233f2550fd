from django_tasks import task

from motcua.payments.services import payments_reconcile


@task()
def payments_reconcile_task(older_than_minutes: int | None = None) -> int:
    """Settle started payments that never got a callback (run every few minutes)."""
    return payments_reconcile(older_than_minutes=older_than_minutes)
