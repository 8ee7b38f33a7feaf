"""REST serializers for the review API: the inbox, one step run with its decisions, the decision
and withdrawal bodies, and a submission's audit trail.

Serializers only shape data. Who may decide, and what a decision needs, is judged by
workflows.services (the same functions the portal calls), never by a serializer.
"""

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from wagtail.models import TaskState

from cooperatives.serializers import REGENCY_CODE_RE
from forms.enums import SubmissionStatus
from forms.serializers import SubmissionSerializer, SubmissionSummarySerializer
from loans.enums import Collectibility, LoanStatus

from .enums import Action
from .models import ApprovalTaskState, AuditRecord, Decision

COMMENT_MAX_LENGTH = 2000  # as the portal's decision form


def _one_of(values: list[str]) -> Any:
    return format_lazy("{} {}", _("One of:"), ", ".join(values))


class PersonSerializer(serializers.Serializer):
    """Who did something, as the review shows them."""

    id = serializers.IntegerField(source="pk", read_only=True)
    username = serializers.CharField(source="get_username", read_only=True)
    name = serializers.SerializerMethodField(help_text=_("Full name, or the username without one."))

    def get_name(self, user: Any) -> str:
        return str(user.get_full_name() or user.get_username())


# --- The inbox and one step run ------------------------------------------------------------------


class TaskFilterSerializer(serializers.Serializer):
    form = serializers.IntegerField(required=False, help_text=_("Only this form's submissions."))
    regency = serializers.RegexField(
        REGENCY_CODE_RE,
        required=False,
        help_text=_("Regency/city code, e.g. 64.02: only cooperatives based there."),
    )
    overdue = serializers.BooleanField(
        required=False, default=False, help_text=_("true: only steps past their due date.")
    )
    status = serializers.ChoiceField(
        choices=[("open", "open"), ("decided", "decided")],
        required=False,
        default="open",
        help_text=_("open: waiting for your decision (default); decided: steps you decided."),
    )


class TaskSerializer(serializers.ModelSerializer):
    """One open approval step as it appears in the inbox."""

    # Expects the rows of workflows.api.with_progress: the step's ApprovalTask joined and
    # `approvals` annotated, so that a page of the inbox costs the same queries as one row.

    submission = SubmissionSummarySerializer(read_only=True)
    step_name = serializers.CharField(source="task.name", read_only=True)
    required_approvals = serializers.IntegerField(
        source="task.approvaltask.required_approvals",
        read_only=True,
        help_text=_("How many different people must approve this step."),
    )
    approvals = serializers.IntegerField(read_only=True, help_text=_("Approvals given so far."))
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = ApprovalTaskState
        fields = [
            "id",
            "submission",
            "step_name",
            "required_approvals",
            "approvals",
            "due_at",
            "overdue",
            "escalation_level",
            "started_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "escalation_level": {
                "help_text": _("How many times the overdue step was passed one level up.")
            }
        }


class AllowedActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices, read_only=True)
    # DRF pops declared fields off the class, so a field may be called "label" although the
    # stubs type Field.label.
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]


class DecisionSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = Decision
        fields = ["user", "action", "action_label", "comment", "created_at"]
        read_only_fields = fields


# --- Decision support on a loan application (loans.decision) -------------------------------------
# Read-only shapes of loans.decision's dataclasses; every rule and figure is worked out there.


class DecisionFactorSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    points = serializers.IntegerField(read_only=True)
    possible = serializers.IntegerField(read_only=True)
    rule = serializers.CharField(read_only=True, help_text=_("How the points are given."))
    reason = serializers.CharField(read_only=True, help_text=_("Why this application got them."))


class DecisionScoreSerializer(serializers.Serializer):
    points = serializers.IntegerField(
        read_only=True, help_text=_("The sum of the factors' points, 0–100.")
    )
    possible = serializers.IntegerField(read_only=True)
    band = serializers.CharField(
        read_only=True, help_text=_one_of(["good", "careful", "high_risk"])
    )
    band_label = serializers.CharField(read_only=True)
    bands = serializers.CharField(read_only=True, help_text=_("The bands' thresholds."))
    factors = DecisionFactorSerializer(many=True, read_only=True)


