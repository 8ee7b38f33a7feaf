"""Arrears: how late each active loan is, its collectibility class, and the NPL ratio.

Recomputed from the instalments and repayments every night (a django-q2 schedule) and on
demand, for all loans at once: a fixed number of queries whatever the number of loans, and the
same result however often it runs, so a job that runs twice or catches up after downtime does
no harm.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Min, QuerySet, Sum
from django.utils import timezone

from .enums import Collectibility, LoanStatus
from .models import Instalment, Loan

# Days past due → class (OJK): Lancar 0, DPK 1–90, Kurang Lancar 91–120, Diragukan 121–180,
# Macet above 180.
CLASS_LIMITS = (
    (0, Collectibility.LANCAR),
    (90, Collectibility.DPK),
    (120, Collectibility.KURANG_LANCAR),
    (180, Collectibility.DIRAGUKAN),
)
NON_PERFORMING = frozenset(
    {Collectibility.KURANG_LANCAR, Collectibility.DIRAGUKAN, Collectibility.MACET}
)
BATCH = 2_000


def collectibility_for(days_past_due: int) -> Collectibility:
    for limit, klass in CLASS_LIMITS:
        if days_past_due <= limit:
            return klass
    return Collectibility.MACET


def _owed_expression() -> Any:
    return (
        F("principal")
        + F("interest")
        + F("fee")
        + F("penalty")
        - F("paid_principal")
        - F("paid_interest")
        - F("paid_fee")
        - F("paid_penalty")
    )


@transaction.atomic
def loans_arrears_update(*, on: datetime.date | None = None) -> int:
    """Days past due (counted from the oldest instalment not fully paid), the overdue amount
    and the class of every active loan, as of `on` (today). Returns how many loans changed."""
    on = on or timezone.localdate()
    late = {
        row["loan_id"]: (row["oldest"], row["overdue"])
        for row in Instalment.objects.filter(loan__status=LoanStatus.ACTIVE, due_date__lt=on)
        .annotate(unpaid=_owed_expression())
        .filter(unpaid__gt=0)
        .values("loan_id")
        .annotate(oldest=Min("due_date"), overdue=Sum("unpaid"))
    }
    changed: list[Loan] = []
    for loan in (
        Loan.objects.filter(status=LoanStatus.ACTIVE)
        .only("id", "days_past_due", "overdue_amount", "collectibility", "arrears_as_of")
        .iterator(chunk_size=BATCH)
    ):
        oldest, overdue = late.get(loan.pk, (None, 0))
        days = (on - oldest).days if oldest else 0
        figures = (days, int(overdue or 0), collectibility_for(days))
        if figures != (loan.days_past_due, loan.overdue_amount, loan.collectibility) or (
            loan.arrears_as_of != on
        ):
            loan.days_past_due, loan.overdue_amount, loan.collectibility = figures
            loan.arrears_as_of = on
            changed.append(loan)
    Loan.objects.bulk_update(
        changed,
        ["days_past_due", "overdue_amount", "collectibility", "arrears_as_of"],
        batch_size=500,
    )
    return len(changed)


@dataclass(frozen=True)
class Portfolio:
    outstanding: int
    non_performing: int
    loans: int

    @property
    def npl_ratio(self) -> Decimal | None:
        """Kurang Lancar + Diragukan + Macet outstanding ÷ all outstanding (None when nothing is
        outstanding)."""
        if not self.outstanding:
            return None
        return Decimal(self.non_performing) / Decimal(self.outstanding)


def portfolio(loans: QuerySet[Loan]) -> Portfolio:
    """The principal still owed on the active loans of `loans` (already scoped by the caller:
    a cooperative, a region, a user's scope) and how much of it is non-performing."""
    active = loans.filter(status=LoanStatus.ACTIVE)
    rows = (
        Instalment.objects.filter(loan__in=active)
        .values("loan__collectibility")
        .annotate(principal_left=Sum(F("principal") - F("paid_principal")))
    )
    by_class = {row["loan__collectibility"]: int(row["principal_left"] or 0) for row in rows}
    return Portfolio(
        outstanding=sum(by_class.values()),
        non_performing=sum(by_class.get(klass, 0) for klass in NON_PERFORMING),
        loans=active.count(),
    )
