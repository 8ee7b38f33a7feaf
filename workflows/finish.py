"""WAGTAIL_FINISH_WORKFLOW_ACTION. Wagtail imports it while `wagtail.models` is still loading,
so this module imports nothing at the top."""

from typing import Any


def finish_workflow_state(workflow_state: Any, user: Any = None) -> None:
    """A submission's last step approved it: approve it and apply its effect. Pages and
    snippets keep Wagtail's publish."""
    from wagtail.workflows import publish_workflow_state

    from forms.models import Submission

    if workflow_state.base_content_type.model_class() is not Submission:
        publish_workflow_state(workflow_state, user=user)
        return
    from .services import submission_approve_final

    submission_approve_final(
        submission=Submission.objects.get(pk=workflow_state.object_id), by=user
    )
