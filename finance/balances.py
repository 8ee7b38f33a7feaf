"""Sums of journal lines: the one place statements, the monthly report, SHU and the province
roll-up read the books from. Every function is one aggregate query, whatever the number of
lines or cooperatives."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum

from cooperatives.models import Cooperative

from .enums import DEBIT_NORMAL
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
