"""Reading the workbooks villages send, before any import kind sees them.

Everything dangerous or unreadable is refused first, with a message a treasurer understands:
empty, too big, not a workbook, an old .xls, a password, macros, a zip bomb (measured on the bytes
actually inflated, not on the sizes the archive declares), a document type declaration (billion
laughs, external entities) or cells spread so far apart that reading them would need gigabytes.
Only then is the sheet parsed (with python-calamine, about ten times faster than openpyxl) into
rows that carry the row number and column letter Excel shows, so every error can point at a cell
the user can find.

What python-calamine 0.9.1 does with the awkward files villages send (observed, and pinned by the
tests):

- A `<dimension ref="A1:M1048576"/>` claim is ignored: the sheet's extent comes from its cells.
- A styled cell without a value (`<c r="A1048576" s="1"/>`, a fill or number format on an empty
  row at the very bottom) is ignored too.
- A formula saved without its result (openpyxl writes `<f>D5+E5</f><v/>`) reads as "" and does
  not even widen the sheet; `uncached_formulas` finds those cells.
- But a cell holding an *empty string* (`=""` copied down, `<is><t/></is>`) or an error value does
  count, and calamine allocates its range densely, about 32 bytes per cell, before Python sees a
  row: one such cell at XFD1048576 would ask for half a terabyte. `open_workbook` bounds every
  sheet's extent (`max_cells`), rewriting a sheet without its empty cells when only they make it
  too large, and refusing it when real values are spread that far.
"""

import html
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _
from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
# A real workbook of 100,000 members unpacks to about 64 MB; a zip bomb to gigabytes.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 150  # unpacked / packed, per part: XML compresses well, but not a thousandfold
MAX_PARTS = 5_000
MAX_ROWS = 250_000
# calamine holds a sheet as a dense grid of ~32-byte cells: 6 million cells is ~200 MB, room for
# MAX_ROWS rows of 24 columns.
MAX_CELLS = 6_000_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also password-protected .xlsx
_CHUNK = 1024 * 1024  # bytes inflated at a time
_PACKED_CHUNK = 64 * 1024
_SMALL_PART = 1024 * 1024  # below this, a part's compression ratio is not judged

# The parts scanned for a DTD: XML that calamine or this module may parse. Pictures (an SVG may
# legitimately carry <!DOCTYPE svg ...>), printer settings and embedded files are only counted.
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class WorkbookError(ValueError):
    """The file cannot be read as a workbook. `code` is stable, `message` is for people.

    Codes: empty_file, too_large, not_a_workbook, old_format, password, macros,
    too_big_unpacked, xml_dtd, too_many_cells (open_workbook); no_sheet, empty_sheet,
    too_many_rows (read_sheet); missing_columns (find_header)."""

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


