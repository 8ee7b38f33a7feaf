"""Random sequences of (who, what) against the loan workflow, checked against a small model.

The workflow: pengawas (bob) → loan officer (henry) → above Rp 50.000.000, two of the committee
(dave, erin, frank). Alice writes the application; carol belongs to another cooperative. Each
example starts a fresh application of a random amount, then hypothesis lets the seven of them
approve, reject, request changes, withdraw and resubmit (edit the amount and send again) in any
order, and checks after every call:

- a refused call changed nothing and raised the error the model expects, a successful call did
  exactly what the model expects;
- "one audit row per transition": each call that succeeds appends exactly the rows of its
  transition, in order, and nothing else. A decision appends APPROVED (one per approving vote),
  then STEP_APPROVED when the step has its approvals, then STEP_STARTED or STEP_SKIPPED for each
  step the workflow enters, then FINAL_APPROVED when none is left; CHANGES_REQUESTED and REJECTED
  are one row each; withdrawing is one WITHDRAWN row; resubmitting is one RESUBMITTED row, then
  the rows of re-entering the step that asked for changes. Exactly the rows that change the
  status have from ≠ to, each along an allowed edge, and they chain from the old status to the
  new one;
- only allowed transitions; nobody decides on what they wrote; approved, rejected and withdrawn
  never change again; APPROVED rows = approving decisions; a loan exists iff approved.
"""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from wagtail.models import TaskState, WorkflowState

from forms.enums import SubmissionStatus
from forms.services import SubmissionError, submission_save_step, submission_submit
from loans.models import Loan
from tests.workflows.builders import loan_application
from workflows.enums import Action, Event
from workflows.models import ApprovalTaskState, Decision, Notification
from workflows.services import (
    AlreadyDecided,
    NotAnApprover,
    ReviewError,
    submission_withdraw,
    task_decide,
)

S = SubmissionStatus
AUTHOR = "alice"
ACTORS = ("alice", "bob", "henry", "dave", "erin", "frank", "carol")
THRESHOLD = 50_000_000
AMOUNTS = st.sampled_from([10_000_000, THRESHOLD, THRESHOLD + 1, 75_000_000])


@dataclass(frozen=True)
class Step:
    name: str
    deciders: frozenset[str]
    needed: int
    applies: Any = lambda amount: True


# The loan workflow of tests/workflows/builders.py: who may decide, how many must approve, and
# when the step applies at all.
STEPS = (
    Step("Verifikasi pengawas", frozenset({"bob"}), 1),
    Step("Persetujuan petugas pinjaman", frozenset({"henry"}), 1),
    Step("Komite pinjaman", frozenset({"dave", "erin", "frank"}), 2, lambda a: a > THRESHOLD),
)
APPROVERS = frozenset().union(*(step.deciders for step in STEPS))
FINAL = frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN})
# Every status change an audit row may record (the first submission's DRAFT → IN_REVIEW too).
ALLOWED_EDGES = {
    (S.DRAFT, S.IN_REVIEW),
    (S.IN_REVIEW, S.CHANGES_REQUESTED),
    (S.IN_REVIEW, S.REJECTED),
    (S.IN_REVIEW, S.APPROVED),
    (S.IN_REVIEW, S.WITHDRAWN),
    (S.CHANGES_REQUESTED, S.IN_REVIEW),
    (S.CHANGES_REQUESTED, S.WITHDRAWN),
}
STATUS_EVENTS = {
    Event.SUBMITTED,
    Event.RESUBMITTED,
    Event.CHANGES_REQUESTED,
    Event.REJECTED,
    Event.WITHDRAWN,
    Event.FINAL_APPROVED,
}
WORKFLOW_STATUS = {
    S.IN_REVIEW: WorkflowState.STATUS_IN_PROGRESS,
    S.CHANGES_REQUESTED: WorkflowState.STATUS_NEEDS_CHANGES,
    S.APPROVED: WorkflowState.STATUS_APPROVED,
    S.REJECTED: WorkflowState.STATUS_CANCELLED,
    S.WITHDRAWN: WorkflowState.STATUS_CANCELLED,
}


