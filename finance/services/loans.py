"""Loans into the journal. loans.services calls these inside its own transactions, so that a
posting the journal refuses (a closed month, above all) rolls the loan action back with it.

Member loans (the simpan pinjam unit lends to a member; 1-110 is kept per member, so every
line names the member):

- payout: Dr 1-110 Piutang pinjaman anggota / Cr 1-101 Kas, dated the payout;
- repayment: Dr 1-101 Kas the amount / Cr 4-203 penalty, 4-202 fees, 4-201 interest and
  1-110 principal, as the repayment was split (parts of 0 left out), dated the payment;
- write-off: Dr 5-201 Beban penghapusan piutang / Cr 1-110 the principal still owed.

The cooperative's own financing (it borrows from a bank; the money moves through the bank):

- payout: Dr 1-102 Bank / Cr 2-201 Utang bank;
- repayment: Dr 2-201 principal, Dr 5-906 Beban bunga bank interest, fees and penalty /
  Cr 1-102 Bank;
- write-off (the bank forgives the debt): Dr 2-201 / Cr 4-901 Pendapatan lain-lain.

A repayment's reversal is the journal reversal of its entry, dated the reversal. Revenue from
interest, fees and penalties is recognised when paid (cash basis, as villages keep their
books), except what a rescheduling capitalises (see `loan_reschedule_post`).

Loans paid out before the books existed have no payout entry; nothing is posted for them
backwards (their opening balance is an opening entry).
"""

import datetime
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from loans.enums import LoanKind
from loans.models import Instalment, Loan, Repayment

from .. import chart
from ..enums import EntrySource
from ..models import CashBookEntry, JournalEntry
from .cashbook import cashbook_row_settle
from .journal import Line, journal_post, journal_reverse

_PARTS = ("penalty", "fee", "interest", "principal")
_MEMBER_REVENUE = {
    "penalty": chart.LOAN_PENALTIES,
    "fee": chart.LOAN_FEES,
    "interest": chart.LOAN_INTEREST,
    "principal": chart.MEMBER_LOANS,
}


def _is_member_loan(loan: Loan) -> bool:
    return loan.kind == LoanKind.MEMBER


def _loan_label(loan: Loan) -> str:
    if _is_member_loan(loan):
        borrower = loan.member.name if loan.member else loan.borrower_name
    else:
        borrower = loan.lender or loan.product_code
    return _("loan no. %(number)s, %(borrower)s") % {"number": loan.pk, "borrower": borrower}


def loan_payout_post(*, loan: Loan, by: Any) -> JournalEntry:
    """The entry of a confirmed payout, dated `loan.disbursed_on` (key "loan-payout:<pk>").
    Raises ClosedPeriodError when that month is closed."""
    assert loan.disbursed_on is not None
    label = _loan_label(loan)
    if _is_member_loan(loan):
        description = _("Loan paid out: %(loan)s") % {"loan": label}
        lines = [
            Line(account=chart.MEMBER_LOANS, debit=loan.principal, member=loan.member_id),
            Line(account=chart.CASH, credit=loan.principal),
        ]
    else:
        description = _("Financing received: %(loan)s") % {"loan": label}
        lines = [
            Line(account=chart.BANK, debit=loan.principal),
            Line(account=chart.BANK_LOANS, credit=loan.principal),
        ]
    return journal_post(
        cooperative=loan.cooperative,
        date=loan.disbursed_on,
        description=description,
        lines=lines,
        source=EntrySource.LOAN,
        source_key=f"loan-payout:{loan.pk}",
        by=by,
    )


def repayment_post(*, repayment: Repayment, by: Any) -> JournalEntry:
    """The entry of a recorded repayment, split as the repayment was (key "repayment:<pk>").
    A repayment matched from a cash-book row makes that row a loan repayment: the entry the
    row had made on its own is reversed, so that the money counts once (see
    `cashbook_row_settle`). Raises ClosedPeriodError when the payment's month is closed."""
    loan = repayment.loan
    member = loan.member_id
    parts = {part: int(getattr(repayment, part)) for part in _PARTS}
    memo = _loan_label(loan)
    if _is_member_loan(loan):
        description = _("Loan repayment: %(loan)s") % {"loan": memo}
        lines = [Line(account=chart.CASH, debit=repayment.amount, member=member, memo=memo)]
        lines += [
            Line(account=_MEMBER_REVENUE[part], credit=amount, member=member, memo=memo)
            for part, amount in parts.items()
            if amount
        ]
    else:
        description = _("Financing repaid: %(loan)s") % {"loan": memo}
        costs = parts["interest"] + parts["fee"] + parts["penalty"]
        lines = []
        if parts["principal"]:
            lines.append(Line(account=chart.BANK_LOANS, debit=parts["principal"], memo=memo))
        if costs:
            lines.append(Line(account=chart.BANK_INTEREST, debit=costs, memo=memo))
        lines.append(Line(account=chart.BANK, credit=repayment.amount, memo=memo))
    entry = journal_post(
        cooperative=loan.cooperative,
        date=repayment.paid_on,
        description=description,
        lines=lines,
        source=EntrySource.LOAN,
        source_key=f"repayment:{repayment.pk}",
        by=by,
    )
    if repayment.cash_book_entry_id is not None:
        row = CashBookEntry.objects.select_for_update().get(pk=repayment.cash_book_entry_id)
        cashbook_row_settle(row=row, by=by)
    return entry


