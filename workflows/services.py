"""The only writers of a submission's review: start on submit, decide, withdraw, finish, remind
and escalate. The portal, the API, Wagtail's own action views, imports and jobs all call these,
so four eyes, scope and the audit trail hold on every path.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import TaskState, Workflow, WorkflowState

from forms.enums import SubmissionStatus
from forms.models import Submission

from .engine import (
    approver_chain,
    audit,
    can_escalate,
    eligible_approvers,
    notify,
    submission_editors,
)
from .enums import Action, Event, NotificationKind
from .models import ApprovalTask, ApprovalTaskState, Decision, Notification

# Statuses from which the author may still withdraw: no final decision yet.
WITHDRAWABLE_STATUSES = frozenset(
    {SubmissionStatus.SUBMITTED, SubmissionStatus.IN_REVIEW, SubmissionStatus.CHANGES_REQUESTED}
)
FINAL_STATUSES = frozenset(
    {SubmissionStatus.APPROVED, SubmissionStatus.REJECTED, SubmissionStatus.WITHDRAWN}
)


class ReviewError(ValidationError):
    """The review cannot do what was asked in its current state."""


class AlreadyDecided(ReviewError):
    """Someone else decided this step first (two officers at the same moment)."""


class NotAnApprover(PermissionDenied):
    """The user may not decide this step: not holding its role in scope, or its author."""


def workflow_of(submission: Submission) -> Workflow | None:
    workflow = submission.form_page.approval_workflow
    return workflow if workflow is not None and workflow.active else None


def _active_state(submission: Submission) -> WorkflowState | None:
    return (
        WorkflowState.objects.active()
        .filter(base_content_type=submission.get_base_content_type(), object_id=str(submission.pk))
        .first()
    )


def _set_status(submission: Submission, status: str) -> None:
    submission.status = status
    submission.version += 1
    submission.save(update_fields=["status", "version", "updated_at"])


def review_start(*, submission: Submission, by: Any, previous_status: str) -> Submission:
    """Called by `submission_submit` inside its transaction once the answers are checked: the
    form's workflow starts (or resumes at the step that asked for changes). Without a workflow
    the submission simply stays submitted."""
    submission.save_revision(user=by, clean=False)
    workflow = workflow_of(submission)
    state = _active_state(submission)
    resuming = state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES
    if workflow is None and not resuming:
        audit(
            submission=submission,
            event=Event.SUBMITTED,
            from_status=previous_status,
            to_status=submission.status,
            actor=by,
        )
        return submission
    _set_status(submission, SubmissionStatus.IN_REVIEW)
    audit(
        submission=submission,
        event=Event.RESUBMITTED if resuming else Event.SUBMITTED,
        from_status=previous_status,
        to_status=SubmissionStatus.IN_REVIEW,
        actor=by,
    )
    if resuming:
        assert state is not None
        state.resume(user=by)
    else:
        assert workflow is not None
        workflow.start(submission, by)
    submission.refresh_from_db()
    return submission


def decision_refusal(task_state: ApprovalTaskState, user: Any) -> str | None:
    """Why `user` may not decide this step run now, or None when they may."""
    if task_state.status != TaskState.STATUS_IN_PROGRESS:
        return _("This step has already been decided.")
    if user.pk in submission_editors(task_state.submission):
        return _("You cannot decide on a submission you created or edited yourself.")
    if task_state.decisions.filter(user=user).exists():
        return _("You have already decided on this step; another person must decide too.")
    if not eligible_approvers(task_state).filter(pk=user.pk).exists():
        return _("This step is not yours to decide.")
    return None


@transaction.atomic
def task_decide(
    *, task_state_id: int, by: Any, action: str, comment: str = ""
) -> ApprovalTaskState:
    """Record one decision on one step run.

    Approve counts towards the step's required approvals (distinct people) and moves the
    workflow on when reached; request changes sends the submission back to its author; reject
    ends the review. Reject and request changes need a comment.

    Raises AlreadyDecided when the step is no longer open, NotAnApprover when `by` may not
    decide it (including its author or editor), ReviewError for a missing reason or an action
    the step does not allow.
    """
    # Lock the submission first, in the same order as withdraw and resubmit (submission, then
    # its step runs): locking the step run first deadlocks against an author withdrawing at the
    # same moment. Its author must not withdraw or edit it halfway through a decision.
    submission_id = ApprovalTaskState.objects.values_list("submission_id", flat=True).get(
        pk=task_state_id
    )
    submission = Submission.objects.select_for_update().get(pk=submission_id)
    # Then the step run: two officers deciding at the same moment must not both see it open;
    # the second waits here and then finds it decided.
    task_state = ApprovalTaskState.objects.select_for_update().get(pk=task_state_id)
    if task_state.status != TaskState.STATUS_IN_PROGRESS:
        raise AlreadyDecided(_("This step has already been decided."), code="already_decided")
    task: ApprovalTask = task_state.task.specific
    refusal = decision_refusal(task_state, by)
    if refusal is not None:
        raise NotAnApprover(refusal)
    if action not in task.allowed_actions():
        raise ReviewError(_("This step does not allow that action."), code="action_not_allowed")
    comment = comment.strip()
    if action in (Action.REJECT, Action.REQUEST_CHANGES) and not comment:
        raise ReviewError(
            {"comment": _("Write the reason, so the cooperative knows what to fix.")},
            code="reason_required",
        )
    try:
        with transaction.atomic():
            Decision.objects.create(task_state=task_state, user=by, action=action, comment=comment)
    except IntegrityError as error:
        raise AlreadyDecided(
            _("You have already decided on this step."), code="already_decided"
        ) from error

    # The decider has dealt with what they were told about this step.
    Notification.objects.filter(recipient=by, task_state=task_state, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    status = submission.status
    if action == Action.APPROVE:
        approvals = task_state.decisions.filter(action=Action.APPROVE).count()
        audit(
            submission=submission,
            event=Event.APPROVED,
            from_status=status,
            to_status=status,
            actor=by,
            task=task,
            comment=comment,
        )
        if approvals >= task.required_approvals:
            audit(
                submission=submission,
                event=Event.STEP_APPROVED,
                from_status=status,
                to_status=status,
                actor=by,
                task=task,
            )
            # Wagtail moves the workflow on: the next step starts (or is skipped) or the
            # workflow finishes and `submission_approve_final` runs, all in this transaction.
            task_state.approve(user=by, comment=comment)
    else:
        final = action == Action.REJECT
        to_status = SubmissionStatus.REJECTED if final else SubmissionStatus.CHANGES_REQUESTED
        _set_status(submission, to_status)
        audit(
            submission=submission,
            event=Event.REJECTED if final else Event.CHANGES_REQUESTED,
            from_status=status,
            to_status=to_status,
            actor=by,
            task=task,
            comment=comment,
        )
        # Wagtail's "reject" means "needs changes" (the author resubmits into this step); a
        # final rejection ends the run instead.
        task_state.reject(user=by, update=not final, comment=comment)
        if final:
            workflow_state = task_state.workflow_state
            workflow_state.status = WorkflowState.STATUS_CANCELLED
            workflow_state.save(update_fields=["status"])
        notify(
            recipients=[submission.author],
            submission=submission,
            kind=NotificationKind.REJECTED if final else NotificationKind.CHANGES_REQUESTED,
            comment=comment,
            actor=by,
        )
    task_state.refresh_from_db()
    return task_state


def submission_approve_final(*, submission: Submission, by: Any) -> Submission:
    """The last step approved: the submission is approved and takes effect (registers the
    cooperative, becomes the month's official figures, creates the loan) in this transaction."""
    from .effects import apply_final_approval

    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.status in FINAL_STATUSES:
        raise AlreadyDecided(_("This submission has already been decided."), code="already_decided")
    if by is not None and by.pk in submission_editors(locked):
        # The author's own resubmission finished the workflow: every step left was skipped
        # (e.g. the amount was lowered below a committee's threshold). The approval is the
        # last approver's who completed a step, never the author's. When no step applied at
        # all, nobody approved it: the system did, by the workflow's own conditions.
        completing = (
            Decision.objects.filter(
                task_state__submission=locked,
                task_state__status=TaskState.STATUS_APPROVED,
                action=Action.APPROVE,
            )
            .select_related("user")
            .order_by("-created_at", "-pk")
            .first()
        )
        by = completing.user if completing is not None else None
    status = locked.status
    _set_status(locked, SubmissionStatus.APPROVED)
    audit(
        submission=locked,
        event=Event.FINAL_APPROVED,
        from_status=status,
        to_status=SubmissionStatus.APPROVED,
        actor=by,
    )
    apply_final_approval(submission=locked, by=by)
    notify(recipients=[locked.author], submission=locked, kind=NotificationKind.APPROVED, actor=by)
    return locked


@transaction.atomic
def submission_withdraw(*, submission: Submission, by: Any, comment: str = "") -> Submission:
    """The author takes a sent submission back before a final decision; it counts no longer
    against the form's period rule. Raises PermissionDenied for anyone else and ReviewError when
    it was already decided."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.author_id != by.pk:
        raise PermissionDenied(_("Only the person who sent this submission may withdraw it."))
    if locked.status not in WITHDRAWABLE_STATUSES:
        raise ReviewError(
            _("This submission is %(status)s and can no longer be withdrawn.")
            % {"status": locked.get_status_display().lower()},
            code="not_withdrawable",
        )
    status = locked.status
    _set_status(locked, SubmissionStatus.WITHDRAWN)
    audit(
        submission=locked,
        event=Event.WITHDRAWN,
        from_status=status,
        to_status=SubmissionStatus.WITHDRAWN,
        actor=by,
        comment=comment.strip(),
    )
    state = _active_state(locked)
    if state is not None:
        state.cancel(user=by)
    return locked


def reviews_remind_and_escalate(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The scheduled job's work: one reminder per overdue step run per `remind_every_hours`
    (however long the worker was down, one catch-up reminder, not one per missed hour), and one
    level up per run once a step is `escalate_after_hours` overdue."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    overdue = ApprovalTaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS, due_at__lt=now
    ).values_list("pk", "submission_id")
    for task_state_id, submission_id in list(overdue):
        with transaction.atomic():
            # The submission first, as task_decide and submission_withdraw lock it: a decision
            # or withdrawal at the same moment then waits instead of deadlocking (the audit and
            # notification rows written here need a share lock on the submission).
            Submission.objects.select_for_update().get(pk=submission_id)
            # Lock: two workers running the schedule at once must not both remind.
            task_state = ApprovalTaskState.objects.select_for_update().get(pk=task_state_id)
            if task_state.status != TaskState.STATUS_IN_PROGRESS:
                continue
            task: ApprovalTask = task_state.task.specific
            assert task_state.due_at is not None
            escalate_at = task_state.due_at + datetime.timedelta(
                hours=task.escalate_after_hours * (task_state.escalation_level + 1)
            )
            if (
                task.escalate_after_hours
                and now >= escalate_at
                and can_escalate(task.approver, task_state.escalation_level)
            ):
                before = set(eligible_approvers(task_state).values_list("pk", flat=True))
                task_state.escalation_level += 1
                task_state.escalated_at = now
                task_state.save(update_fields=["escalation_level", "escalated_at"])
                submission = task_state.submission
                chain = approver_chain(task.approver, task_state.escalation_level)
                audit(
                    submission=submission,
                    event=Event.ESCALATED,
                    from_status=submission.status,
                    to_status=submission.status,
                    task=task,
                    comment=str(chain[-1]),
                )
                notify(
                    recipients=eligible_approvers(task_state).exclude(pk__in=before),
                    submission=submission,
                    kind=NotificationKind.ESCALATED,
                    task_state=task_state,
                )
                counts["escalated"] += 1
            remind_after = datetime.timedelta(hours=task.remind_every_hours)
            if task_state.reminded_at is None or now - task_state.reminded_at >= remind_after:
                notify(
                    recipients=eligible_approvers(task_state),
                    submission=task_state.submission,
                    kind=NotificationKind.REMINDER,
                    task_state=task_state,
                )
                task_state.reminded_at = now
                task_state.save(update_fields=["reminded_at"])
                counts["reminded"] += 1
    return counts


@transaction.atomic
def notification_mark_read(*, user: Any, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
