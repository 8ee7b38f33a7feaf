"""Portal pages of the review: the inbox, one task beside its decision form, withdrawing,
notifications and the province's workflow report. Thin: every change is a service call."""

import io
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cooperatives.enums import RegionLevel
from cooperatives.models import Region
from cooperatives.scoping import get_in_scope_or_404, user_scope
from forms.enums import SubmissionStatus
from forms.models import KopdesFormPage, Submission
from forms.views import answer_sections
from imports.spec import Column, ValueType
from imports.xlsx import TableSheet, write_table
from loans.decision import loan_decision_support

from .enums import Action, Event
from .models import ApprovalTaskState
from .selectors import (
    approval_outcome,
    decided_by,
    history,
    inbox,
    may_see_reports,
    timeline,
    visible_task_states,
    workflow_report,
)
from .services import (
    WITHDRAWABLE_STATUSES,
    AlreadyDecided,
    NotAnApprover,
    ReviewError,
    decision_refusal,
    notification_mark_read,
    submission_withdraw,
    task_decide,
)


class InboxFilterForm(django_forms.Form):
    form = django_forms.ModelChoiceField(
        queryset=KopdesFormPage.objects.none(),
        required=False,
        label=gettext_lazy("Form"),
        empty_label=gettext_lazy("All forms"),
    )
    regency = django_forms.ModelChoiceField(
        queryset=Region.objects.filter(level=RegionLevel.REGENCY),
        required=False,
        label=gettext_lazy("Regency/city"),
        empty_label=gettext_lazy("All regencies"),
    )
    overdue = django_forms.BooleanField(required=False, label=gettext_lazy("Overdue only"))
    status = django_forms.ChoiceField(
        required=False,
        label=gettext_lazy("Show"),
        choices=[
            ("", gettext_lazy("Waiting for my decision")),
            ("decided", gettext_lazy("Decided by me")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = KopdesFormPage.objects.filter(  # type: ignore[attr-defined]
            approval_workflow__isnull=False
        ).order_by("title")


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    tasks = inbox(request.user)
    form = InboxFilterForm(request.GET or None)
    now = timezone.now()
    total = tasks.count()
    overdue = tasks.filter(due_at__lt=now).count()
    decided = form.is_valid() and form.cleaned_data["status"] == "decided"
    if decided:
        tasks = decided_by(request.user)
    if form.is_valid():
        if form.cleaned_data["form"]:
            tasks = tasks.filter(submission__form_page=form.cleaned_data["form"])
        if form.cleaned_data["regency"]:
            tasks = tasks.filter(
                cooperative__home_village__regency_code=form.cleaned_data["regency"].code
            )
        if form.cleaned_data["overdue"]:
            tasks = tasks.filter(due_at__lt=now)
    page = Paginator(tasks, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/inbox.html",
        {
            "form": form,
            "page_obj": page,
            "total": total,
            "overdue": overdue,
            "now": now,
            "may_see_reports": may_see_reports(request.user),
            "decided": decided,
            "filtered": bool(
                request.GET.get("form")
                or request.GET.get("regency")
                or request.GET.get("overdue")
                or request.GET.get("status")
            ),
        },
    )


class DecisionForm(django_forms.Form):
    action = django_forms.ChoiceField(
        label=gettext_lazy("Your decision"), widget=django_forms.RadioSelect
    )
    comment = django_forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=2000,
        widget=django_forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Required when you reject or send it back: say what to fix."),
    )

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, Action(a).label) for a in actions]  # type: ignore[attr-defined]


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One step run: the submission as filled beside the decision form (for those who may
    decide), or the reason they may not."""
    task_state: ApprovalTaskState = get_in_scope_or_404(
        visible_task_states(request.user), request.user, pk=pk
    )
    task = task_state.task.specific
    refusal = decision_refusal(task_state, request.user)
    form = DecisionForm(request.POST or None, actions=task.allowed_actions())
    status = 200
    if request.method == "POST":
        if refusal is not None and task_state.status == "in_progress":
            messages.error(request, refusal)
            status = 403
        elif form.is_valid():
            try:
                task_decide(
                    task_state_id=task_state.pk,
                    by=request.user,
                    action=form.cleaned_data["action"],
                    comment=form.cleaned_data["comment"],
                )
            except AlreadyDecided:
                messages.error(
                    request, _("Someone else decided this step just before you. Nothing changed.")
                )
                status = 409
            except NotAnApprover as error:
                messages.error(request, str(error))
                status = 403
            except ReviewError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    for message in error.messages:
                        form.add_error(None, message)
                status = 400
            else:
                messages.success(request, _("Your decision is recorded."))
                return redirect("inbox")
        else:
            status = 400
        task_state.refresh_from_db()
        refusal = decision_refusal(task_state, request.user)
    submission = task_state.submission
    return render(
        request,
        "workflows/task_detail.html",
        {
            "task_state": task_state,
            "task": task,
            "submission": submission,
            "sections": answer_sections(submission, user=request.user),
            "history": timeline(submission),
            "refusal": refusal,
            "form": form,
            "approvals": task_state.decisions.filter(action=Action.APPROVE).count(),
            # Loan applications only (None otherwise): the member's record beside the request.
            "decision_support": loan_decision_support(submission=submission),
        },
        status=status,
    )


@login_required
@require_POST
def submission_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_in_scope_or_404(Submission.objects.all(), request.user, pk=pk)
    try:
        submission_withdraw(
            submission=submission, by=request.user, comment=request.POST.get("comment", "")
        )
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The submission was withdrawn."))
    return redirect("submission_detail", pk=submission.pk)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = request.user.kopdes_notifications.select_related(  # type: ignore[union-attr]
        "submission__form_page", "submission__cooperative", "actor"
    )
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    response = render(
        request,
        "workflows/notification_list.html",
        {"page_obj": page, "notifications": shown},
    )
    # Seen once shown: the page still marks them new this time, the menu stops counting them.
    notification_mark_read(
        user=request.user, notification_ids=[n.pk for n in shown if n.read_at is None]
    )
    return response


@login_required
def workflow_report_view(request: HttpRequest) -> HttpResponse:
    if not may_see_reports(request.user):
        raise Http404
    return render(
        request,
        "workflows/report.html",
        {"rows": workflow_report(request.user), "scope": user_scope(request.user)},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(sheet: TableSheet, filename: str) -> HttpResponse:
    output = io.BytesIO()
    write_table(output, [sheet])
    response = HttpResponse(output.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def workflow_report_xlsx(request: HttpRequest) -> HttpResponse:
    """The approval report as a workbook, with the same rows as the page."""
    if not may_see_reports(request.user):
        raise Http404
    columns = [
        Column("regency", _("Regency/city"), width=26),
        Column("step", _("Step"), width=30),
        Column("open", _("Open"), ValueType.INTEGER),
        Column("overdue", _("Overdue"), ValueType.INTEGER),
        Column("decided", _("Decided"), ValueType.INTEGER),
        Column("average", _("Average time (hours)"), ValueType.DECIMAL),
    ]
    rows = (
        (row.regency, row.step, row.open_tasks, row.overdue, row.decided, row.average_hours)
        for row in workflow_report(request.user)
    )
    sheet = TableSheet(_("Approval report")[:31], columns, rows)
    return _xlsx_response(sheet, f"laporan-persetujuan-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def submission_history_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit trail of one submission as a workbook (for an auditor's file)."""
    submission = get_in_scope_or_404(Submission.objects.all(), request.user, pk=pk)
    columns = [
        Column("when", _("When"), ValueType.DATE, width=17),
        Column("event", _("Event"), width=22),
        Column("step", _("Step"), width=22),
        Column("by", _("By"), width=22),
        Column("from", _("From"), width=22),
        Column("to", _("To"), width=22),
        Column("comment", _("Comment"), width=60),
    ]
    rows = (
        (
            record.created_at,
            str(record.get_event_display()),
            record.step_name,
            record.actor.get_username() if record.actor else _("system"),
            str(record.get_from_status_display() or ""),
            str(record.get_to_status_display()),
            record.comment,
        )
        for record in history(submission)
    )
    sheet = TableSheet(_("History")[:31], columns, rows)
    return _xlsx_response(sheet, f"riwayat-{submission.reference or submission.pk}.xlsx")


def submission_review_context(submission: Submission, user: Any) -> dict[str, Any]:
    """What the submission page shows of its review: the timeline, the open step and whether
    its author may withdraw it."""
    open_step = (
        ApprovalTaskState.objects.filter(submission=submission, status="in_progress")
        .select_related("task")
        .first()
    )
    sent_back = None
    if submission.status == SubmissionStatus.CHANGES_REQUESTED:
        sent_back = (
            submission.audit.filter(event=Event.CHANGES_REQUESTED)
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
    return {
        "history": timeline(submission),
        "open_step": open_step,
        "sent_back": sent_back,
        "outcome": approval_outcome(submission),
        "may_withdraw": submission.author_id == user.pk
        and submission.status in WITHDRAWABLE_STATUSES,
    }
