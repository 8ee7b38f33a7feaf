"""Reading one workbook into row plans: the part of an import that writes nothing.

The same pass serves the preview and, again inside the apply transaction, the import itself:
what is written is always decided against the records as they are at that moment.
"""

import contextlib
import datetime
import gc
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .enums import RowAction
from .kinds import get_kind
from .kinds.base import Context, Kind, Problem, RowPlan
from .reader import (
    column_letter,
    find_header,
    is_footer_row,
    open_workbook,
    read_sheet,
    uncached_formulas,
)
from .spec import Column, ValueType
from .values import PARSERS, evaluate_formula, parse_choice, parse_date, parse_text
from .xlsx import unneutralise

if TYPE_CHECKING:
    from .models import ImportRun

Progress = Callable[[int, int], None]

_TITLE_DATE = re.compile(r"\b(?:per|posisi|tanggal|tgl|keadaan|s\.?\s?d\.?)\b[\s.:]*(.+)$", re.I)


@dataclass
class Checked:
    sheet: str
    header_row: int
    kind: Kind
    context: Context
    plans: list[RowPlan]

    def count(self, action: RowAction) -> int:
        return sum(1 for plan in self.plans if plan.action == action)

    @property
    def problems(self) -> list[Problem]:
        return [problem for plan in self.plans for problem in plan.problems]

    @property
    def warnings(self) -> list[Problem]:
        return [warning for plan in self.plans for warning in plan.warnings]


def title_date(rows: list[Any]) -> datetime.date | None:
    """The date a title block states the book is as of: “Per 31 Oktober 2026”, “Posisi:
    31-10-2026”. Member-list balances are stored as of that date."""
    for row in rows:
        for value in row.values:
            if isinstance(value, str) and (match := _TITLE_DATE.search(value.strip())):
                try:
                    found = parse_date(match.group(1).strip())
                except ValidationError:
                    continue
                if found:
                    return found
    return None


def _reader(column: Column) -> Callable[[Any], Any]:
    if parser := column.extra.get("parser"):
        return parser  # type: ignore[no-any-return]
    if column.type == ValueType.CHOICE:
        choices = column.choices
        return lambda value: parse_choice(value, choices)
    if column.type == ValueType.TEXT:
        return _text
    return PARSERS[column.type]


def _text(value: Any) -> str:
    # Our own exports put an apostrophe before text that could run as a formula; a list
    # exported and imported again must come back unchanged.
    if isinstance(value, str):
        return unneutralise(value.rstrip().lstrip(" \u00a0"))
    return parse_text(value)


def _example_values(mapped: list[tuple[Column, int, Callable[[Any], Any]]]) -> dict[str, Any]:
    """The template's example row, read as a filled row would be: a template uploaded with its
    example still in row 2 must not import Siti Aminah as a member."""
    values = {}
    for column, _index, read in mapped:
        try:
            values[column.key] = None if column.example in (None, "") else read(column.example)
        except ValidationError:
            return {}
    return values


def check_workbook(run: "ImportRun", data: bytes, *, progress: Progress | None = None) -> Checked:
    """Plan every row of the run's sheet. Raises reader.WorkbookError for a file that cannot be
    read or lacks required columns; row problems are in the plans, never raised."""
    kind = get_kind(run.kind)
    columns = list(kind.columns_for(run))
    workbook = open_workbook(data)
    sheet = read_sheet(workbook, run.sheet or None)
    header = find_header(
        sheet, {column.key: column.headings for column in columns}, required=kind.required(run)
    )
    formulas = uncached_formulas(data, sheet.name)
    heading_values = sheet.rows[header.row - 1].values
    ctx = Context(
        run=run,
        cooperative=run.cooperative,
        letters={key: column_letter(index) for key, index in header.columns.items()},
        headings={
            column.key: (
                str(heading_values[header.columns[column.key]]).strip()
                if header.columns.get(column.key, 10**6) < len(heading_values)
                else column.heading
            )
            or column.heading
            for column in columns
            if column.key in header.columns
        },
        title_date=title_date(sheet.rows[: header.row - 1]),
    )
    kind.start(ctx)
    mapped = [
        (column, header.columns[column.key], _reader(column))
        for column in columns
        if column.key in header.columns
    ]
    data_rows = sheet.rows[header.data_start - 1 :]
    total = len(data_rows)
    formula_rows = {number for number, _index in formulas}
    if formulas:
        ctx.state["_rows"] = sheet.rows
    with _collector_paused():
        plans = _plan_rows(ctx, kind, header, mapped, data_rows, formulas, formula_rows, progress)
    kind.finish(ctx, plans)
    if progress:
        progress(total, total)
    return Checked(sheet.name, header.row, kind, ctx, plans)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading 100,000 rows makes millions of small objects and none of them cyclic: Python's
    cycle collector would walk them again and again for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _may_be_footer(cells: tuple[Any, ...], required_indexes: list[int]) -> bool:
    """Cheap test before is_footer_row: a row whose required cells are all filled with
    something other than a total word is a data row."""
    for index in required_indexes:
        if index >= len(cells):
            return True
        value = cells[index]
        if value is None or value == "":
            return True
        if isinstance(value, str) and ("jumlah" in value.lower() or "total" in value.lower()):
            return True  # is_footer_row decides; a name like "Totalia" only costs that test
    return not required_indexes


