"""Reads of loans for the portal and the API, always narrowed to the user's scope first.

Who may do what with a loan of a cooperative:
- see it: anyone whose scope covers the cooperative (cooperatives.scoping);
- record a payout or a repayment: the cooperative's operator (the treasurer), its pengawas or a
  loan officer covering it;
- confirm or send back a payout, cancel a repayment, write off or reschedule: a loan officer or
  the pengawas — and for a payout never the person who recorded it (loans.services checks that).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Count,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from cooperatives.enums import Role
from cooperatives.models import Cooperative, RoleGrant
from cooperatives.scoping import (
    cooperatives_in,
    get_in_scope_or_404,
    grants_covering,
    role_scope,
    scope_queryset,
    user_scope,
)

from .arrears import NON_PERFORMING, portfolio
from .enums import Collectibility, LoanKind, LoanStatus
from .models import Instalment, Loan, LoanEvent, Repayment

HANDLE_ROLES = frozenset({Role.OPERATOR, Role.PENGAWAS, Role.LOAN_OFFICER})
DECIDE_ROLES = frozenset({Role.PENGAWAS, Role.LOAN_OFFICER})
# The statuses a portfolio shows unless asked otherwise: loans still running.
OPEN_STATUSES = (LoanStatus.APPROVED, LoanStatus.PAYOUT_RECORDED, LoanStatus.ACTIVE)
ALL_STATUSES = "all"


def _roles_on(user: Any, cooperative: Cooperative) -> set[str]:
    cache = getattr(user, "_kopdes_loan_roles", None)
    if cache is None:
        cache = {}
        user._kopdes_loan_roles = cache
    if cooperative.pk not in cache:
        cache[cooperative.pk] = set(
            RoleGrant.objects.filter(grants_covering(cooperative), user=user).values_list(
                "role", flat=True
            )
        )
    return cache[cooperative.pk]


def may_see_loans(*, user: Any) -> bool:
    """Whether the user sees any cooperative's loans at all (the menu shows “Loans” then)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return not user_scope(user).nothing


def may_handle_loans(*, user: Any, cooperative: Cooperative) -> bool:
    """Record payouts and repayments of the cooperative's loans."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or _roles_on(user, cooperative) & HANDLE_ROLES)


def may_decide_loans(*, user: Any, cooperative: Cooperative) -> bool:
    """Confirm payouts, cancel repayments, write off and reschedule the cooperative's loans."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or _roles_on(user, cooperative) & DECIDE_ROLES)


def may_decide_some_loans(*, user: Any) -> bool:
    """Whether the user decides loans of at least one cooperative (pengawas, loan officer)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user_scope(user).roles & DECIDE_ROLES)


def loan_decision_cooperative_ids(*, user: Any) -> list[int] | None:
    """The cooperatives whose loans the user decides (through a pengawas or loan officer grant
    only: a district officer who is also the pengawas of one cooperative decides for that one);
    None when that is every cooperative (a superuser, a province-wide loan officer)."""
    if user.is_superuser:
        return None
    ids: set[int] = set()
    for role in DECIDE_ROLES:
        scope = role_scope(user, role)
        if scope.everything:
            return None
        if not scope.nothing:
            ids.update(cooperatives_in(scope).values_list("pk", flat=True))
    return sorted(ids)


def loans_visible(*, user: Any) -> QuerySet[Loan]:
    return scope_queryset(Loan.objects.all(), user).select_related(
        "cooperative", "member", "product"
    )


def loan_get(*, user: Any, pk: Any) -> Loan:
    """One loan the user may see, with its schedule; Http404 outside the scope."""
    return get_in_scope_or_404(
        Loan.objects.select_related(
            "cooperative",
            "member",
            "product",
            "application",
            "approved_by",
            "payout_recorded_by",
            "payout_confirmed_by",
            "rescheduled_from",
            "rescheduled_as",
        ).prefetch_related(
            Prefetch("instalments", queryset=Instalment.objects.order_by("number")),
        ),
        user,
        pk=pk,
    )


def loan_repayments(*, loan: Loan) -> QuerySet[Repayment]:
    """The loan's repayments, oldest first, each with who recorded it, where it came from and
    the reversal that cancelled it (if any)."""
    return loan.repayments.select_related(
        "recorded_by",
        "reverses",
        "reversed_by",
        "import_run",
        "cash_book_entry__import_run",
        "ledger_entry",
    ).order_by("paid_on", "id")


def loan_events(*, loan: Loan) -> QuerySet[LoanEvent]:
    """The loan's status history, oldest first."""
    return loan.events.select_related("actor").order_by("created_at", "id")


