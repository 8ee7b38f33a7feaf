"""Portal pages of loans: the portfolio of the loans in the user's scope, one loan's card and
the small POST forms acting on it. Thin: loans.selectors reads and scopes (a loan outside the
user's scope answers 404), loans.services writes and decides; a step the user may not take
answers 403, a step the loan's status no longer allows sends them back to the card with a
message, and whatever the service refuses comes back beside the field it concerns."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import selectors
from .arrears import loans_arrears_update
from .enums import LoanStatus
from .exports import (
    portfolio_sheet,
    repayment_source,
    repayments_sheet,
    schedule_sheet,
    xlsx_response,
)
from .forms import (
    PayoutConfirmForm,
    PayoutRecordForm,
    PayoutRejectForm,
    PortfolioFilterForm,
    RepaymentForm,
    RepaymentReverseForm,
    RescheduleForm,
    WriteOffForm,
)
from .models import Instalment, Loan, Repayment
from .services import (
    LoanTransitionError,
    loan_payout_confirm,
    loan_payout_record,
    loan_payout_reject,
    loan_reschedule,
    loan_write_off,
    repayment_record,
    repayment_reverse,
)

PAGE_SIZE = 25
# A repayment may be cancelled while the loan still runs or was paid off by it; a loan written
# off or rescheduled keeps its history as it was.
REVERSIBLE_STATUSES = frozenset({LoanStatus.ACTIVE, LoanStatus.PAID_OFF})


# --- portfolio ---------------------------------------------------------------------------------


@login_required
def loan_portfolio(request: HttpRequest) -> HttpResponse:
    """The loans in the user's scope with the filters of the query string: the figures of the
    portfolio (NPL ratio, by collectibility class) and one page of the loans."""
    form = PortfolioFilterForm(request.GET, user=request.user)
    filters = form.filters()
    loans = selectors.portfolio_loans(user=request.user, filters=filters)
    page = Paginator(selectors.with_outstanding(loans), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "loans/portfolio.html",
        {
            "form": form,
            "filtered": form.filtered,
            "summary": selectors.portfolio_summary(loans),
            "page_obj": page,
            "may_recompute": selectors.may_decide_some_loans(user=request.user),
        },
    )


@login_required
def loan_portfolio_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered portfolio as a workbook: every loan the page lists, on every page."""
    form = PortfolioFilterForm(request.GET, user=request.user)
    loans = selectors.portfolio_loans(user=request.user, filters=form.filters())
    today = timezone.localdate()
    sheet = portfolio_sheet(loans, title=_("Loans · %(date)s") % {"date": f"{today:%d-%m-%Y}"})
    return xlsx_response(sheet, f"pinjaman-{today:%Y-%m-%d}.xlsx")


@login_required
@require_POST
def loan_arrears_recompute(request: HttpRequest) -> HttpResponse:
    """Recompute days past due, the overdue amount and the class of the loans of the
    cooperatives the user decides loans for (what the nightly job does for all)."""
    if not selectors.may_decide_some_loans(user=request.user):
        raise PermissionDenied
    cooperative_ids = selectors.loan_decision_cooperative_ids(user=request.user)
    if cooperative_ids == []:
        raise PermissionDenied
    changed = loans_arrears_update(cooperative_ids=cooperative_ids)
    messages.success(
        request,
        ngettext(
            "Arrears recomputed as of today: %(count)s loan changed.",
            "Arrears recomputed as of today: %(count)s loans changed.",
            changed,
        )
        % {"count": changed},
    )
    # Back to the same filters; only the query string is taken from the request, never a URL.
    query = request.GET.urlencode()
    return redirect(reverse("loan_portfolio") + (f"?{query}" if query else ""))


# --- the loan card -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleLine:
    instalment: Instalment
    total: int
    paid: int
    owed: int
    late: bool


@dataclass(frozen=True)
class Schedule:
    lines: list[ScheduleLine]
    principal: int
    interest: int
    fee: int
    penalty: int
    total: int
    paid: int
    owed: int
    principal_left: int
    late: int
    next_due: ScheduleLine | None


