"""Wagtail e-mails reviewers and authors from its workflow signals, synchronously, with texts
written for page editors. Submissions have their own notifications (in-app, and e-mail from a
background task), so Wagtail's mail handlers skip them and keep serving pages and snippets."""

from typing import Any

from wagtail.admin import signal_handlers as wagtail_handlers
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted


def _is_submission_state(instance: Any) -> bool:
    from forms.models import Submission

    state = instance if isinstance(instance, WorkflowState) else instance.workflow_state
    return state.base_content_type.model_class() is Submission


def _skipping_submissions(notifier: Any) -> Any:
    def handler(sender: Any, instance: Any = None, **kwargs: Any) -> Any:
        if instance is not None and _is_submission_state(instance):
            return False
        return notifier(sender=sender, instance=instance, **kwargs)

    return handler


_WRAPPED: list[Any] = []


def quiet_wagtail_mail_for_submissions() -> None:
    hooks = [
        (
            task_submitted,
            TaskState,
            "group_approval_task_submitted_email_notification",
            wagtail_handlers.task_submission_email_notifier,
        ),
        (
            workflow_submitted,
            WorkflowState,
            "workflow_state_submitted_email_notification",
            wagtail_handlers.workflow_submission_email_notifier,
        ),
        (
            workflow_rejected,
            WorkflowState,
            "workflow_state_rejected_email_notification",
            wagtail_handlers.workflow_rejection_email_notifier,
        ),
        (
            workflow_approved,
            WorkflowState,
            "workflow_state_approved_email_notification",
            wagtail_handlers.workflow_approval_email_notifier,
        ),
    ]
    for signal, sender, uid, notifier in hooks:
        handler = _skipping_submissions(notifier)
        _WRAPPED.append(handler)  # signals hold weak references
        # Wagtail connects its handlers after ours (wagtail.admin comes later in INSTALLED_APPS)
        # under the same dispatch_uid, so registering ours first means theirs is ignored.
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(handler, sender=sender, dispatch_uid=uid)