def _plan_rows(
    ctx: Context,
    kind: Kind,
    header: Any,
    mapped: list[tuple[Column, int, Callable[[Any], Any]]],
    data_rows: list[Any],
    formulas: dict[tuple[int, int], str],
    formula_rows: set[int],
    progress: Progress | None,
) -> list[RowPlan]:
    run = ctx.run
    example = _example_values(mapped)
    required_message = _("“%(heading)s” must be filled in.")
    total = len(data_rows)
    plans: list[RowPlan] = []
    last_report = time.monotonic()
    after_footer = False
    required_indexes = [header.columns[key] for key in kind.required(run) if key in header.columns]
    for position, row in enumerate(data_rows, start=1):
        if progress and position % 500 == 0 and time.monotonic() - last_report > 0.5:
            progress(position, total)
            last_report = time.monotonic()
        cells = row.values
        if row.is_empty():
            continue
        if (_may_be_footer(cells, required_indexes) and is_footer_row(row, header)) or (
            after_footer and all(_blank(cells, index) for index in required_indexes)
        ):
            # Below a JUMLAH row come signatures and names in brackets: not members, not errors.
            after_footer = True
            plans.append(RowPlan(row.number, RowAction.SKIPPED))
            continue
        plan = RowPlan(row.number, RowAction.CREATE)
        values: dict[str, Any] = {}
        filled = False
        with_formulas = row.number in formula_rows
        for column, index, read in mapped:
            raw = cells[index] if index < len(cells) else ""
            if with_formulas and (row.number, index) in formulas:
                raw = _formula_value(
                    ctx, plan, column, formulas[(row.number, index)], ctx.state["_rows"], formulas
                )
                if raw is None:
                    continue
            if raw == "" or raw is None or (isinstance(raw, str) and not raw.strip()):
                values[column.key] = None
                if column.required:
                    ctx.problem(
                        plan,
                        column.key,
                        "required",
                        required_message % {"heading": ctx.headings[column.key]},
                    )
                continue
            filled = True
            try:
                values[column.key] = read(raw)
            except ValidationError as error:
                ctx.problem(plan, column.key, error.code or "invalid", error.messages[0])
        if not filled:
            # Something outside the table's columns only (a note in the margin): not a row.
            plans.append(RowPlan(row.number, RowAction.SKIPPED))
            continue
        if values == example and not plan.problems:
            plans.append(RowPlan(row.number, RowAction.SKIPPED))
            continue
        kind.check_row(ctx, plan, values)
        plans.append(plan)
    return plans


def _blank(cells: tuple[Any, ...], index: int) -> bool:
    if index >= len(cells):
        return True
    value = cells[index]
    return value is None or (isinstance(value, str) and not value.strip())


def _worked_out(
    formula: str, rows: list[Any], formulas: dict[tuple[int, int], str], seen: frozenset[str]
) -> Any:
    """The value of an uncached formula; a cell it refers to that is itself an uncached formula
    is worked out too (a chain, never a cycle), not read as empty."""

    def cell(reference: str) -> Any:
        match = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", reference.upper())
        if not match:
            raise ValidationError("", code="formula_unsupported")
        letters, number = match.groups()
        index = 0
        for letter in letters:
            index = index * 26 + ord(letter) - 64
        key = (int(number), index - 1)
        if key in formulas:
            name = f"{letters}{number}"
            if name in seen or len(seen) > 20 or not formulas[key]:
                raise ValidationError("", code="formula_unsupported")
            return _worked_out(formulas[key], rows, formulas, seen | {name})
        row_index = int(number) - 1
        if row_index >= len(rows) or index - 1 >= len(rows[row_index].values):
            return ""
        return rows[row_index].values[index - 1]

    if not formula:
        raise ValidationError("", code="formula_unsupported")
    return evaluate_formula(formula, cell)


def _formula_value(
    ctx: Context,
    plan: RowPlan,
    column: Column,
    formula: str,
    rows: list[Any],
    formulas: dict[tuple[int, int], str],
) -> Any:
    """A formula cell saved without its result (files written by programs, not Excel): simple
    arithmetic is worked out, anything else makes the row wrong — never read as 0."""
    try:
        return _worked_out(formula, rows, formulas, frozenset())
    except ValidationError:
        ctx.problem(
            plan,
            column.key,
            "formula_unsupported",
            _(
                "This cell holds a formula whose result was not saved (=%(formula)s). Open the "
                "file in Excel, save it again, or type the value."
            )
            % {"formula": formula or "…"},
        )
        return None
