"""No sequence of actions breaks the lifecycle's invariants: first on the pure table, then on the database.

1. `LifecycleMachine` drives `decide()` with random actions by random roles (thousands a second).
2. `test_services_keep_the_invariants_on_the_database` drives the real services on a dossier,
   with a fixed `now` that advances by working hours, and checks the log, the version, the due
   date and the hash chain after every step.
"""

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from motcua.catalog.models import Fee
from motcua.core.calendar import WorkCalendar
from motcua.core.errors import DomainError, NotFound, StaleVersion
from motcua.dossiers import services
from motcua.dossiers.lifecycle import (
    ACTIONS,
    TERMINAL,
    Clock,
    ClockEffect,
    DossierState,
    Outcome,
    Role,
    Status,
    TransitionRefused,
    allowed_actions,
    decide,
)
from motcua.dossiers.log_verification import verify_dossier_logs
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DueDateChange
from motcua.payments import services as payments
from tests.dossiers.helpers import make_procedure, record_forms, stored_file, submit, vn
from tests.factories import make_officer

# Accepted actions that may leave the pure state exactly as it was (their effect is outside it:
# a new appointment date, a new agency).
SAME_STATE_ACTIONS = {"extend", "reassign"}
# Statuses a dossier can be in once a leader approved its result (approval is never undone;
# a fee or a late supplement may still be asked for after it).
AFTER_APPROVAL = {
    Status.PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.PAYMENT_DUE,
    Status.WITHDRAWAL_REQUESTED,
    Status.STOPPED,
    Status.RESOLVED,
    Status.RETURNED,
}


# --- 1. the pure table ------------------------------------------------------------------------


