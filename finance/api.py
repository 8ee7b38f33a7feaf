"""/api/v1/ endpoints of a cooperative's books: the chart with balances and its sub-accounts, the
journal (entries, posting, reversal), closed months, savings movements and each member's
savings, the statements and the SHU.

Thin, like the portal's pages: the cooperative named in the address goes through
finance.access.books_cooperative (outside the caller's scope it answers 404), reading needs
nothing more, and every change is a call to finance.services. Whoever may see the books but not
keep them (or close or reopen a month) gets 403 before the body is read. The services' errors
become answers: 400 with the service's message by field, or 409 when the entry or month is
already in the state asked for (an entry reversed before, a month closed twice).
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from cooperatives.models import Cooperative, Member
from cooperatives.selectors import member_get
from cooperatives.serializers import ErrorSerializer, field_errors

from .access import books_cooperative, may_keep_books
from .balances import Movement, account_movements
from .enums import RESULT_TYPES, SavingsSource, SavingsType
from .models import (
    Account,
    ClosedPeriod,
    JournalEntry,
    JournalLine,
    PeriodEvent,
    SavingsTransaction,
)
from .savings import member_savings, passbook
from .selectors import chart_accounts
from .serializers import (
    AccountCreateSerializer,
    AccountSerializer,
    AccountsQuerySerializer,
    EntryCreateSerializer,
    EntryReverseSerializer,
    JournalEntrySerializer,
    JournalFilterSerializer,
    MemberSavingsQuerySerializer,
    MemberSavingsSerializer,
    PeriodCloseSerializer,
    PeriodReopenSerializer,
    PeriodsSerializer,
    SavingsCreateSerializer,
    SavingsFilterSerializer,
    SavingsMovementSerializer,
    ShuSerializer,
    StatementDateSerializer,
    StatementPeriodSerializer,
    StatementSerializer,
    StatementUnitPeriodSerializer,
)
from .services import Line, account_create_sub, journal_post, journal_reverse
from .services.periods import may_close, may_reopen, period_close, period_reopen
from .services.savings import savings_record
from .shu import shu_compute
from .statements import (
    Statement,
    balance_sheet,
    cash_flow,
    equity_changes,
    income_statement,
    trial_balance,
)
from .views.shu_forms import FIRST_YEAR

# Refusals about the state of what is asked for, not the request's values (409).
STATE_CODES = frozenset({"reversed", "reversal_of_reversal", "already_closed", "not_closed"})
# Where a service's message without a field of its own belongs in each request's body.
ENTRY_FIELDS = {
    "future_date": "date",
    "period_closed": "date",
    "too_few_lines": "lines",
    "unbalanced": "lines",
    "unknown_account": "lines",
    "foreign_account": "lines",
    "inactive_account": "lines",
    "line_amount": "lines",
    "foreign_member": "lines",
}
REVERSE_FIELDS = {"future_date": "date", "period_closed": "date"}
CLOSE_FIELDS = {"month_not_ended": "month"}
YEAR_FIELDS = {"future_year": "year"}
SAVINGS_FIELDS = {
    "savings_type_invalid": "savings_type",
    "foreign_member": "member",
    "date_future": "date",
    "before_joining": "date",
    "period_closed": "date",
    "savings_locked": "withdrawal",
    "balance_exceeded": "withdrawal",
    "pokok_exceeded": "deposit",
    "pokok_paid": "deposit",
    "receipt_duplicate": "receipt_no",
}
STATEMENT_FIELDS = {
    "bad_date": "end",
    "end_before_start": "end",
    "spans_years": "end",
    "unknown_unit": "business_unit",
}

# --- Reads ---------------------------------------------------------------------------------------


def chart_with_balances(cooperative: Cooperative, *, as_of: datetime.date) -> list[Account]:
    """The chart the cooperative posts to, by code, each account with `balance` (its own lines
    at the end of `as_of`; revenue and expenses from 1 January of that year) and `total` (with
    its sub-accounts). Two aggregate queries, however many lines."""
    since_ever = account_movements(cooperative, end=as_of)
    this_year = account_movements(cooperative, start=as_of.replace(month=1, day=1), end=as_of)
    accounts = list(chart_accounts(cooperative).select_related("parent").order_by("code"))
    for account in accounts:
        movements = this_year if account.type in RESULT_TYPES else since_ever
        account.balance = movements.get(account.pk, Movement()).balance(account.type)  # type: ignore[attr-defined]
        account.total = account.balance  # type: ignore[attr-defined]
    by_id = {account.pk: account for account in accounts}
    for account in accounts:
        if account.parent_id is not None and account.parent_id in by_id:
            by_id[account.parent_id].total += account.balance  # type: ignore[attr-defined]
    return accounts


def journal_entries(cooperative: Cooperative) -> QuerySet[JournalEntry]:
    """The cooperative's entries as JournalEntrySerializer reads them, latest first."""
    return (
        JournalEntry.objects.filter(cooperative=cooperative)
        .select_related("posted_by", "reversed_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=JournalLine.objects.select_related("account").order_by("id"),
            )
        )
        .order_by("-date", "-number")
    )


