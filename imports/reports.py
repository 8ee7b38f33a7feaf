"""Workbooks that come out of a run: the wrong rows, to be fixed and uploaded again."""

import datetime
import io
import re
from typing import Any

import xlsxwriter
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .kinds import get_kind
from .models import ImportRun
from .reader import find_header, open_workbook, read_sheet
from .xlsx import neutralise, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]*")


def error_rows_workbook(run: ImportRun) -> bytes:
    """The run's wrong rows, cells as the user wrote them, under the template's headings, with
    a last column “Kesalahan” saying what is wrong and where. Uploading it again (once fixed)
    imports those rows. Text is written as text cells, and text that could run as a formula
    gets an apostrophe in front (a phone such as +62… does not)."""
    by_row: dict[int, list[str]] = {}
    for problem in run.errors:
        if problem.get("row"):
            where = f"{problem['column']}{problem['row']}: " if problem.get("column") else ""
            by_row.setdefault(problem["row"], []).append(where + problem["message"])
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    heading = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True})
    when = book.add_format({"num_format": "dd/mm/yyyy"})
    problem_format = book.add_format({"font_color": "#9C0006", "text_wrap": True})
    sheet = book.add_worksheet((run.sheet or "Baris salah")[:31])
    with run.file.open("rb") as handle:
        data = handle.read()
    source = read_sheet(open_workbook(data), run.sheet or None)
    columns = list(get_kind(run.kind).columns_for(run))
    header = find_header(source, {column.key: column.headings for column in columns}, required=[])
    canonical = {header.columns[c.key]: c.heading for c in columns if c.key in header.columns}
    original = source.rows[header.row - 1].values
    width = max(len(original), max(canonical, default=-1) + 1)
    titles = [
        canonical.get(index, str(original[index] or "") if index < len(original) else "")
        for index in range(width)
    ]
    sheet.write_row(0, 0, titles, heading)
    sheet.write_string(0, width, "Kesalahan", heading)
    sheet.write_string(0, width + 1, "Baris asal", heading)
    line = 1
    for row in source.rows:
        messages = by_row.get(row.number)
        if not messages:
            continue
        for index, value in enumerate(row.values[:width]):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(line, index, value)
            elif isinstance(value, int | float):
                sheet.write_number(line, index, value)
            elif isinstance(value, datetime.datetime | datetime.date):
                sheet.write_datetime(line, index, value, when)
            else:
                # Neutralised like every export; the importer takes the apostrophe off again.
                text = str(value)
                sheet.write_string(
                    line, index, text if _PHONE.fullmatch(text) else neutralise(text)
                )
        sheet.write_string(line, width, "\n".join(messages), problem_format)
        sheet.write_number(line, width + 1, row.number)
        line += 1
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(line - 1, 1), width + 1)
    sheet.set_column(0, max(width - 1, 0), 16)
    sheet.set_column(width, width, 60)
    sheet.set_column(width + 1, width + 1, 10)
    book.set_properties({"title": f"Baris salah · {run.file_name}"})
    book.close()
    return output.getvalue()


def template_bytes(kind: str, form: Any = None) -> bytes:
    """The import template of a kind, or of a form's submissions (kind "submissions")."""
    spec = get_kind(kind)
    columns = (
        spec.columns_for(ImportRun(kind=kind, form=form)) if form is not None else spec.columns
    )
    output = io.BytesIO()
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        template_workbook(
            output,
            sheet_name=spec.sheet_title,
            columns=list(columns),
            instructions_title=_("How to fill in: %(title)s") % {"title": spec.sheet_title},
            notes=list(spec.notes),
        )
    return output.getvalue()
