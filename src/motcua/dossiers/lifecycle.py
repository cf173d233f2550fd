"""The one-stop dossier lifecycle as a pure transition table (no ORM, no clock reading).

Statuses are the national portal's TrangThaiHoSo codes 1–10 (domain.md). Each action says
which statuses it leaves, where it goes, who may take it, what it does to the processing
clock, which official form it produces, and a guard that explains in Vietnamese why it is
not possible now. `services.py` applies the outcome to the database; tests drive this
module directly, thousands of sequences a second.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import IntEnum, StrEnum


class Status(IntEnum):
    SUBMITTED = 1  # Mới đăng ký
    RECEIVED = 2  # Được tiếp nhận
    REFUSED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT_REQUESTED = 5  # Yêu cầu bổ sung
    PAYMENT_DUE = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWAL_REQUESTED = 7  # Công dân yêu cầu rút
    STOPPED = 8  # Dừng xử lý
    RESOLVED = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả


# (official name, plain words for citizens — ux.md: plain words first, the official term in small type)
STATUS_NAMES: dict[Status, tuple[str, str]] = {
    Status.SUBMITTED: ("Mới đăng ký", "Đã nộp, chờ cán bộ tiếp nhận"),
    Status.RECEIVED: ("Được tiếp nhận", "Đã tiếp nhận, có ngày hẹn trả"),
    Status.REFUSED: ("Không được tiếp nhận", "Hồ sơ không được tiếp nhận"),
    Status.PROCESSING: ("Đang xử lý", "Đang giải quyết"),
    Status.SUPPLEMENT_REQUESTED: ("Yêu cầu bổ sung", "Cần nộp thêm giấy tờ"),
    Status.PAYMENT_DUE: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Chờ đóng phí"),
    Status.WITHDRAWAL_REQUESTED: ("Công dân yêu cầu rút", "Đã xin rút hồ sơ"),
    Status.STOPPED: ("Dừng xử lý", "Đã dừng giải quyết"),
    Status.RESOLVED: ("Đã xử lý xong", "Đã có kết quả"),
    Status.RETURNED: ("Đã trả kết quả", "Đã nhận kết quả"),
}

TERMINAL: frozenset[Status] = frozenset({Status.REFUSED, Status.STOPPED, Status.RETURNED})
OPEN: frozenset[Status] = frozenset(Status) - TERMINAL - {Status.RESOLVED}


class Role(StrEnum):
    APPLICANT = "applicant"
    RECEIVER = "receiver"
    SPECIALIST = "specialist"
    LEADER = "leader"
    SYSTEM = "system"  # automation: payment callbacks, reorganisation, the national portal


class Clock(StrEnum):
    """The processing clock of domain.md § Time."""

    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class ClockEffect(StrEnum):
    NONE = "none"
    START = "start"  # receipt: the due date is set
    PAUSE = "pause"  # waiting for the applicant: the due date will move by the pause
    RESUME = "resume"  # the pause ends: the due date moves by its working length
    STOP = "stop"  # processing ends (resolved, stopped)
    EXTEND = "extend"  # apology and a new appointment date (form 04)


@dataclass(frozen=True)
class DossierState:
    """What the rules need to know about a dossier; nothing else."""

    status: Status | None  # None before submission
    clock: Clock = Clock.NOT_STARTED
    resume_status: Status | None = None  # where a pause returns to
    step: int = -1  # index of the current internal step; -1 before assignment
    step_count: int = 0
    # The first step after the one-stop's own receiving steps (receipt does those): where
    # `assign` hands the dossier to.
    first_step: int = 0
    # The leader's approval step (the last step with the leader's role); -1: the last step.
    # Steps after it (handing the result back) happen in statuses 5–6, after approval.
    approval_step: int = -1
    approved: bool = False
    transferred_out: bool = False  # at another agency (liên thông)
    late: bool = False  # now is past the due time
    supplement_requests: int = 0
    pause_on_payment: bool = True  # domain.md: configurable (unconfirmed)
    # The process has a leader's approval step, where the leader approves and signs the result.
    # Without one, only a leader resolves, and signs then.
    leader_approval: bool = True


Guard = Callable[[DossierState], str | None]
# A guard that also depends on who acts (the roles held by the actor).
RoleGuard = Callable[[DossierState, frozenset[Role]], str | None]


def _no_guard(state: DossierState) -> str | None:
    return None


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[Status | None]
    target: Status | None  # None: stays in its status, or returns to resume_status for a resume
    roles: frozenset[Role]
    clock: ClockEffect
    title: str  # the public log's line
    guard: Guard = _no_guard
    role_guard: RoleGuard | None = None
    # Why someone holding one of these roles may never take the action (instead of the generic refusal).
    refusals: tuple[tuple[Role, str], ...] = ()
    form: str | None = None  # Circular 03/2025 Appendix I form number
    note_required: bool = False  # reasons must be written down (refusal, supplement, stop…)
    public: bool = True  # shown to the applicant and on the public tracking page


@dataclass(frozen=True)
class Outcome:
    transition: Transition
    before: DossierState
    after: DossierState

    @property
    def clock_effect(self) -> ClockEffect:
        return self.transition.clock


class TransitionRefused(Exception):
    """The action does not fit: wrong status, role or guard. `reason` is for people."""

    def __init__(self, reason: str, *, code: str = "conflict"):
        self.reason = reason
        self.code = code
        super().__init__(reason)


def _S(*statuses: Status | None) -> frozenset[Status | None]:
    return frozenset(statuses)


def _R(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


OFFICERS = _R(Role.RECEIVER, Role.SPECIALIST, Role.LEADER)

# The applicant's fee is settled by the payments domain only: a successful online payment
# (the system) or a counter payment an officer records with its receipt number.
PAY_ONLINE = (
    "Phí, lệ phí được ghi nhận khi thanh toán trực tuyến thành công: hãy mở khoản phí của hồ sơ "
    "và chọn “Thanh toán trực tuyến”, hoặc nộp tại quầy một cửa."
)


def _not_transferred(state: DossierState) -> str | None:
    return (
        "Hồ sơ đang được chuyển sang cơ quan khác (liên thông); chờ cơ quan đó trả lại."
        if state.transferred_out
        else None
    )


def _forward_guard(state: DossierState) -> str | None:
    if reason := _not_transferred(state):
        return reason
    if state.step + 1 >= state.step_count:
        return "Hồ sơ đang ở bước cuối của quy trình; không còn bước nào để chuyển tiếp."
    return None


def _before_approval_step(state: DossierState) -> str | None:
    approval_step = state.approval_step if state.approval_step >= 0 else state.step_count - 1
    if state.step_count and state.step < approval_step:
        return "Hồ sơ chưa đến bước phê duyệt của lãnh đạo; hãy chuyển qua các bước xử lý trước."
    return None


def _approve_guard(state: DossierState) -> str | None:
    if reason := _not_transferred(state):
        return reason
    if state.approved:
        return "Hồ sơ đã được phê duyệt."
    return _before_approval_step(state)


def _resolve_guard(state: DossierState, roles: frozenset[Role]) -> str | None:
    """Signing is a leader's action: the leader signed at approval, or (for a process without a
    leader's approval step) the leader resolves and signs in one go."""
    if reason := _not_transferred(state):
        return reason
    if state.approved:
        return None
    if not state.leader_approval and Role.LEADER in roles:
        return _before_approval_step(state)
    if not state.leader_approval:
        return "Chỉ lãnh đạo mới ký và ban hành kết quả của thủ tục này."
    return "Kết quả chưa được lãnh đạo phê duyệt và ký."


