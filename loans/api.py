"""/api/v1/ endpoints of loans: the portfolio (list and summary), one loan with its schedule and
history, repayments and their reversal, the payout's maker-checker steps, write-off, and the
schedule and ledger workbooks.

Thin, like the portal's pages: reads go through loans.selectors (so a loan outside the caller's
scope answers 404), every change is a call to loans.services. Whoever may see a loan but not act
on it gets 403 before the body is read. The services' errors become answers: ValidationError 400
by field; LoanTransitionError 409 (the loan's status does not allow the step), or 403 when the
same officer who recorded a payout tries to confirm it.
"""

from dataclasses import asdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from cooperatives.serializers import ErrorSerializer, field_errors
from imports.exports import XLSX

from .arrears import loans_arrears_update
from .enums import LoanStatus
from .exports import repayments_sheet, schedule_sheet, xlsx_response
from .models import Loan, Repayment, RepaymentLine
from .selectors import (
    PortfolioFilters,
    PortfolioSummary,
    loan_decision_cooperative_ids,
    loan_events,
    loan_get,
    loan_repayments,
    may_decide_loans,
    may_decide_some_loans,
    may_handle_loans,
    portfolio_loans,
    portfolio_summary,
    with_outstanding,
)
from .serializers import (
    ALL_KINDS,
    ArrearsRecomputedSerializer,
    LoanDetailSerializer,
    LoanFilterSerializer,
    LoanSerializer,
    PayoutRejectSerializer,
    PayoutSerializer,
    PortfolioSerializer,
    RepaymentCreateSerializer,
    RepaymentSerializer,
    RescheduleSerializer,
    ReverseSerializer,
    WriteOffSerializer,
)
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

NPL_PLACES = Decimal("0.0001")
# As the portal (loans.views): a payment may be cancelled while its loan runs or was paid off
# by it; a loan written off or rescheduled keeps its history as it was.
REVERSIBLE_STATUSES = frozenset({LoanStatus.ACTIVE, LoanStatus.PAID_OFF})
# Refusals of the services that are about the loan's state, not the request's values (409).
STATE_CODES = frozenset({"reversed", "nothing_owed"})

# --- Reads ---------------------------------------------------------------------------------------


def filters_from(request: Request) -> PortfolioFilters:
    """The query parameters as the portal's portfolio filters; a bad value answers 400."""
    params = LoanFilterSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    data = params.validated_data
    return PortfolioFilters(
        collectibility=data.get("collectibility", ""),
        product=data.get("product", ""),
        cooperative=data.get("cooperative"),
        status=data.get("status", ""),
        kind="" if data["kind"] == ALL_KINDS else data["kind"],
        regency=data.get("regency", ""),
        district=data.get("district", ""),
        overdue_only=data["overdue"],
    )


def summary_figures(summary: PortfolioSummary) -> dict[str, Any]:
    """The selector's summary as PortfolioSerializer shows it: the NPL ratio to 4 places."""
    ratio = summary.npl_ratio
    return {
        **asdict(summary),
        "npl_ratio": None if ratio is None else ratio.quantize(NPL_PLACES, ROUND_HALF_UP),
    }


def loan_detail(*, user: Any, pk: Any) -> Loan:
    """One loan the user may see, as LoanDetailSerializer reads it: its schedule, history and
    totals, and what the user may do with it; Http404 outside the scope."""
    loan = loan_get(user=user, pk=pk)
    instalments = list(loan.instalments.all())
    loan.principal_left = sum(i.principal - i.paid_principal for i in instalments)  # type: ignore[attr-defined]
    loan.owed_total = sum(i.owed for i in instalments)  # type: ignore[attr-defined]
    loan.may_handle = may_handle_loans(user=user, cooperative=loan.cooperative)  # type: ignore[attr-defined]
    loan.may_decide = may_decide_loans(user=user, cooperative=loan.cooperative)  # type: ignore[attr-defined]
    loan.history = list(loan_events(loan=loan))  # type: ignore[attr-defined]
    return loan


def repayments_with_lines(loan: Loan) -> QuerySet[Repayment]:
    """The loan's repayments (loans.selectors) with the part each one paid on each instalment."""
    return loan_repayments(loan=loan).prefetch_related(
        Prefetch(
            "lines",
            queryset=RepaymentLine.objects.select_related("instalment").order_by(
                "instalment__number"
            ),
        )
    )


# --- Answers -------------------------------------------------------------------------------------


def wrong_status(loan: Loan) -> LoanTransitionError:
    # The service's own words for a step the status does not allow.
    return LoanTransitionError(
        _("This loan is “%(status)s”; that step is not possible now.")
        % {"status": loan.get_status_display()},
        code="status",
    )


