"""Late dossiers are flagged once, in the log and the outbox; due-soon ones get one reminder."""

import io
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command

from motcua.accounts.models import User
from motcua.catalog.eforms import form_example
from motcua.catalog.models import ProcedureVersion
from motcua.core.models import OutboxMessage
from motcua.core.timeutil import VN_TZ
from motcua.directory.seed import HOME_AFFAIRS_CODE
from motcua.dossiers.files import file_store
from motcua.dossiers.lateness import dossiers_flag_late, dossiers_remind_due_soon
from motcua.dossiers.log_verification import verify_dossier_logs
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_act, dossier_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(db):
    call_command("seed_demo", verbosity=0)
    version = (
        ProcedureVersion.objects.filter(
            online_mode="full", agency_links__agency__code=HOME_AFFAIRS_CODE, status="active", valid_to__isnull=True
        )
        .order_by("procedure__code")
        .first()
    )
    citizen = User.objects.get(username="demo.citizen")
    pdf = file_store(owner=citizen, name="giay-to.pdf", stream=io.BytesIO(b"%PDF-1.4\n%%EOF\n"))
    documents = [
        {"requirement_code": doc.code, "file_id": pdf.pk}
        for doc in version.documents.all()
        if doc.required and not doc.state_data_source
    ]
    receiver = User.objects.get(username="demo.receiver")
    # Monday 7/9/2026, 09:00: an ordinary working week.
    monday = datetime(2026, 9, 7, 9, 0, tzinfo=VN_TZ)
    dossier, _ = dossier_submit(
        actor=citizen,
        procedure_code=version.procedure.code,
        form=form_example(version.form_schema),
        documents=documents,
        now=monday,
    )
    dossier = dossier_act(actor=receiver, code=dossier.code, action="receive", version=dossier.version, now=monday)
    return dossier


def test_late_dossier_is_flagged_once_with_a_public_event_and_a_message(received):
    assert dossiers_flag_late(now=received.due_at - timedelta(minutes=1)) == 0
    after = received.due_at + timedelta(minutes=1)
    assert dossiers_flag_late(now=after) == 1
    assert dossiers_flag_late(now=after + timedelta(hours=1)) == 0
    dossier = Dossier.objects.get(pk=received.pk)
    assert dossier.late_notified_at == after
    event = dossier.events.order_by("-seq").first()
    assert (event.action, event.public, event.from_status, event.to_status) == ("flag_late", True, 2, 2)
    assert OutboxMessage.objects.filter(topic="dossier.late", payload__code=dossier.code).count() == 1
    assert list(verify_dossier_logs()) == []


def test_paused_dossier_is_not_late(received):
    receiver = User.objects.get(username="demo.receiver")
    dossier_act(
        actor=receiver,
        code=received.code,
        action="request_supplement",
        version=received.version,
        note="Bổ sung ảnh chân dung",
        now=received.received_at + timedelta(hours=1),
    )
    assert dossiers_flag_late(now=received.due_at + timedelta(days=30)) == 0


def test_due_soon_reminder_within_one_working_day(received):
    # Two working days before the due time: no reminder; within the last working day: one.
    assert dossiers_remind_due_soon(now=received.due_at - timedelta(days=6)) == 0
    assert dossiers_remind_due_soon(now=received.due_at - timedelta(hours=2)) == 1
    assert dossiers_remind_due_soon(now=received.due_at - timedelta(hours=1)) == 0
    assert OutboxMessage.objects.filter(topic="dossier.due_soon").count() == 1
