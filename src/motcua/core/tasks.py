from django_tasks import task

from motcua.core.outbox import deliver_pending


@task()
def deliver_outbox() -> int:
    return deliver_pending()