def _instalment_sum(expression: Any) -> Coalesce:
    # A correlated subquery, not a join: a page of 25 loans computes 25 sums, whatever the
    # number of loans the filters match, and the outer query needs no GROUP BY.
    sums = (
        Instalment.objects.filter(loan=OuterRef("pk"))
        .order_by()
        .values("loan")
        .annotate(summed=Sum(expression))
        .values("summed")[:1]
    )
    return Coalesce(Subquery(sums, output_field=BigIntegerField()), 0)


def with_outstanding(loans: QuerySet[Loan]) -> QuerySet[Loan]:
    """Annotate each loan with the principal (`principal_left`) and the total (`owed_total`,
    penalty, fees and interest included) still owed on it, and what was paid (`paid_total`)."""
    return loans.annotate(
        principal_left=_instalment_sum(F("principal") - F("paid_principal")),
        owed_total=_instalment_sum(
            F("principal")
            + F("interest")
            + F("fee")
            + F("penalty")
            - F("paid_principal")
            - F("paid_interest")
            - F("paid_fee")
            - F("paid_penalty")
        ),
        paid_total=_instalment_sum(
            F("paid_principal") + F("paid_interest") + F("paid_fee") + F("paid_penalty")
        ),
    )


@dataclass(frozen=True)
class PortfolioFilters:
    collectibility: str = ""
    product: str = ""
    cooperative: int | None = None
    # "" the open loans (waiting for payout or active), ALL_STATUSES every loan, else one status.
    status: str = ""
    # "" both member loans and the cooperatives' own financing.
    kind: str = LoanKind.MEMBER
    regency: str = ""
    district: str = ""
    overdue_only: bool = False


def portfolio_loans(*, user: Any, filters: PortfolioFilters) -> QuerySet[Loan]:
    """The loans in the user's scope matching the filters, the latest first among equals in
    arrears; by default the member loans that are not finished (waiting for payout or active)."""
    loans = loans_visible(user=user)
    if filters.kind:
        loans = loans.filter(kind=filters.kind)
    if filters.status == ALL_STATUSES:
        pass
    elif filters.status:
        loans = loans.filter(status=filters.status)
    else:
        loans = loans.filter(status__in=OPEN_STATUSES)
    if filters.collectibility:
        loans = loans.filter(collectibility=filters.collectibility, status=LoanStatus.ACTIVE)
    if filters.product:
        loans = loans.filter(product_code=filters.product)
    if filters.cooperative:
        loans = loans.filter(cooperative_id=filters.cooperative)
    if filters.regency or filters.district:
        place = Q()
        if filters.regency:
            place &= Q(village_links__regency_code=filters.regency)
        if filters.district:
            place &= Q(village_links__district_code=filters.district)
        loans = loans.filter(
            cooperative__in=Cooperative.objects.filter(place).values("pk").distinct()
        )
    if filters.overdue_only:
        loans = loans.filter(status=LoanStatus.ACTIVE, days_past_due__gt=0)
    return loans.order_by("-days_past_due", "cooperative__name", "-approved_at", "id")


def portfolio_cooperatives(
    *, user: Any, regency: str = "", district: str = "", limit: int = 60
) -> list[Cooperative]:
    """The cooperatives in the user's scope that have loans (in the regency/district if given),
    by name; at most `limit` + 1, so that the caller can tell the list is too long to offer."""
    cooperatives = scope_queryset(Cooperative.objects.all(), user, via="").filter(
        pk__in=Loan.objects.values("cooperative_id")
    )
    if regency:
        cooperatives = cooperatives.filter(village_links__regency_code=regency)
    if district:
        cooperatives = cooperatives.filter(village_links__district_code=district)
    return list(cooperatives.distinct().only("pk", "name").order_by("name", "pk")[: limit + 1])


