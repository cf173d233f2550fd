"""The pure transition table (`lifecycle.py`) against domain.md: statuses, roles, clock, guards, forms.

No database: every test here runs in milliseconds. The expected table below is written out by
hand from domain.md and issue 4, so a change to `TRANSITIONS` has to be made twice on purpose.
"""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.dossiers.lifecycle import (
    ACTIONS,
    OPEN,
    PAY_ONLINE,
    STATUS_NAMES,
    TERMINAL,
    TRANSITIONS,
    Clock,
    ClockEffect,
    DossierState,
    Outcome,
    Role,
    Status,
    TransitionRefused,
    allowed_actions,
    decide,
    step_marks,
)

A, R, S, L, Y = Role.APPLICANT, Role.RECEIVER, Role.SPECIALIST, Role.LEADER, Role.SYSTEM
ALL_STATUSES: list[Status | None] = [None, *Status]

# action: (statuses it leaves, status it enters (None: stays / returns), roles, clock effect, form, note required)
EXPECTED: dict[str, tuple[set[Status | None], Status | None, set[Role], ClockEffect, str | None, bool]] = {
    "submit": ({None}, Status.SUBMITTED, {A, R, Y}, ClockEffect.NONE, None, False),
    "receive": ({Status.SUBMITTED}, Status.RECEIVED, {R}, ClockEffect.START, "01", False),
    "refuse": ({Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED}, Status.REFUSED, {R}, ClockEffect.NONE, "03", True),
    "request_supplement": (
        {Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING},
        Status.SUPPLEMENT_REQUESTED,
        {R, S, L},
        ClockEffect.PAUSE,
        "02",
        True,
    ),
    "supplement": ({Status.SUPPLEMENT_REQUESTED}, None, {A, R}, ClockEffect.RESUME, None, False),
    "assign": ({Status.RECEIVED}, Status.PROCESSING, {R, L}, ClockEffect.NONE, None, False),
    "forward": ({Status.PROCESSING}, Status.PROCESSING, {S, L}, ClockEffect.NONE, None, False),
    "transfer": ({Status.PROCESSING}, Status.PROCESSING, {S, L}, ClockEffect.NONE, None, False),
    "return_transfer": ({Status.PROCESSING}, Status.PROCESSING, {R, S, L}, ClockEffect.NONE, None, False),
    "request_payment": (
        {Status.RECEIVED, Status.PROCESSING},
        Status.PAYMENT_DUE,
        {R, S},
        ClockEffect.PAUSE,
        None,
        False,
    ),
    # Only the payments domain settles a fee: a successful online payment (system) or a counter payment (receiver).
    "pay": ({Status.PAYMENT_DUE}, None, {R, Y}, ClockEffect.RESUME, None, False),
    "approve": ({Status.PROCESSING}, Status.PROCESSING, {L}, ClockEffect.NONE, None, False),
    "resolve": ({Status.PROCESSING}, Status.RESOLVED, {L, S, R}, ClockEffect.STOP, "06", False),
    "return_result": ({Status.RESOLVED}, Status.RETURNED, {R}, ClockEffect.NONE, "07", False),
    "withdraw": (
        {Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_DUE},
        Status.WITHDRAWAL_REQUESTED,
        {A},
        ClockEffect.NONE,
        None,
        False,
    ),
    "stop": (
        {
            Status.WITHDRAWAL_REQUESTED,
            Status.RECEIVED,
            Status.PROCESSING,
            Status.SUPPLEMENT_REQUESTED,
            Status.PAYMENT_DUE,
        },
        Status.STOPPED,
        {R, L},
        ClockEffect.STOP,
        "05",
        True,
    ),
    "extend": (
        {Status.RECEIVED, Status.PROCESSING, Status.PAYMENT_DUE},
        None,
        {L},
        ClockEffect.EXTEND,
        "04",
        True,
    ),
    "reassign": ({*OPEN, Status.RESOLVED}, None, {Y}, ClockEffect.NONE, None, False),
}


