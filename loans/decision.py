"""Decision support for a loan application: what the cooperative's own records say about the
member, put beside the request, with a transparent score.

Read only, and a fixed number of queries whatever the number of the member's loans, instalments
or savings lines (sums and maxima are worked out by the database).

What is shown (all as of `on`, today by default):
- Savings: the last 12 complete calendar months (the current month is still open, so it is
  left out) with the simpanan wajib and sukarela deposits and all withdrawals of each month;
  the balances now, which are the latest imported balance list (SavingsBalance) plus the savings
  book (SavingsTransaction) after its date, or the savings book alone when no list was imported;
  and the regularity: the months of the window with a simpanan wajib deposit ÷ the months of the
  window the person was a member (the month they joined counts).
- Loans: the member's other loans here (not the one this application made), with the principal
  still owed, how late each is now and the worst lateness seen on it; the loans of the
  cooperative's own loan ledger imported from its books (LoanLedgerEntry, as the book stated
  them on its date). Lateness seen = the most of: days between an instalment's due date and a
  payment on it made after that date (cancelled payments and their cancellations left out), a
  loan's days past due stored by the arrears job, its days late today (from the oldest
  instalment not fully paid, as loans.arrears counts them) and a ledger loan's days overdue.
- Affordability: the requested loan's first full instalment (principal + interest after any
  interest-only grace, on the product's terms, so the largest one of a declining-balance loan);
  the instalments the member already pays: the scheduled instalments of their active loans due
  next calendar month, the first full instalment of their approved loans not yet paid out, and
  the monthly instalment of ledger loans with a balance left; the declared net monthly income;
  and the debt-service ratio = (new + existing instalments) ÷ income.

The score is the sum of six factors, each shown with its points, the points possible, the rule
and a sentence saying why. Nothing else goes into it:

1. Simpanan wajib regularity (20): 90 % or more → 20; 75 % or more → 14; 50 % or more → 7;
   less → 0. A member who has no month in the window yet gets 0.
2. Time as a member (10): 12 complete months or more → 10; 6 or more → 5; less → 0.
3. Savings against the amount (10): all savings now ÷ the amount asked for: 20 % or more → 10;
   10 % or more → 5; less, or no amount given → 0.
4. Repayment history (20): the worst lateness seen, up to 7 days → 20; up to 30 → 14; up to 90
   → 6; more → 0. A loan written off → 0; a loan rescheduled → at most 6. No loan with an
   instalment due yet and no ledger loan → 10 (nothing to judge either way).
5. Arrears now (15): nothing overdue, or at most 7 days late → 15; up to 30 days → 5; more → 0.
   A ledger loan with a balance left counts with its days overdue.
6. Debt-service ratio (25): 30 % or less → 25 (the loan form's own limit); 40 % or less → 15;
   50 % or less → 5; more, or it cannot be worked out (no income, no product, no amount or term)
   → 0.

Bands: 70–100 good; 50–69 consider carefully; 0–49 high risk. The score supports the officer's
decision; it never decides.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F, Max, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperatives.models import Member
from finance.enums import SavingsType
from finance.models import SavingsBalance, SavingsTransaction
from forms.enums import FormPurpose
from forms.models import Submission
from website.templatetags.kopdes import rupiah
from workflows.effects import Answers

from .enums import GraceKind, LoanStatus
from .models import Instalment, Loan, LoanLedgerEntry, LoanProduct, RepaymentLine
from .schedules import ScheduleError, add_months, loan_schedule

WINDOW_MONTHS = 12
# Lateness up to a week is what a village treasurer's round takes; it does not count against.
LATE_TOLERANCE_DAYS = 7
# (at least this share or count, points), best first; below the last → 0.
REGULARITY_STEPS = ((Decimal("0.90"), 20), (Decimal("0.75"), 14), (Decimal("0.50"), 7))
REGULARITY_POINTS = 20
MEMBERSHIP_STEPS = ((12, 10), (6, 5))
MEMBERSHIP_POINTS = 10
COVER_STEPS = ((Decimal("0.20"), 10), (Decimal("0.10"), 5))
COVER_POINTS = 10
# (at most this many days late, points)
HISTORY_STEPS = ((LATE_TOLERANCE_DAYS, 20), (30, 14), (90, 6))
HISTORY_POINTS = 20
HISTORY_NOTHING_TO_JUDGE = 10
HISTORY_RESCHEDULED_CAP = 6
ARREARS_STEPS = ((LATE_TOLERANCE_DAYS, 15), (30, 5))
ARREARS_POINTS = 15
# (at most this ratio, points)
DSR_STEPS = ((Decimal("0.30"), 25), (Decimal("0.40"), 15), (Decimal("0.50"), 5))
DSR_POINTS = 25
BAND_GOOD = 70
BAND_CAREFUL = 50

# Loans whose money is lent or about to be, as opposed to finished ones.
_PENDING = (LoanStatus.APPROVED, LoanStatus.PAYOUT_RECORDED)


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- What the selector returns -------------------------------------------------------------------


@dataclass(frozen=True)
class SavingsMonth:
    month: datetime.date  # its first day
    wajib: int  # simpanan wajib deposited
    sukarela: int  # simpanan sukarela deposited
    withdrawals: int  # taken out, all kinds
    as_member: bool  # whether the person was a member in this month (it counts for regularity)

    @property
    def has_wajib(self) -> bool:
        return self.wajib > 0


@dataclass(frozen=True)
class Savings:
    months: tuple[SavingsMonth, ...]  # oldest first, WINDOW_MONTHS of them
    pokok: int
    wajib: int
    sukarela: int
    # The balance list the balances start from (None: the savings book alone).
    balance_list_date: datetime.date | None
    balance_basis: str  # the sentence saying what the balances are
    wajib_months: int  # months of the window with a simpanan wajib deposit, as a member
    member_months: int  # months of the window the person was a member

    @property
    def total(self) -> int:
        return self.pokok + self.wajib + self.sukarela

    @property
    def regularity(self) -> Decimal | None:
        """wajib_months ÷ member_months; None when the member has no month in the window."""
        if not self.member_months:
            return None
        return Decimal(self.wajib_months) / Decimal(self.member_months)

    @property
    def regularity_percent(self) -> Decimal | None:
        return None if self.regularity is None else _one_decimal(self.regularity * 100)


@dataclass(frozen=True)
class PastLoan:
    """One of the member's loans made here."""

    id: int
    product_code: str
    status: str
    status_label: str
    principal: int
    disbursed_on: datetime.date | None
    outstanding_principal: int
    days_late_now: int
    worst_days_late: int
    next_month_instalment: int


