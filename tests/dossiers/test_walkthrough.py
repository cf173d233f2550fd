"""Issue 4's end-to-end test: one dossier across Tết 2027, every due date computed by hand.

The procedure: 5 working days, three internal steps of 16 h, 16 h and 8 h (= 40 h = 5 days).
Working hours 07:30–11:30 and 13:00–17:00 (8 h a day). Tết 2027 (the `holidays` package):
Thu 4/2 – Wed 10/2/2027 off. No calendar overrides are stored in this test database.

Every expected date below is written by hand in the comments — never asked of the calendar.
"""

from datetime import datetime

import pytest

from motcua.core.errors import Conflict, PermissionDenied
from motcua.dossiers import services
from motcua.dossiers.lifecycle import Clock, Status
from motcua.dossiers.log_verification import verify_dossier_logs
from motcua.dossiers.models import DossierDocument, DossierEvent, DossierStepLog, DueDateChange
from tests.dossiers.helpers import act, make_procedure, record_forms, stored_file, submit, vn
from tests.factories import make_officer

NOTE_SUPPLEMENT = "Đề nghị bổ sung bản sao giấy khai sinh của con."
NOTE_EXTEND = "Cần thêm thời gian lấy ý kiến Sở Tư pháp; xin lỗi ông/bà vì sự chậm trễ."