def ready(action: str, status: Status | None) -> DossierState:
    """A state in `status` that passes `action`'s guard (where one can)."""
    received = status not in (None, Status.SUBMITTED)
    clock = Clock.RUNNING if received else Clock.NOT_STARTED
    if status in (Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_DUE):
        clock = Clock.PAUSED
    if status in (Status.RESOLVED, Status.STOPPED, Status.RETURNED):
        clock = Clock.STOPPED
    state = DossierState(status=status, clock=clock, step=0 if status == Status.PROCESSING else -1, step_count=3)
    if status in (Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_DUE):
        state = replace(state, resume_status=Status.PROCESSING)
    if action == "refuse":
        state = replace(state, clock=Clock.NOT_STARTED, resume_status=Status.SUBMITTED)
    if action == "approve":
        state = replace(state, step=2)
    if action in ("resolve", "return_result"):
        state = replace(state, step=2, approved=True)
    if action == "return_transfer":
        state = replace(state, transferred_out=True)
    if action == "extend" and status == Status.PAYMENT_DUE:
        state = replace(state, clock=Clock.RUNNING, pause_on_payment=False)
    return state


def refused(state: DossierState, action: str, roles) -> TransitionRefused:
    with pytest.raises(TransitionRefused) as caught:
        decide(state, action, set(roles))
    return caught.value


# --- the table as a whole ---------------------------------------------------------------------


def test_the_table_has_exactly_the_actions_of_issue_4():
    assert set(ACTIONS) == set(EXPECTED)
    assert ACTIONS[0] == "submit"


@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_transition_matches_the_hand_written_table(action):
    sources, target, roles, clock, form, note_required = EXPECTED[action]
    transition = TRANSITIONS[action]
    assert set(transition.sources) == sources
    assert transition.target == target
    assert set(transition.roles) == roles
    assert transition.clock == clock
    assert transition.form == form
    assert transition.note_required is note_required
    assert transition.title and transition.title[0].isupper()


def test_terminal_and_open_statuses_follow_domain_md():
    assert {Status.REFUSED, Status.STOPPED, Status.RETURNED} == TERMINAL
    assert set(Status) - TERMINAL - {Status.RESOLVED} == OPEN
    assert [int(s) for s in Status] == list(range(1, 11))
    assert STATUS_NAMES[Status.SUPPLEMENT_REQUESTED][0] == "Yêu cầu bổ sung"


# --- statuses allowed and refused -------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status"),
    [(action, status) for action, row in EXPECTED.items() for status in sorted(row[0], key=lambda s: s or 0)],
)
def test_action_is_accepted_from_each_of_its_statuses(action, status):
    _sources, target, roles, *_ = EXPECTED[action]
    outcome = decide(ready(action, status), action, {min(roles)})
    assert isinstance(outcome, Outcome)
    assert outcome.transition.action == action
    assert outcome.before.status == status
    if target is not None:
        assert outcome.after.status == target


@pytest.mark.parametrize(
    ("action", "status"),
    [(action, status) for action, row in EXPECTED.items() for status in ALL_STATUSES if status not in row[0]],
)
def test_action_is_refused_with_a_vietnamese_reason_from_every_other_status(action, status):
    # Every role at once: the status is what refuses, not the role.
    error = refused(ready(action, status), action, set(Role))
    assert error.code == "conflict"
    current = STATUS_NAMES[status][0] if status else "chưa nộp"
    assert error.reason == f"Không thể thực hiện “{TRANSITIONS[action].title}” khi hồ sơ ở trạng thái “{current}”."


@pytest.mark.parametrize("status", sorted(TERMINAL))
@pytest.mark.parametrize("action", list(EXPECTED))
def test_terminal_statuses_allow_nothing(status, action):
    state = DossierState(status=status, clock=Clock.STOPPED, step=2, step_count=3, approved=True)
    assert refused(state, action, set(Role)).code == "conflict"
    assert allowed_actions(state, set(Role)) == []