@dataclass(frozen=True)
class LedgerLoan:
    """One loan of the cooperative's own loan ledger, as the imported book states it."""

    id: int
    loan_no: str
    disbursed_on: datetime.date | None
    principal: int
    balance: int
    instalment: int
    days_overdue: int
    collectibility: str
    collectibility_label: str
    as_of: datetime.date


@dataclass(frozen=True)
class LoanHistory:
    loans: tuple[PastLoan, ...]
    ledger: tuple[LedgerLoan, ...]
    paid_off: int
    written_off: int
    rescheduled: int
    # Whether any loan has had an instalment fall due (or the ledger has one): something to judge.
    has_track_record: bool
    worst_days_late: int
    days_late_now: int
    overdue_now: int  # Rupiah overdue today on the loans made here


@dataclass(frozen=True)
class Affordability:
    amount: int | None
    tenor_months: int | None
    product_code: str
    product_name: str
    grace_months: int
    new_instalment: int | None
    # Why the new instalment is unknown, or what is wrong with the terms (shown as warnings).
    problems: tuple[str, ...]
    existing_instalments: int
    income: int | None
    dsr: Decimal | None  # (new + existing) ÷ income

    @property
    def dsr_percent(self) -> Decimal | None:
        return None if self.dsr is None else _one_decimal(self.dsr * 100)

    @property
    def total_instalments(self) -> int | None:
        if self.new_instalment is None:
            return None
        return self.new_instalment + self.existing_instalments


@dataclass(frozen=True)
class Factor:
    code: str
    name: str
    points: int
    possible: int
    rule: str
    reason: str


