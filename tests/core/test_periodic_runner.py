"""`run_periodic` survives its jobs: one that raises is logged and the others (and the next
tick) still run, so `make run` is not stopped by one bad job."""

import logging

import pytest
from django.core.management import call_command

from motcua.backoffice.management.commands import run_periodic
from motcua.core.tasks import run_job

pytestmark = pytest.mark.django_db


class _Stop(BaseException):
    pass


def test_run_job_logs_the_error_and_returns_the_default(caplog):
    def broken() -> int:
        raise RuntimeError("database is locked")

    with caplog.at_level(logging.ERROR, logger="motcua.core.tasks"):
        assert run_job("late flags", broken, 0) == 0
    assert "periodic job late flags failed" in caplog.text and "database is locked" in caplog.text
    assert run_job("ok", lambda: 7, 0) == 7


def test_a_failing_job_does_not_stop_the_loop_or_the_other_jobs(monkeypatch, caplog, settings):
    settings.DVCQG_PULL_EVERY_SECONDS = 0
    calls: dict[str, int] = {"outbox": 0, "late": 0, "soon": 0, "pull": 0, "reconcile": 0, "sleep": 0}

    def count(name: str, error: bool = False):
        def job() -> int:
            calls[name] += 1
            if error:
                raise ValueError(f"{name} exploded")
            return 0

        return job

    monkeypatch.setattr(run_periodic, "deliver_pending", count("outbox", error=True))
    monkeypatch.setattr(run_periodic, "dvcqg_pull_periodic", count("pull", error=True))
    monkeypatch.setattr(run_periodic, "dossiers_flag_late", count("late", error=True))
    monkeypatch.setattr(run_periodic, "dossiers_remind_due_soon", count("soon"))
    monkeypatch.setattr(run_periodic, "payments_reconcile", count("reconcile"))

    def sleep(seconds: float) -> None:
        calls["sleep"] += 1
        if calls["sleep"] == 3:
            raise _Stop  # the operator's Ctrl-C, after three ticks

    monkeypatch.setattr(run_periodic.time, "sleep", sleep)
    with caplog.at_level(logging.ERROR, logger="motcua.core.tasks"), pytest.raises(_Stop):
        call_command("run_periodic", lateness_every=0, outbox_every=0)
    assert calls["outbox"] == calls["pull"] == calls["late"] == calls["soon"] == calls["reconcile"] == 3
    assert caplog.text.count("outbox exploded") == 3 and "late exploded" in caplog.text
