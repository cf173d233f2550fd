import logging
from collections.abc import Callable
from typing import TypeVar

from django.db import close_old_connections, connection
from django_tasks import task

from motcua.core.outbox import deliver_pending

logger = logging.getLogger(__name__)
T = TypeVar("T")


@task()
def deliver_outbox() -> int:
    return deliver_pending()


def run_job(name: str, job: Callable[[], T], default: T) -> T:
    """Run one periodic job; an unexpected error is logged with its traceback and `default`
    returned, so the scheduler's loop goes on to the next job and the next tick.

    The database connection is recycled afterwards when it broke (e.g. the server restarted),
    so the next job does not fail on a dead connection.
    """
    try:
        return job()
    except Exception:
        logger.exception("periodic job %s failed; it runs again at its next turn", name)
        if not connection.in_atomic_block:
            close_old_connections()
        return default