@pytest.mark.django_db
def test_a_dossier_across_tet_2027_with_a_supplement_a_transfer_an_extension_and_a_late_result(
    monkeypatch, agency, other_agency, citizen, receiver, specialist, leader
):
    forms = record_forms(monkeypatch)
    partner = make_officer(username="partner", agency=other_agency, role="specialist")
    version = make_procedure(
        agency=agency,
        days=5,
        steps=(
            ("Thẩm định hồ sơ", "specialist", 16),
            ("Xử lý, lấy ý kiến cơ quan phối hợp", "specialist", 16),
            ("Lãnh đạo phê duyệt, ký kết quả", "leader", 8),
        ),
    )

    def status_of(dossier):
        return (dossier.status, dossier.clock)

    # Submitted online on Mon 1/2/2027 10:00: no clock yet.
    dossier = submit(citizen, version, now=vn(2027, 2, 1, 10, 0))
    assert dossier.code == f"{agency.code}-270201-0001"
    assert status_of(dossier) == (Status.SUBMITTED, Clock.NOT_STARTED)

    # Received Tue 2/2/2027 09:00. The day of receipt is not counted; working days:
    # Wed 3/2 (1); Thu 4/2 – Wed 10/2 Tết (and the weekend 6–7/2) skipped; Thu 11/2 (2), Fri 12/2 (3),
    # weekend 13–14/2 skipped, Mon 15/2 (4), Tue 16/2 (5) → due Tue 16/2/2027 17:00.
    dossier = act(receiver, dossier, "receive", now=vn(2027, 2, 2, 9, 0))
    assert status_of(dossier) == (Status.RECEIVED, Clock.RUNNING)
    assert dossier.received_at == vn(2027, 2, 2, 9, 0)
    assert dossier.due_at == dossier.original_due_at == vn(2027, 2, 16, 17, 0)

    # Supplement requested Wed 3/2/2027 15:00: the clock stops, the due date stays.
    dossier = act(receiver, dossier, "request_supplement", now=vn(2027, 2, 3, 15, 0), note=NOTE_SUPPLEMENT)
    assert status_of(dossier) == (Status.SUPPLEMENT_REQUESTED, Clock.PAUSED)
    assert dossier.due_at == vn(2027, 2, 16, 17, 0)

    # Supplemented Thu 11/2/2027 09:30. The pause in working time: Wed 3/2 15:00–17:00 = 2 h;
    # nights, Tết 4–10/2 and the weekend = 0 h; Thu 11/2 07:30–09:30 = 2 h → 4 h.
    # New due: Tue 16/2 17:00 is the end of that day, so 4 h from Wed 17/2 07:30 → Wed 17/2/2027 11:30.
    dossier = act(citizen, dossier, "supplement", now=vn(2027, 2, 11, 9, 30))
    assert status_of(dossier) == (Status.RECEIVED, Clock.RUNNING)  # back where it was asked
    assert dossier.due_at == vn(2027, 2, 17, 11, 30)
    assert dossier.original_due_at == vn(2027, 2, 16, 17, 0)

    # Step 1 (16 h) from Thu 11/2/2027 10:00: Thu 10:00–11:30 (1.5) + 13:00–17:00 (4) = 5.5 h;
    # Fri 12/2 (8) → 13.5 h; weekend; Mon 15/2 07:30 + 2.5 h → Mon 15/2/2027 10:00.
    dossier = act(receiver, dossier, "assign", now=vn(2027, 2, 11, 10, 0))
    assert status_of(dossier) == (Status.PROCESSING, Clock.RUNNING)
    assert (dossier.step_index, dossier.current_handler) == (0, specialist)
    assert dossier.step_due_at == vn(2027, 2, 15, 10, 0)

    # Step 2 (16 h) from Fri 12/2/2027 14:00: Fri 14:00–17:00 (3); Mon 15/2 (8) → 11 h;
    # Tue 16/2 07:30–11:30 (4) → 15 h; 13:00 + 1 h → Tue 16/2/2027 14:00.
    dossier = act(specialist, dossier, "forward", now=vn(2027, 2, 12, 14, 0))
    assert status_of(dossier) == (Status.PROCESSING, Clock.RUNNING)
    assert (dossier.step_index, dossier.step_due_at) == (1, vn(2027, 2, 16, 14, 0))

    # Transferred to the Department of Justice (liên thông) on Mon 15/2/2027 09:00; the clock keeps running.
    dossier = act(specialist, dossier, "transfer", now=vn(2027, 2, 15, 9, 0), agency_code=other_agency.code)
    assert status_of(dossier) == (Status.PROCESSING, Clock.RUNNING)
    assert (dossier.transferred_out, dossier.current_agency, dossier.home_agency) == (True, other_agency, agency)
    assert dossier.due_at == vn(2027, 2, 17, 11, 30)
    # Meanwhile the home agency cannot move it.
    with pytest.raises(PermissionDenied):
        services.dossier_act(
            actor=specialist, code=dossier.code, action="forward", version=dossier.version, now=vn(2027, 2, 15, 10, 0)
        )

    # The partner agency sends it back on Tue 16/2/2027 10:00.
    dossier = act(partner, dossier, "return_transfer", now=vn(2027, 2, 16, 10, 0))
    assert status_of(dossier) == (Status.PROCESSING, Clock.RUNNING)
    assert (dossier.transferred_out, dossier.current_agency, dossier.current_handler) == (False, agency, specialist)

    # Step 3 (8 h) from Wed 17/2/2027 10:00: Wed 10:00–11:30 (1.5) + 13:00–17:00 (4) = 5.5 h;
    # Thu 18/2 07:30 + 2.5 h → Thu 18/2/2027 10:00.
    dossier = act(specialist, dossier, "forward", now=vn(2027, 2, 17, 10, 0))
    assert (dossier.step_index, dossier.step_due_at, dossier.current_handler) == (2, vn(2027, 2, 18, 10, 0), leader)

    # It will be late: the leader apologises and extends on Wed 17/2/2027 11:00, before the due 11:30.
    # Two working days after the old appointment's day (Wed 17/2, not counted): Thu 18/2 (1), Fri 19/2 (2)
    # → new appointment Fri 19/2/2027 17:00.
    assert not services.dossier_state(dossier, now=vn(2027, 2, 17, 11, 0)).late
    dossier = act(leader, dossier, "extend", now=vn(2027, 2, 17, 11, 0), note=NOTE_EXTEND, extra_days=2)
    assert status_of(dossier) == (Status.PROCESSING, Clock.RUNNING)
    assert dossier.due_at == vn(2027, 2, 19, 17, 0)
    assert dossier.original_due_at == vn(2027, 2, 16, 17, 0)

    # Still not done by Mon 22/2/2027 09:00: now it is late, and too late to extend again.
    assert not services.dossier_state(dossier, now=vn(2027, 2, 19, 17, 0)).late
    assert services.dossier_state(dossier, now=vn(2027, 2, 22, 9, 0)).late
    with pytest.raises(Conflict) as caught:
        services.dossier_act(
            actor=leader,
            code=dossier.code,
            action="extend",
            version=dossier.version,
            note=NOTE_EXTEND,
            params={"extra_days": 2},
            now=vn(2027, 2, 22, 9, 0),
        )
    assert caught.value.detail == "Đã quá hạn: văn bản xin lỗi và gia hạn phải được gửi trước ngày hẹn trả."

    # The leader approves and signs the result (signing is the leader's action in the log).
    result = stored_file(leader, "ket-qua.pdf")
    dossier = act(leader, dossier, "approve", now=vn(2027, 2, 22, 9, 30), file_id=result.pk)
    assert (dossier.status, dossier.approved) == (Status.PROCESSING, True)
    assert dossier.documents.get(kind=DossierDocument.Kind.RESULT).file == result
    assert forms.signed == [(dossier.code, DossierDocument.Kind.RESULT)]  # signed for the agency

    # Resolved Mon 22/2/2027 10:00, after the extended appointment Fri 19/2 17:00: late.
    dossier = act(leader, dossier, "resolve", now=vn(2027, 2, 22, 10, 0))
    assert status_of(dossier) == (Status.RESOLVED, Clock.STOPPED)
    assert (dossier.resolved_at, dossier.on_time) == (vn(2027, 2, 22, 10, 0), False)
    assert forms.signed == [(dossier.code, DossierDocument.Kind.RESULT)]  # nothing signed twice

    dossier = act(receiver, dossier, "return_result", now=vn(2027, 2, 23, 8, 0), channel=2)
    assert status_of(dossier) == (Status.RETURNED, Clock.STOPPED)
    assert (dossier.returned_at, dossier.return_channel) == (vn(2027, 2, 23, 8, 0), 2)

    # Every earlier appointment is kept, with why it moved.
    changes = list(DueDateChange.objects.filter(dossier=dossier).values_list("reason", "previous_due_at", "new_due_at"))
    assert changes == [
        ("pause", vn(2027, 2, 16, 17, 0), vn(2027, 2, 17, 11, 30)),
        ("extension", vn(2027, 2, 17, 11, 30), vn(2027, 2, 19, 17, 0)),
    ]
    # The control sheet (form 06): each step with its budget's due time and its on-time flag.
    steps = list(
        DossierStepLog.objects.filter(dossier=dossier).values_list(
            "step_index", "agency", "handler", "started_at", "due_at", "ended_at", "on_time"
        )
    )
    assert steps == [
        (0, agency.pk, specialist.pk, vn(2027, 2, 11, 10, 0), vn(2027, 2, 15, 10, 0), vn(2027, 2, 12, 14, 0), True),
        (1, agency.pk, specialist.pk, vn(2027, 2, 12, 14, 0), vn(2027, 2, 16, 14, 0), vn(2027, 2, 17, 10, 0), False),
        (2, agency.pk, leader.pk, vn(2027, 2, 17, 10, 0), vn(2027, 2, 18, 10, 0), vn(2027, 2, 22, 10, 0), False),
    ]

    # The log: one event per change, in order, hash-chained; the refused actions left no trace.
    log = list(
        DossierEvent.objects.filter(dossier=dossier).order_by("seq").values_list("action", "from_status", "to_status")
    )
    assert log == [
        ("submit", None, 1),
        ("receive", 1, 2),
        ("request_supplement", 2, 5),
        ("supplement", 5, 2),
        ("assign", 2, 4),
        ("forward", 4, 4),
        ("transfer", 4, 4),
        ("return_transfer", 4, 4),
        ("forward", 4, 4),
        ("extend", 4, 4),
        ("approve", 4, 4),
        ("resolve", 4, 9),
        ("return_result", 9, 10),
    ]
    assert dossier.version == len(log) == 13
    events = {e.action: e for e in DossierEvent.objects.filter(dossier=dossier)}
    assert events["receive"].data == {"due_at": "2027-02-16T17:00:00+07:00"}
    assert events["supplement"].data == {"paused_working_seconds": 4 * 3600, "due_at": "2027-02-17T11:30:00+07:00"}
    assert events["transfer"].data == {"to_agency": other_agency.code}
    assert events["transfer"].agency_code == other_agency.code
    assert events["return_transfer"].data == {"from_agency": other_agency.code}
    assert events["return_transfer"].actor == partner
    # (The previous due date is written as read back from the database, in UTC: compare instants.)
    assert {key: datetime.fromisoformat(value) for key, value in events["extend"].data.items()} == {
        "previous_due_at": vn(2027, 2, 17, 11, 30),
        "due_at": vn(2027, 2, 19, 17, 0),
    }
    assert events["extend"].note == NOTE_EXTEND
    assert events["resolve"].data == {"on_time": False}
    assert events["approve"].data == {"signed_documents": [{"name": "Kết quả: Giấy xác nhận", "sha256": result.sha256}]}
    assert list(verify_dossier_logs(dossier_codes=[dossier.code])) == []
    # Forms: receipt (01), supplement request (02), apology and extension (04), control sheet (06,
    # stored at resolve), register (07).
    assert forms.numbers(dossier.code) == ["01", "02", "04", "06", "07"]
