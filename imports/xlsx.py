"""Writing every workbook the app hands out: exports (`write_table`) and import templates
(`template_workbook`), both from the shared column declarations of `imports.spec`.

An export keeps its table at A1 with one heading row, so that it re-imports cleanly; its cells
are typed (numbers, real dates, NIK and phone numbers as text) and no text in it can run as a
formula. Rows are streamed with xlsxwriter's constant-memory mode: a generator of 100,000 rows
is written in bounded memory, each row flushed to a temporary file once the next one starts.
"""

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from itertools import islice
from os import PathLike
from typing import IO, Any

import xlsxwriter
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xlsxwriter.utility import quote_sheetname, xl_range_abs

from imports.spec import Column, ValueType

Target = str | PathLike[str] | IO[bytes]

# Format codes are written with Excel's invariant separators; an Indonesian Excel shows
# "#,##0" with dots for thousands and "0.00" with a decimal comma.
AMOUNT_FORMAT = '"Rp "#,##0'
INTEGER_FORMAT = "0"
DECIMAL_FORMAT = "0.00##"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TEXT_FORMAT = "@"

# A text starting with one of these can run as a formula once the sheet is saved as CSV or
# read by another program (OWASP, "CSV injection"): such a text is written behind an apostrophe.
FORMULA_STARTS = frozenset("=+-@\t\r")
# Phone numbers are exempt, so that +6281234567890 stays as it is. Only values that look like a
# phone number: a PHONE column holding "=HYPERLINK(…)" is still neutralised.
_PHONE = re.compile(r"\+?[0-9][0-9 ().-]*")

EXCEL_MAX_ROWS = 1_048_576  # the heading row included
TEMPLATE_ROWS = 10_000  # rows 2..10001 of a template get the dropdowns
SAMPLE_ROWS = 200  # rows measured to size the text columns of an export
_MIN_TEXT_WIDTH, _MAX_TEXT_WIDTH = 10, 40
_TYPE_WIDTHS = {
    ValueType.NIK: 20,
    ValueType.PHONE: 16,
    ValueType.DATE: 12,
    ValueType.AMOUNT: 16,
    ValueType.INTEGER: 10,
    ValueType.DECIMAL: 10,
}
_DATETIME_WIDTH = 16
_NUMBERS = frozenset({int, float, Decimal})
_SHEET_NAME_CHARS = str.maketrans(
    {"[": "(", "]": ")", ":": "-", "/": "-", "\\": "-", "*": "", "?": ""}
)
_INLINE_LIST_LIMIT = 255  # Excel's limit on a dropdown's list written into the validation
_CHOICES_SHEET = "Pilihan"
_GUIDE_SHEET = "Petunjuk"

_TYPE_HELP = {
    ValueType.TEXT: gettext_lazy("free text"),
    ValueType.NIK: gettext_lazy("16 digits, typed as text"),
    ValueType.PHONE: gettext_lazy("phone number, e.g. 081234567890 or +6281234567890"),
    ValueType.DATE: gettext_lazy("date, e.g. 17-08-2025"),
    ValueType.AMOUNT: gettext_lazy("amount in rupiah, digits only or with “Rp”, e.g. 1500000"),
    ValueType.INTEGER: gettext_lazy("whole number, e.g. 12"),
    ValueType.DECIMAL: gettext_lazy("number, with a comma for decimals, e.g. 1,5"),
}

Writer = Callable[[int, int, Any], object]


