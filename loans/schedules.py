"""Repayment schedules: what a borrower pays each month, for every interest method.

Pure functions of the loan's terms, so that a schedule shown before approval, stored at
disbursement and recomputed for a rescheduling are the same numbers.

Rules (tested against tables worked out by hand):
- Instalments fall due monthly from the disbursement date (the same day of the month, or the
  month's last day when it is shorter: disbursed 31 January → due 28/29 February).
- Money is whole Rupiah, rounded half up; the last instalment takes whatever rounding left, so
  the principal parts always add up to the amount lent and the balance ends at exactly 0.
- A grace period is interest-only: its instalments pay the month's interest and no principal;
  the principal is repaid over the remaining months. The tenor counts the grace months.
- Flat: the month's interest is the rate on the amount lent, every month. Declining balance
  (equal principal): equal principal parts, interest on what is still owed. Declining balance
  (equal instalments, annuity): one instalment for the repayment months, interest on what is
  still owed, the rest principal.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .enums import InterestMethod

ONE = Decimal(1)


class ScheduleError(ValueError):
    """The terms cannot make a schedule (no months to repay in, a negative rate…)."""


@dataclass(frozen=True)
class Instalment:
    number: int  # 1-based
    due_date: datetime.date
    principal: int
    interest: int
    fee: int
    balance: int  # principal still owed after this instalment

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fee


def rupiah(amount: Decimal) -> int:
    """Whole Rupiah, half up."""
    return int(amount.quantize(ONE, rounding=ROUND_HALF_UP))


def monthly_rate(rate_percent: Decimal, *, per_year: bool) -> Decimal:
    """The rate per month as a fraction: 1,5 (% a month) → 0.015; 18 (% a year) → 0.015."""
    rate = Decimal(rate_percent) / 100
    return rate / 12 if per_year else rate


def add_months(start: datetime.date, months: int) -> datetime.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def loan_schedule(
    *,
    principal: int,
    rate: Decimal,
    tenor_months: int,
    method: InterestMethod | str,
    disbursed_on: datetime.date,
    grace_months: int = 0,
    monthly_fee: int = 0,
) -> list[Instalment]:
    """The instalments of a loan of `principal` Rupiah at `rate` (a fraction per month, see
    monthly_rate) over `tenor_months`, the first `grace_months` of them interest-only.

    Raises ScheduleError for terms that cannot be scheduled."""
    method = InterestMethod(method)
    if principal <= 0:
        raise ScheduleError("The amount must be above 0.")
    if rate < 0:
        raise ScheduleError("The rate cannot be negative.")
    if monthly_fee < 0:
        raise ScheduleError("The fee cannot be negative.")
    repay_months = tenor_months - grace_months
    if grace_months < 0 or repay_months < 1:
        raise ScheduleError("The tenor must leave at least one month after the grace period.")
    amount = Decimal(principal)
    flat_interest = rupiah(amount * rate)
    if method == InterestMethod.ANNUITY and rate > 0:
        factor = (ONE + rate) ** repay_months
        payment = rupiah(amount * rate * factor / (factor - ONE))
    else:
        payment = 0
    equal_part = rupiah(amount / repay_months)
    balance = principal
    instalments: list[Instalment] = []
    for number in range(1, tenor_months + 1):
        due = add_months(disbursed_on, number)
        interest = flat_interest if method == InterestMethod.FLAT else rupiah(balance * rate)
        if number <= grace_months:
            part = 0
        elif number == tenor_months:
            part = balance
        elif method == InterestMethod.ANNUITY and rate > 0:
            part = min(balance, max(payment - interest, 0))
        else:
            part = min(balance, equal_part)
        balance -= part
        instalments.append(Instalment(number, due, part, interest, monthly_fee, balance))
    return instalments