class LifecycleMachine(RuleBasedStateMachine):
    state: DossierState
    received: bool

    @initialize(
        step_count=st.integers(0, 4),
        pause_on_payment=st.booleans(),
        leader_approval=st.booleans(),
        role=st.sampled_from([Role.APPLICANT]),
    )
    def submit(self, step_count, pause_on_payment, leader_approval, role):
        blank = DossierState(
            status=None, step_count=step_count, pause_on_payment=pause_on_payment, leader_approval=leader_approval
        )
        outcome = decide(blank, "submit", {role})
        self.state, self.received, self.accepted = outcome.after, False, 0
        assert self.state.status is Status.SUBMITTED

    @rule(
        action=st.sampled_from([a for a in ACTIONS if a != "submit"]),
        roles=st.frozensets(st.sampled_from(list(Role)), min_size=1, max_size=2),
    )
    def act(self, action, roles):
        before = self.state
        try:
            outcome = decide(before, action, roles)
        except TransitionRefused as error:
            assert error.code in ("conflict", "forbidden")
            assert error.reason
            return
        assert before.status not in TERMINAL, f"{action} left terminal status {before.status}"
        assert isinstance(outcome, Outcome)
        assert outcome.before is before
        assert outcome.transition.action == action
        assert outcome.transition.roles & roles
        after = outcome.after
        assert after != before or action in SAME_STATE_ACTIONS, f"{action} accepted but changed nothing"
        # The clock follows the declared effect.
        effect = outcome.clock_effect
        if effect is ClockEffect.START:
            assert (before.clock, after.clock) == (Clock.NOT_STARTED, Clock.RUNNING)
            self.received = True
        elif effect is ClockEffect.STOP:
            assert after.clock is Clock.STOPPED
        elif effect is ClockEffect.PAUSE:
            assert after.clock is (Clock.PAUSED if before.clock is Clock.RUNNING else before.clock)
        elif effect is ClockEffect.RESUME:
            assert after.clock is (Clock.RUNNING if before.clock is Clock.PAUSED else before.clock)
            assert after.status == before.resume_status
        else:
            assert after.clock is before.clock
        self.state = after
        self.accepted += 1

    @rule(late=st.booleans())
    def time_passes(self, late):
        # Lateness is the world's doing, not an action; only a running clock can make a dossier late
        # (services.dossier_state computes it so).
        self.state = replace(self.state, late=late and self.state.clock is Clock.RUNNING)

    @invariant()
    def status_is_a_national_code(self):
        assert int(self.state.status) in range(1, 11)

    @invariant()
    def clock_never_runs_while_paused_or_awaiting_a_supplement(self):
        state = self.state
        if state.status is Status.SUPPLEMENT_REQUESTED:
            assert state.clock in (Clock.PAUSED, Clock.NOT_STARTED)
        if state.status is Status.PAYMENT_DUE and state.pause_on_payment:
            assert state.clock is Clock.PAUSED
        if state.clock is Clock.PAUSED:
            assert state.status in (Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_DUE, Status.WITHDRAWAL_REQUESTED)

    @invariant()
    def clock_matches_the_stage(self):
        state = self.state
        if state.clock in (Clock.RUNNING, Clock.PAUSED):
            assert self.received
        if not self.received:
            # Never received: the clock never started (a withdrawn submission may still be stopped).
            assert state.clock in (Clock.NOT_STARTED, Clock.STOPPED)
        if state.status in (Status.STOPPED, Status.RESOLVED, Status.RETURNED):
            assert state.clock is Clock.STOPPED
        if state.clock is Clock.STOPPED:
            assert state.status in (Status.STOPPED, Status.RESOLVED, Status.RETURNED)
        if state.status in (Status.SUBMITTED, Status.REFUSED):
            assert state.clock is Clock.NOT_STARTED

    @invariant()
    def a_pause_knows_where_it_returns(self):
        if self.state.status in (Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_DUE):
            assert self.state.resume_status in (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING)

    @invariant()
    def step_index_in_range(self):
        assert -1 <= self.state.step <= max(self.state.step_count - 1, -1)

    @invariant()
    def approval_comes_late_and_stays(self):
        if self.state.approved:
            assert self.state.status in AFTER_APPROVAL
        if self.state.status in (Status.RESOLVED, Status.RETURNED):
            assert self.state.approved

    @invariant()
    def a_transferred_dossier_is_in_processing_or_being_withdrawn(self):
        if self.state.transferred_out:
            assert self.state.status in (Status.PROCESSING, Status.WITHDRAWAL_REQUESTED, Status.STOPPED)

    @invariant()
    def every_open_state_has_a_way_forward(self):
        """Liveness: a dossier that has not ended can always be moved by a person (the system's
        own actions — a payment callback, a reorganisation — are never the only way out).

        No exception is needed: status 6 has the counter payment (receiver), 7 the officer's stop
        (also when it was withdrawn before receipt), 9 the return of the result.
        """
        if self.state.status in TERMINAL:
            return
        people = [role for role in Role if role is not Role.SYSTEM]
        offered = {role: allowed_actions(self.state, {role}) for role in people}
        assert any(offered.values()), f"stuck in {self.state}"
        # What is offered is really accepted.
        for role, actions in offered.items():
            for action in actions:
                decide(self.state, action, {role})

    @invariant()
    def terminal_states_are_terminal(self):
        if self.state.status in TERMINAL:
            for action in ACTIONS:
                with pytest.raises(TransitionRefused):
                    decide(self.state, action, frozenset(Role))


LifecycleMachine.TestCase.settings = settings(max_examples=400, stateful_step_count=40, deadline=None)
test_pure_lifecycle_keeps_its_invariants = LifecycleMachine.TestCase


# --- 2. the services on the database ---------------------------------------------------------

PLAIN = WorkCalendar()  # the database holds no calendar overrides in these tests
NOTE = "Lý do: kiểm thử theo quy định."
START = vn(2027, 1, 4, 8, 0)  # Monday 4/1/2027, an ordinary working week
# The actions in three families, one rule each, so that walks both get far and take every turn.
PATH = {"receive", "assign", "forward", "approve", "resolve", "return_result", "supplement", "pay", "return_transfer"}
DETOURS = {"request_supplement", "request_payment", "transfer", "extend", "reassign"}
ENDINGS = {"refuse", "withdraw", "stop"}
HAPPY_PATH = [
    ("receiver", "receive"),
    ("receiver", "assign"),
    ("specialist", "forward"),
    ("leader", "approve"),
    ("leader", "resolve"),
    ("receiver", "return_result"),
]