def test_unknown_action_is_refused_as_such():
    error = refused(DossierState(status=Status.SUBMITTED), "approve_everything", {L})
    assert error.code == "unknown_action"
    assert "approve_everything" in error.reason


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "role"), [(a, r) for a in EXPECTED for r in Role])
def test_roles_allowed_and_refused(action, role):
    sources, _target, roles, *_ = EXPECTED[action]
    state = ready(action, sorted(sources, key=lambda s: s or 0)[0])
    if role in roles:
        assert decide(state, action, {role}).transition.action == action
    else:
        error = refused(state, action, {role})
        assert error.code == "forbidden"
        if (action, role) == ("pay", A):
            # The applicant is told how their fee is settled: by paying online.
            assert error.reason == PAY_ONLINE and "trực tuyến" in error.reason
        else:
            assert error.reason == "Bạn không có quyền thực hiện thao tác này với hồ sơ."


def test_no_role_at_all_is_forbidden_and_any_allowed_role_among_several_suffices():
    state = DossierState(status=Status.SUBMITTED)
    assert refused(state, "receive", set()).code == "forbidden"
    assert decide(state, "receive", {A, S, R}).after.status == Status.RECEIVED


def test_the_status_is_checked_before_the_role():
    # An applicant trying to approve a fresh submission hears about the status, not a 403.
    assert refused(DossierState(status=Status.SUBMITTED), "approve", {A}).code == "conflict"


# --- the clock ----------------------------------------------------------------------------------

SUBMITTED = DossierState(status=Status.SUBMITTED)
RECEIVED = DossierState(status=Status.RECEIVED, clock=Clock.RUNNING, step_count=3)
PROCESSING = DossierState(status=Status.PROCESSING, clock=Clock.RUNNING, step=1, step_count=3)


def test_receive_starts_the_clock():
    outcome = decide(SUBMITTED, "receive", {R})
    assert outcome.clock_effect is ClockEffect.START
    assert outcome.after == replace(SUBMITTED, status=Status.RECEIVED, clock=Clock.RUNNING)


def test_supplement_requested_before_receipt_does_not_start_or_pause_and_returns_to_submitted():
    asked = decide(SUBMITTED, "request_supplement", {R}).after
    assert (asked.status, asked.clock, asked.resume_status) == (
        Status.SUPPLEMENT_REQUESTED,
        Clock.NOT_STARTED,
        Status.SUBMITTED,
    )
    assert asked.supplement_requests == 1
    back = decide(asked, "supplement", {A}).after
    assert (back.status, back.clock, back.resume_status) == (Status.SUBMITTED, Clock.NOT_STARTED, None)


@pytest.mark.parametrize("start", [RECEIVED, PROCESSING])
def test_supplement_request_pauses_a_running_clock_and_the_supplement_resumes_it_where_it_was(start):
    asked = decide(start, "request_supplement", {S if start is PROCESSING else R}).after
    assert (asked.status, asked.clock, asked.resume_status) == (
        Status.SUPPLEMENT_REQUESTED,
        Clock.PAUSED,
        start.status,
    )
    back = decide(asked, "supplement", {R})
    assert back.clock_effect is ClockEffect.RESUME
    assert back.after == replace(start, supplement_requests=1)


def test_a_second_supplement_request_is_counted():
    once = decide(decide(PROCESSING, "request_supplement", {S}).after, "supplement", {A}).after
    twice = decide(once, "request_supplement", {L}).after
    assert twice.supplement_requests == 2


@pytest.mark.parametrize("start", [RECEIVED, PROCESSING])
def test_payment_pauses_the_clock_when_configured_to(start):
    asked = decide(start, "request_payment", {S})
    assert asked.clock_effect is ClockEffect.PAUSE
    assert (asked.after.status, asked.after.clock, asked.after.resume_status) == (
        Status.PAYMENT_DUE,
        Clock.PAUSED,
        start.status,
    )
    paid = decide(asked.after, "pay", {Y})
    assert paid.after == start


@pytest.mark.parametrize("start", [RECEIVED, PROCESSING])
def test_payment_does_not_pause_when_configured_not_to(start):
    start = replace(start, pause_on_payment=False)
    asked = decide(start, "request_payment", {R})
    assert asked.clock_effect is ClockEffect.NONE
    assert (asked.after.status, asked.after.clock, asked.after.resume_status) == (
        Status.PAYMENT_DUE,
        Clock.RUNNING,
        start.status,
    )
    paid = decide(asked.after, "pay", {R})
    assert paid.after == start
    assert paid.after.clock is Clock.RUNNING


