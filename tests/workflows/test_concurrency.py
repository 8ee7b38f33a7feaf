"""Decisions, withdrawals and the hourly job racing each other, on PostgreSQL with real threads.

Each round starts a fresh submission, then releases two (or three) threads through a barrier so
that their calls hit the database together; each thread has its own connection. The row locks
of the review services (the submission, then the step run, in that order everywhere) must make
exactly one officer win a single-approver step, let two committee members both count, and never
deadlock an officer, the author and the job. SQLite ignores `select_for_update`, so these tests
only run on PostgreSQL.

The audit trail's append-only trigger is checked here too, for the same reason.
"""

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from wagtail.models import TaskState

from cooperatives.enums import Role
from cooperatives.models import Region
from cooperatives.services import role_grant_create
from forms.enums import SubmissionStatus
from loans.models import Loan
from tests.factories import UserFactory
from tests.workflows.builders import approval_step, loan_application, loan_form, workflow
from workflows.enums import Action, Approver, Event
from workflows.models import ApprovalTaskState, AuditRecord, Decision
from workflows.services import (
    AlreadyDecided,
    NotAnApprover,
    ReviewError,
    reviews_remind_and_escalate,
    submission_withdraw,
    task_decide,
)

ROUNDS = 12
REASON = "Berkas jaminan belum lengkap."
AUDIT_TABLE = AuditRecord._meta.db_table
TRUNCATE_TRIGGER = "kopdes_audit_no_truncate"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite ignores select_for_update and has no audit trigger",
)


def threaded(test: Callable[..., None]) -> Callable[..., None]:
    """PostgreSQL only, and no wrapping test transaction: the threads must see each other's
    commits; the flush after each empties the page tree, which `page_tree` rebuilds."""
    test = pytest.mark.usefixtures("page_tree")(test)
    test = pytest.mark.django_db(transaction=True)(test)
    return on_postgresql(test)


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None