@pytest.mark.django_db
def test_services_keep_the_invariants_on_the_database(
    monkeypatch, agency, other_agency, citizen, receiver, specialist, leader
):
    record_forms(monkeypatch)
    version = make_procedure(agency=agency, days=3, steps=(("Thẩm định", "specialist", 8), ("Phê duyệt", "leader", 8)))
    Fee.objects.create(version=version, case="Cấp mới", amount_vnd=100_000)
    partner = make_officer(username="partner", agency=other_agency, role="specialist")
    people = {
        "applicant": citizen,
        "receiver": receiver,
        "specialist": specialist,
        "leader": leader,
        "partner": partner,
        "system": None,
    }
    results = {person: stored_file(user, f"ket-qua-{person}.pdf") for person, user in people.items()}
    accepted: Counter[str] = Counter()

    class ServicesMachine(RuleBasedStateMachine):
        @initialize(depth=st.integers(0, len(HAPPY_PATH) - 2))
        def submit(self, depth):
            """A new dossier, already walked `depth` steps down the everyday path (so walks start deep too)."""
            self.now: datetime = START
            self.dossier = submit(citizen, version, now=self.now)
            for person, action in HAPPY_PATH[:depth]:
                self.now = PLAIN.add_working_time(self.now, timedelta(hours=2))
                assert self._attempt(action, person, NOTE, stale=False), action

        def _fresh(self) -> Dossier:
            return Dossier.objects.get(pk=self.dossier.pk)

        @rule(hours=st.sampled_from([0.5, 1, 2, 3.5, 4, 8, 9, 16, 24]))
        def time_passes(self, hours):
            # Working hours only: `now` crosses nights, weekends and (in February) Tết.
            self.now = PLAIN.add_working_time(self.now, timedelta(hours=hours))

        @rule(data=st.data(), family=st.sampled_from(["detour", "path", "path", "detour", "ending"]))
        def click(self, data, family):
            """What a real person would do: the everyday path, a detour, now and then an end."""
            self._click(data, only={"path": PATH, "detour": DETOURS, "ending": ENDINGS}[family])

        def _click(self, data, only):
            dossier = self._fresh()
            state = services.dossier_state(dossier, now=self.now)
            who_may: dict[str, list[str]] = {}  # action → people offered it
            for person, user in people.items():
                roles = services.dossier_roles_of(user, dossier) if user else {Role.SYSTEM}
                for action in allowed_actions(state, roles):
                    who_may.setdefault(action, []).append(person)
            if dossier.status not in TERMINAL:
                who_may["reassign"] = ["system"]
            actions = sorted(a for a in who_may if a in only)
            if not actions:  # a terminal dossier: nobody can do anything (act_at_random checks it)
                return
            # The action first, then who: every action is equally likely however many may take it.
            action = data.draw(st.sampled_from(actions), label="action")
            person = data.draw(st.sampled_from(who_may[action]), label="by")
            self._attempt(action, person, NOTE, stale=False)

        @rule(
            action=st.sampled_from([a for a in ACTIONS if a != "submit"]),
            person=st.sampled_from(list(people)),
            with_note=st.booleans(),
            stale=st.booleans(),
        )
        def act_at_random(self, action, person, with_note, stale):
            """Anything by anyone, with or without a reason, on a fresh or stale version."""
            self._attempt(action, person, NOTE if with_note else "", stale=stale)

        def _attempt(self, action, person, note, *, stale) -> bool:
            """Try one action and check what it did (or that it did nothing); True if accepted."""
            before = self._fresh()
            events_before = DossierEvent.objects.filter(dossier=before).count()
            changes_before = list(DueDateChange.objects.filter(dossier=before).values_list("id", flat=True))
            pure_before = services.dossier_state(before, now=self.now)
            params = {
                "agency_code": other_agency.code,
                "extra_days": 1,
                "successor": before.current_agency,
            }
            if action == "approve":  # the leader attaches and signs the result (refused at resolve)
                params["file_id"] = results[person].pk
            stale = stale and action in ("receive", "assign", "forward")
            version = before.version - 1 if stale else before.version
            actor = people[person]
            try:
                if action == "request_payment" and actor is not None:
                    # Fees go through the payments domain: the invoice is made with the status change.
                    payments.dossier_request_payment(
                        actor=actor, code=before.code, version=version, note=note, now=self.now
                    )
                elif action == "pay" and actor is not None:
                    payments.dossier_pay_at_counter(
                        actor=actor, code=before.code, version=version, receipt_number="BL-0001", now=self.now
                    )
                else:
                    # (`pay` by the system without a paid invoice is refused here: nothing may change.)
                    services.dossier_act(
                        actor=actor,
                        code=before.code,
                        action=action,
                        version=version,
                        note=note,
                        params=params,
                        now=self.now,
                    )
            except DomainError as error:
                after = self._fresh()
                if stale and not isinstance(error, NotFound):
                    # The version is checked right after visibility: before role, note and guard.
                    assert isinstance(error, StaleVersion)
                assert after.version == before.version, f"refused {action} changed the version"
                assert DossierEvent.objects.filter(dossier=after).count() == events_before
                assert (after.status, after.due_at, after.clock) == (before.status, before.due_at, before.clock)
                assert list(DueDateChange.objects.filter(dossier=after).values_list("id", flat=True)) == changes_before
                return False
            assert not stale, "a stale version must never be accepted"
            after = self._fresh()
            assert after.version == before.version + 1
            assert DossierEvent.objects.filter(dossier=after).count() == events_before + 1
            last = DossierEvent.objects.filter(dossier=after).order_by("-seq").first()
            assert (last.action, last.from_status, last.to_status) == (action, before.status, after.status)
            if action == "approve":  # the leader signed the result, and the log says so
                assert last.data["signed_documents"] and person == "leader"
            if action in ("resolve", "return_result"):
                results_signed = set(after.documents.filter(kind=DossierDocument.Kind.RESULT).values_list("signed"))
                assert results_signed == {(True,)}
            if action == "pay":  # never without a paid invoice
                assert last.data["invoice"]["reference"] and after.invoices.filter(state="success").exists()
            if action == "request_payment":
                assert after.invoices.filter(state="created").count() == 1
            # The database went where the pure table says.
            user = people[person]
            roles = services.dossier_roles_of(user, before) if user else {Role.SYSTEM}
            expected = decide(pure_before, action, roles).after
            accepted[action] += 1
            assert (after.status, after.clock, after.step_index, after.approved, after.transferred_out) == (
                expected.status,
                expected.clock,
                expected.step,
                expected.approved,
                expected.transferred_out,
            )
            # While the clock stands still, so does the due date.
            if before.clock == Clock.PAUSED and after.clock == Clock.PAUSED:
                assert after.due_at == before.due_at, f"{action} moved the due date during a pause"
            # The due date moves only by a resume after a pause or by an extension.
            new_changes = list(DueDateChange.objects.filter(dossier=after).exclude(id__in=changes_before))
            assert len(new_changes) <= 1
            if action == "receive":
                assert before.due_at is None and after.due_at is not None
                assert after.original_due_at == after.due_at
                assert new_changes == []
            elif new_changes:
                (change,) = new_changes
                assert (change.previous_due_at, change.new_due_at) == (before.due_at, after.due_at)
                assert after.due_at > before.due_at
                if change.reason == DueDateChange.Reason.PAUSE:
                    assert before.clock == Clock.PAUSED and after.clock == Clock.RUNNING
                    assert action in ("supplement", "pay")
                else:
                    assert (change.reason, action) == (DueDateChange.Reason.EXTENSION, "extend")
            else:
                assert after.due_at == before.due_at, f"{action} moved the due date without a record"
                assert action != "extend"
            return True

        @invariant()
        def log_and_row_agree(self):
            dossier = self._fresh()
            assert 1 <= dossier.status <= 10
            if dossier.status == Status.SUPPLEMENT_REQUESTED or dossier.clock == Clock.PAUSED:
                assert dossier.clock != Clock.RUNNING
                assert dossier.paused_at is not None or dossier.clock == Clock.NOT_STARTED
            assert -1 <= dossier.step_index <= dossier.step_count - 1
            # One event per version: submission is version 1 and event #1.
            assert DossierEvent.objects.filter(dossier=dossier).count() == dossier.version
            assert list(verify_dossier_logs(dossier_codes=[dossier.code])) == []

    run_state_machine_as_test(
        ServicesMachine,
        settings=settings(
            max_examples=30,  # ~5 s: enough walks to meet every action (checked below)
            stateful_step_count=15,
            deadline=None,
            derandomize=True,  # the same walks on every run and in CI
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The walks really went somewhere (a machine that only met refusals would prove nothing), and
    # the due-date rules were exercised: resumes after a pause and extensions were accepted.
    assert sum(accepted.values()) >= 60, accepted
    assert {"receive", "assign", "forward", "approve", "resolve"} <= set(accepted), accepted
    assert accepted["supplement"] + accepted["pay"] >= 1 and accepted["extend"] >= 1, accepted
    # The fee was asked for through the payments domain (test_services.py pays one at the counter).
    assert accepted["request_payment"] >= 1 and accepted["stop"] >= 1, accepted
