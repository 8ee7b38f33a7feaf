"""Builders of hostile and awkward workbooks, for the reader's tests and any other test.

Everything is made here from a real openpyxl workbook or from scratch, with no file on disk: zip
bombs whose central directory lies, DTDs (billion laughs, external entities), a hand-built
Compound File (the container of an old .xls and of a password-protected .xlsx), sheets whose
dimension or bottom row claims a million rows.
"""

import io
import re
import struct
import zipfile
from collections.abc import Callable

import openpyxl
from openpyxl.styles import PatternFill

SHEET = "xl/worksheets/sheet1.xml"


def workbook_bytes(build: Callable[[openpyxl.Workbook], None] | None = None) -> bytes:
    """An openpyxl workbook after `build(book)`, as bytes (by default: three member rows)."""
    book = openpyxl.Workbook()
    if build is None:
        sheet = book.active
        sheet.title = "Anggota"
        sheet.append(["NIK", "Nama"])
        sheet.append(["6402160101800001", "Siti Aminah"])
        sheet.append(["6402160202800002", "Budi Santoso"])
    else:
        build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_parts(
    base: bytes,
    change: dict[str, bytes | Callable[[bytes], bytes]],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """`base` with parts replaced (bytes), transformed (a function of the old bytes) or added."""
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for part in source.infolist():
            content = source.read(part.filename)
            new = change.get(part.filename)
            if callable(new):
                content = new(content)
            elif new is not None:
                content = new
            target.writestr(part.filename, content)
        for name, new in change.items():
            if name not in source.namelist():
                assert isinstance(new, bytes)
                target.writestr(name, new)
    return out.getvalue()


def sheet_xml(base: bytes, name: str = SHEET) -> bytes:
    return zipfile.ZipFile(io.BytesIO(base)).read(name)


def with_sheet_data(base: bytes, rows: bytes) -> bytes:
    """`base` with `rows` (raw <row> XML) appended inside sheet1's <sheetData>."""

    def change(xml: bytes) -> bytes:
        empty = re.search(rb"<sheetData ?/>", xml)
        if empty:
            return (
                xml[: empty.start()] + b"<sheetData>" + rows + b"</sheetData>" + xml[empty.end() :]
            )
        end = xml.index(b"</sheetData>")
        return xml[:end] + rows + xml[end:]

    return rewrite_parts(base, {SHEET: change})


# ---------------------------------------------------------------------------------------------
# Zip bombs


def lying_zip(base: bytes, name: str, content: bytes, *, declared_size: int) -> bytes:
    """`base` with part `name` holding `content`, deflated for real, while both its local header
    and the central directory claim it is `declared_size` bytes (the CRC is the real one)."""
    data = bytearray(rewrite_parts(base, {name: content}))
    encoded = name.encode()
    patched = 0
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]) == encoded:
            struct.pack_into("<L", data, position + 24, declared_size)
            local = struct.unpack_from("<L", data, position + 42)[0]
            assert data[local : local + 4] == b"PK\x03\x04"
            struct.pack_into("<L", data, local + 22, declared_size)
            patched += 1
        position += 4
    assert patched == 1
    return bytes(data)


def padded_sheet(base: bytes, padding: int) -> bytes:
    """Sheet1's XML with `padding` bytes of spaces before </worksheet>: compresses a
    thousandfold."""
    xml = sheet_xml(base)
    return xml.replace(b"</worksheet>", b" " * padding + b"</worksheet>")


def with_bad_crc(base: bytes, name: str = SHEET) -> bytes:
    """`base` with the CRC of part `name` wrong in both headers, its bytes and sizes intact."""
    data = bytearray(base)
    info = zipfile.ZipFile(io.BytesIO(base)).getinfo(name)
    wrong = (info.CRC ^ 0xFFFF) & 0xFFFFFFFF
    struct.pack_into("<L", data, info.header_offset + 14, wrong)
    position = data.find(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]) == name.encode():
            struct.pack_into("<L", data, position + 16, wrong)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