class DecisionSavingsMonthSerializer(serializers.Serializer):
    month = serializers.DateField(read_only=True, help_text=_("The month's first day."))
    wajib = serializers.IntegerField(read_only=True, help_text=_("Simpanan wajib deposited (Rp)."))
    sukarela = serializers.IntegerField(
        read_only=True, help_text=_("Simpanan sukarela deposited (Rp).")
    )
    withdrawals = serializers.IntegerField(
        read_only=True, help_text=_("Withdrawn, all kinds (Rp).")
    )
    as_member = serializers.BooleanField(read_only=True)


class DecisionSavingsSerializer(serializers.Serializer):
    months = DecisionSavingsMonthSerializer(
        many=True, read_only=True, help_text=_("The last 12 complete months, oldest first.")
    )
    pokok = serializers.IntegerField(read_only=True)
    wajib = serializers.IntegerField(read_only=True)
    sukarela = serializers.IntegerField(read_only=True)
    total = serializers.IntegerField(read_only=True)
    balance_list_date = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("The imported balance list the balances start from; null: the book alone."),
    )
    balance_basis = serializers.CharField(read_only=True)
    wajib_months = serializers.IntegerField(read_only=True)
    member_months = serializers.IntegerField(read_only=True)
    regularity = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        read_only=True,
        allow_null=True,
        help_text=_("wajib_months ÷ member_months; null without a month as a member."),
    )


class DecisionLoanSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product_code = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=_one_of(LoanStatus.values))
    status_label = serializers.CharField(read_only=True)
    principal = serializers.IntegerField(read_only=True)
    disbursed_on = serializers.DateField(read_only=True, allow_null=True)
    outstanding_principal = serializers.IntegerField(read_only=True)
    days_late_now = serializers.IntegerField(read_only=True)
    worst_days_late = serializers.IntegerField(read_only=True)
    next_month_instalment = serializers.IntegerField(read_only=True)


class DecisionLedgerLoanSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    loan_no = serializers.CharField(read_only=True)
    disbursed_on = serializers.DateField(read_only=True, allow_null=True)
    principal = serializers.IntegerField(read_only=True)
    balance = serializers.IntegerField(read_only=True)
    instalment = serializers.IntegerField(read_only=True)
    days_overdue = serializers.IntegerField(read_only=True)
    collectibility = serializers.CharField(read_only=True, help_text=_one_of(Collectibility.values))
    collectibility_label = serializers.CharField(read_only=True)
    as_of = serializers.DateField(read_only=True)


class DecisionHistorySerializer(serializers.Serializer):
    loans = DecisionLoanSerializer(many=True, read_only=True)
    ledger = DecisionLedgerLoanSerializer(
        many=True, read_only=True, help_text=_("Loans of the cooperative's imported loan ledger.")
    )
    paid_off = serializers.IntegerField(read_only=True)
    written_off = serializers.IntegerField(read_only=True)
    rescheduled = serializers.IntegerField(read_only=True)
    has_track_record = serializers.BooleanField(read_only=True)
    worst_days_late = serializers.IntegerField(read_only=True)
    days_late_now = serializers.IntegerField(read_only=True)
    overdue_now = serializers.IntegerField(read_only=True)


class DecisionAffordabilitySerializer(serializers.Serializer):
    amount = serializers.IntegerField(read_only=True, allow_null=True)
    tenor_months = serializers.IntegerField(read_only=True, allow_null=True)
    product_code = serializers.CharField(read_only=True)
    product_name = serializers.CharField(read_only=True)
    grace_months = serializers.IntegerField(read_only=True)
    new_instalment = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("The first full instalment of the requested loan; null when unknown."),
    )
    problems = serializers.ListField(child=serializers.CharField(), read_only=True)
    existing_instalments = serializers.IntegerField(read_only=True)
    income = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Declared net monthly income (Rp).")
    )
    dsr = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text=_("(new + existing instalments) ÷ income; null when unknown."),
    )


class DecisionSupportSerializer(serializers.Serializer):
    as_of = serializers.DateField(read_only=True, help_text=_("The figures are as of this day."))
    member_id = serializers.IntegerField(read_only=True, allow_null=True)
    member_name = serializers.CharField(read_only=True)
    member_join_date = serializers.DateField(read_only=True, allow_null=True)
    membership_months = serializers.IntegerField(read_only=True)
    savings = DecisionSavingsSerializer(read_only=True, allow_null=True)
    history = DecisionHistorySerializer(read_only=True, allow_null=True)
    affordability = DecisionAffordabilitySerializer(read_only=True)
    score = DecisionScoreSerializer(read_only=True)