@dataclass
class Model:
    """What the engine should do: the status, the step the review is at (or paused on), who
    voted on that step's current run, and the audit events each call should append."""

    amount: int
    status: str = S.IN_REVIEW
    step: int = 0
    voters: set[str] = field(default_factory=set)
    runs: int = 0  # step runs created (skipped ones included)
    closed_runs: int = 0
    events: list[str] = field(default_factory=list)

    def enter(self, index: int) -> None:
        """The workflow moves to step `index`: started, or skipped and on to the next one, or
        finished when no step is left."""
        while index < len(STEPS):
            self.runs += 1
            if STEPS[index].applies(self.amount):
                self.events.append(Event.STEP_STARTED)
                self.step, self.voters = index, set()
                return
            self.events.append(Event.STEP_SKIPPED)
            self.closed_runs += 1
            index += 1
        self.events.append(Event.FINAL_APPROVED)
        self.status = S.APPROVED

    def decide(self, actor: str, action: str, comment: str) -> type[Exception] | None:
        if self.status != S.IN_REVIEW:
            return AlreadyDecided
        step = STEPS[self.step]
        if actor == AUTHOR or actor in self.voters or actor not in step.deciders:
            return NotAnApprover
        if action != Action.APPROVE and not comment.strip():
            return ReviewError
        if action == Action.APPROVE:
            self.voters.add(actor)
            self.events.append(Event.APPROVED)
            if len(self.voters) >= step.needed:
                self.events.append(Event.STEP_APPROVED)
                self.closed_runs += 1
                self.enter(self.step + 1)
        elif action == Action.REQUEST_CHANGES:
            self.events.append(Event.CHANGES_REQUESTED)
            self.closed_runs += 1
            self.status = S.CHANGES_REQUESTED
        else:
            self.events.append(Event.REJECTED)
            self.closed_runs += 1
            self.status = S.REJECTED
        return None

    def withdraw(self, actor: str) -> type[Exception] | None:
        if actor != AUTHOR:
            return PermissionDenied
        if self.status not in (S.IN_REVIEW, S.CHANGES_REQUESTED):
            return ReviewError
        if self.status == S.IN_REVIEW:
            self.closed_runs += 1  # the open step run is cancelled
        self.events.append(Event.WITHDRAWN)
        self.status = S.WITHDRAWN
        return None

    def resubmit(self, actor: str, amount: int) -> type[Exception] | None:
        if self.status != S.CHANGES_REQUESTED:
            return SubmissionError
        if actor != AUTHOR:
            return PermissionDenied
        self.amount = amount
        self.status = S.IN_REVIEW
        self.events.append(Event.RESUBMITTED)
        # Back to the step that asked for changes, which may no longer apply to the new amount.
        self.enter(self.step)
        return None


def snapshot(submission: Any) -> tuple[Any, ...]:
    """Everything a refused call must leave as it was."""
    submission.refresh_from_db()
    return (
        submission.status,
        submission.version,
        submission.data,
        list(submission.audit.values_list("pk", flat=True)),
        list(
            Decision.objects.filter(task_state__submission=submission).values_list(
                "pk", "user_id", "action"
            )
        ),
        list(
            ApprovalTaskState.objects.filter(submission=submission)
            .order_by("pk")
            .values_list("pk", "status")
        ),
        list(
            WorkflowState.objects.filter(object_id=str(submission.pk)).values_list("pk", "status")
        ),
        Notification.objects.filter(submission=submission).count(),
        Loan.objects.filter(application=submission).count(),
    )