@dataclass(frozen=True)
class Score:
    factors: tuple[Factor, ...]
    band: str  # good | careful | high_risk
    band_label: str
    bands: str  # the thresholds, as shown on screen

    @property
    def points(self) -> int:
        return sum(factor.points for factor in self.factors)

    @property
    def possible(self) -> int:
        return sum(factor.possible for factor in self.factors)


@dataclass(frozen=True)
class DecisionSupport:
    as_of: datetime.date
    member_id: int | None
    member_name: str  # empty when the member was not found
    member_join_date: datetime.date | None
    membership_months: int
    savings: Savings | None  # None when the member was not found
    history: LoanHistory | None
    affordability: Affordability
    score: Score

    @property
    def points(self) -> int:
        return self.score.points


# --- Small helpers -------------------------------------------------------------------------------


def _whole(value: Any) -> int | None:
    """A positive whole number from an answer, None for anything else (missing, text, ≤ 0)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None
    return number if number > 0 else None


def _percent(ratio: Decimal) -> str:
    return number_format(_one_decimal(ratio * 100), decimal_pos=1) + " %"


def _months_between(start: datetime.date, end: datetime.date) -> int:
    """Complete months from `start` to `end` (joined 15 March, on 14 May → 1)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def _at_least(value: Any, steps: Sequence[tuple[Any, int]]) -> int:
    for threshold, points in steps:
        if value >= threshold:
            return points
    return 0


def _at_most(value: Any, steps: Sequence[tuple[Any, int]]) -> int:
    for threshold, points in steps:
        if value <= threshold:
            return points
    return 0


def _owed() -> Any:
    """What is still to pay on an instalment, penalty included (Instalment.owed, in SQL)."""
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


def _days(value: Any) -> int:
    """Days of a date difference from the database (a timedelta; None when there is none)."""
    if value is None:
        return 0
    if isinstance(value, datetime.timedelta):
        return max(value.days, 0)
    return max(int(value), 0)


# --- Reading the application ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    member_id: int | None
    product_code: str
    amount: int | None
    tenor_months: int | None
    income: int | None


def _read_application(submission: Submission) -> _Request:
    answers = Answers(submission)
    return _Request(
        member_id=_whole(answers.get("anggota")),
        product_code=str(answers.get("produk", "") or ""),
        amount=_whole(answers.get("jumlah")),
        tenor_months=_whole(answers.get("tenor_bulan")),
        income=_whole(answers.get("penghasilan_bulanan")),
    )


# --- Savings -------------------------------------------------------------------------------------


def _savings(member: Member, on: datetime.date) -> Savings:
    window_end = on.replace(day=1)
    window_start = add_months(window_end, -WINDOW_MONTHS)
    book = SavingsTransaction.objects.filter(member=member)
    by_month = {
        row["month"]: row
        for row in book.filter(date__gte=window_start, date__lt=window_end)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            wajib=Sum("deposit", filter=Q(savings_type=SavingsType.WAJIB)),
            sukarela=Sum("deposit", filter=Q(savings_type=SavingsType.SUKARELA)),
            withdrawals=Sum("withdrawal"),
        )
        .order_by("month")
    }
    joined = member.join_date.replace(day=1)
    months: list[SavingsMonth] = []
    wajib_months = member_months = 0
    for index in range(WINDOW_MONTHS):
        month = add_months(window_start, index)
        row = by_month.get(month, {})
        line = SavingsMonth(
            month=month,
            wajib=int(row.get("wajib") or 0),
            sukarela=int(row.get("sukarela") or 0),
            withdrawals=int(row.get("withdrawals") or 0),
            as_member=month >= joined,
        )
        months.append(line)
        if line.as_member:
            member_months += 1
            wajib_months += line.has_wajib

    snapshot = (
        SavingsBalance.objects.filter(member=member, as_of__lte=on)
        .order_by("-as_of")
        .only("as_of", "pokok", "wajib", "sukarela")
        .first()
    )
    after = book.filter(date__lte=on)
    if snapshot is not None:
        after = after.filter(date__gt=snapshot.as_of)
    net = F("deposit") - F("withdrawal")
    moved = after.aggregate(
        **{
            kind.value: Sum(net, filter=Q(savings_type=kind))
            for kind in (SavingsType.POKOK, SavingsType.WAJIB, SavingsType.SUKARELA)
        }
    )
    base = {
        "pokok": snapshot.pokok if snapshot else 0,
        "wajib": snapshot.wajib if snapshot else 0,
        "sukarela": snapshot.sukarela if snapshot else 0,
    }
    balances = {kind: base[kind] + int(moved[kind] or 0) for kind in base}
    if snapshot is not None:
        basis = _("The member list of %(date)s plus the savings book after that date.") % {
            "date": date_format(snapshot.as_of)
        }
    elif any(moved.values()):
        basis = _("The savings book alone: no member list with balances was imported.")
    else:
        basis = _("No savings are recorded for this member.")
    return Savings(
        months=tuple(months),
        balance_list_date=snapshot.as_of if snapshot else None,
        balance_basis=basis,
        wajib_months=wajib_months,
        member_months=member_months,
        **balances,
    )