def savings_movements(cooperative: Cooperative) -> QuerySet[SavingsTransaction]:
    """The cooperative's savings movements as SavingsMovementSerializer reads them, latest
    first."""
    return (
        SavingsTransaction.objects.filter(cooperative=cooperative)
        .select_related("member", "recorded_by")
        .order_by("-date", "-id")
    )


def with_total(balances: dict[str, int]) -> dict[str, int]:
    """Savings by kind (pokok, wajib, sukarela) and their total."""
    kinds = {kind: balances.get(kind, 0) for kind in SavingsType.values}
    return {**kinds, "total": sum(kinds.values())}


def periods_state(user: Any, cooperative: Cooperative) -> dict[str, Any]:
    """What PeriodsSerializer shows: the closed months, their audit trail, what the user may do."""
    return {
        "may_close": may_close(user, cooperative),
        "may_reopen": may_reopen(user, cooperative),
        "closed": ClosedPeriod.objects.filter(cooperative=cooperative)
        .select_related("closed_by")
        .order_by("-month"),
        "events": PeriodEvent.objects.filter(cooperative=cooperative)
        .select_related("by")
        .order_by("-at", "-id"),
    }


def fed_by_a_book(cooperative: Cooperative, codes: list[str]) -> list[str]:
    """What is wrong with a hand-written entry's accounts that the member books keep (savings,
    member loans, bank loans): as in the portal's entry form, those post only through their own
    book, so that a movement is never counted twice. Empty when none is."""
    controlled = {
        account.code: account
        for account in chart_accounts(cooperative).filter(code__in=codes).exclude(control="")
    }
    return [
        _(
            "Line %(n)s: %(account)s is kept by the savings or loan book; record the movement "
            "there, not in a hand-written entry."
        )
        % {"n": number, "account": controlled[code]}
        for number, code in enumerate(codes, start=1)
        if code in controlled
    ]


# --- Answers -------------------------------------------------------------------------------------


def refusal(error: ValidationError, fields: dict[str, str] | None = None) -> Response:
    """A service's ValidationError as an answer: 409 with the message in `detail` when the
    entry or month already is as asked; otherwise 400 by field — the service's own field, or
    the request's field its code names in `fields`, or non_field_errors."""
    code = getattr(error, "code", None)
    if code in STATE_CODES:
        return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(error, "error_dict"):
        body = {
            non_field if field == NON_FIELD_ERRORS else field: messages
            for field, messages in error.message_dict.items()
        }
    else:
        body = {(fields or {}).get(code or "", non_field): error.messages}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


# --- Schema pieces -------------------------------------------------------------------------------

COOPERATIVE_PK = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Cooperative id."
)
ENTRY_PK = OpenApiParameter(
    "entry_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Journal entry id."
)
YEAR = OpenApiParameter(
    "year",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="Financial year, from 2000 to this year, e.g. 2026.",
)
MEMBER_PK = OpenApiParameter(
    "member_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Member id."
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("Not found or outside your scope.")
)
BAD_FILTER = OpenApiResponse(description=gettext_lazy("A filter value is not valid."))
MAY_NOT_KEEP = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "You may see the books but not keep them (the cooperative's operator does)."
    ),
)


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


