"""The parts of the review engine Wagtail calls back into: starting a step (skipped when its
condition is false, given a due date, announced to its approvers) and finishing a workflow.

Everything here runs inside the transaction of the service that moved the workflow on.
"""

import datetime
import itertools
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.models import TaskState, WorkflowState

from cooperatives.models import RoleGrant
from cooperatives.scoping import grants_covering, visible_cooperatives
from forms.models import Submission

from .enums import ESCALATION_LADDER, Approver, Event, NotificationKind
from .models import ApprovalTask, ApprovalTaskState, AuditRecord, Notification

# Who is asked next when an overdue step is passed up. Steps outside the ladder (loan officer,
# a named group) pass up to the district officer, then climb the ladder.
NEXT_UP: dict[str, str] = {
    Approver.PENGAWAS: Approver.DISTRICT_OFFICER,
    Approver.LOAN_OFFICER: Approver.DISTRICT_OFFICER,
    Approver.GROUP: Approver.DISTRICT_OFFICER,
    Approver.DISTRICT_OFFICER: Approver.REGENCY_OFFICER,
    Approver.REGENCY_OFFICER: Approver.PROVINCE_OFFICER,
}
assert all(NEXT_UP[a] == b for a, b in itertools.pairwise(ESCALATION_LADDER))


def approver_chain(approver: str, escalation_level: int) -> list[str]:
    """The approver kinds that may decide a step at an escalation level: its own, then one more
    level up per escalation."""
    chain = [approver]
    while len(chain) <= escalation_level and chain[-1] in NEXT_UP:
        chain.append(NEXT_UP[chain[-1]])
    return chain


def can_escalate(approver: str, escalation_level: int) -> bool:
    return approver_chain(approver, escalation_level)[-1] in NEXT_UP


def submission_editors(submission: Submission) -> set[int]:
    """Everyone who created or edited the submission: none of them may decide on it."""
    editors = {submission.author_id}
    editors.update(
        user_id for user_id in submission.revisions.values_list("user_id", flat=True) if user_id
    )
    return editors


def eligible_approvers(task_state: ApprovalTaskState) -> QuerySet[Any]:
    """The active users who may decide this step run now, authors and those who already
    decided it excluded."""
    task: ApprovalTask = task_state.task.specific
    cooperative = task_state.cooperative
    condition = Q(pk__in=[])
    for approver in approver_chain(task.approver, task_state.escalation_level):
        if approver == Approver.GROUP:
            members = get_user_model().objects.filter(groups__in=task.groups.all())
            visible = [
                user.pk
                for user in members
                if visible_cooperatives(user).filter(pk=cooperative.pk).exists()
            ]
            condition |= Q(pk__in=visible)
        else:
            holders = RoleGrant.objects.filter(grants_covering(cooperative), role=approver)
            condition |= Q(pk__in=holders.values("user_id"))
    decided = task_state.decisions.values("user_id")
    return (
        get_user_model()
        .objects.filter(condition, is_active=True)
        .exclude(pk__in=submission_editors(task_state.submission))
        .exclude(pk__in=decided)
        .distinct()
    )


def audit(
    *,
    submission: Submission,
    event: str,
    from_status: str,
    to_status: str,
    actor: Any = None,
    task: ApprovalTask | None = None,
    comment: str = "",
) -> AuditRecord:
    return AuditRecord.objects.create(
        submission=submission,
        event=event,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        task=task,
        step_name=task.name if task else "",
        comment=comment,
    )


def notify(
    *,
    recipients: Iterable[Any],
    submission: Submission,
    kind: str,
    task_state: ApprovalTaskState | None = None,
    comment: str = "",
    actor: Any = None,
) -> list[Notification]:
    """In-app notifications now; their e-mails from django-q2 once the transaction commits, so a
    slow mail server never holds up a decision and a rolled-back decision sends nothing."""
    created = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            submission=submission,
            kind=kind,
            task_state=task_state,
            comment=comment,
            actor=actor if getattr(actor, "pk", None) else None,
        )
        for user in recipients
    )
    # SQLite and PostgreSQL both give bulk_create's rows their primary keys.
    ids = [notification.pk for notification in created]

    def queue() -> None:
        from django_q.tasks import async_task

        for notification_id in ids:
            async_task("workflows.tasks.notification_email", notification_id)

    transaction.on_commit(queue)
    return created


def _submission_of(workflow_state: WorkflowState) -> Submission:
    return Submission.objects.get(pk=workflow_state.object_id)


def approval_step_start(
    *, task: ApprovalTask, workflow_state: WorkflowState, user: Any = None
) -> ApprovalTaskState:
    """Start one step run: skipped (and recorded so) when its condition is false on the
    submission's answers, otherwise due in `due_hours` and announced to its approvers."""
    from forms.expressions import compile_expression
    from forms.services import schema_for_revision, typed_answers

    submission = _submission_of(workflow_state)
    now = timezone.now()
    task_state = ApprovalTaskState(
        workflow_state=workflow_state,
        revision=submission.get_latest_revision(),
        task=task,
        submission=submission,
        cooperative_id=submission.cooperative_id,
        status=TaskState.STATUS_IN_PROGRESS,
        due_at=now + datetime.timedelta(hours=task.due_hours),
    )
    applies = True
    if task.condition.strip():
        answers = schema_for_revision(submission.revision_id).calculate(typed_answers(submission))
        applies = bool(compile_expression(task.condition).evaluate(answers))
    if not applies:
        task_state.status = TaskState.STATUS_SKIPPED
        task_state.finished_at = now
        task_state.due_at = None
        task_state.save()
        audit(
            submission=submission,
            event=Event.STEP_SKIPPED,
            from_status=submission.status,
            to_status=submission.status,
            task=task,
            comment=task.condition,
        )
        return task_state
    task_state.save()
    audit(
        submission=submission,
        event=Event.STEP_STARTED,
        from_status=submission.status,
        to_status=submission.status,
        task=task,
    )
    notify(
        recipients=eligible_approvers(task_state),
        submission=submission,
        kind=NotificationKind.TASK_ASSIGNED,
        task_state=task_state,
        actor=submission.author,
    )
    return task_state