# --- Loans ---------------------------------------------------------------------------------------


def _first_full_instalment(
    *, principal: int, product: LoanProduct, tenor_months: int, on: datetime.date
) -> tuple[int | None, int]:
    """The first instalment repaying principal on `product`'s terms (None when the terms cannot
    make a schedule), and the grace months the payout would give (see loan_payout_record)."""
    grace = product.min_grace_months if product.grace_kind == GraceKind.INTEREST_ONLY else 0
    try:
        lines = loan_schedule(
            principal=principal,
            rate=product.monthly_rate,
            tenor_months=tenor_months,
            method=product.interest_method,
            disbursed_on=on,
            grace_months=grace,
        )
    except (ScheduleError, ValueError):
        return None, grace
    return next((line.total for line in lines if line.number > grace), None), grace


def _history(member: Member, submission: Submission, on: datetime.date) -> LoanHistory:
    loans = Loan.objects.filter(member=member).exclude(application=submission)
    next_month = add_months(on.replace(day=1), 1)
    after_next = add_months(on.replace(day=1), 2)
    figures = {
        row["loan_id"]: row
        for row in Instalment.objects.filter(loan__in=loans)
        .annotate(unpaid=_owed())
        .values("loan_id")
        .annotate(
            principal_left=Sum(F("principal") - F("paid_principal")),
            overdue=Sum("unpaid", filter=Q(due_date__lt=on)),
            oldest_unpaid=Min("due_date", filter=Q(due_date__lt=on, unpaid__gt=0)),
            first_due=Min("due_date"),
            next_month=Sum(
                F("principal") + F("interest") + F("fee"),
                filter=Q(due_date__gte=next_month, due_date__lt=after_next),
            ),
        )
        .order_by()
    }
    # Payments made after the instalment fell due; a cancelled payment and its cancellation
    # moved no money, so neither says anything about the borrower.
    paid_late = {
        row["loan_id"]: _days(row["late"])
        for row in RepaymentLine.objects.filter(
            repayment__loan__in=loans,
            repayment__reverses__isnull=True,
            repayment__reversed_by__isnull=True,
            repayment__paid_on__gt=F("instalment__due_date"),
        )
        .values(loan_id=F("repayment__loan_id"))
        .annotate(
            late=Max(
                ExpressionWrapper(
                    F("repayment__paid_on") - F("instalment__due_date"),
                    output_field=DurationField(),
                )
            )
        )
        .order_by()
    }
    rows: list[PastLoan] = []
    track_record = False
    for loan in loans.select_related("product").order_by("-approved_at", "-id"):
        row = figures.get(loan.pk, {})
        late_now = 0
        if loan.status == LoanStatus.ACTIVE and row.get("oldest_unpaid"):
            late_now = max((on - row["oldest_unpaid"]).days, 0)
        first_due = row.get("first_due")
        track_record = track_record or bool(first_due and first_due < on)
        if loan.status in _PENDING:
            outstanding = loan.principal
            upcoming = 0
            if loan.product is not None:
                upcoming = (
                    _first_full_instalment(
                        principal=loan.principal,
                        product=loan.product,
                        tenor_months=loan.tenor_months,
                        on=on,
                    )[0]
                    or 0
                )
        elif loan.status in (LoanStatus.PAID_OFF, LoanStatus.RESCHEDULED):
            # A rescheduled loan's balance lives on in the loan that replaced it.
            outstanding, upcoming = 0, 0
        else:
            outstanding = int(row.get("principal_left") or 0)
            upcoming = int(row.get("next_month") or 0) if loan.status == LoanStatus.ACTIVE else 0
        rows.append(
            PastLoan(
                id=loan.pk,
                product_code=loan.product_code,
                status=loan.status,
                status_label=str(loan.get_status_display()),
                principal=loan.principal,
                disbursed_on=loan.disbursed_on,
                outstanding_principal=outstanding,
                days_late_now=late_now,
                worst_days_late=max(paid_late.get(loan.pk, 0), loan.days_past_due, late_now),
                next_month_instalment=upcoming,
            )
        )
    ledger = tuple(
        LedgerLoan(
            id=entry.pk,
            loan_no=entry.loan_no,
            disbursed_on=entry.disbursed_on,
            principal=entry.principal,
            balance=entry.balance,
            instalment=entry.instalment,
            days_overdue=entry.days_overdue,
            collectibility=entry.collectibility,
            collectibility_label=str(entry.get_collectibility_display()),
            as_of=entry.as_of,
        )
        for entry in LoanLedgerEntry.objects.filter(member=member).order_by("disbursed_on", "id")
    )
    open_ledger = [entry for entry in ledger if entry.balance > 0]
    return LoanHistory(
        loans=tuple(rows),
        ledger=ledger,
        paid_off=sum(loan.status == LoanStatus.PAID_OFF for loan in rows),
        written_off=sum(loan.status == LoanStatus.WRITTEN_OFF for loan in rows),
        rescheduled=sum(loan.status == LoanStatus.RESCHEDULED for loan in rows),
        has_track_record=track_record or bool(ledger),
        worst_days_late=max(
            [loan.worst_days_late for loan in rows] + [entry.days_overdue for entry in ledger],
            default=0,
        ),
        days_late_now=max(
            [loan.days_late_now for loan in rows] + [entry.days_overdue for entry in open_ledger],
            default=0,
        ),
        overdue_now=sum(
            int(figures.get(loan.id, {}).get("overdue") or 0)
            for loan in rows
            if loan.status == LoanStatus.ACTIVE
        ),
    )