def _column_number(letters: str) -> int:
    """A → 1, AA → 27 (1-based, the inverse of column_letter + 1)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _not_a_workbook() -> WorkbookError:
    return WorkbookError("not_a_workbook", _("The file is damaged or is not an Excel workbook."))


def _not_xlsx() -> WorkbookError:
    return WorkbookError(
        "not_a_workbook",
        _("The file is not an Excel workbook (.xlsx). Save it from Excel as .xlsx."),
    )


def _too_big_unpacked() -> WorkbookError:
    return WorkbookError("too_big_unpacked", _("The workbook is too big once opened."))


def _password() -> WorkbookError:
    return WorkbookError(
        "password",
        _(
            "The workbook is protected by a password. Open it in Excel, remove the password, "
            "save it and upload it again."
        ),
    )


def _xml_dtd() -> WorkbookError:
    return WorkbookError(
        "xml_dtd",
        _(
            "The workbook contains a document type declaration, which Excel never writes. "
            "Save it again from Excel."
        ),
    )


# ---------------------------------------------------------------------------------------------
# OLE (Compound File Binary): old .xls and password-protected .xlsx


def _ole_names(data: bytes, *, max_sectors: int = 4096) -> list[str]:
    """The names in a Compound File's directory (its streams and storages).

    Reads the header, the FAT sectors it lists (those in the header and those on the DIFAT
    chain) and follows the directory's own sector chain, at most `max_sectors` sectors. Raises
    ValueError when the container is truncated or inconsistent. Only names are read: no
    stream is decoded.
    """
    if len(data) < 512 or not data.startswith(_OLE_MAGIC):
        raise ValueError("not a compound file")
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise ValueError("bad sector size")
    size = 1 << sector_shift
    per_sector = size // 4
    first_directory, _mini_cutoff, _first_mini, _mini_count, first_difat, difat_count = (
        struct.unpack_from("<L4xLLLLL", data, 0x30)
    )

    def sector(number: int) -> bytes:
        start = (number + 1) * size
        if number >= 0xFFFFFFFA or start + size > len(data):
            raise ValueError("sector outside the file")
        return data[start : start + size]

    fat_sectors = [n for n in struct.unpack_from("<109L", data, 0x4C) if n < 0xFFFFFFFA]
    difat, seen = first_difat, 0
    while difat < 0xFFFFFFFA and seen < min(difat_count, max_sectors):
        entries = struct.unpack(f"<{per_sector}L", sector(difat))
        fat_sectors.extend(n for n in entries[:-1] if n < 0xFFFFFFFA)
        difat, seen = entries[-1], seen + 1

    def next_sector(number: int) -> int:
        index, offset = divmod(number, per_sector)
        if index >= len(fat_sectors):
            raise ValueError("sector outside the FAT")
        return int(struct.unpack_from("<L", sector(fat_sectors[index]), offset * 4)[0])

    names: list[str] = []
    current, visited = first_directory, set[int]()
    while current < 0xFFFFFFFA:
        if current in visited or len(visited) >= max_sectors:
            raise ValueError("directory chain loops")
        visited.add(current)
        block = sector(current)
        for start in range(0, size, 128):
            length, kind = struct.unpack_from("<HB", block, start + 64)
            if kind in (1, 2, 5) and 2 <= length <= 64:  # storage, stream, root
                names.append(block[start : start + length - 2].decode("utf-16-le", "replace"))
        current = next_sector(current)
    return names


def _refuse_ole(data: bytes) -> NoReturn:
    """Always raises: an OLE file is either an encrypted .xlsx ("EncryptedPackage" stream, which
    is how Office stores any password-protected workbook), an old .xls ("Workbook" or "Book"
    stream), or something else (a .doc renamed)."""
    try:
        names = {name.lower() for name in _ole_names(data)}
    except (ValueError, struct.error) as error:
        raise _not_a_workbook() from error
    if "encryptedpackage" in names:
        raise _password()
    if "workbook" in names or "book" in names:
        raise WorkbookError(
            "old_format",
            _(
                "This is an old Excel file (.xls). Open it in Excel, save as .xlsx "
                "(File → Save As → Excel Workbook) and upload the new file."
            ),
        )
    raise _not_xlsx()


# ---------------------------------------------------------------------------------------------
# The zip package: every part inflated for real, in bounded chunks


class _Package:
    """An .xlsx's parts, inflated with zlib straight from the archive's bytes.

    Never trusts the sizes the archive declares: the real inflated bytes are counted as they
    come, against the workbook's total (`max_unpacked`) and each part's ratio (`max_ratio`), and
    inflating stops at the first chunk over either. At a part's end its real size and CRC must
    equal the declared ones, or the file is refused: calamine's zip reader would otherwise
    inflate what the archive really holds, not what it claims."""

    def __init__(self, data: bytes, *, max_unpacked: int, max_ratio: int) -> None:
        self.data = data
        self.max_unpacked = max_unpacked
        self.max_ratio = max_ratio
        self.unpacked = 0
        self.verified: set[int] = set()
        try:
            self.parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, OSError) as error:
            raise _not_a_workbook() from error
        self.by_name = {part.filename: part for part in self.parts}

    def chunks(self, part: zipfile.ZipInfo) -> Iterator[bytes]:
        if part.flag_bits & 0x1 or part.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise _not_a_workbook()  # an encrypted entry, or a method Excel never uses
        start = part.header_offset
        header = self.data[start : start + 30]
        if len(header) < 30 or not header.startswith(_ZIP_MAGIC):
            raise _not_a_workbook()
        name_length, extra_length = struct.unpack_from("<HH", header, 26)
        start += 30 + name_length + extra_length
        packed = memoryview(self.data)[start : start + part.compress_size]
        if len(packed) < part.compress_size:
            raise _not_a_workbook()
        count = id(part) not in self.verified  # a part read again was already counted
        size = crc = 0
        for chunk in self._inflate(packed, part.compress_type):
            size += len(chunk)
            if count:
                self.unpacked += len(chunk)
                if self.unpacked > self.max_unpacked or (
                    size > _SMALL_PART and size > self.max_ratio * max(part.compress_size, 1)
                ):
                    raise _too_big_unpacked()
            if size > part.file_size:
                raise _not_a_workbook()  # more inside than declared: a lying archive
            crc = zlib.crc32(chunk, crc)
            yield chunk
        if size != part.file_size or crc != part.CRC:
            raise _not_a_workbook()
        self.verified.add(id(part))

    @staticmethod
    def _inflate(packed: memoryview, method: int) -> Iterator[bytes]:
        if method == zipfile.ZIP_STORED:
            for start in range(0, len(packed), _CHUNK):
                yield bytes(packed[start : start + _CHUNK])
            return
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        position = 0
        try:
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    piece = inflater.unconsumed_tail
                elif position < len(packed):
                    piece = bytes(packed[position : position + _PACKED_CHUNK])
                    position += _PACKED_CHUNK
                else:
                    raise _not_a_workbook()  # the deflate stream stops short
                chunk = inflater.decompress(piece, _CHUNK)
                if chunk:
                    yield chunk
        except zlib.error as error:
            raise _not_a_workbook() from error

    def read(self, name: str, *, limit: int = 32 * 1024 * 1024) -> bytes:
        """A small part whole (workbook.xml, its relationships), after the DTD scan."""
        part = self.by_name.get(name)
        if part is None:
            raise _not_xlsx()
        scan = _DtdScan()
        content = bytearray()
        for chunk in self.chunks(part):
            scan.feed(chunk)
            content += chunk
            if len(content) > limit:
                raise _too_big_unpacked()
        return bytes(content)


def _dtd_pattern(encoding: str) -> re.Pattern[bytes]:
    """<!DOCTYPE or <!ENTITY in any case, encoded: one byte class per byte, so that the
    pattern starts with a literal ("<!", "<\\0!\\0", "\\0<\\0!") the regex engine skips to."""

    def encoded(text: str) -> bytes:
        lower, upper = text.lower().encode(encoding), text.upper().encode(encoding)
        return b"".join(
            re.escape(bytes([a])) if a == b else b"[" + re.escape(bytes([a, b])) + b"]"
            for a, b in zip(lower, upper, strict=True)
        )

    return re.compile(encoded("<!") + b"(?:" + encoded("doctype") + b"|" + encoded("entity") + b")")


# A DTD opens with <!DOCTYPE; entities are declared with <!ENTITY inside one. Neither can appear
# in XML text or attribute values (where "<" is always escaped), so their bytes alone are proof.
_DTD = tuple(_dtd_pattern(encoding) for encoding in ("ascii", "utf-16-le", "utf-16-be"))
_DTD_WINDOW = 2 * len("<!doctype") + 2


class _DtdScan:
    """Looks for a DTD across chunk boundaries (a rolling window of the previous chunk's tail),
    in ASCII-compatible encodings and in UTF-16 either way round."""

    def __init__(self) -> None:
        self.tail = b""

    def feed(self, chunk: bytes) -> None:
        # Both forms hold a "!" byte, which Excel's XML hardly ever does: memchr finds out.
        if b"!" in chunk or b"!" in self.tail:
            text = self.tail + chunk
            if any(pattern.search(text) for pattern in _DTD):
                raise _xml_dtd()
        self.tail = (self.tail + chunk[-_DTD_WINDOW:])[-_DTD_WINDOW:]


# The fast cell scan reads only the cell references Excel writes (` r="B12"`): any cell it cannot
# account for that way (no r, single quotes, a namespace prefix, r after a tab) makes the part
# "irregular", and the part is then read exactly, with expat.
_CELL_REF_LETTERS = re.compile(rb' r="([A-Za-z]{1,3})[0-9]')
_CELL_REF_ROW = re.compile(rb' r="[A-Za-z]{1,3}([0-9]{1,7})"')
_ODD_CELL_TAG = re.compile(rb"<c[\t\r\n/>]")
_PREFIXED_CELL_TAG = re.compile(rb":c[\s/>]")
_MAX_TAG = 64 * 1024
_WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)


class _CellBound:
    """An upper bound on the grid calamine would allocate for a part if it were a worksheet:
    the furthest row × the furthest column of every cell reference in it, empty ones included.
    Exact for Excel's own files; `irregular` when the part writes cells some other way."""

    def __init__(self) -> None:
        self.rows = 0
        self.columns = 0
        self.references = 0
        self.tags = 0
        self.irregular = False
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        text = self.carry + chunk
        cut = text.rfind(b"<")
        if cut != -1 and text.find(b">", cut) == -1:
            self.carry, text = text[cut:], text[:cut]
            if len(self.carry) > _MAX_TAG:
                self.irregular, self.carry = True, b""
        else:
            self.carry = b""
        self.tags += text.count(b"<c ")
        if _ODD_CELL_TAG.search(text) or _PREFIXED_CELL_TAG.search(text):
            self.irregular = True
        rows = _CELL_REF_ROW.findall(text)
        if rows:
            self.references += len(rows)
            self.rows = max(self.rows, *map(int, set(rows)))
        letters = set(_CELL_REF_LETTERS.findall(text))
        if letters:
            self.columns = max(self.columns, *(_column_number(x.decode()) for x in letters))

    def finish(self) -> None:
        if self.carry or self.references != self.tags:
            self.irregular = True

    @property
    def cells(self) -> int:
        return self.rows * self.columns


# ---------------------------------------------------------------------------------------------
# Exact cell reading with expat (for irregular or oversized sheets, and for formulas)

_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,10})")
_FORMULA_TAG = re.compile(rb"<f[\s/>]")
_SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(slots=True)
class _Cell:
    row: int  # 1-based
    column: int  # 1-based
    type: str
    style: str | None
    formula: list[str] | None = None
    value: list[str] | None = None
    inline: list[str] | None = None


