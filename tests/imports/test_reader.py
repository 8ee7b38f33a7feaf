"""The hardened reader, on real workbooks written by openpyxl and on hostile files."""

import datetime
import io
import zipfile

import openpyxl
import pytest

from imports.reader import (
    WorkbookError,
    column_letter,
    find_header,
    normalize_heading,
    open_workbook,
    read_sheet,
)

COLUMNS = {
    "nik": ["NIK", "No. KTP"],
    "nama": ["Nama", "Nama lengkap"],
    "jenis_kelamin": ["Jenis kelamin", "L/P"],
    "tanggal_masuk": ["Tanggal masuk"],
}


def workbook_bytes(build) -> bytes:
    book = openpyxl.Workbook()
    build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def member_book(book) -> None:
    sheet = book.active
    sheet.title = "Daftar Anggota"
    sheet["A1"] = "DAFTAR ANGGOTA KOPERASI DESA MERAH PUTIH BUKIT RAYA"
    sheet["A2"] = "Per 31 Oktober 2026"
    sheet.append([])
    sheet.append(["No.", "No. KTP", "Nama Lengkap", "L/P", "Tanggal Masuk", "Catatan"])
    sheet.append([1, "6402160101800001", "Siti Aminah", "P", datetime.date(2026, 7, 17), ""])
    sheet.append([2, 6402160202800002, "Budi Santoso", "L", datetime.date(2026, 7, 17), "lunas"])


def test_rows_keep_the_row_numbers_and_the_header_is_found_below_the_title():
    workbook = open_workbook(workbook_bytes(member_book))
    sheet = read_sheet(workbook)
    assert sheet.name == "Daftar Anggota"
    header = find_header(sheet, COLUMNS, required=["nik", "nama"])
    assert header.row == 4
    assert header.columns == {"nik": 1, "nama": 2, "jenis_kelamin": 3, "tanggal_masuk": 4}
    assert header.letter("nama") == "C"
    assert header.unknown == ["No.", "Catatan"]
    siti, budi = sheet.rows[4], sheet.rows[5]
    assert (siti.number, siti.values[2]) == (5, "Siti Aminah")
    assert siti.values[4] == datetime.date(2026, 7, 17)
    # A NIK typed as a number arrives as a float: the import kind must turn it back into digits.
    assert budi.values[1] == 6402160202800002.0
    assert sheet.rows[2].is_empty()


def test_a_missing_required_column_is_named():
    def build(book):
        book.active.append(["Nama", "Alamat"])

    sheet = read_sheet(open_workbook(workbook_bytes(build)))
    with pytest.raises(WorkbookError) as error:
        find_header(sheet, COLUMNS, required=["nik", "nama"])
    assert error.value.code == "missing_columns"
    assert "“NIK”" in error.value.message


def test_a_named_sheet_and_a_wrong_name():
    def build(book):
        book.active.title = "Petunjuk"
        book.create_sheet("Anggota").append(["NIK", "Nama"])

    workbook = open_workbook(workbook_bytes(build))
    assert read_sheet(workbook, "Anggota").rows[0].values[:2] == ("NIK", "Nama")
    with pytest.raises(WorkbookError) as error:
        read_sheet(workbook, "Simpanan")
    assert error.value.code == "no_sheet" and "Petunjuk, Anggota" in error.value.message


def test_hidden_sheets_are_not_read_by_default():
    def build(book):
        book.active.title = "Rumus"
        book.active.sheet_state = "hidden"
        book.create_sheet("Anggota").append(["NIK", "Nama"])

    assert read_sheet(open_workbook(workbook_bytes(build))).name == "Anggota"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"NIK;Nama\n6402160101800001;Siti\n", "not_a_workbook"),  # a CSV renamed .xlsx
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not_a_workbook"),
        (b"PK\x03\x04 broken zip", "not_a_workbook"),
    ],
)
def test_files_that_are_not_workbooks_are_refused_with_a_message(data, code):
    with pytest.raises(WorkbookError) as error:
        open_workbook(data)
    assert error.value.code == code
    assert "Excel" in error.value.message


def zip_with(extra: dict[str, bytes], *, base: bytes | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(base or workbook_bytes(member_book)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            target.writestr(part, source.read(part.filename))
        for name, content in extra.items():
            target.writestr(name, content)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = zip_with({"xl/media/padding.xml": b"\0" * (8 * 1024 * 1024)})
    assert len(bomb) < 100_000  # small on the wire
    with pytest.raises(WorkbookError) as error:
        open_workbook(bomb)
    assert error.value.code == "too_big_unpacked"
    with pytest.raises(WorkbookError) as error:
        open_workbook(workbook_bytes(member_book), max_unpacked=10_000)
    assert error.value.code == "too_big_unpacked"


def test_macros_and_oversized_files_are_refused():
    with pytest.raises(WorkbookError) as error:
        open_workbook(zip_with({"xl/vbaProject.bin": b"macro"}))
    assert error.value.code == "macros"
    with pytest.raises(WorkbookError) as error:
        open_workbook(workbook_bytes(member_book), max_bytes=1024)
    assert error.value.code == "too_large"


def test_headings_are_compared_without_case_punctuation_or_spaces():
    assert normalize_heading("  No. KTP* ") == "no ktp"
    assert normalize_heading("Jenis  Kelamin (L/P)") == "jenis kelamin l p"


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letters_are_excels(index, letter):
    assert column_letter(index) == letter