def _affordability(
    request: _Request, history: LoanHistory | None, on: datetime.date
) -> Affordability:
    problems: list[str] = []
    product = (
        LoanProduct.objects.filter(code=request.product_code).first()
        if request.product_code
        else None
    )
    new: int | None = None
    grace = 0
    if request.amount is None:
        problems.append(_("The loan amount is not given."))
    if request.tenor_months is None:
        problems.append(_("The term is not given."))
    if product is None:
        problems.append(
            _("No loan product “%(code)s” exists, so its terms are unknown.")
            % {"code": request.product_code or "–"}
        )
    elif request.amount is not None and request.tenor_months is not None:
        problems.extend(
            str(message)
            for message in product.terms_problems(
                amount=request.amount, tenor_months=request.tenor_months
            ).values()
        )
        new, grace = _first_full_instalment(
            principal=request.amount, product=product, tenor_months=request.tenor_months, on=on
        )
        if new is None:
            problems.append(_("These terms cannot make a repayment schedule."))
    existing = 0
    if history is not None:
        existing = sum(loan.next_month_instalment for loan in history.loans) + sum(
            entry.instalment for entry in history.ledger if entry.balance > 0
        )
    dsr = None
    if new is not None and request.income:
        dsr = Decimal(new + existing) / Decimal(request.income)
    return Affordability(
        amount=request.amount,
        tenor_months=request.tenor_months,
        product_code=request.product_code,
        product_name=product.name if product else "",
        grace_months=grace,
        new_instalment=new,
        problems=tuple(problems),
        existing_instalments=existing,
        income=request.income,
        dsr=dsr,
    )


# --- The score -----------------------------------------------------------------------------------