def _refuse_dtd_handler(*_args: Any) -> None:
    raise _xml_dtd()


def _read_cells(chunks: Iterator[bytes], on_cell: Callable[[_Cell], None]) -> None:
    """Every `c` element of a worksheet part, positioned as calamine positions it (its `r`, or
    the next column of the current row, the row's `r` or the next row). Namespace prefixes are
    ignored, as calamine ignores them. A DTD is refused, never processed."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd_handler
    parser.EntityDeclHandler = _refuse_dtd_handler
    state: dict[str, Any] = {"row": 0, "column": 0, "cell": None, "text": None, "is": False}
    phonetic = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal phonetic
        local = name.rpartition(":")[2]
        cell: _Cell | None = state["cell"]
        if local == "c":
            reference = attributes.get("r")
            if reference:
                match = _CELL_REF.fullmatch(reference)
                if not match:
                    raise _not_a_workbook()
                row, column = int(match[2]), _column_number(match[1])
            else:
                row, column = max(state["row"], 1), state["column"] + 1
            state["row"], state["column"] = row, column
            state["cell"] = _Cell(row, column, attributes.get("t", "n"), attributes.get("s"))
        elif local == "row":
            number = attributes.get("r")
            try:
                state["row"] = int(number) if number else state["row"] + 1
            except ValueError as error:
                raise _not_a_workbook() from error
            state["column"] = 0
        elif cell is None:
            return
        elif local == "f":
            cell.formula = state["text"] = []
        elif local == "v":
            cell.value = state["text"] = []
        elif local == "is":
            cell.inline = []
            state["is"] = True
        elif local == "rPh":
            phonetic += 1
        elif local == "t" and state["is"] and not phonetic and cell.inline is not None:
            state["text"] = cell.inline

    def end(name: str) -> None:
        nonlocal phonetic
        local = name.rpartition(":")[2]
        if local == "c" and state["cell"] is not None:
            on_cell(state["cell"])
            state["cell"] = None
            state["is"] = False
        elif local in ("f", "v", "t"):
            state["text"] = None
        elif local == "is":
            state["is"] = False
        elif local == "rPh":
            phonetic -= 1

    def text(data: str) -> None:
        if state["text"] is not None:
            state["text"].append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise _not_a_workbook() from error


def _holds_value(cell: _Cell) -> bool:
    """Whether calamine reads the cell as something other than "" (an error value reads "")."""
    if cell.type == "e":
        return False
    if cell.type == "inlineStr" and cell.inline is not None:
        return bool("".join(cell.inline))
    return bool(cell.value and "".join(cell.value))


class _ExactSheet:
    """One pass of `_read_cells` that measures both the grid calamine would allocate and the grid
    the real values need, and writes the sheet again with only the cells holding a value."""

    def __init__(self) -> None:
        self.grid = [0, 0]  # rows, columns of every cell calamine keeps (empty strings too)
        self.values = [0, 0]  # rows, columns of the cells holding a value
        self.out = io.BytesIO()
        self.out.write(
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="' + _SPREADSHEET_NS.encode() + b'"><sheetData>'
        )
        self.row = 0

    def cell(self, cell: _Cell) -> None:
        if cell.value is None and cell.inline is None:
            return  # styled but empty: calamine skips it
        self.grid[0], self.grid[1] = max(self.grid[0], cell.row), max(self.grid[1], cell.column)
        if not _holds_value(cell):
            return
        self.values[0] = max(self.values[0], cell.row)
        self.values[1] = max(self.values[1], cell.column)
        if cell.row != self.row:
            self.out.write(b"</row>" if self.row else b"")
            self.out.write(b'<row r="%d">' % cell.row)
            self.row = cell.row
        reference = f"{column_letter(cell.column - 1)}{cell.row}"
        style = f" s={quoteattr(cell.style)}" if cell.style else ""
        kind = quoteattr(cell.type)
        if cell.type == "inlineStr" and cell.inline is not None:
            body = f'<is><t xml:space="preserve">{escape("".join(cell.inline))}</t></is>'
        else:
            body = f"<v>{escape(''.join(cell.value or ()))}</v>"
            kind = '"str"' if cell.type == "inlineStr" else kind
        self.out.write(f'<c r="{reference}"{style} t={kind}>{body}</c>'.encode())

    def compacted(self) -> bytes:
        self.out.write((b"</row>" if self.row else b"") + b"</sheetData></worksheet>")
        return self.out.getvalue()


# ---------------------------------------------------------------------------------------------
# Sheet names and parts


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sheet_parts(package: _Package) -> dict[str, str]:
    """Sheet name → the zip part calamine reads for it, from xl/workbook.xml and its
    relationships (targets relative to xl/, or absolute)."""
    try:
        workbook = SafeElementTree.fromstring(package.read("xl/workbook.xml"))
        relations = (
            SafeElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
            if "xl/_rels/workbook.xml.rels" in package.by_name
            else None
        )
    except DefusedXmlException as error:
        raise _xml_dtd() from error
    except SafeElementTree.ParseError as error:
        raise _not_a_workbook() from error
    targets: dict[str, str] = {}
    for relation in relations.iter() if relations is not None else ():
        if _local(relation.tag) == "Relationship" and relation.get("Target"):
            target = relation.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            targets[relation.get("Id", "")] = posixpath.normpath(path)
    parts: dict[str, str] = {}
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        relation_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
        if relation_id in targets and sheet.get("name"):
            parts[sheet.get("name", "")] = targets[relation_id]
    return parts


# ---------------------------------------------------------------------------------------------
# Opening


def _check_zip(
    data: bytes, *, max_unpacked: int, max_ratio: int, max_cells: int = MAX_CELLS
) -> bytes:
    """Refuses a hostile or broken .xlsx; returns the bytes calamine may open (the same bytes,
    or the workbook rewritten without the empty cells that would make a sheet's grid huge)."""
    package = _Package(data, max_unpacked=max_unpacked, max_ratio=max_ratio)
    parts = package.parts
    names = set(package.by_name)
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_xlsx()
    # What the archive declares: cheap refusals before anything is inflated.
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > max_unpacked:
        raise _too_big_unpacked()
    for part in parts:
        if part.file_size > _SMALL_PART and part.file_size > max_ratio * max(part.compress_size, 1):
            raise _too_big_unpacked()
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise WorkbookError(
            "macros",
            _("The workbook contains macros. Save it in Excel as a plain workbook (.xlsx)."),
        )
    # What it really holds: every part inflated, counted, and scanned on the way.
    sheets = _sheet_parts(package)
    sheet_of_part = {part: name for name, part in sheets.items()}
    oversized: list[zipfile.ZipInfo] = []
    for part in parts:
        # Worksheets are what calamine lays out as a grid; anything it might read as XML is
        # scanned for a DTD.
        sheet = part.filename in sheet_of_part or _WORKSHEET_PART.fullmatch(part.filename)
        xml = sheet or part.filename.lower().endswith(_XML_SUFFIXES)
        dtd, bound = _DtdScan(), _CellBound()
        for chunk in package.chunks(part):
            if xml:
                dtd.feed(chunk)
            if sheet:
                bound.feed(chunk)
        bound.finish()
        if sheet and (bound.irregular or bound.cells > max_cells):
            oversized.append(part)
    replaced: dict[str, bytes] = {}
    for part in oversized:
        exact = _ExactSheet()
        _read_cells(package.chunks(part), exact.cell)
        if exact.grid[0] * exact.grid[1] <= max_cells:
            continue
        if exact.values[0] * exact.values[1] > max_cells:
            rows, columns = exact.values
            raise WorkbookError(
                "too_many_cells",
                _(
                    "The sheet “%(name)s” has values as far as cell %(cell)s, too spread out "
                    "to read. Delete the rows and columns outside the table and save it again."
                )
                % {
                    "name": sheet_of_part.get(part.filename, part.filename),
                    "cell": f"{column_letter(columns - 1)}{rows}",
                },
            )
        replaced[part.filename] = exact.compacted()
    if not replaced:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for part in parts:
            if package.by_name[part.filename] is not part:
                continue  # a name given twice: readers take the last entry
            content = replaced.get(part.filename)
            if content is None:
                content = b"".join(package.chunks(part))
            target.writestr(part.filename, content)
    return out.getvalue()


def open_workbook(
    data: bytes,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_unpacked: int = MAX_UNPACKED_BYTES,
    max_ratio: int = MAX_RATIO,
    max_cells: int = MAX_CELLS,
) -> CalamineWorkbook:
    """The .xlsx workbook in `data`, after the checks above.

    Raises WorkbookError with one of the codes: empty_file, too_large, not_a_workbook,
    old_format (an .xls: refused, the rest of the hardening is .xlsx-specific), password,
    macros, too_big_unpacked, xml_dtd, too_many_cells.
    """
    if not data:
        raise WorkbookError("empty_file", _("The file is empty."))
    if len(data) > max_bytes:
        raise WorkbookError(
            "too_large",
            _("The file is larger than %(n)s MB. Split it into smaller files.")
            % {"n": max_bytes // (1024 * 1024)},
        )
    if data.startswith(_OLE_MAGIC):
        _refuse_ole(data)
    if not data.startswith(_ZIP_MAGIC):
        raise _not_xlsx()
    readable = _check_zip(data, max_unpacked=max_unpacked, max_ratio=max_ratio, max_cells=max_cells)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(readable))
    except PasswordError as error:
        raise _password() from error
    except (CalamineError, ValueError, OSError) as error:
        raise _not_a_workbook() from error


# ---------------------------------------------------------------------------------------------
# Formulas saved without their results


def uncached_formulas(
    data: bytes, sheet_name: str, *, max_unpacked: int = MAX_UNPACKED_BYTES
) -> dict[tuple[int, int], str]:
    """{(Excel row number, 0-based column): formula text} for the cells of `sheet_name` that hold
    a formula but no saved result.

    Excel always saves a formula's last result; programs (openpyxl) write `<f>D5+E5</f><v/>` or
    no `<v>` at all, and python-calamine then reads the cell as "" — indistinguishable from an
    empty cell, which is why this exists. A cell of a shared formula (`<f t="shared" si="0"/>`)
    has no text of its own: it maps to "" and the caller marks it unsupported. A formula whose
    result is an empty string (`t="str"` with an empty `<v>`) is cached, and not listed.

    The sheet part is found through xl/workbook.xml and its relationships and inflated with the
    same caps as open_workbook. A sheet written as Excel writes it is searched as bytes, only
    the cells holding an `<f` being looked at (one inflate pass when there are no formulas); a
    sheet written any other way (cells without r="…", namespace prefixes) is parsed with expat,
    DTDs refused.
    Raises WorkbookError (no_sheet, and the codes of a broken or hostile file)."""
    package = _Package(data, max_unpacked=max_unpacked, max_ratio=MAX_RATIO)
    sheets = _sheet_parts(package)
    part = package.by_name.get(sheets.get(sheet_name, ""))
    if part is None:
        raise WorkbookError(
            "no_sheet",
            _("The workbook has no sheet named “%(name)s”. Its sheets: %(names)s.")
            % {"name": sheet_name, "names": ", ".join(sheets)},
        )
    dtd, scan = _DtdScan(), _FormulaScan()
    for chunk in package.chunks(part):
        dtd.feed(chunk)
        scan.feed(chunk)
    scan.finish()
    if not scan.irregular:
        return scan.found
    found: dict[tuple[int, int], str] = {}

    def cell(cell: _Cell) -> None:
        if cell.formula is None:
            return
        cached = cell.value is not None and (cell.type == "str" or "".join(cell.value) != "")
        if not cached:
            found[(cell.row, cell.column - 1)] = "".join(cell.formula).strip()

    _read_cells(package.chunks(part), cell)
    return found


_MAX_CELL_BYTES = 4 * 1024 * 1024
_HEAD_REF = re.compile(rb'\sr="([A-Za-z]{1,3})([0-9]{1,7})"')
_HEAD_TYPE = re.compile(rb'\st="([^"]*)"')
_FORMULA = re.compile(rb"<f(?:\s[^>]*)?(?:/>|>(.*?)</f>)", re.DOTALL)
_VALUE = re.compile(rb"<v(?:\s[^>]*)?(?:/>|>(.*?)</v>)", re.DOTALL)


class _FormulaScan:
    """The formula cells of a worksheet written as Excel writes it (every cell `<c r="…" …>`, no
    namespace prefix), found with byte searches: only the cells holding an `<f` are looked at.
    `irregular` when the sheet writes cells any other way; the caller then parses it."""

    def __init__(self) -> None:
        self.carry = b""
        self.found: dict[tuple[int, int], str] = {}
        self.irregular = False

    def feed(self, chunk: bytes) -> None:
        if self.irregular:
            return
        text = self.carry + chunk
        cut = text.rfind(b"</c>")
        if cut == -1:  # no cell ends here: wait for more, within reason
            self.carry = text
            self.irregular = len(text) > _MAX_CELL_BYTES
            return
        text, self.carry = text[: cut + 4], text[cut + 4 :]
        self._scan(text)

    def finish(self) -> None:
        if not self.irregular:
            self._scan(self.carry)

    def _scan(self, text: bytes) -> None:
        if _ODD_CELL_TAG.search(text) or _PREFIXED_CELL_TAG.search(text):
            self.irregular = True
            return
        for match in _FORMULA_TAG.finditer(text):
            start = text.rfind(b"<c ", 0, match.start())
            if start == -1 or text.find(b"</c>", start, match.start()) != -1:
                continue  # an f element outside any cell
            end = text.find(b"</c>", match.start())
            head_end = text.find(b">", start)
            head, body = text[start:head_end], text[head_end + 1 : end]
            reference = _HEAD_REF.search(head)
            if reference is None or end == -1:
                self.irregular = True
                return
            kind = _HEAD_TYPE.search(head)
            formula, value = _FORMULA.search(body), _VALUE.search(body)
            if formula is None:
                continue
            cached = value is not None and (
                (kind is not None and kind[1] == b"str") or bool(value[1])
            )
            if not cached:
                row, column = int(reference[2]), _column_number(reference[1].decode())
                text_of_formula = html.unescape((formula[1] or b"").decode("utf-8", "replace"))
                self.found[(row, column - 1)] = text_of_formula.strip()


# ---------------------------------------------------------------------------------------------
# Sheets and rows


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # as Excel shows it, 1-based
    values: tuple[Any, ...]

    def is_empty(self) -> bool:
        return all(value in ("", None) for value in self.values)


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[Row]  # rows[i].number == i + 1; no empty rows after the last one with a value


def read_sheet(
    workbook: CalamineWorkbook, name: str | None = None, *, max_rows: int = MAX_ROWS
) -> Sheet:
    """One sheet (the first visible worksheet when `name` is None) as rows numbered as in Excel, from
    row 1 and column A, up to the last row holding a value: empty or styled rows below the table
    are never materialised. Raises WorkbookError("no_sheet" / "empty_sheet" /
    "too_many_rows": more than `max_rows` rows up to the last value)."""
    names = workbook.sheet_names
    if name is None:
        visible = [
            meta for meta in workbook.sheets_metadata if meta.visible == SheetVisibleEnum.Visible
        ]
        worksheets = [meta.name for meta in visible if meta.typ == SheetTypeEnum.WorkSheet]
        candidates = worksheets or [meta.name for meta in visible] or names
        if not candidates:
            raise WorkbookError("no_sheet", _("The workbook has no sheet."))
        name = candidates[0]
    if name not in names:
        raise WorkbookError(
            "no_sheet",
            _("The workbook has no sheet named “%(name)s”. Its sheets: %(names)s.")
            % {"name": name, "names": ", ".join(names)},
        )
    try:
        sheet = workbook.get_sheet_by_name(name)
    except CalamineError as error:
        raise _not_a_workbook() from error
    start, end = sheet.start, sheet.end
    rows: list[Row] = []
    if start is not None and end is not None:
        width = end[1] + 1
        blank = ("",) * width
        pending = 0  # empty rows seen since the last row with a value
        # calamine 0.9.1's iter_rows yields every row from row 1, but its cells only from the
        # sheet's first used column: pad them back to column A.
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if cells.count("") == len(cells):
                pending += 1
                continue
            if number > max_rows:
                raise WorkbookError(
                    "too_many_rows",
                    _("The sheet has more than %(n)s rows. Split it into smaller files.")
                    % {"n": f"{max_rows:,}".replace(",", ".")},
                )
            rows.extend(Row(n, blank) for n in range(number - pending, number))
            pending = 0
            values = tuple(cells)
            if len(values) < width:
                values = blank[: width - len(values)] + values
            rows.append(Row(number, values))
        if len(rows) + pending != end[0] + 1:
            raise RuntimeError("python-calamine's iter_rows no longer starts at row 1")
    if not rows:
        raise WorkbookError("empty_sheet", _("The sheet “%(name)s” is empty.") % {"name": name})
    return Sheet(name=name, rows=rows)


# ---------------------------------------------------------------------------------------------
# Headers


def normalize_heading(text: Any) -> str:
    """“ No. NIK* ” → “no nik”: headings compared without case, punctuation or extra spaces."""
    return re.sub(r"[^0-9a-z]+", " ", str(text).lower()).strip()


@dataclass(frozen=True)
class Header:
    row: int  # Excel row number of the (first) heading row
    columns: dict[str, int]  # key → 0-based column index
    unknown: list[str] = field(default_factory=list)
    # Excel row number of the first row after the headings (and after a "1 2 3 …" column-number
    # row); 0 when built by hand means row + heading_rows.
    data_start: int = 0
    heading_rows: int = 1  # 2 when a second row (under merged group headings) was combined

    def __post_init__(self) -> None:
        if not self.data_start:
            object.__setattr__(self, "data_start", self.row + self.heading_rows)

    def letter(self, key: str) -> str:
        return column_letter(self.columns[key])


def _is_text(value: Any) -> bool:
    """Words, not numbers: a string that is not digits and separators only (a NIK typed as text
    is a number here)."""
    return isinstance(value, str) and bool(value.strip()) and not _NUMBERISH.fullmatch(value)


_NUMBERISH = re.compile(r"[\s.,+\-/]*\d[\d\s.,+\-/]*")


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and (match := re.fullmatch(r"\s*\(?\s*(\d{1,3})\s*\)?\s*", value)):
        return int(match[1])
    return None


def _is_number_row(row: Row) -> bool:
    """The “1 2 3 4 …” row some forms put under their headings."""
    filled = [value for value in row.values if value not in ("", None)]
    numbers = [_as_int(value) for value in filled]
    return len(filled) >= 2 and numbers == list(range(1, len(filled) + 1))


def _match_row(
    upper: Row, lower: Row | None, accepted: Mapping[str, str]
) -> tuple[dict[str, int], list[str], bool]:
    """Keys found in `upper` (combined with `lower` when given), the unknown headings, and
    whether `lower` looks like a continuation of merged group headings."""
    found: dict[str, int] = {}
    unknown: list[str] = []
    width = max(len(upper.values), len(lower.values) if lower else 0)
    carried = ""  # the last upper heading, carried over the empty cells of a merged range
    continuation = False
    for index in range(width):
        above = upper.values[index] if index < len(upper.values) else ""
        below = lower.values[index] if lower and index < len(lower.values) else ""
        above_text = str(above).strip() if above not in ("", None) else ""
        below_text = str(below).strip() if below not in ("", None) else ""
        if above_text:
            carried = above_text
        elif below_text and carried:
            above_text = carried
            continuation = True
        else:
            carried = ""
        if not above_text and not below_text:
            continue
        candidates = (
            [f"{above_text} {below_text}", below_text, above_text]
            if above_text and below_text
            else [above_text or below_text]
        )
        for candidate in candidates:
            key = accepted.get(normalize_heading(candidate))
            if key is not None and key not in found:
                found[key] = index
                break
        else:
            unknown.append(" ".join(text for text in (above_text, below_text) if text))
    if lower is not None:
        below_values = [value for value in lower.values if value not in ("", None)]
        continuation = continuation and all(_is_text(value) for value in below_values)
    return found, unknown, continuation


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

    Two-row headings are understood: a group heading merged over several columns (“Simpanan”
    over D4:F4) with the sub-headings below (“Pokok”, “Wajib”, “Sukarela”), the other headings
    merged down over both rows. calamine gives a merged range's text in its first cell only, so
    the upper heading is carried right over empty upper cells that have a sub-heading below;
    each column is then matched as “upper lower” (“simpanan pokok”), lower alone, upper alone.
    The two rows are used when that names more columns, or when the lower row is plainly
    sub-headings (text only, under a carried group heading). `data_start` skips the heading
    rows and a “1 2 3 …” column-number row right below them.

    Raises WorkbookError("missing_columns") naming the required columns it lacks.
    """
    accepted = {
        normalize_heading(alias): key for key, aliases in columns.items() for alias in aliases
    }
    best: Header | None = None
    rows = sheet.rows
    for position, row in enumerate(rows[:search_rows]):
        found, unknown, _ignored = _match_row(row, None, accepted)
        candidate = Header(row.number, found, unknown) if found else None
        lower = rows[position + 1] if position + 1 < len(rows) else None
        if found and lower is not None and not lower.is_empty():
            # The upper row must name columns itself (a title above the headings does not),
            # and the pair must beat the lower row on its own, unless the lower row is plainly
            # sub-headings.
            both, unknown_both, continuation = _match_row(row, lower, accepted)
            alone = len(_match_row(lower, None, accepted)[0])
            if len(both) > max(len(found), alone) or (continuation and len(both) >= len(found)):
                candidate = Header(row.number, both, unknown_both, heading_rows=2)
        if candidate and (best is None or len(candidate.columns) > len(best.columns)):
            best = candidate
    missing = [key for key in required if best is None or key not in best.columns]
    if missing:
        names = ", ".join(f"“{columns[key][0]}”" for key in missing)
        raise WorkbookError(
            "missing_columns",
            _("The sheet has no column %(names)s. Use the template's headings in one row.")
            % {"names": names},
        )
    if best is None:
        return Header(0, {}, [], data_start=1)
    after = best.row + best.heading_rows
    if after - 1 < len(rows) and _is_number_row(rows[after - 1]):
        after += 1
    return Header(best.row, best.columns, best.unknown, after, best.heading_rows)


# ---------------------------------------------------------------------------------------------
# Footers: totals and signature blocks below a table

_TOTAL_WORDS = frozenset(
    {"jumlah", "total", "jumlah total", "grand total", "sub total", "subtotal", "total keseluruhan"}
)
_SIGNATURE_WORDS = re.compile(
    r"\b(?:mengetahui|menyetujui|diketahui|disetujui|ketua|wakil ketua|bendahara|sekretaris"
    r"|pengawas|kepala desa|kades|lurah|camat|ttd|tanda tangan|dibuat oleh|diperiksa oleh)\b"
)
_MONTHS = (
    "januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|nopember"
    "|november|desember|january|february|march|may|june|july|august|october|december"
    "|jan|feb|mar|apr|jun|jul|agu|ags|aug|sep|sept|okt|oct|nov|des|dec"
)
_PLACE_AND_DATE = re.compile(
    r"[^\W\d_]+(?:[ .'-]+[^\W\d_]+)*\s*,\s*"
    rf"(?:\d{{1,2}}\s+(?:{_MONTHS})\.?\s+\d{{4}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}})",
    re.IGNORECASE,
)
_SIGNATURE_LINE = re.compile(r"\(.*\)|[\s._\-]*[._\-]{3}[\s._\-]*")  # “( Siti Aminah )”, “______”


def is_footer_row(row: Row, header: Header) -> bool:
    """Whether `row` closes the table rather than holding a record: a total row (a cell, in any
    column, reading “Jumlah”, “Total”, “Sub total”, …) or a signature-block row (at most three
    filled cells, every one of them words — a number, a date or a NIK typed as text makes it a
    record — and one of them a signature word such as “Mengetahui”, “Ketua”, “Bendahara”,
    “Kepala Desa”, “TTD”, a place and date such as “Tenggarong, 31 Oktober 2026”, or a blank
    line or a name in brackets). Rows of names alone are not recognised: an import stops at
    the first footer row, and takes what follows as part of it. `header` locates the table
    (its columns are not needed by these rules yet)."""
    filled = [value for value in row.values if value not in ("", None)]
    if not filled:
        return False
    texts = [value for value in filled if isinstance(value, str) and len(value) <= 40]
    joined = "\n".join(texts).lower()  # one cheap look per row before any regex
    if ("jumlah" in joined or "total" in joined) and any(
        normalize_heading(text) in _TOTAL_WORDS for text in texts
    ):
        return True
    if len(filled) > 3 or not all(_is_text(value) for value in filled):
        return False
    for value in filled:
        text = str(value).strip()
        if (
            _SIGNATURE_WORDS.search(normalize_heading(text))
            or _PLACE_AND_DATE.fullmatch(text)
            or _SIGNATURE_LINE.fullmatch(text)
        ):
            return True
    return False