@dataclass(frozen=True)
class TableSheet:
    """One sheet of an export: a heading row from `columns`, then `rows`, each a sequence of
    values in column order. `rows` is iterated once and may be a generator. `title` goes into
    the workbook's properties and the printed page header, never above the table."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    title: str = ""


def neutralise(text: str) -> str:
    """`text` behind an apostrophe when it starts like a formula (= + - @ tab CR)."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def unneutralise(text: str) -> str:
    """The text `neutralise` was given: for an importer re-reading an export."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text


def safe_sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """`name` as Excel accepts it: without []:*?/\\, at most 31 characters, not starting or
    ending with an apostrophe, and unlike the names in `taken` (compared without case)."""
    clean = " ".join(str(name).translate(_SHEET_NAME_CHARS).split()).strip("'").strip()
    if not clean or clean.lower() == "history":  # Excel reserves "History"
        clean = f"{clean or 'Data'} 1".strip()
    used = {existing.lower() for existing in taken}
    candidate, number = _utf16_cut(clean, 31), 1
    while candidate.lower() in used:
        number += 1
        suffix = f" ({number})"
        candidate = _utf16_cut(clean, 31 - len(suffix)).rstrip("'") + suffix
    return candidate


def _utf16_cut(text: str, limit: int) -> str:
    while len(text.encode("utf-16-le")) > 2 * limit:
        text = text[:-1]
    return text.rstrip("'")


class _Formats:
    """The workbook's cell formats, each added once."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self._cache: dict[str, Any] = {}
        heading = {"bold": True, "text_wrap": True, "valign": "top", "border": 1}
        self.heading = workbook.add_format({**heading, "bg_color": "#F2DCDB"})
        self.required_heading = workbook.add_format(
            {**heading, "bg_color": "#F2DCDB", "font_color": "#C00000"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    def number(self, code: str) -> Any:
        if code not in self._cache:
            self._cache[code] = self.workbook.add_format({"num_format": code})
        return self._cache[code]


_COLUMN_FORMATS = {
    ValueType.NIK: TEXT_FORMAT,
    ValueType.PHONE: TEXT_FORMAT,
    ValueType.DATE: DATE_FORMAT,
    ValueType.AMOUNT: AMOUNT_FORMAT,
    ValueType.INTEGER: INTEGER_FORMAT,
    ValueType.DECIMAL: DECIMAL_FORMAT,
}


def _column_format(column: Column, formats: _Formats) -> Any:
    code = _COLUMN_FORMATS.get(column.type)
    return formats.number(code) if code else None


def _writer(
    worksheet: Any, column: Column, formats: _Formats, local: tzinfo, with_time: set[int]
) -> Writer:
    """The function writing one value (never None) of `column`: chosen once per column, so that
    a cell costs one call and a type check."""
    write_string = worksheet.write_string
    kind = column.type

    def text(row: int, col: int, value: Any, cell_format: Any = None) -> None:
        if value.__class__ is not str:
            value = str(value)
        if value:
            write_string(
                row, col, "'" + value if value[:1] in FORMULA_STARTS else value, cell_format
            )

    if kind in (ValueType.TEXT, ValueType.CHOICE):
        return text

    if kind == ValueType.NIK:
        nik_format = formats.number(TEXT_FORMAT)

        def nik(row: int, col: int, value: Any) -> None:
            text(row, col, value, nik_format)

        return nik

    if kind == ValueType.PHONE:
        phone_format = formats.number(TEXT_FORMAT)
        is_phone = _PHONE.fullmatch

        def phone(row: int, col: int, value: Any) -> None:
            if value.__class__ is not str:
                value = str(value)
            if is_phone(value):
                write_string(row, col, value, phone_format)
            else:
                text(row, col, value, phone_format)

        return phone

    if kind == ValueType.DATE:
        write_datetime = worksheet.write_datetime
        date_format = formats.number(DATE_FORMAT)
        datetime_format = formats.number(DATETIME_FORMAT)

        def day(row: int, col: int, value: Any) -> None:
            if value.__class__ is date:
                write_datetime(row, col, value, date_format)
            elif isinstance(value, datetime):
                if value.tzinfo is not None:
                    value = value.astimezone(local).replace(tzinfo=None)
                write_datetime(row, col, value, datetime_format)
                with_time.add(col)
            elif isinstance(value, date):
                write_datetime(row, col, value, date_format)
            else:
                text(row, col, value)

        return day

    write_number = worksheet.write_number
    number_format = _column_format(column, formats)

    def number(row: int, col: int, value: Any) -> None:
        if value.__class__ in _NUMBERS and math.isfinite(value):
            write_number(row, col, value, number_format)
        else:
            text(row, col, value)

    return number


def _open(target: Target, *, constant_memory: bool) -> Any:
    return xlsxwriter.Workbook(
        target,
        {
            # Temporary files, not in_memory (which would switch constant_memory off): with a
            # BytesIO target only the compressed file is held in memory.
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


def _heading(column: Column, *, mark_required: bool = False) -> str:
    heading = neutralise(str(column.heading))
    return f"{heading} *" if mark_required and column.required else heading


def _text_width(column: Column, longest: int = 0) -> int:
    if column.width is not None:
        return column.width
    if column.type in _TYPE_WIDTHS:
        return _TYPE_WIDTHS[column.type]
    wanted = max(len(str(column.heading)), longest) + 2
    return min(max(wanted, _MIN_TEXT_WIDTH), _MAX_TEXT_WIDTH)


def write_table(
    target: Target, sheets: Sequence[TableSheet], *, constant_memory: bool = True
) -> None:
    """Write `sheets` as an .xlsx workbook to `target` (a path or a binary file object).

    Each sheet: a bold, frozen, filterable heading row at A1, then one row per item of its
    `rows`, typed by its columns (see `imports.spec.ValueType`): amounts and numbers as numbers
    with a Rupiah or number format, dates as Excel dates (aware datetimes in the site's time
    zone), NIK and phone numbers as text, None as a blank cell. Text that could run as a
    formula is written behind an apostrophe, except phone numbers such as +62812….

    With `constant_memory` (the default) each row is flushed to a temporary file once the next
    one starts, so memory stays bounded however many rows a generator yields.

    Raises ValueError for a sheet without columns, a row with more values than columns, or
    more rows than Excel holds; nothing is written to `target` then.
    """
    workbook = _open(target, constant_memory=constant_memory)
    formats = _Formats(workbook)
    local = timezone.get_default_timezone()
    title = next((sheet.title for sheet in sheets if sheet.title), "")
    if title:
        workbook.set_properties({"title": title})
    names: list[str] = []
    for sheet in sheets:
        if not sheet.columns:
            raise ValueError(f"Sheet {sheet.name!r} has no columns.")
        names.append(safe_sheet_name(sheet.name, names))
        worksheet = workbook.add_worksheet(names[-1])
        _write_sheet(worksheet, sheet, formats, local)
    workbook.close()


def _write_sheet(worksheet: Any, sheet: TableSheet, formats: _Formats, local: tzinfo) -> None:
    columns = list(sheet.columns)
    width = len(columns)
    with_time: set[int] = set()
    writers = [_writer(worksheet, column, formats, local, with_time) for column in columns]
    for col, column in enumerate(columns):
        worksheet.write_string(0, col, _heading(column), formats.heading)

    # The first rows are measured, to size the text columns; the rest are only written.
    measured = [
        col
        for col, column in enumerate(columns)
        if column.width is None and column.type not in _TYPE_WIDTHS
    ]
    longest = [0] * width
    rows = iter(sheet.rows)
    last = _write_rows(islice(rows, SAMPLE_ROWS), writers, width, 0, measured, longest)
    last = _write_rows(rows, writers, width, last, (), longest)

    for col, column in enumerate(columns):
        column_width = _text_width(column, longest[col])
        if col in with_time and column.width is None:
            column_width = max(column_width, _DATETIME_WIDTH)
        worksheet.set_column(col, col, column_width, _column_format(column, formats))
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, last, width - 1)
    worksheet.repeat_rows(0)
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.fit_to_pages(1, 0)
    if sheet.title:
        worksheet.set_header("&C&B" + sheet.title.replace("&", "&&")[:200])
    # Translators: &P and &N are Excel's codes for the page number and the number of pages.
    worksheet.set_footer("&C" + _("Page &P of &N"))


def _write_rows(
    rows: Iterator[Sequence[Any]],
    writers: list[Writer],
    width: int,
    last: int,
    measured: Sequence[int],
    longest: list[int],
) -> int:
    """Write `rows` below row `last` (0-based); the number of the last row written."""
    columns = range(width)
    row = last
    for row, values in enumerate(rows, start=last + 1):
        if len(values) > width:
            raise ValueError(f"Row {row + 1} has {len(values)} values for {width} columns.")
        if row >= EXCEL_MAX_ROWS:
            raise ValueError(f"More than {EXCEL_MAX_ROWS - 1:,} rows do not fit in a sheet.")
        for col, write, value in zip(columns, writers, values, strict=False):
            if value is not None:
                write(row, col, value)
        for col in measured:
            if col < len(values) and values[col] is not None:
                longest[col] = max(longest[col], len(str(values[col])))
    return row


def describe(column: Column) -> str:
    """What to type into `column`, for the *Petunjuk* sheet."""
    if column.type == ValueType.CHOICE and column.choices:
        return _("choose from the list: %(choices)s") % {"choices": ", ".join(column.choices)}
    return str(_TYPE_HELP.get(column.type, _TYPE_HELP[ValueType.TEXT]))


def template_workbook(
    target: Target,
    *,
    sheet_name: str,
    columns: Sequence[Column],
    instructions_title: str,
    notes: Sequence[str | Promise] = (),
) -> None:
    """Write a downloadable import template for `columns` to `target` (a path or a binary file
    object).

    Sheet 1 (`sheet_name`): the headings in row 1, required ones marked " *" (the importer's
    heading matcher ignores the mark), frozen; one example row from `Column.example`; whole
    columns formatted by type (NIK and phone as text, so a typed NIK keeps its 16 digits); a
    dropdown on each CHOICE column over rows 2..10001, its list in a hidden sheet "Pilihan"
    when too long for Excel's 255 characters. Sheet 2 ("Petunjuk"): `instructions_title`,
    `notes`, then one row per column: heading, required, what to type, help and example.
    """
    if not columns:
        raise ValueError("A template needs at least one column.")
    workbook = _open(target, constant_memory=False)
    workbook.set_properties({"title": str(instructions_title)})
    formats = _Formats(workbook)
    local = timezone.get_default_timezone()
    data_name = safe_sheet_name(sheet_name, [_GUIDE_SHEET, _CHOICES_SHEET])
    data = workbook.add_worksheet(data_name)
    guide = workbook.add_worksheet(_GUIDE_SHEET)
    choices_sheet: Any = None
    choices_used = 0  # columns of the hidden sheet taken
    with_time: set[int] = set()

    for col, column in enumerate(columns):
        heading_format = formats.required_heading if column.required else formats.heading
        data.write_string(0, col, _heading(column, mark_required=True), heading_format)
        column_format = _column_format(column, formats)
        if column.type in (ValueType.TEXT, ValueType.CHOICE):
            column_format = formats.number(TEXT_FORMAT)  # typed text stays text: "001", "=…"
        longest = len(str(column.example)) if column.example is not None else 0
        data.set_column(col, col, _text_width(column, longest), column_format)
        if column.example is not None:
            _writer(data, column, formats, local, with_time)(1, col, column.example)
        if column.type == ValueType.CHOICE and column.choices:
            source: list[str] | str = list(column.choices)
            inline = ",".join(column.choices)
            if len(inline) > _INLINE_LIST_LIMIT or any(
                '"' in c or "," in c for c in column.choices
            ):
                if choices_sheet is None:
                    choices_sheet = workbook.add_worksheet(_CHOICES_SHEET)
                    choices_sheet.hide()
                source = _write_choices(choices_sheet, choices_used, column, formats)
                choices_used += 1
            data.data_validation(
                1,
                col,
                TEMPLATE_ROWS,
                col,
                {
                    "validate": "list",
                    "source": source,
                    "error_title": _("Not in the list")[:32],
                    "error_message": _("Choose one of the values in the list.")[:255],
                },
            )
    data.freeze_panes(1, 0)
    data.activate()
    _write_guide(guide, columns, formats, local, instructions_title, notes)
    workbook.close()


def _write_choices(sheet: Any, col: int, column: Column, formats: _Formats) -> str:
    """The column's choices below its heading in column `col` of the hidden sheet; the range a
    dropdown takes them from."""
    sheet.write_string(0, col, neutralise(str(column.heading)), formats.heading)
    for row, choice in enumerate(column.choices, start=1):
        sheet.write_string(row, col, choice)  # the exact value: a dropdown copies it
    sheet.set_column(col, col, _text_width(column, max(map(len, column.choices))))
    return f"={quote_sheetname(_CHOICES_SHEET)}!{xl_range_abs(1, col, len(column.choices), col)}"


def _write_guide(
    guide: Any,
    columns: Sequence[Column],
    formats: _Formats,
    local: tzinfo,
    title: str,
    notes: Sequence[str | Promise],
) -> None:
    widths = (24, 14, 36, 48, 20)
    for col, width in enumerate(widths):
        guide.set_column(col, col, width, formats.wrap)
    guide.write_string(0, 0, neutralise(str(title)), formats.title)
    all_notes = [str(note) for note in notes]
    if any(column.required for column in columns):
        all_notes.append(_("Columns marked with * must be filled in."))
    if any(column.example is not None for column in columns):
        all_notes.append(_("Row 2 is an example: replace it with your own data or delete it."))
    row = 2
    for note in all_notes:
        lines = max(1, math.ceil(len(note) / sum(widths)), note.count("\n") + 1)
        guide.set_row(row, 15 * lines)
        guide.merge_range(row, 0, row, len(widths) - 1, neutralise(note), formats.wrap)
        row += 1
    row += 1
    headings = (_("Column"), _("Required?"), _("What to type"), _("Explanation"), _("Example"))
    for col, heading in enumerate(headings):
        guide.write_string(row, col, heading, formats.heading)
    with_time: set[int] = set()
    for column in columns:
        row += 1
        guide.write_string(row, 0, neutralise(str(column.heading)), formats.wrap)
        guide.write_string(row, 1, _("Yes") if column.required else _("No"), formats.wrap)
        guide.write_string(row, 2, neutralise(describe(column)), formats.wrap)
        if column.help:
            guide.write_string(row, 3, neutralise(str(column.help)), formats.wrap)
        if column.example is not None:
            _writer(guide, column, formats, local, with_time)(row, 4, column.example)