def race(*calls: Callable[[], Any]) -> list[Outcome]:
    """Run each call in its own thread (its own database connection), all released at once."""
    barrier = threading.Barrier(len(calls), timeout=30)
    outcomes = [Outcome() for _ in calls]

    def run(call: Callable[[], Any], outcome: Outcome) -> None:
        try:
            barrier.wait()
            outcome.value = call()
        except BaseException as error:  # reported to the test thread
            outcome.error = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(call, outcome))
        for call, outcome in zip(calls, outcomes, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a decision never returned (deadlock?)"
    for outcome in outcomes:
        assert not isinstance(outcome.error, threading.BrokenBarrierError), outcome.error
    return outcomes


def deciding(step: ApprovalTaskState, user: Any, action: str = Action.APPROVE) -> Callable[[], Any]:
    comment = "" if action == Action.APPROVE else REASON
    return lambda: task_decide(task_state_id=step.pk, by=user, action=action, comment=comment)


def open_step(submission: Any) -> ApprovalTaskState:
    return ApprovalTaskState.objects.get(submission=submission, status=TaskState.STATUS_IN_PROGRESS)


def audit_count(submission: Any, event: str, task: Any = None) -> int:
    rows = AuditRecord.objects.filter(submission=submission, event=event)
    return rows.filter(task=task).count() if task is not None else rows.count()


def succeeded(outcomes: list[Outcome]) -> list[Outcome]:
    return [outcome for outcome in outcomes if outcome.error is None]


def failed(outcomes: list[Outcome]) -> list[BaseException]:
    return [outcome.error for outcome in outcomes if outcome.error is not None]


@pytest.fixture
def dewi(world: Any) -> Any:
    """A second district officer of Tenggarong Seberang, beside dave."""
    user = UserFactory(username="dewi")
    role_grant_create(
        user=user, role=Role.DISTRICT_OFFICER, region=Region.objects.get(code="64.02.16")
    )
    return user


@pytest.fixture
def committee(world: Any) -> Group:
    group = Group.objects.create(name="Komite Pinjaman")
    group.user_set.add(world.dave, world.erin, world.frank)
    return group


@pytest.mark.parametrize(
    ("which", "actions"),
    [
        ("first", (Action.APPROVE, Action.APPROVE)),
        ("last", (Action.APPROVE, Action.APPROVE)),
        ("first", (Action.APPROVE, Action.REJECT)),
        ("last", (Action.REQUEST_CHANGES, Action.APPROVE)),
    ],
)
@threaded
def test_two_officers_deciding_one_step_at_once_record_exactly_one_decision(
    world, dewi, which, actions
):
    kecamatan = approval_step("Tinjauan kecamatan", Approver.DISTRICT_OFFICER)
    steps = [kecamatan, approval_step("Verifikasi pengawas")] if which == "first" else [kecamatan]
    form = loan_form(workflow(f"Kecamatan ({which})", *steps))
    officers = (world.dave, dewi)
    for round_ in range(ROUNDS):
        sent = loan_application(form, world, 20_000_000)
        step = open_step(sent)
        outcomes = race(*(deciding(step, o, a) for o, a in zip(officers, actions, strict=True)))

        assert len(succeeded(outcomes)) == 1, (round_, outcomes)
        [error] = failed(outcomes)
        assert isinstance(error, AlreadyDecided), (round_, error)
        assert error.code == "already_decided"
        winner = officers[outcomes.index(succeeded(outcomes)[0])]
        won_with = actions[officers.index(winner)]
        [decision] = Decision.objects.filter(task_state=step)
        assert (decision.user, decision.action) == (winner, won_with)

        sent.refresh_from_db()
        step.refresh_from_db()
        # The audit trail tells one story: the winner's, once.
        assert audit_count(sent, Event.APPROVED, kecamatan) == (won_with == Action.APPROVE)
        assert audit_count(sent, Event.STEP_APPROVED, kecamatan) == (won_with == Action.APPROVE)
        assert audit_count(sent, Event.REJECTED) == (won_with == Action.REJECT)
        assert audit_count(sent, Event.CHANGES_REQUESTED) == (won_with == Action.REQUEST_CHANGES)
        assert audit_count(sent, Event.STEP_STARTED, kecamatan) == 1
        if won_with == Action.APPROVE and which == "first":
            # The workflow moved on exactly once: one run of the next step, started once.
            assert step.status == TaskState.STATUS_APPROVED
            assert sent.status == SubmissionStatus.IN_REVIEW
            assert ApprovalTaskState.objects.filter(submission=sent, task=steps[1]).count() == 1
            assert audit_count(sent, Event.STEP_STARTED, steps[1]) == 1
            assert open_step(sent).task_id == steps[1].pk
        elif won_with == Action.APPROVE:
            assert sent.status == SubmissionStatus.APPROVED
            assert audit_count(sent, Event.FINAL_APPROVED) == 1
            assert Loan.objects.filter(application=sent).count() == 1
        elif won_with == Action.REJECT:
            assert sent.status == SubmissionStatus.REJECTED
            assert step.status == TaskState.STATUS_REJECTED
            assert ApprovalTaskState.objects.filter(submission=sent).count() == 1
        else:
            assert sent.status == SubmissionStatus.CHANGES_REQUESTED
            assert step.status == TaskState.STATUS_REJECTED
            assert not Loan.objects.filter(application=sent).exists()
        assert (
            sent.audit.filter(to_status=sent.status).exclude(from_status=sent.status).count() == 1
        )


@pytest.mark.parametrize("deciders", [2, 3])
@threaded
def test_committee_members_approving_at_once_all_count_and_the_step_completes_once(
    world, committee, deciders
):
    komite = approval_step(
        "Komite pinjaman", Approver.GROUP, groups=[committee], required_approvals=2
    )
    pengawas = approval_step("Verifikasi pengawas")
    form = loan_form(workflow("Komite lalu pengawas", komite, pengawas))
    members = (world.dave, world.erin, world.frank)[:deciders]
    for round_ in range(ROUNDS):
        sent = loan_application(form, world, 75_000_000)
        step = open_step(sent)
        outcomes = race(*(deciding(step, member) for member in members))

        # Two approvals are needed: both count; a third member finds the step decided.
        assert len(succeeded(outcomes)) == 2, (round_, outcomes)
        assert all(isinstance(error, AlreadyDecided) for error in failed(outcomes)), outcomes
        assert Decision.objects.filter(task_state=step, action=Action.APPROVE).count() == 2
        assert audit_count(sent, Event.APPROVED, komite) == 2
        assert audit_count(sent, Event.STEP_APPROVED, komite) == 1
        step.refresh_from_db()
        assert step.status == TaskState.STATUS_APPROVED
        assert ApprovalTaskState.objects.filter(submission=sent, task=pengawas).count() == 1
        assert audit_count(sent, Event.STEP_STARTED, pengawas) == 1
        assert open_step(sent).task_id == pengawas.pk


@pytest.mark.parametrize("required", [1, 2])
@threaded
def test_a_double_click_records_one_decision(world, committee, required):
    komite = approval_step(
        "Komite pinjaman", Approver.GROUP, groups=[committee], required_approvals=required
    )
    form = loan_form(workflow(f"Komite {required}", komite))
    for round_ in range(ROUNDS):
        sent = loan_application(form, world, 75_000_000)
        step = open_step(sent)
        outcomes = race(deciding(step, world.erin), deciding(step, world.erin))

        assert len(succeeded(outcomes)) == 1, (round_, outcomes)
        [error] = failed(outcomes)
        # Alone, erin's approval closes the step (already decided); on a committee of two she
        # has already filled her slot (not hers to decide again).
        assert isinstance(error, AlreadyDecided if required == 1 else NotAnApprover), error
        assert Decision.objects.filter(task_state=step).count() == 1
        assert audit_count(sent, Event.APPROVED) == 1
        sent.refresh_from_db()
        expected = SubmissionStatus.APPROVED if required == 1 else SubmissionStatus.IN_REVIEW
        assert sent.status == expected
        assert Loan.objects.filter(application=sent).count() == (required == 1)


@threaded
def test_two_officers_deciding_through_the_api_at_once_get_one_200_and_one_409(world, dewi):
    kecamatan = approval_step("Tinjauan kecamatan", Approver.DISTRICT_OFFICER)
    form = loan_form(workflow("Kecamatan (API)", kecamatan, approval_step("Verifikasi pengawas")))

    def posting(step: ApprovalTaskState, user: Any) -> Callable[[], Any]:
        def post() -> Any:
            client = APIClient()
            client.force_authenticate(user)
            url = reverse("api-task-decide", args=[step.pk])
            return client.post(url, {"action": Action.APPROVE, "comment": ""}, format="json")

        return post

    for round_ in range(ROUNDS):
        sent = loan_application(form, world, 20_000_000)
        step = open_step(sent)
        outcomes = race(posting(step, world.dave), posting(step, dewi))

        assert not failed(outcomes), outcomes
        codes = sorted(outcome.value.status_code for outcome in outcomes)
        assert codes == [200, 409], (round_, [o.value.content for o in outcomes])
        assert Decision.objects.filter(task_state=step).count() == 1
        assert audit_count(sent, Event.APPROVED) == 1
        assert audit_count(sent, Event.STEP_APPROVED) == 1
        assert ApprovalTaskState.objects.filter(submission=sent).count() == 2


@on_postgresql
@pytest.mark.django_db
def test_the_database_refuses_to_rewrite_or_erase_the_audit_trail(world):
    form = loan_form(workflow("Pengawas", approval_step("Verifikasi pengawas")))
    sent = loan_application(form, world, 20_000_000)
    before = list(sent.audit.values_list("pk", "event", "comment"))
    assert before
    with connection.cursor() as cursor:
        # The test database switches the TRUNCATE guard off for Django's flush (tests/conftest.py);
        # make sure it
        # is on here (the change is rolled back with this test's transaction). Checking the
        # deferred foreign keys first leaves no pending trigger events to block ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER {TRUNCATE_TRIGGER}")
        for statement, params in (
            ("UPDATE kopdes_workflows_auditrecord SET comment = 'x'", None),
            ("DELETE FROM kopdes_workflows_auditrecord", None),
            ("DELETE FROM kopdes_workflows_auditrecord WHERE id = %s", [before[0][0]]),
            ("TRUNCATE kopdes_workflows_auditrecord CASCADE", None),
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(statement, params)
    assert list(sent.audit.values_list("pk", "event", "comment")) == before


@threaded
def test_the_author_withdrawing_while_an_officer_approves_ends_one_way_only(world):
    form = loan_form(
        workflow("Kecamatan", approval_step("Tinjauan kecamatan", Approver.DISTRICT_OFFICER))
    )
    for round_ in range(ROUNDS):
        sent = loan_application(form, world, 20_000_000)
        step = open_step(sent)
        outcomes = race(
            deciding(step, world.dave),
            partial(submission_withdraw, submission=sent, by=world.alice),
        )

        # Either the approval came first (the withdrawal is refused: already decided for good)
        # or the withdrawal did (the step was cancelled under the officer's feet). Never both,
        # never a database error.
        assert len(succeeded(outcomes)) == 1, (round_, outcomes)
        [error] = failed(outcomes)
        sent.refresh_from_db()
        if outcomes[0].error is None:
            assert isinstance(error, ReviewError) and error.code == "not_withdrawable", error
            assert sent.status == SubmissionStatus.APPROVED
            assert Loan.objects.filter(application=sent).count() == 1
            assert audit_count(sent, Event.WITHDRAWN) == 0
        else:
            assert isinstance(error, AlreadyDecided), error
            assert sent.status == SubmissionStatus.WITHDRAWN
            assert not Decision.objects.filter(task_state=step).exists()
            assert not Loan.objects.filter(application=sent).exists()
            assert audit_count(sent, Event.APPROVED) == 0


@pytest.mark.parametrize("other", ["officer approves", "author withdraws"])
@threaded
def test_the_hourly_job_escalating_while_someone_acts_on_the_step_never_deadlocks(world, other):
    form = loan_form(workflow("Pengawas", approval_step("Verifikasi pengawas", due_hours=1)))
    later = timezone.now() + datetime.timedelta(days=30)
    for round_ in range(ROUNDS):
        sent = loan_application(form, world, 20_000_000)
        step = open_step(sent)
        if other == "officer approves":
            acting = deciding(step, world.bob)
        else:
            acting = partial(submission_withdraw, submission=sent, by=world.alice)
        outcomes = race(acting, partial(reviews_remind_and_escalate, now=later))

        # The job comes first (the step is passed up, then closed) or second (it finds the step
        # closed and leaves it alone); never a database error.
        assert not failed(outcomes), (round_, outcomes)
        counts = outcomes[1].value
        assert counts["escalated"] == counts["reminded"] == audit_count(sent, Event.ESCALATED)
        sent.refresh_from_db()
        step.refresh_from_db()
        assert step.status != TaskState.STATUS_IN_PROGRESS
        if other == "officer approves":
            assert Decision.objects.filter(task_state=step).count() == 1
            assert sent.status == SubmissionStatus.APPROVED
        else:
            assert sent.status == SubmissionStatus.WITHDRAWN