def _return_transfer_guard(state: DossierState) -> str | None:
    return None if state.transferred_out else "Hồ sơ không ở cơ quan phối hợp nên không có gì để trả lại."


def _extend_guard(state: DossierState) -> str | None:
    if state.clock is Clock.NOT_STARTED:
        return "Hồ sơ chưa được tiếp nhận nên chưa có ngày hẹn để gia hạn."
    if state.clock is Clock.PAUSED:
        # The due date moves by the pause when it ends; an extension now would be pushed again.
        return (
            "Hồ sơ đang tạm dừng tính thời gian giải quyết; khi tiếp tục, ngày hẹn được cộng thêm "
            "thời gian tạm dừng nên chưa cần gia hạn."
        )
    if state.late:
        return "Đã quá hạn: văn bản xin lỗi và gia hạn phải được gửi trước ngày hẹn trả."
    return None


def _stop_guard(state: DossierState) -> str | None:
    # A dossier withdrawn before receipt is stopped too (7 → 8): nothing else can end it.
    if state.clock is Clock.NOT_STARTED and state.status is not Status.WITHDRAWAL_REQUESTED:
        return "Hồ sơ chưa được tiếp nhận; hãy dùng “Từ chối tiếp nhận” thay cho dừng xử lý."
    return None


def _refuse_guard(state: DossierState) -> str | None:
    if state.clock is not Clock.NOT_STARTED:
        return "Hồ sơ đã được tiếp nhận; hãy dùng “Dừng xử lý” thay cho từ chối tiếp nhận."
    return None


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "submit",
            _S(None),
            Status.SUBMITTED,
            _R(Role.APPLICANT, Role.RECEIVER, Role.SYSTEM),
            ClockEffect.NONE,
            "Nộp hồ sơ",
        ),
        Transition(
            "receive",
            _S(Status.SUBMITTED),
            Status.RECEIVED,
            _R(Role.RECEIVER),
            ClockEffect.START,
            "Tiếp nhận hồ sơ, hẹn ngày trả kết quả",
            form="01",
        ),
        Transition(
            "refuse",
            _S(Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED),
            Status.REFUSED,
            _R(Role.RECEIVER),
            ClockEffect.NONE,
            "Từ chối tiếp nhận hồ sơ",
            guard=_refuse_guard,
            form="03",
            note_required=True,
        ),
        Transition(
            "request_supplement",
            _S(Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING),
            Status.SUPPLEMENT_REQUESTED,
            _R(Role.RECEIVER, Role.SPECIALIST, Role.LEADER),
            ClockEffect.PAUSE,
            "Yêu cầu bổ sung, hoàn thiện hồ sơ",
            guard=_not_transferred,
            form="02",
            note_required=True,
        ),
        Transition(
            "supplement",
            _S(Status.SUPPLEMENT_REQUESTED),
            None,
            _R(Role.APPLICANT, Role.RECEIVER),
            ClockEffect.RESUME,
            "Đã nộp bổ sung giấy tờ",
        ),
        Transition(
            "assign",
            _S(Status.RECEIVED),
            Status.PROCESSING,
            _R(Role.RECEIVER, Role.LEADER),
            ClockEffect.NONE,
            "Chuyển hồ sơ đến bộ phận xử lý",
        ),
        Transition(
            "forward",
            _S(Status.PROCESSING),
            Status.PROCESSING,
            _R(Role.SPECIALIST, Role.LEADER),
            ClockEffect.NONE,
            "Chuyển bước xử lý tiếp theo",
            guard=_forward_guard,
        ),
        Transition(
            "transfer",
            _S(Status.PROCESSING),
            Status.PROCESSING,
            _R(Role.SPECIALIST, Role.LEADER),
            ClockEffect.NONE,
            "Chuyển cơ quan phối hợp giải quyết (liên thông)",
            guard=_not_transferred,
        ),
        Transition(
            "return_transfer",
            _S(Status.PROCESSING),
            Status.PROCESSING,
            OFFICERS,
            ClockEffect.NONE,
            "Cơ quan phối hợp trả lại kết quả xử lý",
            guard=_return_transfer_guard,
        ),
        Transition(
            "request_payment",
            _S(Status.RECEIVED, Status.PROCESSING),
            Status.PAYMENT_DUE,
            _R(Role.RECEIVER, Role.SPECIALIST),
            ClockEffect.PAUSE,
            "Yêu cầu đóng phí, lệ phí",
            guard=_not_transferred,
        ),
        Transition(
            "pay",
            _S(Status.PAYMENT_DUE),
            None,
            _R(Role.RECEIVER, Role.SYSTEM),
            ClockEffect.RESUME,
            "Đã đóng phí, lệ phí",
            refusals=((Role.APPLICANT, PAY_ONLINE),),
        ),
        Transition(
            "approve",
            _S(Status.PROCESSING),
            Status.PROCESSING,
            _R(Role.LEADER),
            ClockEffect.NONE,
            "Lãnh đạo phê duyệt và ký số kết quả",
            guard=_approve_guard,
        ),
        Transition(
            "resolve",
            _S(Status.PROCESSING),
            Status.RESOLVED,
            _R(Role.LEADER, Role.SPECIALIST, Role.RECEIVER),
            ClockEffect.STOP,
            "Đã có kết quả (đã ký số), chuyển bộ phận trả kết quả",
            role_guard=_resolve_guard,
            form="06",  # the control sheet, stored once processing ends
        ),
        Transition(
            "return_result",
            _S(Status.RESOLVED),
            Status.RETURNED,
            _R(Role.RECEIVER),
            ClockEffect.NONE,
            "Đã trả kết quả cho người nộp",
            form="07",
        ),
        Transition(
            "withdraw",
            _S(Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_DUE),
            Status.WITHDRAWAL_REQUESTED,
            _R(Role.APPLICANT),
            ClockEffect.NONE,
            "Người nộp xin rút hồ sơ",
        ),
        Transition(
            "stop",
            _S(
                Status.WITHDRAWAL_REQUESTED,
                Status.RECEIVED,
                Status.PROCESSING,
                # The applicant never sent the missing papers or paid: the agency stops with form 05.
                Status.SUPPLEMENT_REQUESTED,
                Status.PAYMENT_DUE,
            ),
            Status.STOPPED,
            _R(Role.RECEIVER, Role.LEADER),
            ClockEffect.STOP,
            "Dừng giải quyết hồ sơ",
            guard=_stop_guard,
            form="05",
            note_required=True,
        ),
        Transition(
            "extend",
            _S(Status.RECEIVED, Status.PROCESSING, Status.PAYMENT_DUE),
            None,
            _R(Role.LEADER),
            ClockEffect.EXTEND,
            "Xin lỗi và gia hạn thời gian giải quyết",
            guard=_extend_guard,
            form="04",
            note_required=True,
        ),
        Transition(
            "reassign",
            _S(*OPEN, Status.RESOLVED),
            None,
            _R(Role.SYSTEM),
            ClockEffect.NONE,
            "Chuyển hồ sơ sang cơ quan kế thừa (sắp xếp tổ chức)",
        ),
    ]
}

