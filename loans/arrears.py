"""Arrears: how late each active loan is, its collectibility class, and the NPL ratio.

Recomputed from the instalments and repayments every night (a django-q2 schedule) and on
demand, for all loans at once: a fixed number of queries whatever the number of loans, and the
same result however often it runs, so a job that runs twice or catches up after downtime does
no harm.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Field, Min, Model, QuerySet, Sum
from django.utils import timezone

from .enums import Collectibility, LoanStatus
from .models import Instalment, Loan
from .schedules import rupiah

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


def _update_many(model: type[Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """One UPDATE statement run for every row (`rows`: the new values in `fields` order, then
    the primary key): a single executemany, so the number of statements stays the same
    however many loans change. Values are prepared by the fields (dates for SQLite)."""
    if not rows:
        return
    columns: list[Field[Any, Any]] = [
        field for name in fields if isinstance(field := model._meta.get_field(name), Field)
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(c.column)} = %s" for c in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 (names from the model)
    prepared = [
        [c.get_db_prep_save(v, connection) for c, v in zip(columns, row, strict=False)] + [row[-1]]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _accrue_penalties(on: datetime.date, loans: QuerySet[Loan]) -> int:
    """Late penalties of the products that have one: each day an instalment stays unpaid past
    its due date and the product's penalty-free days, it costs the product's % a month (÷ 30
    a day) of what is still unpaid on it (principal, interest, fees). Each instalment remembers
    the day it was accrued to, so a second run on the same day adds nothing and a run after
    downtime adds the missed days once."""
    base = F("principal") + F("interest") + F("fee") - F("paid_principal")
    base = base - F("paid_interest") - F("paid_fee")
    rows = (
        Instalment.objects.filter(
            loan__in=loans,
            due_date__lt=on,
            loan__product__penalty_percent_per_month__gt=0,
        )
        .annotate(unpaid=base)
        .filter(unpaid__gt=0)
        .values_list(
            "id",
            "due_date",
            "unpaid",
            "penalty",
            "penalty_accrued_to",
            "loan__product__penalty_percent_per_month",
            "loan__product__penalty_free_days",
        )
        .order_by()
    )
    updates: list[tuple[Any, ...]] = []
    for pk, due, unpaid, penalty, accrued_to, percent, free_days in rows.iterator(BATCH):
        start = max(accrued_to or due, due + datetime.timedelta(days=free_days))
        days = (on - start).days
        if days <= 0:
            continue
        added = rupiah(Decimal(unpaid) * Decimal(percent) / 100 * days / 30)
        updates.append((penalty + added, on, pk))
    _update_many(Instalment, ["penalty", "penalty_accrued_to"], updates)
    return len(updates)


@transaction.atomic
def loans_arrears_update(
    *, on: datetime.date | None = None, cooperative_ids: Iterable[int] | None = None
) -> int:
    """Late penalties, then days past due (counted from the oldest instalment not fully
    paid), the overdue amount and the class of every active loan — of the given cooperatives
    only, when asked on demand — as of `on` (today). Returns how many loans changed.

    A fixed number of statements whatever the number of loans (reads stream in batches of
    BATCH rows; writes are one executemany each)."""
    on = on or timezone.localdate()
    active = Loan.objects.filter(status=LoanStatus.ACTIVE)
    if cooperative_ids is not None:
        active = active.filter(cooperative_id__in=list(cooperative_ids))
    _accrue_penalties(on, active)
    late = {
        row["loan_id"]: (row["oldest"], row["overdue"])
        for row in Instalment.objects.filter(loan__in=active, due_date__lt=on)
        .annotate(unpaid=_owed_expression())
        .filter(unpaid__gt=0)
        .values("loan_id")
        .annotate(oldest=Min("due_date"), overdue=Sum("unpaid"))
        .order_by()
    }
    changed: list[tuple[Any, ...]] = []
    for pk, days_before, overdue_before, class_before, as_of_before in (
        active.values_list(
            "id", "days_past_due", "overdue_amount", "collectibility", "arrears_as_of"
        )
        .order_by()
        .iterator(BATCH)
    ):
        oldest, overdue = late.get(pk, (None, 0))
        days = (on - oldest).days if oldest else 0
        figures = (days, int(overdue or 0), collectibility_for(days))
        if figures != (days_before, overdue_before, class_before) or as_of_before != on:
            changed.append((*figures, on, pk))
    _update_many(
        Loan, ["days_past_due", "overdue_amount", "collectibility", "arrears_as_of"], changed
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