def _regularity_factor(savings: Savings | None) -> Factor:
    name = _("Simpanan wajib every month")
    rule = _("90 % of the months or more: 20 · 75 %: 14 · 50 %: 7 · less: 0")
    if savings is None or savings.regularity is None:
        reason = (
            _("The member was not found.")
            if savings is None
            else _("The member joined this month: no complete month to judge yet.")
        )
        return Factor("wajib_regularity", name, 0, REGULARITY_POINTS, rule, reason)
    points = _at_least(savings.regularity, REGULARITY_STEPS)
    reason = ngettext(
        "Saved simpanan wajib in %(paid)s of the %(months)s month as a member in the last 12 "
        "months (%(percent)s).",
        "Saved simpanan wajib in %(paid)s of the %(months)s months as a member in the last 12 "
        "months (%(percent)s).",
        savings.member_months,
    ) % {
        "paid": savings.wajib_months,
        "months": savings.member_months,
        "percent": _percent(savings.regularity),
    }
    return Factor("wajib_regularity", name, points, REGULARITY_POINTS, rule, reason)


def _membership_factor(join_date: datetime.date | None, months: int) -> Factor:
    name = _("Time as a member")
    rule = _("12 months or more: 10 · 6 months or more: 5 · less: 0")
    if join_date is None:
        return Factor(
            "membership", name, 0, MEMBERSHIP_POINTS, rule, _("The member was not found.")
        )
    reason = ngettext(
        "A member since %(date)s: %(months)s complete month.",
        "A member since %(date)s: %(months)s complete months.",
        months,
    ) % {"date": date_format(join_date), "months": months}
    points = _at_least(months, MEMBERSHIP_STEPS)
    return Factor("membership", name, points, MEMBERSHIP_POINTS, rule, reason)


def _cover_factor(savings: Savings | None, amount: int | None) -> Factor:
    name = _("Savings against the amount")
    # xgettext:no-python-format
    rule = _("Savings of 20 % of the amount or more: 10 · 10 % or more: 5 · less: 0")
    if savings is None:
        reason = _("The member was not found.")
        return Factor("savings_cover", name, 0, COVER_POINTS, rule, reason)
    if amount is None:
        reason = _("The loan amount is not given.")
        return Factor("savings_cover", name, 0, COVER_POINTS, rule, reason)
    cover = Decimal(savings.total) / Decimal(amount)
    reason = _("Savings of %(savings)s are %(percent)s of the %(amount)s asked for.") % {
        "savings": rupiah(savings.total),
        "percent": _percent(cover),
        "amount": rupiah(amount),
    }
    return Factor("savings_cover", name, _at_least(cover, COVER_STEPS), COVER_POINTS, rule, reason)


def _history_factor(history: LoanHistory | None) -> Factor:
    name = _("Repayment history")
    rule = _(
        "Never more than 7 days late: 20 · up to 30 days: 14 · up to 90 days: 6 · more: 0. A loan "
        "written off: 0; a loan rescheduled: at most 6. No history yet: 10"
    )
    if history is None:
        reason = _("The member was not found.")
        return Factor("repayment_history", name, 0, HISTORY_POINTS, rule, reason)
    if not history.has_track_record:
        reason = _("No earlier loan has had an instalment due: nothing to judge either way.")
        return Factor(
            "repayment_history", name, HISTORY_NOTHING_TO_JUDGE, HISTORY_POINTS, rule, reason
        )
    points = _at_most(history.worst_days_late, HISTORY_STEPS)
    if history.worst_days_late:
        reason = ngettext(
            "At worst %(days)s day late on a loan.",
            "At worst %(days)s days late on a loan.",
            history.worst_days_late,
        ) % {"days": history.worst_days_late}
    else:
        reason = _("Never late on a loan.")
    if history.paid_off:
        reason += " " + ngettext(
            "%(count)s loan paid off.", "%(count)s loans paid off.", history.paid_off
        ) % {"count": history.paid_off}
    if history.written_off:
        points = 0
        reason += " " + ngettext(
            "%(count)s loan written off.", "%(count)s loans written off.", history.written_off
        ) % {"count": history.written_off}
    elif history.rescheduled:
        points = min(points, HISTORY_RESCHEDULED_CAP)
        reason += " " + ngettext(
            "%(count)s loan rescheduled.", "%(count)s loans rescheduled.", history.rescheduled
        ) % {"count": history.rescheduled}
    return Factor("repayment_history", name, points, HISTORY_POINTS, rule, reason)


