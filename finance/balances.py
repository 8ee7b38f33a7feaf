"""Sums of journal lines: the one place statements, the monthly report, SHU and the province
roll-up read the books from. Every function is one aggregate query, whatever the number of
lines or cooperatives."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from cooperatives.models import Cooperative

from .enums import DEBIT_NORMAL, RESULT_TYPES, AccountType
from .models import Account, JournalLine


@dataclass(frozen=True)
class Movement:
    debit: int = 0
    credit: int = 0

    def balance(self, account_type: str) -> int:
        """The amount on the account's normal side (negative when it sits on the other)."""
        if account_type in DEBIT_NORMAL:
            return self.debit - self.credit
        return self.credit - self.debit


def _window(start: datetime.date | None, end: datetime.date | None, business_unit: str | None) -> Q:
    window = Q()
    if start is not None:
        window &= Q(date__gte=start)
    if end is not None:
        window &= Q(date__lte=end)
    if business_unit:
        window &= Q(business_unit=business_unit)
    return window


def account_movements(
    cooperative: Cooperative | int,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    business_unit: str | None = None,
) -> dict[int, Movement]:
    """Debits and credits per account id between `start` and `end` (both included; None is
    open-ended). Accounts without lines in the window are absent."""
    rows = (
        JournalLine.objects.filter(_window(start, end, business_unit), cooperative=cooperative)
        .values("account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    return {
        row["account_id"]: Movement(int(row["debit"] or 0), int(row["credit"] or 0)) for row in rows
    }


def balances_by_code(
    cooperative: Cooperative | int,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    business_unit: str | None = None,
    roll_up: bool = True,
) -> dict[str, int]:
    """Balance on the normal side per account code; with `roll_up` a cooperative's sub-account
    counts under its shared parent's code (what the uniform reports compare)."""
    movements = account_movements(cooperative, start=start, end=end, business_unit=business_unit)
    if not movements:
        return {}
    accounts = Account.objects.filter(pk__in=movements).select_related("parent")
    totals: dict[str, int] = {}
    for account in accounts:
        code = account.parent.code if roll_up and account.parent else account.code
        totals[code] = totals.get(code, 0) + movements[account.pk].balance(account.type)
    return totals


def balances_by_control(
    cooperative: Cooperative | int, *, end: datetime.date | None = None
) -> dict[str, int]:
    """Balance per control (savings_pokok, member_loans…) up to `end`."""
    rows = (
        JournalLine.objects.filter(
            _window(None, end, None), cooperative=cooperative, account__control__gt=""
        )
        .values("account__control", "account__type")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    totals: dict[str, int] = {}
    for row in rows:
        movement = Movement(int(row["debit"] or 0), int(row["credit"] or 0))
        control = row["account__control"]
        totals[control] = totals.get(control, 0) + movement.balance(row["account__type"])
    return totals


# --- Per member and across cooperatives (SHU, national data sets) ----------------------------


def balances_by_member_control(
    cooperative: Cooperative | int,
    *,
    end: datetime.date | None = None,
    controls: Iterable[str] | None = None,
) -> dict[int, dict[str, int]]:
    """Balance per member and per control (savings_pokok, savings_wajib…) up to `end`, from the
    lines that name a member: each member's savings, in one query for all members."""
    lines = JournalLine.objects.filter(
        _window(None, end, None), cooperative=cooperative, member__isnull=False
    )
    if controls is None:
        lines = lines.filter(account__control__gt="")
    else:
        lines = lines.filter(account__control__in=list(controls))
    rows = (
        lines.values("member_id", "account__control", "account__type")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    totals: dict[int, dict[str, int]] = {}
    for row in rows:
        movement = Movement(int(row["debit"] or 0), int(row["credit"] or 0))
        member = totals.setdefault(row["member_id"], {})
        control = row["account__control"]
        member[control] = member.get(control, 0) + movement.balance(row["account__type"])
    return totals


def balances_by_member_type(
    cooperative: Cooperative | int,
    *,
    account_type: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[int, int]:
    """Balance on the normal side per member of the lines on accounts of `account_type`
    between `start` and `end` (revenue: what each member brought in), in one query."""
    rows = (
        JournalLine.objects.filter(
            _window(start, end, None),
            cooperative=cooperative,
            member__isnull=False,
            account__type=account_type,
        )
        .values("member_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    return {
        row["member_id"]: Movement(int(row["debit"] or 0), int(row["credit"] or 0)).balance(
            account_type
        )
        for row in rows
    }


def balances_by_cooperative(
    cooperatives: QuerySet[Any, Any] | Iterable[int],
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[int, dict[tuple[str, str], int]]:
    """Balance on the normal side per cooperative and per (account type, shared code), a
    sub-account counted under its parent's code: many cooperatives in one GROUP BY query (the
    national data sets and province roll-ups), never a query per cooperative. `cooperatives`:
    ids, or a queryset of cooperatives or of their ids (a subquery, never read into Python)."""
    if not isinstance(cooperatives, QuerySet):
        cooperatives = list(cooperatives)
    rows = (
        JournalLine.objects.filter(_window(start, end, None), cooperative__in=cooperatives)
        .values("cooperative_id", "account__type")
        .annotate(
            code=Coalesce("account__parent__code", "account__code"),
            debit=Sum("debit"),
            credit=Sum("credit"),
        )
        .order_by()
    )
    totals: dict[int, dict[tuple[str, str], int]] = {}
    for row in rows:
        movement = Movement(int(row["debit"] or 0), int(row["credit"] or 0))
        key = (row["account__type"], row["code"])
        cooperative = totals.setdefault(row["cooperative_id"], {})
        cooperative[key] = cooperative.get(key, 0) + movement.balance(row["account__type"])
    return totals


# --- Per business unit (the monthly report) ---------------------------------------------------


def results_by_unit(
    cooperative: Cooperative | int,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[str, tuple[int, int]]:
    """(revenue, expenses) per business unit of the lines (the unit a line was posted for, as
    the PHU per unit reads it) between `start` and `end`, in one query. A unit without revenue
    or expense lines in the window is absent; "" holds lines posted without a unit."""
    rows = (
        JournalLine.objects.filter(
            _window(start, end, None), cooperative=cooperative, account__type__in=RESULT_TYPES
        )
        .values("business_unit", "account__type")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    totals: dict[str, tuple[int, int]] = {}
    for row in rows:
        amount = Movement(int(row["debit"] or 0), int(row["credit"] or 0)).balance(
            row["account__type"]
        )
        revenue, expenses = totals.get(row["business_unit"], (0, 0))
        if row["account__type"] == AccountType.REVENUE:
            revenue += amount
        else:
            expenses += amount
        totals[row["business_unit"]] = (revenue, expenses)
    return totals


# --- The statements (finance/statements.py) ---------------------------------------------------

Window = tuple[datetime.date | None, datetime.date | None]


def account_movements_windows(
    cooperative: Cooperative | int,
    *,
    windows: Sequence[Window],
    business_unit: str | None = None,
    cash_only: bool = False,
) -> dict[int, tuple[Movement, ...]]:
    """Debits and credits per account id in each of `windows` ((start, end), both included,
    None open-ended; a window whose start is after its end is empty), in one query with a
    conditional sum per window. With `cash_only` only the cash and bank accounts. Accounts
    without a line in any window are absent."""
    if not windows:
        return {}
    starts = [start for start, _end in windows]
    ends = [end for _start, end in windows]
    lines = JournalLine.objects.filter(
        _window(
            None if None in starts else min(s for s in starts if s is not None),
            None if None in ends else max(e for e in ends if e is not None),
            business_unit,
        ),
        cooperative=cooperative,
    )
    if cash_only:
        lines = lines.filter(account__is_cash=True)
    sums: dict[str, Sum] = {}
    for index, (start, end) in enumerate(windows):
        window = _window(start, end, None)
        sums[f"d{index}"] = Sum("debit", filter=window or None, default=0)
        sums[f"c{index}"] = Sum("credit", filter=window or None, default=0)
    rows = lines.values("account_id").annotate(**sums).order_by()
    movements: dict[int, tuple[Movement, ...]] = {}
    for row in rows:
        split = tuple(
            Movement(int(row[f"d{index}"]), int(row[f"c{index}"])) for index in range(len(windows))
        )
        if any(m.debit or m.credit for m in split):
            movements[row["account_id"]] = split
    return movements


def account_unit_movements(
    cooperative: Cooperative | int,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    business_unit: str | None = None,
    account_types: Iterable[str] | None = None,
) -> dict[tuple[int, str], Movement]:
    """Debits and credits per (account id, business unit of the line) between `start` and
    `end`, in one query: the PHU per unit reads the unit a line was posted for."""
    lines = JournalLine.objects.filter(_window(start, end, business_unit), cooperative=cooperative)
    if account_types is not None:
        lines = lines.filter(account__type__in=list(account_types))
    rows = (
        lines.values("account_id", "business_unit")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    return {
        (row["account_id"], row["business_unit"]): Movement(
            int(row["debit"] or 0), int(row["credit"] or 0)
        )
        for row in rows
    }


def cash_counterpart_movements(
    cooperative: Cooperative | int,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[int, Movement]:
    """The arus kas by the direct method: debits and credits per non-cash account of the
    entries that touch a cash or bank account between `start` and `end`, in one query (an
    EXISTS over the entry's cash lines, never a loop over entries). A credit is cash received
    for that account, a debit cash paid; entries between cash accounts only have no such line."""
    cash_line = JournalLine.objects.filter(entry=OuterRef("entry"), account__is_cash=True)
    rows = (
        JournalLine.objects.filter(
            _window(start, end, None), cooperative=cooperative, account__is_cash=False
        )
        .filter(Exists(cash_line))
        .values("account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    return {
        row["account_id"]: Movement(int(row["debit"] or 0), int(row["credit"] or 0)) for row in rows
    }