def refusal(error: ValidationError) -> Response:
    """A service's ValidationError as an answer: a wrong status 409 and maker-checker 403 (both
    with the message in `detail`), a payment already cancelled or nothing left to reschedule
    409, bad input 400 by field (the rest under non_field_errors)."""
    code = getattr(error, "code", None)
    if isinstance(error, LoanTransitionError) or code in STATE_CODES:
        answer = status.HTTP_403_FORBIDDEN if code == "maker_checker" else status.HTTP_409_CONFLICT
        return Response({"detail": " ".join(error.messages)}, status=answer)
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(error, "error_dict"):
        body = {
            non_field if field == NON_FIELD_ERRORS else field: messages
            for field, messages in error.message_dict.items()
        }
    else:
        body = {non_field: error.messages}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


# --- Schema pieces -------------------------------------------------------------------------------

LOAN_PK = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Loan id.")
REPAYMENT_PK = OpenApiParameter(
    "repayment_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Repayment id."
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("Not found or outside your scope.")
)
BAD_FILTER = OpenApiResponse(description=gettext_lazy("A filter value is not valid."))
MAY_NOT_HANDLE = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "You may see the loan but not record its payout or payments (the cooperative's "
        "operator, pengawas or loan officer may)."
    ),
)
MAY_NOT_DECIDE = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "You may see the loan but not decide on it (its loan officer or pengawas may)."
    ),
)
WRONG_STATUS = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "The loan's status does not allow this step; the reason is in detail."
    ),
)


