"""A real worker process killed with SIGKILL in the middle of a send to a slow national portal:
after a new worker starts, the dossier is at the portal exactly once and nothing is lost.

The worker is a separate `manage.py outbox_worker` process on the test database (committed
data: `transactional_db`); the portal is the DVCQG stand-in on a free port.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.accounts.models import User
from motcua.core.models import OutboxMessage
from tests.integrations.conftest import submit

ROOT = Path(__file__).resolve().parents[2]
TOPIC = "dossier.changed>dvcqg"


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        auth = f"{quote(db['USER'] or '', safe='')}:{quote(db['PASSWORD'] or '', safe='')}@"
        return f"postgres://{auth}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    pytest.skip(f"no URL for {connection.vendor}")


def start_worker(dvcqg, settings, *, claim_timeout: float = 2) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DVCQG_URL": dvcqg.url,
        "DVCQG_API_KEY": settings.DVCQG_API_KEY,
        "INTEGRATIONS_TRANSPORT": "direct",
        "INTEGRATIONS_TIMEOUT_SECONDS": "20",
        "OUTBOX_CLAIM_TIMEOUT_SECONDS": str(claim_timeout),
        "OUTBOX_BACKOFF_BASE_SECONDS": "0.2",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "outbox_worker", "--every", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_delivers_exactly_once_after_restart(dvcqg, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", verbosity=0)
    dossier = submit(User.objects.get(username="demo.citizen2"))
    dvcqg.control(delay_seconds=4)  # the portal is slow: the worker will be mid-send

    worker = start_worker(dvcqg, settings)
    try:
        wait_for(lambda: dvcqg.state()["received"] >= 1, 30, "the worker's request to reach the portal")
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    message = OutboxMessage.objects.get(topic=TOPIC)
    assert message.state == "pending" and message.attempts == 1 and message.claimed_until is not None
    # The portal finishes the request the dead worker sent: it has the dossier, MotCua does not know.
    wait_for(lambda: dvcqg.state()["pushes"] == 1, 15, "the portal to apply the first push")

    dvcqg.control(delay_seconds=0)
    restarted = start_worker(dvcqg, settings)
    try:
        wait_for(
            lambda: OutboxMessage.objects.get(topic=TOPIC).state == "delivered", 60, "the restarted worker to deliver"
        )
    finally:
        restarted.send_signal(signal.SIGTERM)
        try:
            restarted.wait(timeout=10)
        except subprocess.TimeoutExpired:
            restarted.kill()
            restarted.wait()

    state = dvcqg.state()
    assert list(state["dossiers"]) == [dossier.code]  # exactly once
    assert state["pushes"] == 1 and state["duplicates"] == 1  # resent, and the duplicate dropped
    assert len(state["progress"]) == 1
    message.refresh_from_db()
    assert message.attempts == 2 and message.state == "delivered"
    assert not OutboxMessage.objects.filter(topic=TOPIC).exclude(state="delivered").exists()
    assert OutboxMessage.objects.get(topic="dossier.changed").state == "delivered"


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_message(dvcqg, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", verbosity=0)
    citizens = User.objects.filter(username__in=["demo.citizen", "demo.citizen2"]).order_by("username")
    codes = {submit(citizen).code for citizen in citizens}
    dvcqg.control(delay_seconds=1)
    workers = [start_worker(dvcqg, settings, claim_timeout=60) for _ in range(2)]
    try:
        wait_for(
            lambda: OutboxMessage.objects.filter(topic=TOPIC, state="delivered").count() == 2,
            60,
            "both dossiers to be delivered",
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    state = dvcqg.state()
    assert set(state["dossiers"]) == codes
    assert state["received"] == 2 and state["duplicates"] == 0  # each sent once, by one worker
    assert set(OutboxMessage.objects.filter(topic=TOPIC).values_list("attempts", flat=True)) == {1}