def _schedule(loan: Loan, today: datetime.date) -> Schedule:
    lines = []
    for instalment in loan.instalments.all():
        paid = (
            instalment.paid_principal
            + instalment.paid_interest
            + instalment.paid_fee
            + instalment.paid_penalty
        )
        owed = instalment.owed
        lines.append(
            ScheduleLine(
                instalment=instalment,
                total=instalment.total + instalment.penalty,
                paid=paid,
                owed=owed,
                late=owed > 0 and instalment.due_date < today,
            )
        )
    return Schedule(
        lines=lines,
        principal=sum(line.instalment.principal for line in lines),
        interest=sum(line.instalment.interest for line in lines),
        fee=sum(line.instalment.fee for line in lines),
        penalty=sum(line.instalment.penalty for line in lines),
        total=sum(line.total for line in lines),
        paid=sum(line.paid for line in lines),
        owed=sum(line.owed for line in lines),
        principal_left=sum(
            line.instalment.principal - line.instalment.paid_principal for line in lines
        ),
        late=sum(1 for line in lines if line.late),
        next_due=next((line for line in lines if line.owed > 0), None),
    )


def _percent(rate: Decimal | None) -> Decimal | None:
    """A monthly rate as a percentage without trailing zeros: 0.015 → 1.5."""
    if rate is None:
        return None
    percent = Decimal(rate) * 100
    return percent.quantize(Decimal(1)) if percent == percent.to_integral() else percent.normalize()


@dataclass(frozen=True)
class RepaymentRow:
    repayment: Repayment
    source: str
    reversed_by: Repayment | None
    may_reverse: bool
    form: RepaymentReverseForm | None


def _repayment_rows(loan: Loan, may_decide: bool) -> list[RepaymentRow]:
    rows = []
    for repayment in selectors.loan_repayments(loan=loan):
        reversal = getattr(repayment, "reversed_by", None)
        may_reverse = (
            may_decide
            and loan.status in REVERSIBLE_STATUSES
            and not repayment.reverses_id
            and reversal is None
        )
        rows.append(
            RepaymentRow(
                repayment=repayment,
                source=repayment_source(repayment),
                reversed_by=reversal,
                may_reverse=may_reverse,
                form=RepaymentReverseForm(auto_id=f"reverse-{repayment.pk}-%s")
                if may_reverse
                else None,
            )
        )
    return rows


def _card_forms(loan: Loan, user: Any) -> dict[str, Any]:
    """Which actions the card offers this user now, each with its empty form."""
    handle = selectors.may_handle_loans(user=user, cooperative=loan.cooperative)
    decide = selectors.may_decide_loans(user=user, cooperative=loan.cooperative)
    recorded_it = loan.payout_recorded_by_id is not None and loan.payout_recorded_by_id == user.pk
    status = loan.status
    offered: dict[str, forms.Form | None] = {
        "payout_form": PayoutRecordForm(auto_id="payout-%s")
        if status == LoanStatus.APPROVED and handle
        else None,
        "confirm_form": PayoutConfirmForm(auto_id="confirm-%s")
        if status == LoanStatus.PAYOUT_RECORDED and decide and not recorded_it
        else None,
        "reject_form": PayoutRejectForm(auto_id="reject-%s")
        if status == LoanStatus.PAYOUT_RECORDED and decide
        else None,
        "repayment_form": RepaymentForm(auto_id="repay-%s")
        if status == LoanStatus.ACTIVE and handle
        else None,
        "write_off_form": WriteOffForm(auto_id="writeoff-%s")
        if status == LoanStatus.ACTIVE and decide
        else None,
        "reschedule_form": RescheduleForm(auto_id="reschedule-%s", loan=loan)
        if status == LoanStatus.ACTIVE and decide
        else None,
    }
    return {
        **offered,
        "may_handle": handle,
        "may_decide": decide,
        "recorded_it": recorded_it,
    }


