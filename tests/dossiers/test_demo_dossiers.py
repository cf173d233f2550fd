"""`seed_demo --with-dossiers` (what `make run` calls): real dossiers in every officer's queue."""

import pytest
from django.core.management import call_command

from motcua.accounts.models import User
from motcua.dossiers.demo import DEMO_DOSSIERS
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.log_verification import verify_dossier_logs
from motcua.dossiers.models import Dossier
from motcua.dossiers.queues import queue_queryset

pytestmark = pytest.mark.django_db


def test_demo_dossiers_are_filed_once_through_the_real_lifecycle(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--with-dossiers", verbosity=0)
    call_command("seed_demo", "--with-dossiers", verbosity=0)
    dossiers = {d.idempotency_key: d for d in Dossier.objects.select_related("current_handler", "applicant")}
    assert set(dossiers) == {spec.key for spec in DEMO_DOSSIERS}
    assert dossiers["demo-waiting"].status == Status.SUBMITTED
    processing = dossiers["demo-processing"]
    assert processing.status == Status.PROCESSING and processing.current_handler.username == "demo.specialist"
    to_approve = dossiers["demo-to-approve"]
    assert to_approve.status == Status.PROCESSING and to_approve.current_handler.username == "demo.leader"
    assert dossiers["demo-supplement"].status == Status.SUPPLEMENT_REQUESTED
    returned = dossiers["demo-returned"]
    assert returned.status == Status.RETURNED
    assert returned.documents.filter(kind="result", signed=True).exists()
    assert list(verify_dossier_logs()) == []
    # Every officer finds their part in their queues.
    officers = {user.username: user for user in User.objects.filter(username__startswith="demo.")}
    assert set(queue_queryset(officers["demo.receiver"], "receive")) == {
        dossiers["demo-waiting"],
        dossiers["demo-waiting-2"],
    }
    assert list(queue_queryset(officers["demo.specialist"], "process")) == [processing]
    assert list(queue_queryset(officers["demo.leader"], "approve")) == [to_approve]
    assert list(queue_queryset(officers["demo.receiver"], "waiting")) == [dossiers["demo-supplement"]]
