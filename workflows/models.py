"""Approval of form submissions on Wagtail's own Workflow/Task engine.

Admins compose workflows in Wagtail's workflow admin from :class:`ApprovalTask` steps; a form
names the workflow its submissions go through. Wagtail's ``WorkflowState`` and ``TaskState`` carry
the run (so its workflow reports list submissions too); what Wagtail lacks lives here: who decides
by role within the submission's scope, conditional steps, several distinct approvers per step,
due dates and escalation, an append-only audit trail and in-app notifications. Only
:mod:`workflows.services` changes any of it.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task, TaskState, WorkflowState

from cooperatives.models import Cooperative
from forms.enums import SubmissionStatus
from forms.models import Submission

from .enums import Action, Approver, Event, NotificationKind


def validate_condition(value: str) -> None:
    from forms.expressions import ExpressionError, compile_expression

    try:
        compile_expression(value)
    except ExpressionError as error:
        raise ValidationError(str(error.message), code=error.code, params=error.params) from error


class ApprovalTaskState(TaskState):
    """One run of an approval step on one submission (a new one after each resubmission)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="approval_task_states"
    )
    # Copied from the submission so the inbox filters by scope without a join per row.
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval step state")
        indexes = [models.Index(fields=["cooperative", "due_at"])]

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == TaskState.STATUS_IN_PROGRESS
            and self.due_at is not None
            and self.due_at < timezone.now()
        )


class ApprovalTask(Task):
    """A step of an approval workflow, composed in Wagtail's workflow admin."""

    approver: "models.CharField[str, str]" = models.CharField(
        _("who decides"), max_length=20, choices=Approver.choices, default=Approver.PENGAWAS
    )
    groups = models.ManyToManyField(
        Group,
        verbose_name=_("groups"),
        blank=True,
        related_name="+",
        help_text=_(
            "Only for “members of the named groups”, e.g. the loan committee. Members decide only "
            "for cooperatives they can see."
        ),
    )
    condition: "models.CharField[str, str]" = models.CharField(
        _("only when"),
        max_length=500,
        blank=True,
        validators=[validate_condition],
        help_text=_(
            "A formula over the form's field codes, e.g. jumlah > 50000000. When it is false the "
            "step is skipped (and the history says so). Empty: always."
        ),
    )
    required_approvals = models.PositiveSmallIntegerField(
        _("approvals needed"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How many different people must approve, e.g. 2 for a committee."),
    )
    allow_reject = models.BooleanField(_("may reject"), default=True)
    allow_request_changes = models.BooleanField(_("may send back for changes"), default=True)
    due_hours = models.PositiveIntegerField(
        _("due within (hours)"), default=72, validators=[MinValueValidator(1)]
    )
    remind_every_hours = models.PositiveIntegerField(
        _("remind every (hours) once overdue"), default=24, validators=[MinValueValidator(1)]
    )
    escalate_after_hours = models.PositiveIntegerField(
        _("pass up after (hours) overdue"),
        default=48,
        help_text=_("The next level up may decide as well after this delay. 0: never."),
    )

    admin_form_fields = [
        *Task.admin_form_fields,
        "approver",
        "groups",
        "condition",
        "required_approvals",
        "allow_reject",
        "allow_request_changes",
        "due_hours",
        "remind_every_hours",
        "escalate_after_hours",
    ]
    admin_form_widgets = {"groups": forms.CheckboxSelectMultiple}
    task_state_class = ApprovalTaskState

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    @classmethod
    def get_description(cls) -> str:
        return str(
            _(
                "Submissions are decided by people holding a role within the cooperative's scope, "
                "never by their author."
            )
        )

    def allowed_actions(self) -> list[str]:
        actions: list[str] = [Action.APPROVE]
        if self.allow_request_changes:
            actions.append(Action.REQUEST_CHANGES)
        if self.allow_reject:
            actions.append(Action.REJECT)
        return actions

    def start(self, workflow_state: WorkflowState, user: Any = None) -> TaskState:
        from .engine import approval_step_start

        return approval_step_start(task=self, workflow_state=workflow_state, user=user)

    def on_action(self, task_state: TaskState, user: Any, action_name: str, **kwargs: Any) -> None:
        # Wagtail's own action views must not bypass the four-eyes and scope checks.
        from .services import task_decide

        task_decide(
            task_state_id=task_state.pk,
            by=user,
            action=action_name,
            comment=kwargs.get("comment", ""),
        )

    def get_task_states_user_can_moderate(self, user: Any, **kwargs: Any) -> Any:
        # Submissions are decided in the portal's inbox, not on Wagtail's dashboard.
        return TaskState.objects.none()


class Decision(models.Model):
    """One person's decision on one step run. One person fills at most one approver slot."""

    task_state = models.ForeignKey(
        ApprovalTaskState, on_delete=models.CASCADE, related_name="decisions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        constraints = [
            models.UniqueConstraint(fields=["task_state", "user"], name="decision_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.action} #{self.task_state_id}"


class AuditRecordQuerySet(models.QuerySet["AuditRecord"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only.")


class AuditRecord(models.Model):
    """Append-only: every transition of a submission's review, who, when, from, to, step.

    Python refuses updates and deletes; on PostgreSQL a trigger refuses them too, so not even a
    raw SQL statement can rewrite history.
    """

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="audit")
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=SubmissionStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=SubmissionStatus.choices)
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Copied: a step renamed later must not rewrite what the history said.
    step_name = models.CharField(_("step"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the system (reminders, escalation)."),
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.submission_id} {self.event} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only.")


class Notification(models.Model):
    """An in-app message; the e-mail copy goes out from a background task after commit."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kopdes_notifications"
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="notifications"
    )
    task_state = models.ForeignKey(
        ApprovalTaskState, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    # Who caused it (the reviewer who sent it back, the operator who submitted); empty for the
    # system's reminders.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind}"
