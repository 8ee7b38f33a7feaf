"""The loan pages as .xlsx workbooks: the filtered portfolio, one loan's schedule and its
repayments. Written by `imports.xlsx.write_table`, which types the cells and writes any text
that could run as a formula behind an apostrophe."""

import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from imports.exports import XLSX
from imports.spec import Column, ValueType
from imports.xlsx import TableSheet, write_table

from .models import Loan, Repayment
from .selectors import with_outstanding

CHUNK = 2000


def xlsx_response(sheet: TableSheet, filename: str) -> HttpResponse:
    output = io.BytesIO()
    write_table(output, [sheet])
    response = HttpResponse(output.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _user_name(user: Any) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def portfolio_sheet(loans: QuerySet[Loan], title: str = "") -> TableSheet:
    """One row per loan of `loans` (already scoped and filtered), in the page's order."""
    columns = [
        Column("cooperative", _("Cooperative"), width=36),
        Column("borrower", _("Borrower"), width=28),
        Column("nik", _("NIK"), ValueType.NIK),
        Column("lender", _("Lender"), width=20),
        Column("product", _("Loan product"), width=22),
        Column("principal", _("Principal (Rp)"), ValueType.AMOUNT),
        Column("tenor", _("Term (months)"), ValueType.INTEGER),
        Column("disbursed_on", _("Paid out on"), ValueType.DATE),
        Column("principal_left", _("Principal still owed (Rp)"), ValueType.AMOUNT),
        Column("owed_total", _("Total still owed (Rp)"), ValueType.AMOUNT),
        Column("overdue", _("Overdue (Rp)"), ValueType.AMOUNT),
        Column("days_past_due", _("Days past due"), ValueType.INTEGER),
        Column("collectibility", _("Collectibility"), width=30),
        Column("status", _("Status"), width=30),
        Column("as_of", _("Arrears as of"), ValueType.DATE),
    ]

    def rows() -> Iterator[Sequence[Any]]:
        for loan in with_outstanding(loans).iterator(chunk_size=CHUNK):
            yield (
                loan.cooperative.name,
                loan.member.name if loan.member else loan.borrower_name,
                loan.member.nik if loan.member else None,
                loan.lender or None,
                loan.product.name if loan.product else loan.product_code,
                loan.principal,
                loan.tenor_months,
                loan.disbursed_on,
                loan.principal_left,  # type: ignore[attr-defined]
                loan.owed_total,  # type: ignore[attr-defined]
                loan.overdue_amount,
                loan.days_past_due,
                str(loan.get_collectibility_display()),
                str(loan.get_status_display()),
                loan.arrears_as_of,
            )

    return TableSheet(_("Loans")[:31], columns, rows(), title)


def schedule_sheet(loan: Loan) -> TableSheet:
    """The loan's schedule: one row per instalment, with what was paid and what is owed."""
    columns = [
        Column("number", _("No."), ValueType.INTEGER, width=6),
        Column("due_date", _("Due"), ValueType.DATE),
        Column("principal", _("Principal (Rp)"), ValueType.AMOUNT),
        Column("interest", _("Interest (Rp)"), ValueType.AMOUNT),
        Column("fee", _("Fee (Rp)"), ValueType.AMOUNT),
        Column("penalty", _("Penalty (Rp)"), ValueType.AMOUNT),
        Column("total", _("Total (Rp)"), ValueType.AMOUNT),
        Column("paid", _("Paid (Rp)"), ValueType.AMOUNT),
        Column("owed", _("Still owed (Rp)"), ValueType.AMOUNT),
        Column("balance", _("Principal owed after it (Rp)"), ValueType.AMOUNT),
    ]
    rows = (
        (
            line.number,
            line.due_date,
            line.principal,
            line.interest,
            line.fee,
            line.penalty,
            line.total + line.penalty,
            line.paid_principal + line.paid_interest + line.paid_fee + line.paid_penalty,
            line.owed,
            line.balance,
        )
        for line in loan.instalments.all()
    )
    return TableSheet(
        _("Repayment schedule")[:31], columns, rows, f"{loan.borrower_name} · {loan.pk}"
    )


def repayment_source(repayment: Repayment) -> str:
    """Where a repayment came from, in words: typed in, a row of an imported file, a row of
    the cash book, the cooperative's own loan ledger."""
    if repayment.cash_book_entry_id:
        entry = repayment.cash_book_entry
        assert entry is not None
        return _("Cash book %(date)s, %(description)s") % {
            "date": entry.date.strftime("%d-%m-%Y"),
            "description": entry.description,
        }
    if repayment.import_run_id:
        assert repayment.import_run is not None
        return _("Import %(file)s, row %(row)s") % {
            "file": repayment.import_run.file_name,
            "row": repayment.import_row or "–",
        }
    if repayment.ledger_entry_id:
        return _("The cooperative's loan ledger")
    return _("Typed in")


def repayments_sheet(loan: Loan, repayments: Iterable[Repayment]) -> TableSheet:
    """The loan's repayments and cancellations, as the card lists them."""
    columns = [
        Column("paid_on", _("Paid on"), ValueType.DATE),
        Column("amount", _("Amount (Rp)"), ValueType.AMOUNT),
        Column("penalty", _("To penalty (Rp)"), ValueType.AMOUNT),
        Column("fee", _("To fees (Rp)"), ValueType.AMOUNT),
        Column("interest", _("To interest (Rp)"), ValueType.AMOUNT),
        Column("principal", _("To principal (Rp)"), ValueType.AMOUNT),
        Column("cancels", _("Cancels the payment of"), ValueType.DATE),
        Column("note", _("Note"), width=40),
        Column("recorded_by", _("Recorded by"), width=22),
        Column("recorded_at", _("Recorded"), ValueType.DATE, width=17),
        Column("source", _("Source"), width=36),
    ]
    rows = (
        (
            repayment.paid_on,
            repayment.amount,
            repayment.penalty,
            repayment.fee,
            repayment.interest,
            repayment.principal,
            repayment.reverses.paid_on if repayment.reverses else None,
            repayment.note or None,
            _user_name(repayment.recorded_by),
            repayment.created_at,
            repayment_source(repayment),
        )
        for repayment in repayments
    )
    return TableSheet(_("Repayments")[:31], columns, rows, f"{loan.borrower_name} · {loan.pk}")