# --- Views ---------------------------------------------------------------------------------------


class BooksViewSet(viewsets.GenericViewSet):
    """The cooperative from the address, for reading or for keeping its books."""

    def _books(self, pk: Any) -> Cooperative:
        return books_cooperative(self.request.user, pk)

    def _keeping(self, pk: Any) -> Cooperative:
        cooperative = books_cooperative(self.request.user, pk)
        if not may_keep_books(self.request.user, cooperative):
            raise exceptions.PermissionDenied(
                _("Only the operator of %(cooperative)s keeps its books.")
                % {"cooperative": cooperative.name}
            )
        return cooperative


class AccountViewSet(BooksViewSet):
    serializer_class = AccountSerializer
    pagination_class = None

    @extend_schema(
        operation_id="books_accounts_list",
        summary=gettext_lazy("The chart of accounts with balances"),
        description=gettext_lazy(
            "The shared accounts and the cooperative's own sub-accounts, by code, each with its "
            "balance at the end of as_of (today without it)."
        ),
        parameters=[COOPERATIVE_PK, AccountsQuerySerializer],
        responses={200: AccountSerializer(many=True), 400: BAD_FILTER, 404: NOT_FOUND},
    )
    def list(self, request: Request, pk: Any) -> Response:
        cooperative = self._books(pk)
        as_of = _query(AccountsQuerySerializer, request).get("as_of") or timezone.localdate()
        accounts = chart_with_balances(cooperative, as_of=as_of)
        return Response(AccountSerializer(accounts, many=True).data)

    @extend_schema(
        operation_id="books_accounts_create",
        summary=gettext_lazy("Add a sub-account"),
        description=gettext_lazy(
            "A sub-account under a shared account (“1-102.01 Bank BRI”): it takes the parent's "
            "type and place in the statements, and the parent's code plus a number. Shared "
            "accounts never change."
        ),
        parameters=[COOPERATIVE_PK],
        request=AccountCreateSerializer,
        responses={
            201: AccountSerializer,
            400: field_errors("SubAccountErrors", "parent", "name", "name_en", "business_unit"),
            403: MAY_NOT_KEEP,
            404: NOT_FOUND,
        },
    )
    def create(self, request: Request, pk: Any) -> Response:
        cooperative = self._keeping(pk)
        body = AccountCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        parent = chart_accounts(cooperative).filter(code=data["parent"].strip()).first()
        if parent is None:
            return Response(
                {
                    "parent": [
                        _("There is no account %(code)s in this cooperative's chart.")
                        % {"code": data["parent"]}
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            account = account_create_sub(
                cooperative=cooperative,
                parent=parent,
                name=data["name"],
                name_en=data["name_en"],
                business_unit=data["business_unit"],
                by=request.user,
            )
        except ValidationError as error:
            return refusal(error)
        (saved,) = [
            a
            for a in chart_with_balances(cooperative, as_of=timezone.localdate())
            if a.pk == account.pk
        ]
        return Response(AccountSerializer(saved).data, status=status.HTTP_201_CREATED)


class JournalViewSet(BooksViewSet):
    serializer_class = JournalEntrySerializer

    @extend_schema(
        operation_id="books_journal_list",
        summary=gettext_lazy("Journal entries"),
        description=gettext_lazy(
            "The cooperative's posted entries with their lines, latest first, a page at a time."
        ),
        parameters=[COOPERATIVE_PK, JournalFilterSerializer],
        responses={200: JournalEntrySerializer, 400: BAD_FILTER, 404: NOT_FOUND},
    )
    def list(self, request: Request, pk: Any) -> Response:
        cooperative = self._books(pk)
        filters = _query(JournalFilterSerializer, request)
        entries = journal_entries(cooperative)
        if "date_from" in filters:
            entries = entries.filter(date__gte=filters["date_from"])
        if "date_to" in filters:
            entries = entries.filter(date__lte=filters["date_to"])
        if filters.get("source"):
            entries = entries.filter(source=filters["source"])
        if filters.get("account"):
            code = filters["account"].strip()
            accounts = chart_accounts(cooperative).filter(Q(code=code) | Q(parent__code=code))
            if not accounts.exists():
                return Response(
                    {
                        "account": [
                            _("There is no account %(code)s in this cooperative's chart.")
                            % {"code": code}
                        ]
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            entries = entries.filter(
                Exists(JournalLine.objects.filter(entry=OuterRef("pk"), account__in=accounts))
            )
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(JournalEntrySerializer(page, many=True).data)

    @extend_schema(
        operation_id="books_journal_create",
        summary=gettext_lazy("Post a journal entry"),
        description=gettext_lazy(
            "A balanced entry written by hand: at least one debit and one credit line on "
            "accounts of the cooperative's chart, the debits equal to the credits, dated in an "
            "open month and not in the future. Accounts the savings and loan books keep are "
            "not written to by hand. Anything wrong: nothing is posted."
        ),
        parameters=[COOPERATIVE_PK],
        request=EntryCreateSerializer,
        responses={
            201: JournalEntrySerializer,
            400: field_errors("JournalEntryErrors", "date", "description", "lines"),
            403: MAY_NOT_KEEP,
            404: NOT_FOUND,
        },
    )
    def create(self, request: Request, pk: Any) -> Response:
        cooperative = self._keeping(pk)
        body = EntryCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        refused = fed_by_a_book(cooperative, [line["account"].strip() for line in data["lines"]])
        if refused:
            return Response({"lines": refused}, status=status.HTTP_400_BAD_REQUEST)
        lines = [
            Line(
                account=line["account"].strip(),
                debit=line["debit"],
                credit=line["credit"],
                member=line["member"],
                memo=line["memo"],
                business_unit=line["business_unit"],
            )
            for line in data["lines"]
        ]
        try:
            entry = journal_post(
                cooperative=cooperative,
                date=data["date"],
                description=data["description"],
                lines=lines,
                by=request.user,
            )
        except ValidationError as error:
            return refusal(error, ENTRY_FIELDS)
        saved = journal_entries(cooperative).get(pk=entry.pk)
        return Response(JournalEntrySerializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="books_journal_retrieve",
        summary=gettext_lazy("One journal entry"),
        parameters=[COOPERATIVE_PK, ENTRY_PK],
        responses={200: JournalEntrySerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: Any, entry_pk: Any) -> Response:
        cooperative = self._books(pk)
        entry = get_object_or_404(journal_entries(cooperative), pk=entry_pk)
        return Response(JournalEntrySerializer(entry).data)

    @extend_schema(
        operation_id="books_journal_reverse",
        summary=gettext_lazy("Reverse a journal entry"),
        description=gettext_lazy(
            "Posts the entry's mirror image (each debit a credit and back); the entry itself "
            "never changes. Answers the reversal."
        ),
        parameters=[COOPERATIVE_PK, ENTRY_PK],
        request=EntryReverseSerializer,
        responses={
            201: JournalEntrySerializer,
            400: field_errors("JournalReverseErrors", "date", "reason"),
            403: MAY_NOT_KEEP,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy(
                    "The entry was reversed already, or is itself a reversal."
                ),
            ),
        },
    )
    def reverse(self, request: Request, pk: Any, entry_pk: Any) -> Response:
        cooperative = self._keeping(pk)
        entry = get_object_or_404(JournalEntry, cooperative=cooperative, pk=entry_pk)
        body = EntryReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            reversal = journal_reverse(
                entry=entry, by=request.user, date=data.get("date"), reason=data["reason"]
            )
        except ValidationError as error:
            return refusal(error, REVERSE_FIELDS)
        saved = journal_entries(cooperative).get(pk=reversal.pk)
        return Response(JournalEntrySerializer(saved).data, status=status.HTTP_201_CREATED)


class PeriodViewSet(BooksViewSet):
    serializer_class = PeriodsSerializer
    pagination_class = None

    def _answer(self, cooperative: Cooperative) -> Response:
        return Response(PeriodsSerializer(periods_state(self.request.user, cooperative)).data)

    @extend_schema(
        operation_id="books_periods",
        summary=gettext_lazy("Closed months and their audit trail"),
        parameters=[COOPERATIVE_PK],
        responses={200: PeriodsSerializer, 404: NOT_FOUND},
    )
    def list(self, request: Request, pk: Any) -> Response:
        return self._answer(self._books(pk))

    @extend_schema(
        operation_id="books_periods_close",
        summary=gettext_lazy("Close a month"),
        description=gettext_lazy(
            "Nothing more may be posted into the month until a regency or province officer "
            "reopens it. Only a month that has ended; the pengawas or an officer closes."
        ),
        parameters=[COOPERATIVE_PK],
        request=PeriodCloseSerializer,
        responses={
            200: PeriodsSerializer,
            400: field_errors("PeriodCloseErrors", "month"),
            403: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("Only the pengawas or an officer may close the books."),
            ),
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("The month is closed already.")
            ),
        },
    )
    def close(self, request: Request, pk: Any) -> Response:
        cooperative = self._books(pk)
        if not may_close(request.user, cooperative):
            raise exceptions.PermissionDenied(
                _("Only the pengawas or an officer may close the books.")
            )
        body = PeriodCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            period_close(
                cooperative=cooperative, month=body.validated_data["month"], by=request.user
            )
        except DjangoPermissionDenied as denied:
            raise exceptions.PermissionDenied(str(denied)) from denied
        except ValidationError as error:
            return refusal(error, CLOSE_FIELDS)
        return self._answer(cooperative)

    @extend_schema(
        operation_id="books_periods_reopen",
        summary=gettext_lazy("Reopen a closed month"),
        description=gettext_lazy(
            "A regency or province officer reopens, saying why; the reason is kept in the "
            "audit trail."
        ),
        parameters=[COOPERATIVE_PK],
        request=PeriodReopenSerializer,
        responses={
            200: PeriodsSerializer,
            400: field_errors("PeriodReopenErrors", "month", "reason"),
            403: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy(
                    "Only a regency or province officer may reopen closed books."
                ),
            ),
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("The month is not closed.")
            ),
        },
    )
    def reopen(self, request: Request, pk: Any) -> Response:
        cooperative = self._books(pk)
        if not may_reopen(request.user, cooperative):
            raise exceptions.PermissionDenied(
                _("Only a regency or province officer may reopen closed books.")
            )
        body = PeriodReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            period_reopen(
                cooperative=cooperative,
                month=body.validated_data["month"],
                reason=body.validated_data["reason"],
                by=request.user,
            )
        except DjangoPermissionDenied as denied:
            raise exceptions.PermissionDenied(str(denied)) from denied
        except ValidationError as error:
            return refusal(error)
        return self._answer(cooperative)


class SavingsViewSet(BooksViewSet):
    serializer_class = SavingsMovementSerializer

    @extend_schema(
        operation_id="books_savings_list",
        summary=gettext_lazy("Savings movements"),
        description=gettext_lazy(
            "Deposits and withdrawals of simpanan pokok, wajib and sukarela of the "
            "cooperative's members, latest first, a page at a time."
        ),
        parameters=[COOPERATIVE_PK, SavingsFilterSerializer],
        responses={200: SavingsMovementSerializer, 400: BAD_FILTER, 404: NOT_FOUND},
    )
    def list(self, request: Request, pk: Any) -> Response:
        cooperative = self._books(pk)
        filters = _query(SavingsFilterSerializer, request)
        movements = savings_movements(cooperative)
        if "member" in filters:
            movements = movements.filter(member_id=filters["member"])
        if filters.get("type"):
            movements = movements.filter(savings_type=filters["type"])
        if "date_from" in filters:
            movements = movements.filter(date__gte=filters["date_from"])
        if "date_to" in filters:
            movements = movements.filter(date__lte=filters["date_to"])
        page = self.paginate_queryset(movements)
        return self.get_paginated_response(SavingsMovementSerializer(page, many=True).data)

    @extend_schema(
        operation_id="books_savings_create",
        summary=gettext_lazy("Record a savings deposit or withdrawal"),
        description=gettext_lazy(
            "One movement of a member's simpanan pokok, wajib or sukarela, with its journal "
            "entry (Kas against the savings account), both or neither. Pokok and wajib are not "
            "withdrawn while the person is a member; nothing beyond the balance; pokok is paid "
            "once. Anything wrong: nothing is written."
        ),
        parameters=[COOPERATIVE_PK],
        request=SavingsCreateSerializer,
        responses={
            201: SavingsMovementSerializer,
            400: field_errors(
                "SavingsMovementErrors",
                "member",
                "savings_type",
                "date",
                "deposit",
                "withdrawal",
                "receipt_no",
                "description",
            ),
            403: MAY_NOT_KEEP,
            404: NOT_FOUND,
        },
    )
    def create(self, request: Request, pk: Any) -> Response:
        cooperative = self._keeping(pk)
        body = SavingsCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        member = Member.objects.filter(cooperative=cooperative, pk=data.pop("member")).first()
        if member is None:
            return Response(
                {"member": [_("This person is not a member of this cooperative.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            movement = savings_record(
                cooperative=cooperative,
                member=member,
                by=request.user,
                source=SavingsSource.API,
                **data,
            )
        except ValidationError as error:
            return refusal(error, SAVINGS_FIELDS)
        saved = savings_movements(cooperative).get(pk=movement.pk)
        return Response(SavingsMovementSerializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="books_member_savings",
        summary=gettext_lazy("A member's savings and passbook"),
        description=gettext_lazy(
            "The member's simpanan pokok, wajib and sukarela, and the passbook (buku simpanan): "
            "the balances before start, then every movement with the balances after it."
        ),
        parameters=[COOPERATIVE_PK, MEMBER_PK, MemberSavingsQuerySerializer],
        responses={200: MemberSavingsSerializer, 400: BAD_FILTER, 404: NOT_FOUND},
    )
    def member(self, request: Request, pk: Any, member_pk: Any) -> Response:
        cooperative = self._books(pk)
        member = member_get(user=request.user, cooperative=cooperative, pk=member_pk)
        period = _query(MemberSavingsQuerySerializer, request)
        start, end = period.get("start"), period.get("end")
        book = passbook(member, start=start, end=end)
        answer = {
            "member": member.pk,
            "name": member.name,
            "status": member.status,
            "start": start,
            "end": end,
            "balances": with_total(member_savings(member, as_of=end)),
            "opening": with_total(book.opening),
            "rows": [
                {
                    "date": row.date,
                    "savings_type": row.savings_type,
                    "savings_type_label": row.label,
                    "receipt_no": row.receipt_no,
                    "description": row.description,
                    "deposit": row.deposit,
                    "withdrawal": row.withdrawal,
                    "balance": row.balance,
                    "balances": with_total(row.balances),
                    "source": row.source,
                    "journal_entry": row.journal_entry_id,
                }
                for row in book.rows
            ],
            "deposits": book.deposits,
            "withdrawals": book.withdrawals,
        }
        return Response(MemberSavingsSerializer(answer).data)


class ShuViewSet(BooksViewSet):
    serializer_class = ShuSerializer
    pagination_class = None

    @extend_schema(
        operation_id="books_shu",
        summary=gettext_lazy("The year's SHU and how it is shared"),
        description=gettext_lazy(
            "The year's surplus from the books (revenue − expenses, 1 January to 31 December; "
            "to today for the running year, provisional), the parts of the allocation in force "
            "and each member's jasa modal (JMA, by simpanan pokok and wajib) and jasa usaha "
            "(JUA, by the member's transactions), in whole Rupiah adding up exactly."
        ),
        parameters=[COOPERATIVE_PK, YEAR],
        responses={200: ShuSerializer, 400: field_errors("ShuErrors", "year"), 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: Any, year: int) -> Response:
        cooperative = self._books(pk)
        if year < FIRST_YEAR:
            return Response(
                {"year": [_("Give a financial year from %(first)s on.") % {"first": FIRST_YEAR}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = shu_compute(cooperative, year=year)
        except ValidationError as error:
            return refusal(error, YEAR_FIELDS)
        return Response(ShuSerializer(result.as_dict()).data)


def _statement_schema(
    operation: str, summary: Any, description: Any, query: Any, *fields: str
) -> Any:
    return extend_schema(
        operation_id=f"books_statements_{operation}",
        summary=summary,
        description=description,
        parameters=[COOPERATIVE_PK, query],
        responses={
            200: StatementSerializer,
            400: field_errors(f"Statement{operation.title().replace('_', '')}Errors", *fields),
            404: NOT_FOUND,
        },
    )


class StatementViewSet(BooksViewSet):
    """The five statements, each at its own address (…/statements/<kind>/) with the period
    parameters it takes; every answer is finance.statements' Statement.as_dict()."""

    serializer_class = StatementSerializer
    pagination_class = None

    def _answer(self, pk: Any, query: Any, build: Callable[..., Statement]) -> Response:
        cooperative = self._books(pk)
        try:
            statement = build(cooperative, **_query(query, self.request))
        except ValidationError as error:
            return refusal(error, STATEMENT_FIELDS)
        return Response(StatementSerializer(statement.as_dict()).data)

    @_statement_schema(
        "trial_balance",
        gettext_lazy("Trial balance (neraca saldo)"),
        gettext_lazy(
            "Per account: the balance before the period, its debits and credits, and the "
            "balance at its end, each on the side it sits. Within one financial year; with "
            "business_unit only the lines posted for that unit."
        ),
        StatementUnitPeriodSerializer,
        "start",
        "end",
        "business_unit",
    )
    def trial_balance(self, request: Request, pk: Any, kind: str = "") -> Response:
        return self._answer(pk, StatementUnitPeriodSerializer, trial_balance)

    @_statement_schema(
        "balance_sheet",
        gettext_lazy("Balance sheet (neraca)"),
        gettext_lazy(
            "Assets, liabilities and equity at the end of as_of beside the end of the year "
            "before, with SHU tahun berjalan (this year's revenue − expenses to the day)."
        ),
        StatementDateSerializer,
        "as_of",
    )
    def balance_sheet(self, request: Request, pk: Any, kind: str = "") -> Response:
        return self._answer(pk, StatementDateSerializer, balance_sheet)

    @_statement_schema(
        "income_statement",
        gettext_lazy("Statement of operating results (laporan/perhitungan hasil usaha, PHU)"),
        gettext_lazy(
            "Revenue and expenses of the period per business unit, each unit's result and the "
            "SHU before tax; with business_unit that unit only."
        ),
        StatementUnitPeriodSerializer,
        "start",
        "end",
        "business_unit",
    )
    def income_statement(self, request: Request, pk: Any, kind: str = "") -> Response:
        return self._answer(pk, StatementUnitPeriodSerializer, income_statement)

    @_statement_schema(
        "cash_flow",
        gettext_lazy("Cash flow statement (arus kas)"),
        gettext_lazy(
            "Cash received and paid in the period by operating, investing and financing "
            "activities (direct method), with the cash and bank at its start and end."
        ),
        StatementPeriodSerializer,
        "start",
        "end",
    )
    def cash_flow(self, request: Request, pk: Any, kind: str = "") -> Response:
        return self._answer(pk, StatementPeriodSerializer, cash_flow)

    @_statement_schema(
        "equity_changes",
        gettext_lazy("Statement of changes in equity (perubahan ekuitas)"),
        gettext_lazy(
            "Per equity account the balance at the start, the increases, the decreases and the "
            "balance at the end, with the period's SHU. Within one financial year."
        ),
        StatementPeriodSerializer,
        "start",
        "end",
    )
    def equity_changes(self, request: Request, pk: Any, kind: str = "") -> Response:
        return self._answer(pk, StatementPeriodSerializer, equity_changes)
