"""The dossier services on the database: submission, permissions, versions, notes, pauses, concurrency."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from motcua.catalog.models import Fee
from motcua.core.errors import BadInput, Conflict, InvalidFormData, NotFound, PermissionDenied, StaleVersion
from motcua.dossiers import services
from motcua.dossiers.lifecycle import PAY_ONLINE, Clock, Status, allowed_actions
from motcua.dossiers.models import Dossier, DossierEvent, DossierPause, DossierStepLog, DueDateChange
from motcua.payments import services as payments
from tests.dossiers.helpers import (
    GOOD_FORM,
    UPLOADED_DOCUMENT,
    act,
    make_procedure,
    record_forms,
    stored_file,
    submit,
    vn,
)

# Monday 4/1/2027 08:00: an ordinary working week, far from any holiday.
MONDAY = vn(2027, 1, 4, 8, 0)
NOTE = "Bổ sung bản sao giấy khai sinh."


@pytest.fixture
def forms(monkeypatch):
    return record_forms(monkeypatch)


@pytest.fixture
def version(agency):
    return make_procedure(agency=agency)


@pytest.fixture
def dossier(version, citizen, forms):
    return submit(citizen, version, now=MONDAY)


def events(dossier) -> list[str]:
    return list(DossierEvent.objects.filter(dossier=dossier).order_by("seq").values_list("action", flat=True))


# --- submission ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submission_creates_a_coded_dossier_with_its_documents_and_one_event(dossier, version, agency, citizen):
    assert dossier.code == f"{agency.code}-270104-0001"
    assert (dossier.status, dossier.clock, dossier.version, dossier.step_count) == (
        Status.SUBMITTED,
        Clock.NOT_STARTED,
        1,
        3,
    )
    assert (dossier.receiving_agency, dossier.current_agency, dossier.home_agency) == (agency, agency, agency)
    assert dossier.submitted_at == MONDAY and dossier.due_at is None
    assert dossier.form_data == GOOD_FORM
    documents = {d.requirement_code: d for d in dossier.documents.all()}
    assert set(documents) == {UPLOADED_DOCUMENT, "CCCD"}  # the optional one was not given
    assert documents[UPLOADED_DOCUMENT].file.owner == citizen
    # "Declare only once": the identity card is taken from the population database, not uploaded.
    assert (documents["CCCD"].file, documents["CCCD"].reused_from) == (None, "population_db")
    assert events(dossier) == ["submit"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"so_dinh_danh": "079090001234"}, "ho_ten", "Vui lòng nhập “Họ và tên”."),
        (
            {"ho_ten": "Nguyễn Văn An", "so_dinh_danh": "79090001234"},
            "so_dinh_danh",
            "“Số định danh cá nhân” chưa đúng định dạng, ví dụ 079090001234.",
        ),
        (
            {"ho_ten": "Nguyễn Văn An", "so_dinh_danh": 79090001234},
            "so_dinh_danh",
            "“Số định danh cá nhân” chưa đúng định dạng, ví dụ 079090001234.",
        ),
    ],
    ids=["missing", "pattern", "type"],
)
def test_submission_validates_the_form_against_the_schema(version, citizen, form, field, message):
    with pytest.raises(InvalidFormData) as caught:
        submit(citizen, version, now=MONDAY, form=form)
    error = caught.value
    assert error.status == 422
    assert error.fields == {field: message}
    assert error.detail == f"Tờ khai còn thông tin chưa đúng: {message}"
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_submission_lists_the_missing_required_documents_and_files_nothing(version, citizen, forms):
    with pytest.raises(InvalidFormData) as caught:
        services.dossier_submit(
            actor=citizen, procedure_code=version.procedure.code, form=GOOD_FORM, documents=[], now=MONDAY
        )
    assert caught.value.detail == "Còn thiếu giấy tờ bắt buộc: Tờ khai đề nghị."
    assert caught.value.fields == {"documents": "missing"}
    assert not Dossier.objects.exists() and not DossierEvent.objects.exists()
    # The rolled-back submission gave its number back.
    assert submit(citizen, version, now=MONDAY).code.endswith("-270104-0001")


@pytest.mark.django_db
def test_a_document_of_another_user_is_not_accepted(version, citizen, citizen2):
    foreign = stored_file(citizen2)
    with pytest.raises(InvalidFormData) as caught:
        services.dossier_submit(
            actor=citizen,
            procedure_code=version.procedure.code,
            form=GOOD_FORM,
            documents=[{"requirement_code": UPLOADED_DOCUMENT, "file_id": foreign.pk}],
            now=MONDAY,
        )
    assert caught.value.detail == "Không tìm thấy tệp đã tải lên cho “Tờ khai đề nghị”. Vui lòng tải lại."


@pytest.mark.django_db
def test_the_same_idempotency_key_returns_the_same_dossier(version, citizen, citizen2, forms):
    first = submit(citizen, version, now=MONDAY, key="  k-42 ")
    again, created = services.dossier_submit(
        actor=citizen, procedure_code=version.procedure.code, form=GOOD_FORM, idempotency_key="k-42", now=MONDAY
    )
    assert (again.pk, created) == (first.pk, False)
    assert Dossier.objects.count() == 1 and DossierEvent.objects.count() == 1
    second = submit(citizen, version, now=MONDAY, key="k-43")
    assert second.pk != first.pk and second.code.endswith("-0002")
    # Keys belong to their applicant: another person's "k-42" is another dossier.
    theirs = submit(citizen2, version, now=MONDAY, key="k-42")
    assert theirs.pk not in (first.pk, second.pk)
    assert Dossier.objects.count() == 3


@pytest.mark.django_db
def test_officers_do_not_submit_online(version, receiver):
    with pytest.raises(PermissionDenied):
        services.dossier_submit(actor=receiver, procedure_code=version.procedure.code, form=GOOD_FORM, now=MONDAY)


# --- actions: versions, permissions, notes -----------------------------------------------------


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict_and_changes_nothing(dossier, receiver):
    with pytest.raises(StaleVersion) as caught:
        services.dossier_act(actor=receiver, code=dossier.code, action="receive", version=0, now=MONDAY)
    assert caught.value.status == 409
    assert caught.value.as_json()["error"] == "stale_version"
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.version, fresh.status) == (1, Status.SUBMITTED)
    assert events(fresh) == ["submit"]


@pytest.mark.django_db
def test_an_officer_of_another_agency_does_not_see_the_dossier(dossier, outsider):
    with pytest.raises(NotFound) as caught:
        services.dossier_act(actor=outsider, code=dossier.code, action="receive", version=1, now=MONDAY)
    assert caught.value.status == 404
    assert Dossier.objects.get(pk=dossier.pk).version == 1


@pytest.mark.django_db
def test_an_unknown_code_is_not_found(dossier, receiver):
    with pytest.raises(NotFound):
        services.dossier_act(actor=receiver, code=dossier.code + "9", action="receive", version=1, now=MONDAY)


@pytest.mark.django_db
def test_an_applicant_cannot_receive_their_own_dossier(dossier, citizen):
    with pytest.raises(PermissionDenied) as caught:
        services.dossier_act(actor=citizen, code=dossier.code, action="receive", version=1, now=MONDAY)
    assert caught.value.status == 403
    assert caught.value.detail == "Bạn không có quyền thực hiện thao tác này với hồ sơ."
    assert events(dossier) == ["submit"]


@pytest.mark.django_db
def test_a_guard_refusal_is_a_conflict_in_vietnamese(dossier, receiver, leader):
    dossier = act(receiver, dossier, "receive", now=MONDAY)
    dossier = act(receiver, dossier, "assign", now=MONDAY)
    with pytest.raises(Conflict) as caught:
        services.dossier_act(actor=leader, code=dossier.code, action="approve", version=dossier.version, now=MONDAY)
    assert caught.value.status == 409
    assert caught.value.detail.startswith("Hồ sơ chưa đến bước phê duyệt của lãnh đạo")
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "who", "prepare"),
    [
        ("refuse", "receiver", []),
        ("request_supplement", "receiver", []),
        ("stop", "leader", ["receive"]),
        ("extend", "leader", ["receive"]),
    ],
)
def test_a_note_is_required_for_refusal_supplement_stop_and_extension(
    dossier, receiver, leader, forms, action, who, prepare
):
    for step in prepare:
        dossier = act(receiver, dossier, step, now=MONDAY)
    actor = {"receiver": receiver, "leader": leader}[who]
    before = Dossier.objects.get(pk=dossier.pk)
    for blank in ("", "   "):
        with pytest.raises(BadInput) as caught:
            services.dossier_act(
                actor=actor, code=dossier.code, action=action, version=before.version, note=blank, now=MONDAY
            )
        assert caught.value.fields == {"note": "required"}
        assert caught.value.detail == "Vui lòng ghi rõ lý do (nội dung) để người nộp hiểu cần làm gì."
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.version, after.status, after.due_at) == (before.version, before.status, before.due_at)
    assert len(events(after)) == before.version
    # With a reason it goes through, and the reason is in the log.
    done = act(actor, dossier, action, now=MONDAY + timedelta(hours=1), note=NOTE)
    assert done.version == before.version + 1
    assert DossierEvent.objects.filter(dossier=done).order_by("-seq").first().note == NOTE


@pytest.mark.django_db
def test_forms_are_issued_for_the_actions_that_produce_them(dossier, receiver, forms):
    act(receiver, dossier, "receive", now=MONDAY)
    act(receiver, dossier, "request_supplement", now=MONDAY, note=NOTE)
    assert forms.numbers(dossier.code) == ["01", "02"]


# --- the clock on the database ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_supplement_during_processing_pushes_the_due_date_and_the_step_due_by_the_pause(
    dossier, receiver, specialist, citizen
):
    # Received Mon 4/1/2027 08:00, 5 working days, the day of receipt not counted:
    # Tue 5, Wed 6, Thu 7, Fri 8, Mon 11/1 → due Mon 11/1/2027 17:00.
    dossier = act(receiver, dossier, "receive", now=MONDAY)
    assert dossier.due_at == vn(2027, 1, 11, 17, 0) == dossier.original_due_at
    # Assigned Mon 09:00, first step 16 working hours: Mon 09:00–11:30 (2.5) + 13:00–17:00 (4) = 6.5;
    # Tue 8 → 14.5; Wed 07:30 + 1.5 → Wed 6/1/2027 09:00.
    dossier = act(receiver, dossier, "assign", now=vn(2027, 1, 4, 9, 0))
    assert (dossier.status, dossier.step_index, dossier.step_due_at) == (Status.PROCESSING, 0, vn(2027, 1, 6, 9, 0))
    assert dossier.current_handler == specialist

    dossier = act(specialist, dossier, "request_supplement", now=vn(2027, 1, 5, 16, 0), note=NOTE)
    assert (dossier.status, dossier.clock, dossier.paused_at) == (
        Status.SUPPLEMENT_REQUESTED,
        Clock.PAUSED,
        vn(2027, 1, 5, 16, 0),
    )
    assert dossier.due_at == vn(2027, 1, 11, 17, 0)  # unchanged while paused

    # Paused Tue 5/1 16:00 → Thu 7/1 08:30: Tue 16:00–17:00 (1) + Wed (8) + Thu 07:30–08:30 (1) = 10 working hours.
    dossier = act(citizen, dossier, "supplement", now=vn(2027, 1, 7, 8, 30))
    assert (dossier.status, dossier.clock, dossier.paused_at) == (Status.PROCESSING, Clock.RUNNING, None)
    # Due Mon 11/1 17:00 + 10 h: Tue 12/1 (8) + Wed 13/1 07:30 + 2 → Wed 13/1/2027 09:30.
    assert dossier.due_at == vn(2027, 1, 13, 9, 30)
    assert dossier.original_due_at == vn(2027, 1, 11, 17, 0)
    # Step due Wed 6/1 09:00 + 10 h: Wed 09:00–11:30 (2.5) + 13:00–17:00 (4) = 6.5; Thu 07:30 + 3.5 → Thu 7/1 11:00.
    assert dossier.step_due_at == vn(2027, 1, 7, 11, 0)
    (pause,) = DossierPause.objects.filter(dossier=dossier)
    assert (pause.reason, pause.started_at, pause.ended_at) == (
        "request_supplement",
        vn(2027, 1, 5, 16, 0),
        vn(2027, 1, 7, 8, 30),
    )
    (change,) = DueDateChange.objects.filter(dossier=dossier)
    assert (change.reason, change.previous_due_at, change.new_due_at) == (
        DueDateChange.Reason.PAUSE,
        vn(2027, 1, 11, 17, 0),
        vn(2027, 1, 13, 9, 30),
    )
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert last.data["paused_working_seconds"] == 10 * 3600
    assert dossier.supplement_requests == 1


@pytest.mark.django_db
def test_a_payment_pause_moves_the_due_date_by_its_working_length(dossier, version, receiver, citizen):
    Fee.objects.create(version=version, case="Cấp mới", amount_vnd=150_000)
    dossier = act(receiver, dossier, "receive", now=MONDAY)
    invoice = payments.dossier_request_payment(
        actor=receiver, code=dossier.code, version=dossier.version, now=vn(2027, 1, 4, 10, 0)
    )
    dossier.refresh_from_db()
    assert (dossier.status, dossier.clock, dossier.resume_status) == (
        Status.PAYMENT_DUE,
        Clock.PAUSED,
        Status.RECEIVED,
    )
    assert (invoice.dossier_id, invoice.amount_vnd, invoice.state) == (dossier.pk, 150_000, "created")
    # The applicant cannot mark their own fee as paid: they are sent to pay online.
    with pytest.raises(PermissionDenied) as caught:
        act(citizen, dossier, "pay", now=vn(2027, 1, 4, 11, 0))
    assert caught.value.detail == PAY_ONLINE
    # Paused Mon 10:00 → 14:00: 10:00–11:30 (1.5) + 13:00–14:00 (1) = 2.5 h (the lunch break is not working time).
    # The one-stop officer records the fee paid at the counter, which resumes the dossier.
    payments.dossier_pay_at_counter(
        actor=receiver, code=dossier.code, version=dossier.version, receipt_number="BL-0042", now=vn(2027, 1, 4, 14, 0)
    )
    dossier.refresh_from_db()
    # Due Mon 11/1 17:00 + 2.5 h → Tue 12/1 07:30 + 2.5 → Tue 12/1/2027 10:00.
    assert (dossier.status, dossier.clock, dossier.due_at) == (Status.RECEIVED, Clock.RUNNING, vn(2027, 1, 12, 10, 0))
    paid = DossierEvent.objects.get(dossier=dossier, action="pay")
    assert paid.actor == receiver and paid.data["invoice"]["reference"] == invoice.reference
    invoice.refresh_from_db()
    assert (invoice.state, invoice.channel, invoice.counter_receipt_number) == ("success", "counter", "BL-0042")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["receiver", "citizen"])
def test_the_fee_actions_never_change_the_status_outside_the_payments_domain(dossier, who, receiver, citizen):
    """No invoice, no status 6; no paid invoice, no way out of it."""
    dossier = act(receiver, dossier, "receive", now=MONDAY)
    if who == "receiver":
        with pytest.raises(Conflict) as caught:
            act(receiver, dossier, "request_payment", now=vn(2027, 1, 4, 10, 0))
        assert "lập khoản phí" in caught.value.detail
    dossier.status, dossier.clock, dossier.resume_status = Status.PAYMENT_DUE, Clock.PAUSED, Status.RECEIVED
    dossier.save()  # as if asked for (the payments tests cover the invoice)
    before = (dossier.version, events(dossier))
    actor = receiver if who == "receiver" else citizen
    expected = Conflict if who == "receiver" else PermissionDenied
    with pytest.raises(expected):
        act(actor, dossier, "pay", now=vn(2027, 1, 4, 11, 0))
    with pytest.raises(Conflict):
        act(None, dossier, "pay", now=vn(2027, 1, 4, 11, 0))  # the system too needs the paid invoice
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version, events(dossier)) == (Status.PAYMENT_DUE, *before)


@pytest.mark.django_db
def test_a_supplement_before_receipt_starts_no_clock_and_moves_no_date(dossier, receiver, citizen):
    dossier = act(receiver, dossier, "request_supplement", now=MONDAY, note=NOTE)
    assert (dossier.status, dossier.clock, dossier.due_at) == (Status.SUPPLEMENT_REQUESTED, Clock.NOT_STARTED, None)
    dossier = act(citizen, dossier, "supplement", now=vn(2027, 1, 6, 9, 0))
    assert (dossier.status, dossier.clock, dossier.due_at) == (Status.SUBMITTED, Clock.NOT_STARTED, None)
    assert not DossierPause.objects.filter(dossier=dossier).exists()
    assert not DueDateChange.objects.exists()


# --- two officers at once ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_officers_acting_at_once_exactly_one_wins(monkeypatch, version, citizen, receiver, agency):
    from tests.factories import make_officer

    record_forms(monkeypatch)
    colleague = make_officer(username="receiver2", agency=agency, role="receiver")
    for round_ in range(4):
        dossier = submit(citizen, version, now=MONDAY + timedelta(minutes=round_))
        start = threading.Barrier(2)
        outcomes: dict[str, object] = {}

        def take(name, actor, action, note, code=dossier.code, start=start, outcomes=outcomes):
            try:
                start.wait(timeout=10)
                services.dossier_act(actor=actor, code=code, action=action, version=1, note=note, now=MONDAY)
                outcomes[name] = "won"
            except Exception as error:  # recorded and asserted below
                outcomes[name] = error
            finally:
                connection.close()

        threads = [
            threading.Thread(target=take, args=("receive", receiver, "receive", "")),
            threading.Thread(target=take, args=("refuse", colleague, "refuse", "Hồ sơ không thuộc thẩm quyền.")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)

        winners = [name for name, result in outcomes.items() if result == "won"]
        losers = [result for result in outcomes.values() if result != "won"]
        assert len(winners) == 1, outcomes
        assert len(losers) == 1 and isinstance(losers[0], Conflict), outcomes
        assert losers[0].status == 409
        fresh = Dossier.objects.get(pk=dossier.pk)
        assert fresh.version == 2
        assert fresh.status == (Status.RECEIVED if winners == ["receive"] else Status.REFUSED)
        assert events(fresh) == ["submit", winners[0]]


# --- gaps found by these tests, now fixed ---


@pytest.mark.django_db
def test_a_pause_also_moves_the_open_step_of_the_control_sheet(dossier, receiver, specialist, citizen):
    dossier = act(receiver, dossier, "receive", now=MONDAY)
    dossier = act(receiver, dossier, "assign", now=vn(2027, 1, 4, 9, 0))
    dossier = act(specialist, dossier, "request_supplement", now=vn(2027, 1, 5, 16, 0), note=NOTE)
    dossier = act(citizen, dossier, "supplement", now=vn(2027, 1, 7, 8, 30))
    # Same hand computation as above: step due Wed 6/1 09:00 + 10 working hours → Thu 7/1/2027 11:00.
    open_step = DossierStepLog.objects.get(dossier=dossier, ended_at__isnull=True)
    assert open_step.due_at == dossier.step_due_at == vn(2027, 1, 7, 11, 0)


@pytest.mark.django_db
def test_stopping_a_dossier_withdrawn_during_a_pause_closes_the_pause(dossier, receiver, citizen):
    dossier = act(receiver, dossier, "receive", now=MONDAY)
    dossier = act(receiver, dossier, "request_supplement", now=vn(2027, 1, 4, 9, 0), note=NOTE)
    dossier = act(citizen, dossier, "withdraw", now=vn(2027, 1, 5, 9, 0))
    assert (dossier.status, dossier.clock) == (Status.WITHDRAWAL_REQUESTED, Clock.PAUSED)
    dossier = act(receiver, dossier, "stop", now=vn(2027, 1, 5, 10, 0), note="Người nộp xin rút hồ sơ.")
    assert (dossier.status, dossier.clock) == (Status.STOPPED, Clock.STOPPED)
    assert not DossierPause.objects.filter(dossier=dossier, ended_at__isnull=True).exists()
    assert dossier.paused_at is None


# --- the audit's findings ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("paused_first", [False, True])
def test_a_dossier_withdrawn_before_receipt_is_stopped_by_an_officer(dossier, receiver, citizen, forms, paused_first):
    if paused_first:  # asked for papers before receipt (5, clock not started), then withdrawn
        dossier = act(receiver, dossier, "request_supplement", now=MONDAY, note=NOTE)
    dossier = act(citizen, dossier, "withdraw", now=vn(2027, 1, 4, 9, 0))
    assert (dossier.status, dossier.clock) == (Status.WITHDRAWAL_REQUESTED, Clock.NOT_STARTED)
    assert "stop" in allowed_actions(
        services.dossier_state(dossier, now=vn(2027, 1, 4, 9, 30)), services.dossier_roles_of(receiver, dossier)
    )
    dossier = act(receiver, dossier, "stop", now=vn(2027, 1, 4, 10, 0), note="Người nộp xin rút hồ sơ.")
    assert (dossier.status, dossier.clock, dossier.finished_at) == (Status.STOPPED, Clock.STOPPED, vn(2027, 1, 4, 10))
    assert dossier.due_at is None and forms.numbers(dossier.code)[-1] == "05"


def _to_leader_step(dossier, receiver, specialist):
    dossier = act(receiver, dossier, "receive", now=MONDAY)
    dossier = act(receiver, dossier, "assign", now=vn(2027, 1, 4, 9, 0))
    dossier = act(specialist, dossier, "forward", now=vn(2027, 1, 4, 10, 0))
    return act(specialist, dossier, "forward", now=vn(2027, 1, 4, 11, 0))


@pytest.mark.django_db
def test_the_leader_signs_the_result_at_approval_and_a_receiver_hands_it_over(
    dossier, receiver, specialist, leader, forms
):
    dossier = _to_leader_step(dossier, receiver, specialist)
    with pytest.raises(Conflict, match="chưa được lãnh đạo phê duyệt"):
        act(receiver, dossier, "resolve", now=vn(2027, 1, 4, 13, 0))
    upload = stored_file(leader, "ket-qua.pdf")
    dossier = act(leader, dossier, "approve", now=vn(2027, 1, 4, 13, 30), file_id=upload.pk)
    result = dossier.documents.get(kind="result")
    assert (result.file, result.signed) == (upload, True)
    assert forms.signed == [(dossier.code, "result")]
    approve = DossierEvent.objects.get(dossier=dossier, action="approve")
    assert (approve.actor, approve.role) == (leader, "leader")
    assert approve.data == {"signed_documents": [{"name": result.name, "sha256": upload.sha256}]}
    # A receiver may not slip in another, unsigned result…
    with pytest.raises(BadInput) as caught:
        act(receiver, dossier, "resolve", now=vn(2027, 1, 4, 14, 0), file_id=stored_file(receiver).pk)
    assert caught.value.fields == {"file_id": "not_allowed"}
    # …but hands the signed one over; nothing is signed again, and the control sheet (06) is stored.
    dossier = act(receiver, dossier, "resolve", now=vn(2027, 1, 4, 14, 0))
    assert dossier.status == Status.RESOLVED and forms.signed == [(dossier.code, "result")]
    assert forms.numbers(dossier.code) == ["01", "06"]
    assert "signed_documents" not in DossierEvent.objects.get(dossier=dossier, action="resolve").data


@pytest.mark.django_db
def test_without_a_leader_step_only_the_leader_resolves_and_signs(agency, citizen, receiver, specialist, leader, forms):
    version = make_procedure(agency=agency, steps=(("Thẩm định", "specialist", 16), ("Dự thảo", "specialist", 8)))
    dossier = submit(citizen, version, now=MONDAY)
    dossier = act(receiver, dossier, "receive", now=MONDAY)
    dossier = act(receiver, dossier, "assign", now=vn(2027, 1, 4, 9, 0))
    dossier = act(specialist, dossier, "forward", now=vn(2027, 1, 4, 10, 0))
    with pytest.raises(Conflict, match="Chỉ lãnh đạo"):
        act(specialist, dossier, "resolve", now=vn(2027, 1, 4, 11, 0))
    dossier = act(leader, dossier, "resolve", now=vn(2027, 1, 4, 11, 0))
    assert (dossier.status, dossier.approved) == (Status.RESOLVED, True)
    assert dossier.documents.get(kind="result").signed and forms.signed == [(dossier.code, "result")]
    resolve = DossierEvent.objects.get(dossier=dossier, action="resolve")
    assert resolve.actor == leader and len(resolve.data["signed_documents"]) == 1


@pytest.mark.django_db
def test_the_next_handler_must_hold_the_steps_role_and_a_valid_membership(dossier, agency, receiver, specialist):
    from datetime import date

    from motcua.accounts.models import OfficerMembership
    from tests.factories import make_officer

    dossier = act(receiver, dossier, "receive", now=MONDAY)
    retired = make_officer(username="retired", agency=agency, role="specialist")
    OfficerMembership.objects.filter(user=retired).update(valid_to=date(2026, 12, 31))
    for username, why in (("receiver", "a receiver for a specialist's step"), ("retired", "membership ended")):
        with pytest.raises(BadInput) as caught:
            act(receiver, dossier, "assign", now=vn(2027, 1, 4, 9, 0), handler=username)
        assert caught.value.fields == {"handler": "invalid"}, why
        assert caught.value.detail.startswith("Người xử lý được chọn không phải chuyên viên xử lý đang công tác")
    dossier = act(receiver, dossier, "assign", now=vn(2027, 1, 4, 9, 0), handler="specialist")
    assert dossier.current_handler == specialist
