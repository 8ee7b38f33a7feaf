"""Reading the workbooks villages send, before any import kind sees them.

Everything dangerous or unreadable is refused first, with a message a treasurer understands:
too big, not a workbook, a zip bomb, macros, a password. Only then is the sheet parsed (with
python-calamine, about ten times faster than openpyxl) into rows that carry the row number and
column letter Excel shows, so every error can point at a cell the user can find.
"""

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

MAX_FILE_BYTES = 20 * 1024 * 1024
# A real workbook of 100,000 members unpacks to about 60 MB; a zip bomb to gigabytes.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 150  # unpacked / packed, per part: XML compresses well, but not a thousandfold
MAX_PARTS = 5_000
MAX_ROWS = 250_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also password-protected .xlsx


class WorkbookError(ValueError):
    """The file cannot be read as a workbook. `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column names Excel shows."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _check_zip(data: bytes, *, max_unpacked: int, max_ratio: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise WorkbookError(
            "not_a_workbook", _("The file is damaged or is not an Excel workbook.")
        ) from error
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookError(
            "not_a_workbook",
            _("The file is not an Excel workbook (.xlsx). Save it from Excel as .xlsx."),
        )
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > max_unpacked:
        raise WorkbookError("too_big_unpacked", _("The workbook is too big once opened."))
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > max_ratio * max(part.compress_size, 1):
            raise WorkbookError("too_big_unpacked", _("The workbook is too big once opened."))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise WorkbookError(
            "macros",
            _("The workbook contains macros. Save it in Excel as a plain workbook (.xlsx)."),
        )


def open_workbook(
    data: bytes,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_unpacked: int = MAX_UNPACKED_BYTES,
    max_ratio: int = MAX_RATIO,
) -> CalamineWorkbook:
    """The workbook in `data` (.xlsx, or an old .xls), after the checks above.

    Raises WorkbookError with one of the codes: too_large, not_a_workbook, too_big_unpacked,
    macros, password.
    """
    if len(data) > max_bytes:
        raise WorkbookError(
            "too_large",
            _("The file is larger than %(n)s MB. Split it into smaller files.")
            % {"n": max_bytes // (1024 * 1024)},
        )
    if data.startswith(_ZIP_MAGIC):
        _check_zip(data, max_unpacked=max_unpacked, max_ratio=max_ratio)
    elif not data.startswith(_OLE_MAGIC):
        raise WorkbookError(
            "not_a_workbook",
            _("The file is not an Excel workbook (.xlsx). Save it from Excel as .xlsx."),
        )
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as error:
        raise WorkbookError(
            "password", _("The workbook is protected by a password. Remove it and try again.")
        ) from error
    except (CalamineError, ValueError, OSError) as error:
        raise WorkbookError(
            "not_a_workbook", _("The file is damaged or is not an Excel workbook.")
        ) from error


@dataclass(frozen=True)
class Row:
    number: int  # as Excel shows it, 1-based
    values: tuple[Any, ...]

    def is_empty(self) -> bool:
        return all(value in ("", None) for value in self.values)


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[Row]


def read_sheet(
    workbook: CalamineWorkbook, name: str | None = None, *, max_rows: int = MAX_ROWS
) -> Sheet:
    """One sheet (the first visible one when `name` is None) as rows numbered as in Excel.
    Raises WorkbookError("no_sheet" / "too_many_rows")."""
    names = workbook.sheet_names
    if name is None:
        visible = [
            meta.name
            for meta in workbook.sheets_metadata
            if meta.visible == SheetVisibleEnum.Visible
        ]
        candidates = visible or names
        if not candidates:
            raise WorkbookError("no_sheet", _("The workbook has no sheet."))
        name = candidates[0]
    if name not in names:
        raise WorkbookError(
            "no_sheet",
            _("The workbook has no sheet named “%(name)s”. Its sheets: %(names)s.")
            % {"name": name, "names": ", ".join(names)},
        )
    sheet = workbook.get_sheet_by_name(name)
    if sheet.total_height > max_rows:
        raise WorkbookError(
            "too_many_rows",
            _("The sheet has more than %(n)s rows. Split it into smaller files.")
            % {"n": f"{max_rows:,}".replace(",", ".")},
        )
    # Read from A1, so that list positions are Excel's own row and column numbers.
    values = sheet.to_python(skip_empty_area=False)
    return Sheet(
        name=name,
        rows=[Row(number, tuple(row)) for number, row in enumerate(values, start=1)],
    )


def normalize_heading(text: Any) -> str:
    """“ No. NIK* ” → “no nik”: headings compared without case, punctuation or extra spaces."""
    return re.sub(r"[^0-9a-z]+", " ", str(text).lower()).strip()


@dataclass(frozen=True)
class Header:
    row: int  # Excel row number of the heading row
    columns: dict[str, int]  # key → 0-based column index
    unknown: list[str] = field(default_factory=list)

    def letter(self, key: str) -> str:
        return column_letter(self.columns[key])


def find_header(
    sheet: Sheet,
    columns: Mapping[str, Sequence[str]],
    *,
    required: Sequence[str],
    search_rows: int = 20,
) -> Header:
    """The heading row among the first `search_rows`: the one naming the most of `columns`
    (key → accepted headings, e.g. "nik": ["NIK", "No. KTP"]). Villages put titles and notes
    above their tables, so it need not be row 1.

    Raises WorkbookError("missing_columns") naming the required columns it lacks.
    """
    accepted = {
        normalize_heading(alias): key for key, aliases in columns.items() for alias in aliases
    }
    best: Header | None = None
    for row in sheet.rows[:search_rows]:
        found: dict[str, int] = {}
        unknown: list[str] = []
        for index, value in enumerate(row.values):
            heading = normalize_heading(value)
            if not heading:
                continue
            key = accepted.get(heading)
            if key is not None and key not in found:
                found[key] = index
            else:
                unknown.append(str(value).strip())
        if found and (best is None or len(found) > len(best.columns)):
            best = Header(row.number, found, unknown)
    missing = [key for key in required if best is None or key not in best.columns]
    if missing:
        names = ", ".join(f"“{columns[key][0]}”" for key in missing)
        raise WorkbookError(
            "missing_columns",
            _("The sheet has no column %(names)s. Use the template's headings in one row.")
            % {"names": names},
        )
    assert best is not None
    return best