# --- Views ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        operation_id="loans_list",
        summary=gettext_lazy("Loans in your scope (the portfolio)"),
        description=gettext_lazy(
            "The same loans and filters as the portal's portfolio, most days past due first. "
            "Without filters: members' loans waiting for payout or active."
        ),
        parameters=[LoanFilterSerializer],
        responses={200: LoanSerializer, 400: BAD_FILTER},
    ),
)
class LoanViewSet(viewsets.GenericViewSet):
    serializer_class = LoanSerializer

    def get_queryset(self) -> QuerySet[Loan]:
        if getattr(self, "swagger_fake_view", False):
            return Loan.objects.none()
        return with_outstanding(
            portfolio_loans(user=self.request.user, filters=filters_from(self.request))
        )

    def _acting(self, pk: Any, *, decide: bool) -> Loan:
        """The loan, if the caller may see it (else 404) and act on it (else 403)."""
        loan = loan_get(user=self.request.user, pk=pk)
        if decide:
            if not may_decide_loans(user=self.request.user, cooperative=loan.cooperative):
                raise exceptions.PermissionDenied(
                    _("Only a loan officer or the pengawas of %(cooperative)s may do this.")
                    % {"cooperative": loan.cooperative.name}
                )
        elif not may_handle_loans(user=self.request.user, cooperative=loan.cooperative):
            raise exceptions.PermissionDenied(
                _(
                    "Only the operator, the pengawas or a loan officer of %(cooperative)s may "
                    "record payouts and payments."
                )
                % {"cooperative": loan.cooperative.name}
            )
        return loan

    def _loan_answer(self, pk: Any, code: int = status.HTTP_200_OK) -> Response:
        loan = loan_detail(user=self.request.user, pk=pk)
        return Response(LoanDetailSerializer(loan).data, status=code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(LoanSerializer(page, many=True).data)

    @extend_schema(
        operation_id="loans_portfolio",
        summary=gettext_lazy("Portfolio summary and NPL ratio"),
        description=gettext_lazy(
            "For the loans the same filters select: the active loans, the principal still owed, "
            "its non-performing part (Kurang Lancar, Diragukan, Macet) and the NPL ratio, and "
            "the count and outstanding principal of each collectibility class."
        ),
        parameters=[LoanFilterSerializer],
        responses={200: PortfolioSerializer, 400: BAD_FILTER},
    )
    def portfolio(self, request: Request) -> Response:
        loans = portfolio_loans(user=request.user, filters=filters_from(request))
        figures = summary_figures(portfolio_summary(loans))
        return Response(PortfolioSerializer(figures).data)

    @extend_schema(
        operation_id="loans_retrieve",
        summary=gettext_lazy("One loan: terms, schedule and history"),
        parameters=[LOAN_PK],
        responses={200: LoanDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: Any) -> Response:
        return self._loan_answer(pk)

    # --- Repayments ------------------------------------------------------------------------------

    @extend_schema(
        operation_id="loans_repayments_list",
        summary=gettext_lazy("Payments on a loan"),
        description=gettext_lazy(
            "Every payment and cancellation, oldest first, with the part that went to each "
            "instalment."
        ),
        parameters=[LOAN_PK],
        responses={200: RepaymentSerializer(many=True), 404: NOT_FOUND},
    )
    def repayments(self, request: Request, pk: Any) -> Response:
        loan = loan_get(user=request.user, pk=pk)
        return Response(RepaymentSerializer(repayments_with_lines(loan), many=True).data)

    @extend_schema(
        operation_id="loans_repayments_create",
        summary=gettext_lazy("Record a payment"),
        description=gettext_lazy(
            "Splits the amount over the instalments, oldest first: penalty, then fees, then "
            "interest, then principal. More than is still owed is refused (nothing is kept "
            "silently); the last Rupiah owed pays the loan off."
        ),
        parameters=[LOAN_PK],
        request=RepaymentCreateSerializer,
        responses={
            201: RepaymentSerializer,
            400: field_errors("RepaymentErrors", "amount", "paid_on", "note"),
            403: MAY_NOT_HANDLE,
            404: NOT_FOUND,
            409: WRONG_STATUS,
        },
    )
    def repay(self, request: Request, pk: Any) -> Response:
        loan = self._acting(pk, decide=False)
        body = RepaymentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            repayment = repayment_record(loan=loan, by=request.user, **body.validated_data)
        except ValidationError as error:
            return refusal(error)
        saved = repayments_with_lines(loan).get(pk=repayment.pk)
        return Response(RepaymentSerializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="loans_repayments_reverse",
        summary=gettext_lazy("Cancel a payment"),
        description=gettext_lazy(
            "Records a counter-entry that takes back exactly what the payment covered; the "
            "payment itself is never changed. A loan it had paid off becomes active again."
        ),
        parameters=[LOAN_PK, REPAYMENT_PK],
        request=ReverseSerializer,
        responses={
            201: RepaymentSerializer,
            400: field_errors("ReverseErrors", "note"),
            403: MAY_NOT_DECIDE,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy(
                    "The payment was already cancelled or is itself a cancellation, or the "
                    "loan was written off or rescheduled."
                ),
            ),
        },
    )
    def reverse(self, request: Request, pk: Any, repayment_pk: Any) -> Response:
        loan = self._acting(pk, decide=True)
        repayment = get_object_or_404(Repayment, loan=loan, pk=repayment_pk)
        if loan.status not in REVERSIBLE_STATUSES:
            return refusal(wrong_status(loan))
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            reversal = repayment_reverse(
                repayment=repayment, by=request.user, note=body.validated_data["note"]
            )
        except ValidationError as error:
            return refusal(error)
        saved = repayments_with_lines(loan).get(pk=reversal.pk)
        return Response(RepaymentSerializer(saved).data, status=status.HTTP_201_CREATED)

    # --- Payout (maker-checker), write-off -------------------------------------------------------

    @extend_schema(
        operation_id="loans_payout",
        summary=gettext_lazy("Record the payout"),
        description=gettext_lazy(
            "The first officer records the day the money was paid out; another officer must "
            "confirm it before the schedule is fixed."
        ),
        parameters=[LOAN_PK],
        request=PayoutSerializer,
        responses={
            200: LoanDetailSerializer,
            400: field_errors("PayoutErrors", "disbursed_on", "amount", "tenor_months"),
            403: MAY_NOT_HANDLE,
            404: NOT_FOUND,
            409: WRONG_STATUS,
        },
    )
    def payout(self, request: Request, pk: Any) -> Response:
        loan = self._acting(pk, decide=False)
        body = PayoutSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            loan_payout_record(
                loan=loan, by=request.user, disbursed_on=body.validated_data["disbursed_on"]
            )
        except ValidationError as error:
            return refusal(error)
        return self._loan_answer(pk)

    @extend_schema(
        operation_id="loans_payout_confirm",
        summary=gettext_lazy("Confirm the recorded payout"),
        description=gettext_lazy(
            "A second officer confirms: the loan becomes active and its schedule is fixed. "
            "The officer who recorded the payout may not confirm it (403)."
        ),
        parameters=[LOAN_PK],
        request=None,
        responses={
            200: LoanDetailSerializer,
            400: field_errors("PayoutConfirmErrors"),
            403: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy(
                    "You may not decide on this loan, or you recorded this payout yourself."
                ),
            ),
            404: NOT_FOUND,
            409: WRONG_STATUS,
        },
    )
    def payout_confirm(self, request: Request, pk: Any) -> Response:
        loan = self._acting(pk, decide=True)
        try:
            loan_payout_confirm(loan=loan, by=request.user)
        except ValidationError as error:
            return refusal(error)
        return self._loan_answer(pk)

    @extend_schema(
        operation_id="loans_payout_reject",
        summary=gettext_lazy("Send a recorded payout back"),
        description=gettext_lazy(
            "The second officer says what is wrong; the payout can then be recorded again."
        ),
        parameters=[LOAN_PK],
        request=PayoutRejectSerializer,
        responses={
            200: LoanDetailSerializer,
            400: field_errors("PayoutRejectErrors", "note"),
            403: MAY_NOT_DECIDE,
            404: NOT_FOUND,
            409: WRONG_STATUS,
        },
    )
    def payout_reject(self, request: Request, pk: Any) -> Response:
        loan = self._acting(pk, decide=True)
        body = PayoutRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            loan_payout_reject(loan=loan, by=request.user, note=body.validated_data["note"])
        except ValidationError as error:
            return refusal(error)
        return self._loan_answer(pk)

    @extend_schema(
        operation_id="loans_write_off",
        summary=gettext_lazy("Write off an active loan"),
        description=gettext_lazy(
            "After the pengurus decided the loan will not be recovered; the reason is kept in "
            "its history, its instalments and payments stay as they are."
        ),
        parameters=[LOAN_PK],
        request=WriteOffSerializer,
        responses={
            200: LoanDetailSerializer,
            400: field_errors("WriteOffErrors", "reason"),
            403: MAY_NOT_DECIDE,
            404: NOT_FOUND,
            409: WRONG_STATUS,
        },
    )
    def write_off(self, request: Request, pk: Any) -> Response:
        loan = self._acting(pk, decide=True)
        body = WriteOffSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            loan_write_off(loan=loan, by=request.user, reason=body.validated_data["reason"])
        except ValidationError as error:
            return refusal(error)
        return self._loan_answer(pk)

    @extend_schema(
        operation_id="loans_reschedule",
        summary=gettext_lazy("Reschedule an active loan (restrukturisasi)"),
        description=gettext_lazy(
            "The loan ends as rescheduled; what is still owed (the principal left plus the "
            "interest, fees and penalties already due and unpaid) continues as a new active "
            "loan over the new term from the given day, at the same rate and method. Answers "
            "the new loan."
        ),
        parameters=[LOAN_PK],
        request=RescheduleSerializer,
        responses={
            201: LoanDetailSerializer,
            400: field_errors("RescheduleErrors", "tenor_months", "on", "reason", "grace_months"),
            403: MAY_NOT_DECIDE,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy(
                    "The loan is not active, or nothing is owed on it any more."
                ),
            ),
        },
    )
    def reschedule(self, request: Request, pk: Any) -> Response:
        loan = self._acting(pk, decide=True)
        body = RescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            successor = loan_reschedule(loan=loan, by=request.user, **body.validated_data)
        except ValidationError as error:
            return refusal(error)
        return self._loan_answer(successor.pk, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="loans_arrears_recompute",
        summary=gettext_lazy("Recompute arrears now"),
        description=gettext_lazy(
            "Days past due, the overdue amount, late penalties and the collectibility class, as "
            "of today, of the active loans of the cooperatives you decide loans for (the nightly "
            "job does it for all)."
        ),
        request=None,
        responses={
            200: ArrearsRecomputedSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("Only a pengawas or a loan officer recomputes arrears."),
            ),
        },
    )
    def recompute_arrears(self, request: Request) -> Response:
        cooperative_ids = loan_decision_cooperative_ids(user=request.user)
        if not may_decide_some_loans(user=request.user) or cooperative_ids == []:
            raise exceptions.PermissionDenied(
                _("Only a pengawas or a loan officer recomputes arrears.")
            )
        changed = loans_arrears_update(cooperative_ids=cooperative_ids)
        figures = {"changed": changed, "as_of": timezone.localdate()}
        return Response(ArrearsRecomputedSerializer(figures).data)

    # --- Workbooks -------------------------------------------------------------------------------

    @extend_schema(
        operation_id="loans_schedule_xlsx",
        summary=gettext_lazy("The repayment schedule as a workbook"),
        parameters=[LOAN_PK],
        responses={(200, XLSX): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    def schedule_xlsx(self, request: Request, pk: Any) -> HttpResponse:
        loan = loan_get(user=request.user, pk=pk)
        return xlsx_response(schedule_sheet(loan), f"jadwal-angsuran-{loan.pk}.xlsx")

    @extend_schema(
        operation_id="loans_ledger_xlsx",
        summary=gettext_lazy("The loan's ledger card (every payment) as a workbook"),
        parameters=[LOAN_PK],
        responses={(200, XLSX): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    def ledger_xlsx(self, request: Request, pk: Any) -> HttpResponse:
        loan = loan_get(user=request.user, pk=pk)
        sheet = repayments_sheet(loan, loan_repayments(loan=loan))
        return xlsx_response(sheet, f"pembayaran-pinjaman-{loan.pk}.xlsx")