def _render_card(
    request: HttpRequest,
    loan: Loan,
    *,
    bound: dict[str, Any] | None = None,
    reverse_form: tuple[int, RepaymentReverseForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    context = _card_forms(loan, request.user)
    for name, form in (bound or {}).items():
        if context.get(name) is not None:
            context[name] = form
    product = loan.product
    context.update(
        {
            "loan": loan,
            "cooperative": loan.cooperative,
            "today": today,
            "schedule": _schedule(loan, today),
            "repayments": _repayment_rows(loan, context["may_decide"]),
            "events": selectors.loan_events(loan=loan),
            "rate_percent": _percent(
                loan.monthly_rate
                if loan.monthly_rate is not None
                else (product.monthly_rate if product else None)
            ),
            "rate_from_product": loan.monthly_rate is None,
            "method_label": loan.get_interest_method_display()
            if loan.interest_method
            else (product.get_interest_method_display() if product else ""),
            "reverse_pk": reverse_form[0] if reverse_form else None,
            "reverse_form": reverse_form[1] if reverse_form else None,
        }
    )
    return render(request, "loans/loan_detail.html", context, status=status)


@login_required
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loan = selectors.loan_get(user=request.user, pk=pk)
    return _render_card(request, loan)


@login_required
def loan_schedule_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    loan = selectors.loan_get(user=request.user, pk=pk)
    return xlsx_response(schedule_sheet(loan), f"pinjaman-{loan.pk}-jadwal.xlsx")


@login_required
def loan_repayments_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    loan = selectors.loan_get(user=request.user, pk=pk)
    repayments = selectors.loan_repayments(loan=loan)
    return xlsx_response(repayments_sheet(loan, repayments), f"pinjaman-{loan.pk}-pembayaran.xlsx")


# --- actions on the card -------------------------------------------------------------------------


def _service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put what a service refused beside the field it concerns; a problem with no field of
    this form (the product's terms of a payout) goes above the form."""
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _step_refused(request: HttpRequest, loan: Loan, error: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(error.messages))
    return redirect("loan_detail", loan.pk)


def _status_refused(request: HttpRequest, loan: Loan) -> HttpResponse:
    messages.error(
        request,
        _("This loan is “%(status)s”; that step is not possible now.")
        % {"status": loan.get_status_display()},
    )
    return redirect("loan_detail", loan.pk)


Permission = Callable[..., bool]
# The card's context name of each action's form, by the prefix of its element ids.
FORM_NAMES = {
    "payout": "payout_form",
    "confirm": "confirm_form",
    "reject": "reject_form",
    "repay": "repayment_form",
    "writeoff": "write_off_form",
    "reschedule": "reschedule_form",
}


def _act(
    request: HttpRequest,
    pk: int,
    *,
    name: str,
    form_class: type[forms.Form],
    permission: Permission,
    status: LoanStatus,
    run: Callable[[Loan, dict[str, Any]], object],
    success: str,
    guard: Callable[[Loan], None] | None = None,
    form_kwargs: Callable[[Loan], dict[str, Any]] | None = None,
) -> HttpResponse:
    """One action of the card: scope (404), permission (403), status (back to the card with a
    message), the form, then the service; its refusal comes back beside the fields (400).
    Success goes to the card of the loan the service returns (a rescheduled loan's successor),
    or else to this one."""
    loan = selectors.loan_get(user=request.user, pk=pk)
    if not permission(user=request.user, cooperative=loan.cooperative):
        raise PermissionDenied
    if guard is not None:
        guard(loan)
    if loan.status != status:
        return _status_refused(request, loan)
    extra = form_kwargs(loan) if form_kwargs else {}
    form = form_class(request.POST, auto_id=f"{name}-%s", **extra)
    if form.is_valid():
        try:
            result = run(loan, form.cleaned_data)
        except LoanTransitionError as error:
            return _step_refused(request, loan, error)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _step_refused(request, loan, error)
            _service_errors(form, error)
        else:
            messages.success(request, success)
            target = result if isinstance(result, Loan) else loan
            return redirect("loan_detail", target.pk)
    return _render_card(request, loan, bound={FORM_NAMES[name]: form}, status=400)


@login_required
@require_POST
def loan_payout_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        name="payout",
        form_class=PayoutRecordForm,
        permission=selectors.may_handle_loans,
        status=LoanStatus.APPROVED,
        run=lambda loan, data: loan_payout_record(
            loan=loan, by=request.user, disbursed_on=data["disbursed_on"]
        ),
        success=_("Payout recorded. Another officer must confirm it before the loan starts."),
    )


@login_required
@require_POST
def loan_payout_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:

    def not_the_recorder(loan: Loan) -> None:
        # Maker-checker: the officer who recorded the payout may not confirm it. The service
        # refuses too; this answers the attempt as what it is, a step this user may not take.
        if loan.payout_recorded_by_id is not None and loan.payout_recorded_by_id == request.user.pk:
            raise PermissionDenied

    return _act(
        request,
        pk,
        name="confirm",
        form_class=PayoutConfirmForm,
        permission=selectors.may_decide_loans,
        status=LoanStatus.PAYOUT_RECORDED,
        run=lambda loan, data: loan_payout_confirm(loan=loan, by=request.user),
        success=_("Payout confirmed. The loan is active and its schedule is fixed."),
        guard=not_the_recorder,
    )


@login_required
@require_POST
def loan_payout_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        name="reject",
        form_class=PayoutRejectForm,
        permission=selectors.may_decide_loans,
        status=LoanStatus.PAYOUT_RECORDED,
        run=lambda loan, data: loan_payout_reject(loan=loan, by=request.user, note=data["note"]),
        success=_("The payout was sent back. It can be recorded again."),
    )


@login_required
@require_POST
def loan_repayment_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        name="repay",
        form_class=RepaymentForm,
        permission=selectors.may_handle_loans,
        status=LoanStatus.ACTIVE,
        run=lambda loan, data: repayment_record(
            loan=loan,
            by=request.user,
            amount=data["amount"],
            paid_on=data["paid_on"],
            note=data.get("note") or "",
        ),
        success=_("Payment recorded."),
    )