@pytest.mark.django_db
def test_random_reviews_keep_the_workflow_invariants(world, form):
    users = world.users
    ids = {name: users[name].pk for name in ACTORS}

    class Review(RuleBasedStateMachine):
        @initialize(amount=AMOUNTS)
        def submit(self, amount: int) -> None:
            self.submission = loan_application(form, world, amount)
            self.model = Model(amount=amount, events=[Event.SUBMITTED])
            self.model.enter(0)
            self.seen_rows = 0
            self.final: tuple[Any, ...] | None = None
            self.check_new_rows(S.DRAFT, AUTHOR)

        # --- calls -------------------------------------------------------------------------

        def attempt(
            self, actor: str, expected: type[Exception] | None, call: Any, before: Any
        ) -> None:
            """Make the call; it must fail exactly as the model expects and change nothing, or
            succeed and append exactly the model's audit rows."""
            if expected is None:
                call()
                self.check_new_rows(before[0], actor)
                return
            with pytest.raises(Exception) as raised:
                call()
            assert type(raised.value) is expected, (expected, raised.value)
            assert snapshot(self.submission) == before, "a refused call changed something"

        def open_or_last_run(self) -> ApprovalTaskState:
            runs = ApprovalTaskState.objects.filter(submission=self.submission).order_by("pk")
            return runs.filter(status=TaskState.STATUS_IN_PROGRESS).first() or runs.last()

        def someone(self, data: Any) -> str:
            """Anyone, or (two times in three) someone the current step still expects, so that
            reviews get deep as well as wide."""
            waiting = STEPS[self.model.step].deciders - self.model.voters
            expected = st.sampled_from(sorted(waiting) or ACTORS)
            return data.draw(st.one_of(expected, expected, st.sampled_from(ACTORS)))

        def decide(self, actor: str, action: str, comment: str) -> None:
            before = snapshot(self.submission)
            step_run = self.open_or_last_run()
            expected = self.model.decide(actor, action, comment)
            self.attempt(
                actor,
                expected,
                lambda: task_decide(
                    task_state_id=step_run.pk, by=users[actor], action=action, comment=comment
                ),
                before,
            )

        @rule(data=st.data())
        def approve(self, data: Any) -> None:
            self.decide(self.someone(data), Action.APPROVE, "")

        @rule(
            data=st.data(),
            action=st.sampled_from([Action.REQUEST_CHANGES, Action.REJECT]),
            reason=st.sampled_from(["Mohon lengkapi jaminan.", "Tenor terlalu panjang.", "", "  "]),
        )
        def send_back_or_reject(self, data: Any, action: str, reason: str) -> None:
            self.decide(self.someone(data), action, reason)

        @precondition(lambda self: self.model.closed_runs > 0)
        @rule(data=st.data(), action=st.sampled_from(Action.values))
        def decide_a_closed_step(self, data: Any, action: str) -> None:
            """A decision on a step run that is over (approved, skipped, sent back, rejected,
            cancelled) is always refused, whoever makes it."""
            actor = data.draw(st.sampled_from(ACTORS))
            closed = ApprovalTaskState.objects.filter(submission=self.submission).exclude(
                status=TaskState.STATUS_IN_PROGRESS
            )
            step_run = data.draw(st.sampled_from(list(closed.order_by("pk"))))
            before = snapshot(self.submission)
            self.attempt(
                actor,
                AlreadyDecided,
                lambda: task_decide(
                    task_state_id=step_run.pk, by=users[actor], action=action, comment="Alasan."
                ),
                before,
            )

        @rule(data=st.data())
        def withdraw(self, data: Any) -> None:
            actor = data.draw(st.sampled_from(ACTORS))
            before = snapshot(self.submission)
            expected = self.model.withdraw(actor)
            self.attempt(
                actor,
                expected,
                lambda: submission_withdraw(submission=self.submission, by=users[actor]),
                before,
            )

        @rule(data=st.data(), amount=AMOUNTS)
        def resubmit(self, data: Any, amount: int) -> None:
            actor = data.draw(st.one_of(st.just(AUTHOR), st.sampled_from(ACTORS)))
            before = snapshot(self.submission)
            expected = self.model.resubmit(actor, amount)

            def edit_and_send() -> None:
                submission_save_step(
                    submission=self.submission, by=users[actor], step=0, answers={"jumlah": amount}
                )
                submission_submit(submission=self.submission, by=users[actor])

            self.attempt(actor, expected, edit_and_send, before)

        # --- checks ------------------------------------------------------------------------

        def check_new_rows(self, status_before: str, actor: str) -> None:
            """The rows this call appended are exactly the model's, chained along allowed
            edges from the status before to the status after, each by whoever made the call
            (the workflow's own steps by nobody; the final approval by an approver)."""
            rows = list(self.submission.audit.order_by("pk"))
            new = rows[self.seen_rows :]
            assert [row.event for row in new] == self.model.events, (
                [row.event for row in new],
                self.model.events,
            )
            status = status_before
            for row in new:
                assert row.from_status == status, (row.event, row.from_status, status)
                changes = row.from_status != row.to_status
                assert changes == (row.event in STATUS_EVENTS), row.event
                if changes:
                    assert (row.from_status, row.to_status) in ALLOWED_EDGES, row
                status = row.to_status
                if row.event in (Event.STEP_STARTED, Event.STEP_SKIPPED):
                    assert row.actor_id is None, row.event
                elif row.event == Event.FINAL_APPROVED:
                    assert row.actor_id in {ids[name] for name in APPROVERS}, row.actor_id
                else:
                    assert row.actor_id == ids[actor], (row.event, row.actor_id, actor)
            assert status == self.model.status
            self.seen_rows = len(rows)
            self.model.events = []

        @invariant()
        def status_is_the_models(self) -> None:
            self.submission.refresh_from_db()
            assert self.submission.status in S.values
            assert self.submission.status == self.model.status
            state = WorkflowState.objects.get(object_id=str(self.submission.pk))
            assert state.status == WORKFLOW_STATUS[self.model.status]

        @invariant()
        def step_runs_are_the_models(self) -> None:
            runs = ApprovalTaskState.objects.filter(submission=self.submission)
            open_runs = runs.filter(status=TaskState.STATUS_IN_PROGRESS)
            assert runs.count() == self.model.runs
            assert runs.count() - open_runs.count() == self.model.closed_runs
            assert open_runs.count() == (self.model.status == S.IN_REVIEW)
            if self.model.status == S.IN_REVIEW:
                deciders = STEPS[self.model.step].deciders
                voted = open_runs.get().decisions.values_list("user_id", flat=True)
                assert (
                    set(voted)
                    == {ids[name] for name in self.model.voters}
                    <= {ids[name] for name in deciders}
                )

        @invariant()
        def nobody_decides_on_their_own_submission(self) -> None:
            decisions = Decision.objects.filter(task_state__submission=self.submission)
            assert not decisions.filter(user_id=ids[AUTHOR]).exists()
            for step in STEPS:
                deciding = decisions.filter(task_state__task__name=step.name)
                assert set(deciding.values_list("user_id", flat=True)) <= {
                    ids[name] for name in step.deciders
                }
            # A decision on the author's behalf would be as bad as one by the author.
            assert not self.submission.audit.filter(
                actor_id=ids[AUTHOR],
                event__in=[Event.APPROVED, Event.STEP_APPROVED, Event.FINAL_APPROVED],
            ).exists()

        @invariant()
        def one_approved_row_per_approving_decision(self) -> None:
            approvals = Decision.objects.filter(
                task_state__submission=self.submission, action=Action.APPROVE
            )
            assert self.submission.audit.filter(event=Event.APPROVED).count() == approvals.count()

        @invariant()
        def a_loan_exists_iff_approved(self) -> None:
            loans = Loan.objects.filter(application=self.submission)
            assert loans.count() == (self.model.status == S.APPROVED)
            if loans.exists():
                assert loans.get().principal == self.model.amount
                assert loans.get().approved_by_id != ids[AUTHOR]

        @invariant()
        def final_states_never_change(self) -> None:
            if self.model.status not in FINAL:
                return
            now = snapshot(self.submission)
            if self.final is None:
                self.final = now
            assert now == self.final

    run_state_machine_as_test(
        Review,
        settings=settings(
            max_examples=60,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


# The path where the machine found the author recorded as the final approver, pinned down.


def test_a_resubmission_that_skips_the_committee_is_not_approved_by_its_author(world, form):
    sent = loan_application(form, world, 75_000_000)
    for user, action, comment in (
        (world.bob, Action.APPROVE, ""),
        (world.henry, Action.APPROVE, ""),
        (world.dave, Action.APPROVE, ""),
        (world.erin, Action.REQUEST_CHANGES, "Turunkan jumlahnya."),
    ):
        step = ApprovalTaskState.objects.get(submission=sent, status=TaskState.STATUS_IN_PROGRESS)
        task_decide(task_state_id=step.pk, by=user, action=action, comment=comment)
    seen = sent.audit.count()
    submission_save_step(submission=sent, by=world.alice, step=0, answers={"jumlah": 20_000_000})
    submission_submit(submission=sent, by=world.alice)

    sent.refresh_from_db()
    assert sent.status == S.APPROVED
    rows = list(sent.audit.order_by("pk"))[seen:]
    assert [row.event for row in rows] == [
        Event.RESUBMITTED,
        Event.STEP_SKIPPED,
        Event.FINAL_APPROVED,
    ]
    assert rows[0].actor == world.alice
    # Henry approved the last step that needed a decision; alice only lowered the amount.
    assert rows[-1].actor == world.henry
    assert Loan.objects.get(application=sent).approved_by == world.henry