def test_resolve_and_stop_stop_the_clock():
    approved = replace(PROCESSING, step=2, approved=True)
    resolved = decide(approved, "resolve", {L})
    assert (resolved.clock_effect, resolved.after.clock, resolved.after.status) == (
        ClockEffect.STOP,
        Clock.STOPPED,
        Status.RESOLVED,
    )
    stopped = decide(RECEIVED, "stop", {R})
    assert (stopped.clock_effect, stopped.after.clock, stopped.after.status) == (
        ClockEffect.STOP,
        Clock.STOPPED,
        Status.STOPPED,
    )
    returned = decide(resolved.after, "return_result", {R}).after
    assert (returned.status, returned.clock) == (Status.RETURNED, Clock.STOPPED)


def test_withdrawal_keeps_the_clock_until_an_officer_stops_it():
    withdrawn = decide(PROCESSING, "withdraw", {A}).after
    assert (withdrawn.status, withdrawn.clock) == (Status.WITHDRAWAL_REQUESTED, Clock.RUNNING)
    stopped = decide(withdrawn, "stop", {L}).after
    assert (stopped.status, stopped.clock) == (Status.STOPPED, Clock.STOPPED)


def test_extend_changes_no_state_and_is_an_extension():
    outcome = decide(PROCESSING, "extend", {L})
    assert outcome.clock_effect is ClockEffect.EXTEND
    assert outcome.after == PROCESSING


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (
            DossierState(status=Status.RECEIVED, clock=Clock.NOT_STARTED),
            "Hồ sơ chưa được tiếp nhận nên chưa có ngày hẹn để gia hạn.",
        ),
        (
            replace(PROCESSING, late=True),
            "Đã quá hạn: văn bản xin lỗi và gia hạn phải được gửi trước ngày hẹn trả.",
        ),
        (
            DossierState(status=Status.PAYMENT_DUE, clock=Clock.PAUSED, resume_status=Status.PROCESSING),
            "Hồ sơ đang tạm dừng tính thời gian giải quyết; khi tiếp tục, ngày hẹn được cộng thêm "
            "thời gian tạm dừng nên chưa cần gia hạn.",
        ),
    ],
    ids=["not-received", "late", "paused"],
)
def test_extend_only_after_receipt_before_lateness_and_not_while_paused(state, reason):
    error = refused(state, "extend", {L})
    assert (error.code, error.reason) == ("conflict", reason)


def test_extend_while_payment_due_is_allowed_when_the_clock_runs():
    state = DossierState(status=Status.PAYMENT_DUE, clock=Clock.RUNNING, resume_status=Status.PROCESSING)
    assert decide(state, "extend", {L}).after == state


def test_reassign_keeps_status_and_clock():
    for state in (SUBMITTED, RECEIVED, PROCESSING, replace(PROCESSING, status=Status.RESOLVED, clock=Clock.STOPPED)):
        outcome = decide(state, "reassign", {Y})
        assert outcome.after == state
        assert outcome.clock_effect is ClockEffect.NONE


# --- guards -------------------------------------------------------------------------------------


def test_assign_opens_the_first_step_or_none_without_steps():
    assert decide(RECEIVED, "assign", {R}).after.step == 0
    assert decide(replace(RECEIVED, step_count=0), "assign", {L}).after.step == -1


def test_forward_moves_one_step_and_only_before_the_last():
    at_first = replace(PROCESSING, step=0)
    assert decide(at_first, "forward", {S}).after.step == 1
    assert decide(replace(PROCESSING, step=1), "forward", {L}).after.step == 2
    last = "Hồ sơ đang ở bước cuối của quy trình; không còn bước nào để chuyển tiếp."
    assert refused(replace(PROCESSING, step=2), "forward", {S}).reason == last
    assert refused(replace(PROCESSING, step=-1, step_count=0), "forward", {S}).reason == last


