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


def test_a_new_appointment_gets_its_own_reminder_and_late_flag_after_an_extension(received):
    """The marks are per due date: an extension clears them, so the periodic tasks fire again."""
    first_due = received.due_at
    assert dossiers_remind_due_soon(now=first_due - timedelta(hours=2)) == 1
    leader = User.objects.get(username="demo.leader")
    dossier = Dossier.objects.get(pk=received.pk)
    dossier = dossier_act(
        actor=leader,
        code=dossier.code,
        action="extend",
        version=dossier.version,
        note="Cần xác minh thêm với cơ quan phối hợp.",
        params={"extra_days": 2},
        now=first_due - timedelta(hours=1),
    )
    assert dossier.due_at > first_due
    assert (dossier.due_soon_notified_at, dossier.late_notified_at) == (None, None)
    # Nothing at the old due time: the appointment moved.
    assert dossiers_flag_late(now=first_due + timedelta(minutes=1)) == 0
    # The new appointment: its own due-soon reminder, then its own late flag, each once.
    assert dossiers_remind_due_soon(now=dossier.due_at - timedelta(hours=2)) == 1
    assert dossiers_remind_due_soon(now=dossier.due_at - timedelta(hours=1)) == 0
    assert dossiers_flag_late(now=dossier.due_at + timedelta(minutes=1)) == 1
    assert dossiers_flag_late(now=dossier.due_at + timedelta(hours=1)) == 0
    reminders = OutboxMessage.objects.filter(topic="dossier.due_soon", payload__code=dossier.code)
    assert sorted(datetime.fromisoformat(m.payload["due_at"]) for m in reminders) == [first_due, dossier.due_at]
    assert OutboxMessage.objects.filter(topic="dossier.late", payload__code=dossier.code).count() == 1
    assert list(verify_dossier_logs()) == []


def test_a_late_dossier_whose_pause_moved_its_due_date_is_flagged_for_the_new_date(received):
    receiver = User.objects.get(username="demo.receiver")
    citizen = User.objects.get(username="demo.citizen")
    late_at = received.due_at + timedelta(minutes=1)
    assert dossiers_flag_late(now=late_at) == 1
    dossier = Dossier.objects.get(pk=received.pk)
    dossier = dossier_act(
        actor=receiver,
        code=dossier.code,
        action="request_supplement",
        version=dossier.version,
        note="Bổ sung ảnh chân dung",
        now=late_at + timedelta(minutes=30),
    )
    dossier = dossier_act(
        actor=citizen, code=dossier.code, action="supplement", version=dossier.version, now=late_at + timedelta(days=1)
    )
    assert dossier.due_at > received.due_at and dossier.late_notified_at is None
    # Still past the (moved) due date: flagged again, for that date.
    assert dossiers_flag_late(now=late_at + timedelta(days=1, minutes=1)) == 1
    dues = OutboxMessage.objects.filter(topic="dossier.late", payload__code=dossier.code).values_list(
        "payload__due_at", flat=True
    )
    assert sorted(datetime.fromisoformat(due) for due in dues) == [received.due_at, dossier.due_at]


def test_flagging_lateness_reaches_the_national_portal_like_any_change(received):
    """A system event (lateness, a refund) bumps the version and queues one `dossier.changed` message."""
    assert dossiers_flag_late(now=received.due_at + timedelta(minutes=1)) == 1
    dossier = Dossier.objects.get(pk=received.pk)
    (message,) = OutboxMessage.objects.filter(topic="dossier.changed", payload__version=dossier.version)
    assert message.payload == {
        "code": dossier.code,
        "action": "flag_late",
        "status": dossier.status,
        "version": dossier.version,
    }
    assert message.idempotency_key == f"dossier:{dossier.code}:v{dossier.version}"