@login_required
@require_POST
def loan_write_off_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        name="writeoff",
        form_class=WriteOffForm,
        permission=selectors.may_decide_loans,
        status=LoanStatus.ACTIVE,
        run=lambda loan, data: loan_write_off(loan=loan, by=request.user, reason=data["reason"]),
        success=_("The loan was written off."),
    )


@login_required
@require_POST
def loan_reschedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reschedule an active loan: it ends, and what is still owed continues as a new loan whose
    card the user lands on."""
    return _act(
        request,
        pk,
        name="reschedule",
        form_class=RescheduleForm,
        permission=selectors.may_decide_loans,
        status=LoanStatus.ACTIVE,
        run=lambda loan, data: loan_reschedule(
            loan=loan,
            by=request.user,
            tenor_months=data["tenor_months"],
            grace_months=data.get("grace_months") or 0,
            on=data["on"],
            reason=data["reason"],
        ),
        success=_("The loan was rescheduled. This is the new loan with its new schedule."),
        form_kwargs=lambda loan: {"loan": loan},
    )


@login_required
@require_POST
def loan_repayment_reverse_view(request: HttpRequest, pk: int, repayment_pk: int) -> HttpResponse:
    """Cancel one repayment of the loan by a counter-entry (a pengawas or loan officer)."""
    loan = selectors.loan_get(user=request.user, pk=pk)
    repayment = get_object_or_404(loan.repayments.all(), pk=repayment_pk)
    if not selectors.may_decide_loans(user=request.user, cooperative=loan.cooperative):
        raise PermissionDenied
    if loan.status not in REVERSIBLE_STATUSES:
        return _status_refused(request, loan)
    form = RepaymentReverseForm(request.POST, auto_id=f"reverse-{repayment.pk}-%s")
    if form.is_valid():
        try:
            repayment_reverse(repayment=repayment, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _step_refused(request, loan, error)
            _service_errors(form, error)
        else:
            messages.success(request, _("The payment was cancelled."))
            return redirect("loan_detail", loan.pk)
    return _render_card(request, loan, reverse_form=(repayment.pk, form), status=400)
