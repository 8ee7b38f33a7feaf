"""The statements as .xlsx sheets: one sheet per statement, written by
`imports.xlsx.write_table` (amounts as numbers with a Rupiah format, text that could run as a
formula behind an apostrophe), and the five statements of a year for the RAT."""

import datetime
import io
from collections.abc import Iterator, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from cooperatives.models import Cooperative
from imports.exports import XLSX
from imports.spec import Column, ValueType
from imports.xlsx import TableSheet, write_table

from .statements import (
    KINDS,
    Row,
    Statement,
    balance_sheet,
    cash_flow,
    equity_changes,
    income_statement,
    trial_balance,
)

INDENT = "    "


def _row(row: Row) -> tuple[Any, ...]:
    label = f"{INDENT * row.level}{row.label}"
    return (row.code or None, label, *row.amounts)


def statement_sheet(statement: Statement) -> TableSheet:
    """One sheet holding `statement` as the page shows it: code, account and one column per
    amount; part and section titles as rows of their own, then their accounts (sub-accounts
    indented, already counted in their parent's row), their total rows, the summary rows and
    the notes. Amounts are numbers, never formulas: a total row holds the figure itself."""
    columns = [
        Column("code", _("Code"), width=12),
        Column("label", _("Account"), width=48),
        *(Column(c.key, c.label, ValueType.AMOUNT, width=18) for c in statement.columns),
    ]
    blank = (None,) * len(statement.columns)

    def rows() -> Iterator[Sequence[Any]]:
        for part in statement.parts:
            if part.title:
                yield (None, part.title.upper(), *blank)
            for section in part.sections:
                if section.title:
                    yield (None, section.title, *blank)
                for row in section.rows:
                    yield _row(row)
                if section.total is not None:
                    yield _row(section.total)
            if part.total is not None:
                yield _row(part.total)
        for row in statement.summary:
            yield _row(row)
        for note in statement.notes:
            yield (None, note, *blank)

    unit = f" · {statement.business_unit_label}" if statement.business_unit else ""
    title = f"{statement.title} · {statement.cooperative_name}{unit} · {statement.period_label}"
    return TableSheet(str(KINDS[statement.kind].short)[:31], columns, rows(), title)


def rat_sheets(cooperative: Cooperative, *, year: int) -> list[TableSheet]:
    """The five statements of financial year `year` for the RAT: the trial balance of the
    year, the neraca at 31 December (beside the year before), the PHU, the arus kas and the
    perubahan ekuitas of the year."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    statements = [
        trial_balance(cooperative, start=start, end=end),
        balance_sheet(cooperative, as_of=end),
        income_statement(cooperative, start=start, end=end),
        cash_flow(cooperative, start=start, end=end),
        equity_changes(cooperative, start=start, end=end),
    ]
    return [statement_sheet(statement) for statement in statements]


def workbook_response(sheets: Sequence[TableSheet], filename: str) -> HttpResponse:
    """`sheets` as one .xlsx download."""
    output = io.BytesIO()
    write_table(output, sheets)
    response = HttpResponse(output.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