def test_approve_only_at_the_last_step_and_only_once():
    early = "Hồ sơ chưa đến bước phê duyệt của lãnh đạo; hãy chuyển qua các bước xử lý trước."
    assert refused(replace(PROCESSING, step=0), "approve", {L}).reason == early
    assert refused(replace(PROCESSING, step=1), "approve", {L}).reason == early
    approved = decide(replace(PROCESSING, step=2), "approve", {L}).after
    assert approved.approved is True
    assert refused(approved, "approve", {L}).reason == "Hồ sơ đã được phê duyệt."
    # A procedure without internal steps is approved directly.
    assert decide(replace(PROCESSING, step=-1, step_count=0), "approve", {L}).after.approved


def test_resolve_only_when_approved():
    error = refused(replace(PROCESSING, step=2), "resolve", {L})
    assert error.reason == "Kết quả chưa được lãnh đạo phê duyệt và ký."
    assert decide(replace(PROCESSING, step=2, approved=True), "resolve", {S}).after.status == Status.RESOLVED


TRANSFERRED = "Hồ sơ đang được chuyển sang cơ quan khác (liên thông); chờ cơ quan đó trả lại."


def test_transfer_and_return_transfer():
    out = decide(PROCESSING, "transfer", {S}).after
    assert (out.status, out.transferred_out, out.clock, out.step) == (Status.PROCESSING, True, Clock.RUNNING, 1)
    assert refused(out, "transfer", {S}).reason == TRANSFERRED
    back = decide(out, "return_transfer", {R}).after
    assert back == PROCESSING
    assert refused(PROCESSING, "return_transfer", {S}).reason == (
        "Hồ sơ không ở cơ quan phối hợp nên không có gì để trả lại."
    )


@pytest.mark.parametrize(("action", "role"), [("forward", S), ("approve", L), ("request_supplement", S)])
def test_nothing_moves_forward_while_at_another_agency(action, role):
    out = replace(PROCESSING, step=2 if action == "approve" else 1, transferred_out=True)
    assert refused(out, action, {role}).reason == TRANSFERRED


def test_resolve_and_request_payment_wait_for_the_transfer_to_return():
    out = replace(PROCESSING, step=2, approved=True, transferred_out=True)
    assert refused(out, "resolve", {L}).reason == TRANSFERRED
    assert refused(out, "request_payment", {S}).reason == TRANSFERRED


def test_refuse_only_before_receipt():
    assert decide(SUBMITTED, "refuse", {R}).after.status == Status.REFUSED
    asked_before_receipt = decide(SUBMITTED, "request_supplement", {R}).after
    assert decide(asked_before_receipt, "refuse", {R}).after.status == Status.REFUSED
    asked_after_receipt = decide(RECEIVED, "request_supplement", {R}).after
    error = refused(asked_after_receipt, "refuse", {R})
    assert error.reason == "Hồ sơ đã được tiếp nhận; hãy dùng “Dừng xử lý” thay cho từ chối tiếp nhận."


# --- forms ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "form"),
    [
        ("receive", "01"),
        ("request_supplement", "02"),
        ("refuse", "03"),
        ("extend", "04"),
        ("stop", "05"),
        ("resolve", "06"),
        ("return_result", "07"),
    ],
)
def test_forms_produced(action, form):
    sources, _target, roles, *_ = EXPECTED[action]
    outcome = decide(ready(action, sorted(sources, key=lambda s: s or 0)[0]), action, roles)
    assert outcome.transition.form == form


def test_only_those_seven_actions_produce_a_form():
    with_form = {action for action, transition in TRANSITIONS.items() if transition.form}
    assert with_form == {"receive", "request_supplement", "refuse", "extend", "stop", "resolve", "return_result"}