# ---------------------------------------------------------------------------------------------
# DTDs

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE sst [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol9;</t></si></sst>"""


def billion_laughs(base: bytes) -> bytes:
    """`base` with a billion-laughs xl/sharedStrings.xml (added, or replacing the real one)."""
    return rewrite_parts(base, {"xl/sharedStrings.xml": BILLION_LAUGHS})


def external_entity(base: bytes, system_id: str = "file:///etc/passwd") -> bytes:
    """`base` whose sheet1.xml declares an external entity `system_id` and shows it in A100."""
    declaration = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{system_id}">]>'.encode()
    cell = b'<row r="100"><c r="A100" t="inlineStr"><is><t>&xxe;</t></is></c></row>'

    def change(xml: bytes) -> bytes:
        head = re.match(rb"<\?xml[^>]*\?>\s*", xml)
        cut = head.end() if head else 0
        return xml[:cut] + declaration + xml[cut:]

    return rewrite_parts(with_sheet_data(base, cell), {SHEET: change})


def utf16_sheet_with_doctype(base: bytes) -> bytes:
    """`base` whose sheet1.xml is re-encoded as UTF-16 (with BOM) and carries a DOCTYPE."""

    def change(xml: bytes) -> bytes:
        text = xml.decode("utf-8")
        text = re.sub(r"^<\?xml[^>]*\?>", "", text)
        text = (
            '<?xml version="1.0" encoding="UTF-16"?><!doctype worksheet [<!entity a "b">]>' + text
        )
        return text.encode("utf-16")

    return rewrite_parts(base, {SHEET: change})


# ---------------------------------------------------------------------------------------------
# Compound File Binary (OLE): .xls and password-protected .xlsx

_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _directory_entry(name: str, kind: int, child: int = _FREE, right: int = _FREE) -> bytes:
    encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
    entry = bytearray(128)
    entry[: len(encoded)] = encoded
    struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)  # name length, type, black
    struct.pack_into("<LLL", entry, 68, _FREE, right, child)  # left, right sibling, child
    struct.pack_into("<LQ", entry, 116, _END, 0)  # start sector, size: an empty stream
    return bytes(entry)


def compound_file(names: list[str]) -> bytes:
    """A minimal, valid Compound File (version 3, 512-byte sectors) whose root storage holds
    empty streams named `names`.

    Its directory takes two sectors that are NOT adjacent (sector 1, then sector 3 through the
    FAT), so a reader has to follow the FAT chain to see the names after the third one."""
    entries = [_directory_entry("Root Entry", 5, child=1 if names else _FREE)]
    for index, name in enumerate(names, start=1):
        kind = 1 if name.startswith("\x06") else 2  # \x06DataSpaces is a storage
        entries.append(
            _directory_entry(name, kind, right=index + 1 if index < len(names) else _FREE)
        )
    if len(entries) > 8:
        raise ValueError("at most 7 names")
    entries += [_directory_entry("", 0)] * (8 - len(entries))
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<LLLLLLLLL", header, 0x2C, 1, 1, 0, 4096, _END, 0, _END, 0, 0)
    struct.pack_into("<108L", header, 0x50, *([_FREE] * 108))
    fat = struct.pack("<4L", _FAT, 3, _FREE, _END) + struct.pack("<124L", *([_FREE] * 124))
    unused = b"\0" * 512
    return bytes(header) + fat + b"".join(entries[:4]) + unused + b"".join(entries[4:])


def encrypted_xlsx() -> bytes:
    """The container Excel writes for a password-protected .xlsx: EncryptedPackage is the
    encrypted workbook, EncryptionInfo the key data (both empty here)."""
    return compound_file(["\x06DataSpaces", "EncryptionInfo", "Version", "EncryptedPackage"])


def old_xls() -> bytes:
    """An Excel 97–2003 .xls container: a Workbook stream and the summary streams."""
    return compound_file(["\x05SummaryInformation", "\x05DocumentSummaryInformation", "Workbook"])


def word_document() -> bytes:
    """A Word 97–2003 .doc container, renamed .xlsx by a user."""
    return compound_file(["WordDocument", "1Table", "\x05SummaryInformation"])


# ---------------------------------------------------------------------------------------------
# Sheets claiming a million rows


def with_dimension(base: bytes, ref: str = "A1:M1048576") -> bytes:
    """`base` whose sheet1 <dimension> claims `ref`."""
    return rewrite_parts(
        base,
        {
            SHEET: lambda xml: re.sub(
                rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{ref}"/>'.encode(), xml
            )
        },
    )


def styled_bottom_row() -> bytes:
    """Three member rows and one styled but EMPTY cell at A1048576 (a fill and a number format),
    as Excel leaves after someone formats a whole column."""

    def build(book: openpyxl.Workbook) -> None:
        sheet = book.active
        sheet.title = "Anggota"
        sheet.append(["NIK", "Nama"])
        sheet.append(["6402160101800001", "Siti Aminah"])
        sheet.append(["6402160202800002", "Budi Santoso"])
        cell = sheet["A1048576"]
        cell.fill = PatternFill("solid", fgColor="FFFF00")
        cell.number_format = "0.00"

    return workbook_bytes(build)


def empty_string_cell(base: bytes, ref: str) -> bytes:
    """`base` with one cell holding an empty string (an `=""` formula's saved result) at
    `ref`: calamine counts it, and lays the sheet out down and across to it."""
    row = re.sub(r"[A-Z]+", "", ref).encode()
    cell = f'<c r="{ref}" t="str"><f>""</f><v></v></c>'.encode()
    return with_sheet_data(base, b'<row r="' + row + b'">' + cell + b"</row>")


def value_cell(base: bytes, ref: str, value: str = "catatan") -> bytes:
    """`base` with one more text cell, at `ref`."""
    row = re.sub(r"[A-Z]+", "", ref).encode()
    cell = f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'.encode()
    return with_sheet_data(base, b'<row r="' + row + b'">' + cell + b"</row>")
