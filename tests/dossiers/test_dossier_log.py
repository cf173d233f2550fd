"""The dossier log: a hash chain that `verify_dossier_log` checks, append-only on PostgreSQL."""

from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from motcua.dossiers.hashing import GENESIS, event_digest, event_fields
from motcua.dossiers.log_verification import BrokenLink, verify_dossier_logs
from motcua.dossiers.models import DossierEvent
from tests.dossiers.helpers import act, make_procedure, record_forms, stored_file, submit, vn

pytestmark = pytest.mark.django_db

MONDAY = vn(2027, 1, 4, 8, 0)
NOTE = "Bổ sung bản sao giấy khai sinh."


@pytest.fixture
def walked(monkeypatch, agency, citizen, receiver, specialist, leader):
    """A dossier walked from submission to return: 10 events."""
    record_forms(monkeypatch)
    version = make_procedure(agency=agency)
    dossier = submit(citizen, version, now=MONDAY)
    steps = [
        (receiver, "receive", vn(2027, 1, 4, 8, 30), ""),
        (receiver, "request_supplement", vn(2027, 1, 4, 9, 0), NOTE),
        (citizen, "supplement", vn(2027, 1, 4, 15, 0), ""),
        (receiver, "assign", vn(2027, 1, 4, 16, 0), ""),
        (specialist, "forward", vn(2027, 1, 5, 16, 0), ""),
        (specialist, "forward", vn(2027, 1, 6, 16, 0), ""),
        (leader, "approve", vn(2027, 1, 7, 9, 0), ""),
    ]
    for actor, action, at, note in steps:
        dossier = act(actor, dossier, action, now=at, note=note)
    dossier = act(leader, dossier, "resolve", now=vn(2027, 1, 7, 10, 0), file_id=stored_file(leader).pk)
    dossier = act(receiver, dossier, "return_result", now=vn(2027, 1, 8, 9, 0), channel=2)
    return dossier


@pytest.fixture
def another(monkeypatch, agency, citizen2, receiver):
    record_forms(monkeypatch)
    version = make_procedure(agency=agency)
    dossier = submit(citizen2, version, now=MONDAY)
    return act(receiver, dossier, "receive", now=MONDAY)


def chain(dossier) -> list[DossierEvent]:
    return list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))


def run_command(*codes: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_dossier_log", *codes, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_chain_links_every_event_to_the_previous_one(walked, receiver):
    events = chain(walked)
    assert [e.seq for e in events] == list(range(1, 11))
    assert [e.action for e in events] == [
        "submit",
        "receive",
        "request_supplement",
        "supplement",
        "assign",
        "forward",
        "forward",
        "approve",
        "resolve",
        "return_result",
    ]
    assert events[0].prev_hash == GENESIS
    for previous, event in pairwise(events):
        assert event.prev_hash == previous.hash
    for event in events:
        assert event.hash == event_digest(prev_hash=event.prev_hash, fields=event_fields(event))
        assert len(event.hash) == 64
    assert len({e.hash for e in events}) == len(events)
    receipt = events[1]
    assert (receipt.actor, receipt.role, receipt.from_status, receipt.to_status) == (receiver, "receiver", 1, 2)
    assert events[-1].to_status == 10 and events[-1].data == {"channel": 2}
    assert len(events) == walked.version


def test_a_walked_chain_verifies(walked, another):
    assert list(verify_dossier_logs()) == []
    out, err = run_command()
    assert "every dossier log verifies" in out and err == ""


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the raw UPDATE itself (below)")
def test_a_tampered_note_is_caught_by_the_verifier_and_the_command(walked, another):
    target = chain(walked)[2]  # event #3, the supplement request
    _raw("UPDATE dossiers_dossierevent SET note = %s WHERE id = %s", ["Không cần bổ sung gì.", target.pk])

    assert list(verify_dossier_logs()) == [
        BrokenLink(walked.code, 3, "content does not match its hash (the event was altered)")
    ]
    assert list(verify_dossier_logs(dossier_codes=[another.code])) == []
    with pytest.raises(CommandError) as caught:
        run_command()
    assert str(caught.value) == (
        f"1 dossier log(s) broken; first: {walked.code} at event #3: "
        "content does not match its hash (the event was altered)"
    )
    # The command names the dossier and the first broken link on stderr.
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_dossier_log", stdout=StringIO(), stderr=err)
    assert f"BROKEN {walked.code} at event #3" in err.getvalue()
    assert another.code not in err.getvalue()
    # Only the named dossiers are checked when codes are given.
    out, _ = run_command(another.code)
    assert "every dossier log verifies" in out


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the raw UPDATE itself (below)")
def test_a_rehashed_event_still_breaks_the_next_link(walked):
    # A forger who recomputes the altered event's own hash is caught by the following event.
    target = chain(walked)[2]
    target.note = "Không cần bổ sung gì."
    forged = event_digest(prev_hash=target.prev_hash, fields=event_fields(target))
    _raw("UPDATE dossiers_dossierevent SET note = %s, hash = %s WHERE id = %s", [target.note, forged, target.pk])
    assert list(verify_dossier_logs()) == [
        BrokenLink(walked.code, 4, "prev_hash does not match the previous event (an event was removed or reordered)")
    ]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the raw DELETE itself (below)")
def test_a_deleted_event_is_caught(walked):
    target = chain(walked)[4]  # event #5, the assignment
    _raw("DELETE FROM dossiers_dossierevent WHERE id = %s", [target.pk])
    (link,) = verify_dossier_logs()
    assert (link.dossier_code, link.seq) == (walked.code, 6)
    assert link.reason == "expected event #5, found #6 (an event is missing)"
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_dossier_log", walked.code, stdout=StringIO(), stderr=err)
    assert f"BROKEN {walked.code} at event #6" in err.getvalue()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the raw DELETE itself (below)")
def test_a_deleted_last_event_is_caught(walked):
    last = chain(walked)[-1]
    _raw("DELETE FROM dossiers_dossierevent WHERE id = %s", [last.pk])
    [link] = verify_dossier_logs()
    assert (link.dossier_code, link.seq) == (walked.code, last.seq)
    assert "removed" in link.reason
    with pytest.raises(CommandError, match=walked.code):
        call_command("verify_dossier_log", stdout=StringIO(), stderr=StringIO())


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger (migration 0002) exists on PostgreSQL only; on SQLite the hash chain "
    "is the protection (tests above)",
)
@pytest.mark.parametrize(
    "sql",
    ["UPDATE dossiers_dossierevent SET note = 'sửa' WHERE id = %s", "DELETE FROM dossiers_dossierevent WHERE id = %s"],
    ids=["update", "delete"],
)
def test_postgresql_refuses_update_and_delete_on_events(walked, sql):
    target = chain(walked)[2]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(sql, [target.pk])
    assert DossierEvent.objects.get(pk=target.pk).note == target.note
    assert list(verify_dossier_logs()) == []