# --- allowed_actions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "roles", "expected"),
    [
        (SUBMITTED, {R}, ["receive", "refuse", "request_supplement"]),
        (SUBMITTED, {A}, ["withdraw"]),
        (SUBMITTED, {S}, ["request_supplement"]),
        (SUBMITTED, {Y}, []),  # reassign is automation, never a button
        (RECEIVED, {R}, ["request_supplement", "assign", "request_payment", "stop"]),
        (RECEIVED, {L}, ["request_supplement", "assign", "stop", "extend"]),
        (replace(RECEIVED, late=True), {L}, ["request_supplement", "assign", "stop"]),
        (replace(PROCESSING, step=0), {S}, ["request_supplement", "forward", "transfer", "request_payment"]),
        (
            replace(PROCESSING, step=2, approved=True),
            {L},
            ["request_supplement", "transfer", "resolve", "stop", "extend"],
        ),
        (replace(PROCESSING, step=2), {L}, ["request_supplement", "transfer", "approve", "stop", "extend"]),
        (replace(PROCESSING, transferred_out=True), {S}, ["return_transfer"]),
        (replace(PROCESSING, transferred_out=True), {L}, ["return_transfer", "stop", "extend"]),
        (
            DossierState(status=Status.SUPPLEMENT_REQUESTED, clock=Clock.PAUSED, resume_status=Status.PROCESSING),
            {A},
            ["supplement", "withdraw"],
        ),
        (
            DossierState(status=Status.SUPPLEMENT_REQUESTED, clock=Clock.PAUSED, resume_status=Status.PROCESSING),
            {R},
            ["supplement", "stop"],
        ),
        (
            DossierState(status=Status.SUPPLEMENT_REQUESTED, resume_status=Status.SUBMITTED),
            {R},
            ["refuse", "supplement"],
        ),
        (
            DossierState(status=Status.PAYMENT_DUE, clock=Clock.PAUSED, resume_status=Status.PROCESSING),
            {Y},
            ["pay"],
        ),
        (DossierState(status=Status.WITHDRAWAL_REQUESTED, clock=Clock.RUNNING), {R, L}, ["stop"]),
        (DossierState(status=Status.RESOLVED, clock=Clock.STOPPED, approved=True), {R}, ["return_result"]),
        (DossierState(status=Status.RESOLVED, clock=Clock.STOPPED, approved=True), {A, S, L}, []),
    ],
)
def test_allowed_actions_for_sample_states(state, roles, expected):
    assert allowed_actions(state, roles) == expected


# Every state the rules can meet, and any holder of roles: the buttons shown are exactly what decide() accepts.
states = st.builds(
    DossierState,
    status=st.sampled_from(list(Status)),
    clock=st.sampled_from(list(Clock)),
    resume_status=st.sampled_from([None, Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING]),
    step=st.integers(-1, 3),
    step_count=st.integers(0, 4),
    approved=st.booleans(),
    transferred_out=st.booleans(),
    late=st.booleans(),
    supplement_requests=st.integers(0, 3),
    pause_on_payment=st.booleans(),
)


@settings(max_examples=400)
@given(state=states, roles=st.frozensets(st.sampled_from(list(Role))))
def test_allowed_actions_agree_with_decide(state, roles):
    accepted = []
    for action in ACTIONS:
        if action in ("submit", "reassign"):
            continue
        try:
            decide(state, action, roles)
        except TransitionRefused as error:
            assert error.reason, "every refusal explains itself"
            assert error.code in ("conflict", "forbidden")
        else:
            accepted.append(action)
    assert allowed_actions(state, roles) == accepted


def test_stop_while_waiting_for_papers_needs_a_received_dossier():
    waiting = DossierState(status=Status.SUPPLEMENT_REQUESTED, clock=Clock.PAUSED, resume_status=Status.PROCESSING)
    outcome = decide(waiting, "stop", {R})
    assert (outcome.after.status, outcome.after.clock, outcome.transition.form) == (
        Status.STOPPED,
        Clock.STOPPED,
        "05",
    )
    not_received = DossierState(status=Status.SUPPLEMENT_REQUESTED, resume_status=Status.SUBMITTED)
    with pytest.raises(TransitionRefused, match="Từ chối tiếp nhận"):
        decide(not_received, "stop", {R})