# The classes by the names OJK's reports use, in every interface language: a card of a narrow
# list shows these; the full label ("Dalam Perhatian Khusus") goes where there is room.
COLLECTIBILITY_SHORT = {
    Collectibility.LANCAR.value: "Lancar",
    Collectibility.DPK.value: "DPK",
    Collectibility.KURANG_LANCAR.value: "Kurang Lancar",
    Collectibility.DIRAGUKAN.value: "Diragukan",
    Collectibility.MACET.value: "Macet",
}

NON_PERFORMING_CHOICES = [
    Collectibility.KURANG_LANCAR,
    Collectibility.DIRAGUKAN,
    Collectibility.MACET,
]


@dataclass(frozen=True)
class ClassRow:
    collectibility: str
    label: str
    loans: int
    outstanding: int
    overdue: int
    non_performing: bool


@dataclass(frozen=True)
class PortfolioSummary:
    active_loans: int
    outstanding: int
    non_performing: int
    overdue: int
    npl_ratio: Decimal | None
    by_class: list[ClassRow]
    # The arrears figures of the active loans were computed on these days (None: never).
    as_of_oldest: datetime.date | None
    as_of_newest: datetime.date | None
    # Active loans whose arrears were never computed (paid out since the last run).
    not_computed: int

    @property
    def npl_percent(self) -> Decimal | None:
        if self.npl_ratio is None:
            return None
        return (self.npl_ratio * 100).quantize(Decimal("0.01"))


def portfolio_summary(loans: QuerySet[Loan]) -> PortfolioSummary:
    """The figures of the active loans among `loans` (already filtered and scoped): how many,
    the principal still owed, the NPL ratio (loans.arrears.portfolio), the amount overdue and
    the same by collectibility class. Four queries, whatever the number of loans."""
    figures = portfolio(loans)
    active = loans.filter(status=LoanStatus.ACTIVE)
    per_class = {
        row["collectibility"]: row
        for row in active.order_by()
        .values("collectibility")
        .annotate(
            count=Count("id"),
            overdue=Sum("overdue_amount"),
            oldest=Min("arrears_as_of"),
            newest=Max("arrears_as_of"),
            never=Count("id", filter=Q(arrears_as_of__isnull=True)),
        )
    }
    outstanding = {
        row["loan__collectibility"]: int(row["left"] or 0)
        for row in Instalment.objects.filter(loan__in=active)
        .order_by()
        .values("loan__collectibility")
        .annotate(left=Sum(F("principal") - F("paid_principal")))
    }
    rows = [
        ClassRow(
            collectibility=klass.value,
            label=str(klass.label),
            loans=int(per_class.get(klass.value, {}).get("count") or 0),
            outstanding=outstanding.get(klass.value, 0),
            overdue=int(per_class.get(klass.value, {}).get("overdue") or 0),
            non_performing=klass in NON_PERFORMING,
        )
        for klass in Collectibility
    ]
    oldest = [row["oldest"] for row in per_class.values() if row["oldest"]]
    newest = [row["newest"] for row in per_class.values() if row["newest"]]
    return PortfolioSummary(
        active_loans=figures.loans,
        outstanding=figures.outstanding,
        non_performing=figures.non_performing,
        overdue=sum(row.overdue for row in rows),
        npl_ratio=figures.npl_ratio,
        by_class=rows,
        as_of_oldest=min(oldest) if oldest else None,
        as_of_newest=max(newest) if newest else None,
        not_computed=sum(int(row["never"] or 0) for row in per_class.values()),
    )


def member_loans(*, user: Any, member: Any) -> QuerySet[Loan]:
    """The loans of one member the user may see, newest first, with what is still owed."""
    return with_outstanding(
        loans_visible(user=user).filter(member=member).order_by("-approved_at", "-id")
    )