def _arrears_factor(history: LoanHistory | None) -> Factor:
    name = _("Arrears now")
    rule = _("Nothing overdue or at most 7 days late: 15 · up to 30 days: 5 · more: 0")
    if history is None:
        reason = _("The member was not found.")
        return Factor("arrears_now", name, 0, ARREARS_POINTS, rule, reason)
    days = history.days_late_now
    if days:
        reason = ngettext(
            "An instalment is %(days)s day late now (%(amount)s overdue on loans here).",
            "An instalment is %(days)s days late now (%(amount)s overdue on loans here).",
            days,
        ) % {"days": days, "amount": rupiah(history.overdue_now)}
    else:
        reason = _("Nothing is overdue now.")
    return Factor("arrears_now", name, _at_most(days, ARREARS_STEPS), ARREARS_POINTS, rule, reason)


def _dsr_factor(affordability: Affordability) -> Factor:
    name = _("Instalments against income")
    # xgettext:no-python-format
    rule = _("30 % of income or less: 25 · 40 % or less: 15 · 50 % or less: 5 · more: 0")
    if affordability.income is None:
        reason = _("Net monthly income is not given, so the instalments cannot be weighed.")
        return Factor("debt_service", name, 0, DSR_POINTS, rule, reason)
    if affordability.dsr is None or affordability.new_instalment is None:
        reason = _("The new instalment cannot be worked out: %(why)s") % {
            "why": " ".join(affordability.problems)
        }
        return Factor("debt_service", name, 0, DSR_POINTS, rule, reason)
    reason = _(
        "The new instalment of %(new)s plus %(existing)s already paid each month is %(percent)s "
        "of the %(income)s income."
    ) % {
        "new": rupiah(affordability.new_instalment),
        "existing": rupiah(affordability.existing_instalments),
        "percent": _percent(affordability.dsr),
        "income": rupiah(affordability.income),
    }
    points = _at_most(affordability.dsr, DSR_STEPS)
    return Factor("debt_service", name, points, DSR_POINTS, rule, reason)


def _score(factors: tuple[Factor, ...]) -> Score:
    points = sum(factor.points for factor in factors)
    if points >= BAND_GOOD:
        band, label = "good", _("Good")
    elif points >= BAND_CAREFUL:
        band, label = "careful", _("Consider carefully")
    else:
        band, label = "high_risk", _("High risk")
    bands = _("70–100: good · 50–69: consider carefully · 0–49: high risk")
    return Score(factors=factors, band=band, band_label=label, bands=bands)


# --- The selector --------------------------------------------------------------------------------


def loan_decision_support(
    *, submission: Submission, on: datetime.date | None = None
) -> DecisionSupport | None:
    """What the records say about a loan application's member and request, with the score
    (see the module docstring for every rule). None when the submission is not a loan
    application. Never raises for missing or odd answers: what is not given says so.

    The caller has already checked that the user may see the submission; the member is looked
    up within the submission's own cooperative only."""
    if submission.form_page.purpose != FormPurpose.LOAN_APPLICATION:
        return None
    on = on or timezone.localdate()
    request = _read_application(submission)
    member = (
        Member.objects.filter(pk=request.member_id, cooperative_id=submission.cooperative_id)
        .only("id", "name", "join_date", "cooperative_id")
        .first()
        if request.member_id
        else None
    )
    savings = _savings(member, on) if member else None
    history = _history(member, submission, on) if member else None
    affordability = _affordability(request, history, on)
    membership = _months_between(member.join_date, on) if member else 0
    factors = (
        _regularity_factor(savings),
        _membership_factor(member.join_date if member else None, membership),
        _cover_factor(savings, request.amount),
        _history_factor(history),
        _arrears_factor(history),
        _dsr_factor(affordability),
    )
    return DecisionSupport(
        as_of=on,
        member_id=member.pk if member else None,
        member_name=member.name if member else "",
        member_join_date=member.join_date if member else None,
        membership_months=membership,
        savings=savings,
        history=history,
        affordability=affordability,
        score=_score(factors),
    )
