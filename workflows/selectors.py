"""Reads of the review engine shared by the portal and the API: the inbox, one task, the
history of a submission and the province's workflow report."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet
from django.utils import timezone
from wagtail.models import TaskState

from cooperatives.enums import Role
from cooperatives.models import Region
from cooperatives.scoping import cooperatives_in, role_scope, scope_queryset, user_scope
from forms.enums import FormPurpose, SubmissionStatus
from forms.models import Submission

from .engine import NEXT_UP
from .enums import Approver, Event
from .models import ApprovalTaskState, AuditRecord, Notification

ROLE_APPROVERS = [a for a in Approver.values if a != Approver.GROUP]


def _distance_to(role: str) -> list[tuple[str, int]]:
    """(approver kind, escalations needed) pairs whose chain reaches `role`."""
    pairs: list[tuple[str, int]] = []
    for start in Approver.values:
        current, distance = start, 0
        while True:
            if current == role:
                pairs.append((start, distance))
                break
            if current not in NEXT_UP:
                break
            current, distance = NEXT_UP[current], distance + 1
    return pairs


def inbox(user: Any) -> QuerySet[ApprovalTaskState]:
    """Open step runs `user` may decide now: by a role they hold over the cooperative (or a
    group plus sight of it), never on a submission they created or edited, never twice.
    Overdue first, then by due date."""
    open_states = ApprovalTaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS)
    condition = Q(pk__in=[])
    for role in ROLE_APPROVERS:
        scope = role_scope(user, role)
        if scope.nothing:
            continue
        reaches = Q(pk__in=[])
        for approver, distance in _distance_to(role):
            reaches |= Q(task__approvaltask__approver=approver, escalation_level__gte=distance)
        cooperatives = cooperatives_in(scope).values("pk")
        condition |= reaches & Q(cooperative__in=cooperatives)
    group_ids = list(user.groups.values_list("pk", flat=True)) if user.is_authenticated else []
    if group_ids:
        in_group = Q(
            task__approvaltask__approver=Approver.GROUP,
            task__approvaltask__groups__in=group_ids,
        )
        visible = scope_queryset(ApprovalTaskState.objects.all(), user).values("pk")
        condition |= in_group & Q(pk__in=visible)
    return (
        open_states.filter(condition)
        .exclude(submission__author=user)
        .exclude(decisions__user=user)
        .distinct()
        .select_related("task", "submission__form_page", "submission__cooperative__home_village")
        .order_by(F("due_at").asc(nulls_last=True), "started_at")
    )


def decided_by(user: Any) -> QuerySet[ApprovalTaskState]:
    """Step runs the user has decided (whatever happened next), latest decision first: an
    officer's record of what they approved, sent back or rejected."""
    return (
        scope_queryset(ApprovalTaskState.objects.filter(decisions__user=user), user)
        .annotate(decided_at=Max("decisions__created_at", filter=Q(decisions__user=user)))
        .select_related("task", "submission__form_page", "submission__cooperative__home_village")
        .order_by("-decided_at", "-pk")
    )


def visible_task_states(user: Any) -> QuerySet[ApprovalTaskState]:
    """Every step run (open or not) on submissions the user may see."""
    return scope_queryset(ApprovalTaskState.objects.all(), user).select_related(
        "task", "submission__form_page", "submission__cooperative"
    )


def history(submission: Submission) -> QuerySet[AuditRecord]:
    return submission.audit.select_related("actor", "task").order_by("created_at", "id")


def timeline(submission: Submission) -> list[AuditRecord]:
    """The history as people read it on the submission: without the system's "step started"
    rows, and without "step approved" right after the one approval that completed it. The full
    trail stays in `history` (API, .xlsx)."""
    rows: list[AuditRecord] = []
    for record in history(submission):
        if record.event == Event.STEP_STARTED:
            continue
        previous = rows[-1] if rows else None
        if (
            record.event == Event.STEP_APPROVED
            and previous is not None
            and previous.event == Event.APPROVED
            and previous.task_id == record.task_id
            and previous.actor_id == record.actor_id
            and not _needs_several(record)
        ):
            continue
        rows.append(record)
    return rows


def _needs_several(record: AuditRecord) -> bool:
    if record.task is None:
        return False
    return getattr(record.task.specific, "required_approvals", 1) > 1


def unread_notifications(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).select_related(
        "submission__form_page", "submission__cooperative"
    )


@dataclass(frozen=True)
class StepReportRow:
    regency: str
    step: str
    open_tasks: int
    overdue: int
    decided: int
    average_hours: float | None


def workflow_report(user: Any, *, since: datetime.date | None = None) -> list[StepReportRow]:
    """Per regency and step: open runs, overdue runs, decided runs and their average time
    from start to decision (hours). Only cooperatives in the user's scope count."""
    now = timezone.now()
    states = scope_queryset(ApprovalTaskState.objects.all(), user).exclude(
        status__in=[TaskState.STATUS_SKIPPED, TaskState.STATUS_CANCELLED]
    )
    if since is not None:
        states = states.filter(started_at__date__gte=since)
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    rows = (
        states.values("cooperative__home_village__regency_code", "task__name")
        .annotate(
            open_tasks=Count("pk", filter=Q(status=TaskState.STATUS_IN_PROGRESS)),
            overdue=Count("pk", filter=Q(status=TaskState.STATUS_IN_PROGRESS, due_at__lt=now)),
            decided=Count("pk", filter=Q(finished_at__isnull=False)),
            average=Avg(duration, filter=Q(finished_at__isnull=False)),
        )
        .order_by("cooperative__home_village__regency_code", "task__name")
    )
    names = dict(
        Region.objects.filter(
            code__in={row["cooperative__home_village__regency_code"] for row in rows}
        ).values_list("code", "name")
    )
    report: list[StepReportRow] = []
    for row in rows:
        average = row["average"]
        report.append(
            StepReportRow(
                regency=names.get(row["cooperative__home_village__regency_code"], "—"),
                step=row["task__name"],
                open_tasks=row["open_tasks"],
                overdue=row["overdue"],
                decided=row["decided"],
                average_hours=round(average.total_seconds() / 3600, 1) if average else None,
            )
        )
    return report


def may_see_reports(user: Any) -> bool:
    """Workflow reports are for the province and regency officers (and superusers)."""
    roles = user_scope(user).roles
    return user.is_superuser or bool({Role.PROVINCE_OFFICER, Role.REGENCY_OFFICER} & roles)


@dataclass(frozen=True)
class Outcome:
    """What an approved submission became, to show beside it."""

    kind: str  # "loan", "monthly_report" or "registration"
    record: Any


def approval_outcome(submission: Submission) -> Outcome | None:
    from finance.models import MonthlyReport
    from loans.models import Loan

    if submission.status != SubmissionStatus.APPROVED:
        return None
    loan = Loan.objects.filter(application=submission).first()
    if loan is not None:
        return Outcome("loan", loan)
    report = MonthlyReport.objects.filter(submission=submission).first()
    if report is not None:
        return Outcome("monthly_report", report)
    if submission.form_page.purpose == FormPurpose.COOPERATIVE_SETUP:
        return Outcome("registration", submission.cooperative)
    return None
