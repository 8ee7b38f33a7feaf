"""/api/v1/ endpoints of the review: the inbox, one step run, deciding it, a submission's history
and withdrawing it.

Thin, like the portal's pages (workflows.views): reads go through workflows.selectors and
cooperatives.scoping, so anything outside the caller's scope answers 404; every change is a call
to workflows.services, whose errors become answers: AlreadyDecided 409, NotAnApprover 403 with
its reason, ReviewError 400 by field; a submission no longer withdrawable 409.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from wagtail.models import TaskState

from cooperatives.scoping import get_in_scope_or_404
from cooperatives.serializers import ErrorSerializer
from forms.api import NOT_FOUND, SUBMISSION_PK, visible_submission
from forms.serializers import SubmissionSerializer
from loans.decision import loan_decision_support

from .enums import Action
from .models import ApprovalTaskState, Decision
from .selectors import decided_by, inbox, visible_task_states
from .selectors import history as review_history
from .serializers import (
    DecideErrorSerializer,
    DecideSerializer,
    HistorySerializer,
    TaskDetailSerializer,
    TaskFilterSerializer,
    TaskSerializer,
    WithdrawSerializer,
)
from .services import (
    AlreadyDecided,
    NotAnApprover,
    ReviewError,
    decision_refusal,
    submission_withdraw,
    task_decide,
)

TASK_PK = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Approval step run (task) id."
)
BAD_FILTER = OpenApiResponse(description=gettext_lazy("A filter value is not valid."))


# --- Reads ---------------------------------------------------------------------------------------


def with_progress(queryset: QuerySet[ApprovalTaskState]) -> QuerySet[ApprovalTaskState]:
    """Step runs as the serializers read them: the step's settings joined and the approvals
    counted in one query, not one per row."""
    approvals = (
        Decision.objects.filter(task_state=OuterRef("pk"), action=Action.APPROVE)
        .order_by()
        .values("task_state")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.select_related(
        "task__approvaltask", "submission__form_page", "submission__author"
    ).annotate(approvals=Coalesce(Subquery(approvals), 0))


def visible_task_state(*, user: Any, pk: int) -> ApprovalTaskState:
    """One step run on a submission the user may see, with its decisions; otherwise 404."""
    queryset = with_progress(visible_task_states(user)).prefetch_related(
        Prefetch(
            "decisions", queryset=Decision.objects.select_related("user").order_by("created_at")
        )
    )
    return get_in_scope_or_404(queryset, user, pk=pk)


def review_errors(error: ReviewError) -> dict[str, list[str]]:
    """A ReviewError as DRF's usual 400 body: messages by field, the rest in non_field_errors."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(error, "error_dict"):
        return {
            non_field if field == NON_FIELD_ERRORS else field: messages
            for field, messages in error.message_dict.items()
        }
    field = "action" if error.code == "action_not_allowed" else non_field
    return {field: error.messages}


def _detail(error: Exception | str, code: int) -> Response:
    messages = getattr(error, "messages", None)
    return Response({"detail": " ".join(messages) if messages else str(error)}, status=code)