class TaskDetailSerializer(TaskSerializer):
    """One approval step (open or decided): its state, what you may do, the decisions so far and
    the submission with its answers."""

    # The view passes `refusal` (workflows.services.decision_refusal for the caller) in the
    # context, so that the rule is judged by the service alone; and `decision_support`
    # (loans.decision.loan_decision_support), worked out once per response.

    # A plain string: Wagtail's task statuses are not the submission's, and two enums named
    # "status" would need an ENUM_NAME_OVERRIDES entry.
    status = serializers.CharField(
        read_only=True,
        help_text=_one_of([value for value, _label in TaskState.STATUS_CHOICES]),
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    submission = SubmissionSerializer(read_only=True)  # type: ignore[assignment]
    allowed_actions = serializers.SerializerMethodField(
        help_text=_("What the step allows while it is open; empty once it is decided.")
    )
    may_decide = serializers.SerializerMethodField(
        help_text=_("Whether you may decide this step now.")
    )
    refusal = serializers.SerializerMethodField(
        help_text=_("Why you may not decide this step now; null when you may.")
    )
    decisions = DecisionSerializer(many=True, read_only=True)
    decision_support = serializers.SerializerMethodField(
        help_text=_(
            "For a loan application: the member's savings and loans, the requested instalment "
            "against income and a score with every factor; null for other forms."
        )
    )

    class Meta(TaskSerializer.Meta):
        fields = [
            *TaskSerializer.Meta.fields,
            "status",
            "status_label",
            "finished_at",
            "allowed_actions",
            "may_decide",
            "refusal",
            "decisions",
            "decision_support",
        ]
        read_only_fields = fields

    @extend_schema_field(AllowedActionSerializer(many=True))
    def get_allowed_actions(self, task_state: ApprovalTaskState) -> list[dict[str, Any]]:
        if task_state.status != TaskState.STATUS_IN_PROGRESS:
            return []
        return [
            {"action": action, "label": str(Action(action).label)}
            for action in task_state.task.approvaltask.allowed_actions()
        ]

    def get_may_decide(self, task_state: ApprovalTaskState) -> bool:
        return self.get_refusal(task_state) is None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_refusal(self, task_state: ApprovalTaskState) -> str | None:
        refusal = self.context.get("refusal")
        return None if refusal is None else str(refusal)

    @extend_schema_field(DecisionSupportSerializer(allow_null=True))
    def get_decision_support(self, task_state: ApprovalTaskState) -> dict[str, Any] | None:
        support = self.context.get("decision_support")
        return None if support is None else DecisionSupportSerializer(support).data


# --- Request and error bodies --------------------------------------------------------------------


class DecideSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=Action.choices, help_text=_("One the step allows (see allowed_actions).")
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=COMMENT_MAX_LENGTH,
        help_text=_("Required when you reject or send it back: say what to fix."),
    )


class DecideErrorSerializer(serializers.Serializer):
    # Only documents the 400 body (DRF's usual shape: messages by field).
    action = serializers.ListField(child=serializers.CharField(), required=False)
    comment = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class WithdrawSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=COMMENT_MAX_LENGTH,
        help_text=_("Why you take it back (optional); kept in the history."),
    )


# --- The audit trail -----------------------------------------------------------------------------


class HistorySerializer(serializers.ModelSerializer):
    event_label = serializers.CharField(source="get_event_display", read_only=True)
    # Plain strings: the statuses are documented once, as SubmissionStatusEnum on a submission.
    from_status = serializers.CharField(read_only=True, help_text=_one_of(SubmissionStatus.values))
    to_status = serializers.CharField(read_only=True, help_text=_one_of(SubmissionStatus.values))
    actor = PersonSerializer(
        read_only=True, allow_null=True, help_text=_("null for the system (reminders, escalation).")
    )

    class Meta:
        model = AuditRecord
        fields = [
            "id",
            "event",
            "event_label",
            "from_status",
            "to_status",
            "step_name",
            "actor",
            "comment",
            "created_at",
        ]
        read_only_fields = fields