def test_the_leader_approves_at_the_leaders_step_not_only_at_the_last():
    # Seed procedures end with the one-stop's "return and file" step after the leader's.
    at_leader = DossierState(status=Status.PROCESSING, step=2, step_count=4, approval_step=2)
    assert decide(at_leader, "approve", {Role.LEADER}).after.approved
    before_leader = DossierState(status=Status.PROCESSING, step=1, step_count=4, approval_step=2)
    with pytest.raises(TransitionRefused):
        decide(before_leader, "approve", {Role.LEADER})
    no_leader_step = DossierState(status=Status.PROCESSING, step=2, step_count=4)
    with pytest.raises(TransitionRefused):
        decide(no_leader_step, "approve", {Role.LEADER})


def test_assign_skips_the_one_stops_own_receiving_steps():
    # Receipt is the one-stop's first step: handing on opens the specialists' step.
    state = DossierState(status=Status.RECEIVED, clock=Clock.RUNNING, step_count=4, first_step=1, approval_step=2)
    assert decide(state, "assign", {Role.RECEIVER}).after.step == 1


def test_step_marks_of_the_seed_process():
    assert step_marks(["receiver", "specialist", "leader", "receiver"]) == (1, 2)
    assert step_marks(["specialist", "specialist", "leader"]) == (0, 2)
    assert step_marks(["specialist", "specialist"]) == (0, 1)
    assert step_marks([]) == (0, -1)


# --- issue audit: withdrawn before receipt; the leader signs ---------------------------------------


@pytest.mark.parametrize("before_withdrawal", ["submitted", "supplement_before_receipt"])
def test_a_dossier_withdrawn_before_receipt_can_be_stopped_by_an_officer(before_withdrawal):
    state = DossierState(status=Status.SUBMITTED, step_count=3)
    if before_withdrawal == "supplement_before_receipt":
        state = decide(state, "request_supplement", {R}).after
        assert (state.status, state.clock) == (Status.SUPPLEMENT_REQUESTED, Clock.NOT_STARTED)
    withdrawn = decide(state, "withdraw", {A}).after
    assert (withdrawn.status, withdrawn.clock) == (Status.WITHDRAWAL_REQUESTED, Clock.NOT_STARTED)
    assert "stop" in allowed_actions(withdrawn, {R}) and "stop" in allowed_actions(withdrawn, {L})
    stopped = decide(withdrawn, "stop", {R})
    assert (stopped.after.status, stopped.after.clock, stopped.transition.form) == (
        Status.STOPPED,
        Clock.STOPPED,
        "05",
    )
    # Still: a dossier never received and not withdrawn is refused (form 03), not stopped.
    waiting = DossierState(status=Status.SUPPLEMENT_REQUESTED, resume_status=Status.SUBMITTED)
    assert "Từ chối tiếp nhận" in refused(waiting, "stop", {R}).reason


AT_LAST_STEP = DossierState(status=Status.PROCESSING, clock=Clock.RUNNING, step=2, step_count=3)


@pytest.mark.parametrize("role", [R, S, L])
def test_resolve_needs_the_leaders_approval_when_the_process_has_an_approval_step(role):
    assert refused(AT_LAST_STEP, "resolve", {role}).reason == "Kết quả chưa được lãnh đạo phê duyệt và ký."
    approved = decide(AT_LAST_STEP, "approve", {L}).after
    assert decide(approved, "resolve", {role}).after.status == Status.RESOLVED


def test_without_an_approval_step_only_a_leader_resolves_and_signs_then():
    no_approval_step = replace(AT_LAST_STEP, leader_approval=False)
    for role in (R, S):
        assert refused(no_approval_step, "resolve", {role}).reason == (
            "Chỉ lãnh đạo mới ký và ban hành kết quả của thủ tục này."
        )
        assert "resolve" not in allowed_actions(no_approval_step, {role})
    assert "resolve" in allowed_actions(no_approval_step, {L})
    resolved = decide(no_approval_step, "resolve", {L}).after
    assert (resolved.status, resolved.approved) == (Status.RESOLVED, True)
    # Not before the last step, as for approval.
    early = replace(no_approval_step, step=1)
    assert "bước phê duyệt" in refused(early, "resolve", {L}).reason
    assert "resolve" not in allowed_actions(early, {L})