# --- Views ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        operation_id="tasks_list",
        summary=gettext_lazy("Your inbox"),
        description=gettext_lazy(
            "Open approval steps you may decide now, overdue first, then by due date. Never your "
            "own submissions, never a step you already decided."
        ),
        parameters=[TaskFilterSerializer],
        responses={200: TaskSerializer, 400: BAD_FILTER},
    ),
    retrieve=extend_schema(
        operation_id="tasks_retrieve",
        summary=gettext_lazy("One approval step"),
        description=gettext_lazy(
            "Any step (open or decided) on a submission you may see: whether you may decide it "
            "and why not, the decisions so far and the submission with its answers."
        ),
        parameters=[TASK_PK],
        responses={200: TaskDetailSerializer, 404: NOT_FOUND},
    ),
)
class TaskViewSet(viewsets.GenericViewSet):
    serializer_class = TaskSerializer

    def get_queryset(self) -> QuerySet[ApprovalTaskState]:
        if getattr(self, "swagger_fake_view", False):
            return ApprovalTaskState.objects.none()
        params = TaskFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        if filters.get("status") == "decided":
            queryset = decided_by(self.request.user)
        else:
            queryset = inbox(self.request.user)
        if filters.get("form"):
            queryset = queryset.filter(submission__form_page_id=filters["form"])
        if filters.get("regency"):
            queryset = queryset.filter(cooperative__home_village__regency_code=filters["regency"])
        if filters.get("overdue"):
            queryset = queryset.filter(due_at__lt=timezone.now())
        return with_progress(queryset)

    def _task_detail(self, task_state: ApprovalTaskState) -> Response:
        context = {
            **self.get_serializer_context(),
            "refusal": decision_refusal(task_state, self.request.user),
            "decision_support": loan_decision_support(submission=task_state.submission),
        }
        return Response(TaskDetailSerializer(task_state, context=context).data)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = TaskSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self._task_detail(visible_task_state(user=request.user, pk=pk))

    @extend_schema(
        operation_id="tasks_decide",
        summary=gettext_lazy("Decide an approval step"),
        description=gettext_lazy(
            "Approve, reject or send back for changes, exactly as in the portal's inbox. Reject "
            "and request_changes need a comment. Nobody decides on a submission they created or "
            "edited, and one person fills one approver slot."
        ),
        parameters=[TASK_PK],
        request=DecideSerializer,
        responses={
            200: TaskDetailSerializer,
            400: OpenApiResponse(
                DecideErrorSerializer,
                description=gettext_lazy("The action or the comment is missing or not allowed."),
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy(
                    "You may see this step but not decide it (e.g. you sent or edited the "
                    "submission); the reason is in detail."
                ),
            ),
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("The step has already been decided.")
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: int) -> Response:
        task_state = visible_task_state(user=request.user, pk=pk)
        # Who may decide comes before what the body says, as in the service and the portal. The
        # service checks again under a lock: someone may decide in between.
        refusal = decision_refusal(task_state, request.user)
        if refusal is not None:
            if task_state.status != TaskState.STATUS_IN_PROGRESS:
                return _detail(refusal, status.HTTP_409_CONFLICT)
            return _detail(refusal, status.HTTP_403_FORBIDDEN)
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            task_decide(
                task_state_id=task_state.pk,
                by=request.user,
                action=body.validated_data["action"],
                comment=body.validated_data["comment"],
            )
        except AlreadyDecided as error:
            return _detail(error, status.HTTP_409_CONFLICT)
        except NotAnApprover as error:
            return _detail(error, status.HTTP_403_FORBIDDEN)
        except ReviewError as error:
            raise exceptions.ValidationError(review_errors(error)) from error
        return self._task_detail(visible_task_state(user=request.user, pk=pk))


class SubmissionReviewViewSet(viewsets.GenericViewSet):
    """The review side of one submission: its audit trail and withdrawing it. Visible as in the
    forms API: in scope, and nobody else's draft (otherwise 404)."""

    serializer_class = HistorySerializer
    # The history is short and read whole (as_view does not apply an action's own options).
    pagination_class = None

    @extend_schema(
        operation_id="submissions_history_list",
        summary=gettext_lazy("History of a submission"),
        description=gettext_lazy(
            "Every change of its review, oldest first: who (null for the system), when, from "
            "which status to which, at which step, with the comment."
        ),
        parameters=[SUBMISSION_PK],
        responses={200: HistorySerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: int) -> Response:
        submission = visible_submission(user=request.user, pk=pk)
        rows = review_history(submission)
        return Response(HistorySerializer(rows, many=True).data)

    @extend_schema(
        operation_id="submissions_withdraw",
        summary=gettext_lazy("Withdraw a sent submission"),
        description=gettext_lazy(
            "Only its author, and only before a final decision: its review stops and it no longer "
            "counts against the form's period rule."
        ),
        parameters=[SUBMISSION_PK],
        request=WithdrawSerializer,
        responses={
            200: SubmissionSerializer,
            400: OpenApiResponse(description=gettext_lazy("The comment is not valid.")),
            403: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("Only the person who sent it may withdraw it."),
            ),
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy(
                    "Already decided or withdrawn (or never sent): it can no longer be withdrawn."
                ),
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        submission = visible_submission(user=request.user, pk=pk)
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            submission_withdraw(
                submission=submission, by=request.user, comment=body.validated_data["comment"]
            )
        except PermissionDenied as error:
            return _detail(error, status.HTTP_403_FORBIDDEN)
        except ReviewError as error:
            return _detail(error, status.HTTP_409_CONFLICT)
        withdrawn = visible_submission(user=request.user, pk=pk)
        return Response(SubmissionSerializer(withdrawn, context=self.get_serializer_context()).data)