def repayment_reversal_post(*, reversal: Repayment, by: Any) -> JournalEntry | None:
    """Reverse the entry of the repayment `reversal` cancels, dated the reversal. A cash-book
    row the repayment was matched from waits to be posted again (or matched again). None when
    the cancelled repayment had no entry (recorded before the books existed)."""
    original = reversal.reverses
    assert original is not None
    entry = JournalEntry.objects.filter(
        cooperative_id=original.loan.cooperative_id, source_key=f"repayment:{original.pk}"
    ).first()
    reversed_entry = None
    if entry is not None:
        reversed_entry = journal_reverse(
            entry=entry, by=by, date=reversal.paid_on, reason=reversal.note
        )
    if original.cash_book_entry_id is not None:
        row = CashBookEntry.objects.select_for_update().get(pk=original.cash_book_entry_id)
        cashbook_row_settle(row=row, by=by)
    return reversed_entry


def _principal_owed(loan: Loan) -> int:
    totals = loan.instalments.aggregate(principal=Sum("principal"), paid=Sum("paid_principal"))
    return int(totals["principal"] or 0) - int(totals["paid"] or 0)


def loan_write_off_post(
    *, loan: Loan, by: Any, on: datetime.date | None = None
) -> JournalEntry | None:
    """The write-off of the principal still owed, dated `on` (today by default; key
    "loan-writeoff:<pk>"). Interest, fees and penalties never paid were never revenue (cash
    basis), so there is nothing of them to write off. None when no principal is owed."""
    owed = _principal_owed(loan)
    if owed <= 0:
        return None
    label = _loan_label(loan)
    if _is_member_loan(loan):
        lines = [
            Line(account=chart.LOANS_WRITTEN_OFF, debit=owed, member=loan.member_id, memo=label),
            Line(account=chart.MEMBER_LOANS, credit=owed, member=loan.member_id, memo=label),
        ]
    else:
        lines = [
            Line(account=chart.BANK_LOANS, debit=owed, memo=label),
            Line(account="4-901", credit=owed, memo=label),
        ]
    return journal_post(
        cooperative=loan.cooperative,
        date=on or timezone.localdate(),
        description=_("Loan written off: %(loan)s") % {"loan": label},
        lines=lines,
        source=EntrySource.LOAN,
        source_key=f"loan-writeoff:{loan.pk}",
        by=by,
    )


def loan_reschedule_post(
    *, old: Loan, new: Loan, on: datetime.date, by: Any
) -> JournalEntry | None:
    """The entry of a rescheduling (restrukturisasi), dated `on` (key "loan-reschedule:<old
    loan pk>").

    The honest entry: the new loan's principal replaces the principal still owed on the old
    one, and whatever else the new principal holds — the interest, fees and penalties already
    due by `on` and unpaid, which loans.services capitalises — is recognised now, because the
    borrower now owes it as principal:

    - member loan: Dr 1-110 the new principal (new loan) / Cr 1-110 the old principal owed
      (old loan), Cr 4-203 penalties, 4-202 fees, 4-201 interest capitalised;
    - the cooperative's financing: Dr 2-201 the old principal owed, Dr 5-906 the bank's
      interest, fees and penalties capitalised / Cr 2-201 the new principal.

    (A stricter policy would hold capitalised interest as deferred income until it is paid;
    the village books keep none, and the SHU of the year counts it once, here.) Both sides of
    the receivable are shown, even when nothing was capitalised, so that the journal says
    which loan replaced which. None when the new principal is 0."""
    if new.principal <= 0:
        return None
    instalments = list(Instalment.objects.filter(loan=old))
    principal = sum(i.principal - i.paid_principal for i in instalments)
    due = [i for i in instalments if i.due_date <= on]
    capitalised = {
        "penalty": sum(i.penalty - i.paid_penalty for i in due),
        "fee": sum(i.fee - i.paid_fee for i in due),
        "interest": sum(i.interest - i.paid_interest for i in due),
    }
    old_label, new_label = _loan_label(old), _loan_label(new)
    if _is_member_loan(old):
        member = old.member_id
        lines = [
            Line(account=chart.MEMBER_LOANS, debit=new.principal, member=member, memo=new_label)
        ]
        if principal:
            lines.append(
                Line(account=chart.MEMBER_LOANS, credit=principal, member=member, memo=old_label)
            )
        lines += [
            Line(account=_MEMBER_REVENUE[part], credit=amount, member=member, memo=old_label)
            for part, amount in capitalised.items()
            if amount
        ]
    else:
        costs = sum(capitalised.values())
        lines = []
        if principal:
            lines.append(Line(account=chart.BANK_LOANS, debit=principal, memo=old_label))
        if costs:
            lines.append(Line(account=chart.BANK_INTEREST, debit=costs, memo=old_label))
        lines.append(Line(account=chart.BANK_LOANS, credit=new.principal, memo=new_label))
    return journal_post(
        cooperative=old.cooperative,
        date=on,
        description=_("Loan rescheduled: %(old)s continues as loan no. %(new)s")
        % {"old": old_label, "new": new.pk},
        lines=lines,
        source=EntrySource.LOAN,
        source_key=f"loan-reschedule:{old.pk}",
        by=by,
    )


__all__ = [
    "loan_payout_post",
    "loan_reschedule_post",
    "loan_write_off_post",
    "repayment_post",
    "repayment_reversal_post",
]