ACTIONS: tuple[str, ...] = tuple(TRANSITIONS)


def _clock_after(state: DossierState, effect: ClockEffect) -> Clock:
    if effect is ClockEffect.START:
        return Clock.RUNNING
    if effect is ClockEffect.PAUSE:
        return Clock.PAUSED if state.clock is Clock.RUNNING else state.clock
    if effect is ClockEffect.RESUME:
        return Clock.RUNNING if state.clock is Clock.PAUSED else state.clock
    if effect is ClockEffect.STOP:
        return Clock.STOPPED
    return state.clock


def step_marks(roles: list[str]) -> tuple[int, int]:
    """For a process given as its steps' roles: (the first step after the one-stop's own
    receiving steps — receipt does those —, the leader's approval step: the last step with
    the leader's role, or the last step when none has it)."""
    first_step = next((index for index, role in enumerate(roles) if role != Role.RECEIVER), 0)
    leader_steps = [index for index, role in enumerate(roles) if role == Role.LEADER]
    return first_step, (leader_steps[-1] if leader_steps else len(roles) - 1)


def decide(state: DossierState, action: str, roles: set[Role] | frozenset[Role]) -> Outcome:
    """The outcome of `action` taken by someone holding `roles`, or TransitionRefused."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionRefused(f"Thao tác “{action}” không tồn tại.", code="unknown_action")
    if state.status not in transition.sources:
        current = STATUS_NAMES[state.status][0] if state.status else "chưa nộp"
        raise TransitionRefused(f"Không thể thực hiện “{transition.title}” khi hồ sơ ở trạng thái “{current}”.")
    if not (transition.roles & set(roles)):
        reason = next((text for role, text in transition.refusals if role in roles), None)
        raise TransitionRefused(reason or "Bạn không có quyền thực hiện thao tác này với hồ sơ.", code="forbidden")
    if reason := _guard_reason(transition, state, roles):
        raise TransitionRefused(reason)

    effect = transition.clock
    if effect is ClockEffect.PAUSE and transition.action == "request_payment" and not state.pause_on_payment:
        effect = ClockEffect.NONE
    after = replace(state, clock=_clock_after(state, effect))
    if transition.target is not None:
        after = replace(after, status=transition.target)
    if effect is ClockEffect.PAUSE or (transition.action == "request_payment"):
        after = replace(after, resume_status=state.status)
    if transition.action in ("supplement", "pay"):
        after = replace(after, status=state.resume_status or Status.SUBMITTED, resume_status=None)
    if transition.action == "request_supplement":
        after = replace(after, supplement_requests=state.supplement_requests + 1)
    if transition.action == "assign":
        after = replace(after, step=state.first_step if state.step_count else -1)
    if transition.action == "forward":
        after = replace(after, step=state.step + 1)
    if transition.action == "transfer":
        after = replace(after, transferred_out=True)
    if transition.action == "return_transfer":
        after = replace(after, transferred_out=False)
    if transition.action in ("approve", "resolve"):
        # A resolved result is always approved and signed by a leader (at approval, or now).
        after = replace(after, approved=True)
    return Outcome(transition=replace(transition, clock=effect), before=state, after=after)


def _guard_reason(transition: Transition, state: DossierState, roles: set[Role] | frozenset[Role]) -> str | None:
    if reason := transition.guard(state):
        return reason
    if transition.role_guard is not None:
        return transition.role_guard(state, frozenset(roles))
    return None


def allowed_actions(state: DossierState, roles: set[Role] | frozenset[Role]) -> list[str]:
    """Actions the holder of `roles` may take now, in table order (for buttons and the API)."""
    allowed = []
    for action, transition in TRANSITIONS.items():
        if action in ("submit", "reassign"):
            continue
        if (
            state.status in transition.sources
            and transition.roles & set(roles)
            and not _guard_reason(transition, state, roles)
        ):
            allowed.append(action)
    return allowed


def status_name(status: int) -> str:
    return STATUS_NAMES[Status(status)][0]


def status_plain_name(status: int) -> str:
    return STATUS_NAMES[Status(status)][1]
