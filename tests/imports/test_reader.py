"""The hardened reader, on real workbooks written by openpyxl and on hostile files."""

import datetime
import io
import random
import resource
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.utils import translation
from openpyxl.styles import PatternFill

from imports.reader import (
    Header,
    Row,
    Sheet,
    WorkbookError,
    _DtdScan,
    column_letter,
    find_header,
    is_footer_row,
    normalize_heading,
    open_workbook,
    read_sheet,
    uncached_formulas,
)
from tests.imports.hostile import (
    SHEET,
    billion_laughs,
    compound_file,
    empty_string_cell,
    encrypted_xlsx,
    external_entity,
    lying_zip,
    old_xls,
    padded_sheet,
    rewrite_parts,
    styled_bottom_row,
    utf16_sheet_with_doctype,
    value_cell,
    with_bad_crc,
    with_dimension,
    with_sheet_data,
    word_document,
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
        (random.Random(7).randbytes(4096), "not_a_workbook"),
        (b"%PDF-1.7\n" + b"\0" * 64, "not_a_workbook"),
        (word_document(), "not_a_workbook"),  # a .doc renamed .xlsx
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "not_a_workbook"),  # broken OLE
    ],
    ids=["csv", "png", "broken-zip", "random", "pdf", "doc", "broken-ole"],
)
def test_files_that_are_not_workbooks_are_refused_with_a_message(data, code):
    with pytest.raises(WorkbookError) as error:
        open_workbook(data)
    assert error.value.code == code
    assert "Excel" in error.value.message


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = rewrite_parts(
        workbook_bytes(member_book), {"xl/media/padding.xml": b"\0" * (8 * 1024 * 1024)}
    )
    assert len(bomb) < 100_000  # small on the wire
    with pytest.raises(WorkbookError) as error:
        open_workbook(bomb)
    assert error.value.code == "too_big_unpacked"
    with pytest.raises(WorkbookError) as error:
        open_workbook(workbook_bytes(member_book), max_unpacked=10_000)
    assert error.value.code == "too_big_unpacked"


def test_macros_and_oversized_files_are_refused():
    with pytest.raises(WorkbookError) as error:
        open_workbook(rewrite_parts(workbook_bytes(member_book), {"xl/vbaProject.bin": b"macro"}))
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


# ---------------------------------------------------------------------------------------------
# Files that are not .xlsx workbooks


def test_an_empty_file_and_an_oversized_one_have_their_own_codes():
    with pytest.raises(WorkbookError) as error:
        open_workbook(b"")
    assert error.value.code == "empty_file"
    with pytest.raises(WorkbookError) as error:
        open_workbook(b"PK\x03\x04" + b"\0" * 5000, max_bytes=4096)
    assert error.value.code == "too_large"


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(WorkbookError) as error:
        open_workbook(out.getvalue())
    assert error.value.code == "not_a_workbook"


def test_a_password_protected_workbook_says_so():
    # Excel wraps a protected .xlsx in a Compound File with an EncryptedPackage stream; the one
    # built here keeps that name in the directory's second, non-adjacent sector.
    with translation.override("en"), pytest.raises(WorkbookError) as error:
        open_workbook(encrypted_xlsx())
    assert error.value.code == "password"
    assert "protected by a password" in error.value.message
    assert "damaged" not in error.value.message


def test_an_old_xls_is_refused_with_the_way_to_convert_it():
    with translation.override("en"), pytest.raises(WorkbookError) as error:
        open_workbook(old_xls())
    assert error.value.code == "old_format"
    assert "save as .xlsx" in error.value.message


def test_a_compound_file_is_judged_by_its_directory_not_its_magic():
    # Name matching is the whole test: no stream of these files is ever decoded.
    assert _code(compound_file(["EncryptionInfo", "EncryptedPackage"])) == "password"
    assert _code(compound_file(["Book"])) == "old_format"  # Excel 5/95
    assert _code(compound_file(["Something else"])) == "not_a_workbook"


def _code(data: bytes, **limits) -> str:
    try:
        read_sheet(open_workbook(data, **limits))
    except WorkbookError as error:
        return error.code
    return "ok"


# ---------------------------------------------------------------------------------------------
# Zip bombs: the bytes actually inflated are what counts


def test_a_zip_whose_directory_lies_about_a_part_size_is_refused_without_inflating_it():
    base = workbook_bytes(member_book)
    # 200 MB of real content, deflated to ~200 KB, declared (in both headers) as 2,000 bytes.
    bomb = lying_zip(base, SHEET, padded_sheet(base, 200_000_000), declared_size=2_000)
    info = zipfile.ZipFile(io.BytesIO(bomb)).getinfo(SHEET)
    assert info.file_size == 2_000 and len(bomb) < 400_000
    tracemalloc.start()
    try:
        code = _code(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == "not_a_workbook"
    assert peak < 50 * 1024 * 1024


def test_inflating_stops_at_the_cap_on_real_bytes():
    base = workbook_bytes(member_book)
    bomb = rewrite_parts(base, {SHEET: padded_sheet(base, 30_000_000)})
    tracemalloc.start()
    try:
        # Ratio allowed, declared total allowed: only the count of real bytes can stop it.
        code = _code(bomb, max_unpacked=40_000_000, max_ratio=10**9)
        assert code == "ok"
        code = _code(bomb, max_unpacked=5_000_000, max_ratio=10**9)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == "too_big_unpacked"
    assert peak < 50 * 1024 * 1024


def test_a_part_whose_crc_is_wrong_is_refused():
    assert _code(with_bad_crc(workbook_bytes(member_book))) == "not_a_workbook"


# ---------------------------------------------------------------------------------------------
# DTDs: never processed, refused on sight


@pytest.mark.parametrize(
    "build",
    [
        billion_laughs,
        external_entity,
        lambda base: external_entity(base, "http://127.0.0.1:9/kopdes.dtd"),
        utf16_sheet_with_doctype,
    ],
    ids=["billion-laughs-shared-strings", "file-entity-sheet", "http-entity-sheet", "utf-16"],
)
def test_a_document_type_declaration_is_refused(build):
    data = build(workbook_bytes(member_book))
    with translation.override("en"), pytest.raises(WorkbookError) as error:
        open_workbook(data)
    assert error.value.code == "xml_dtd"
    assert "document type declaration" in error.value.message
    # uncached_formulas, which parses the sheet itself, refuses it too.
    if b"<!DOCTYPE worksheet" in zipfile.ZipFile(io.BytesIO(data)).read(SHEET):
        with pytest.raises(WorkbookError) as error:
            uncached_formulas(data, "Daftar Anggota")
        assert error.value.code == "xml_dtd"


@pytest.mark.parametrize("text", [b"<!DOCTYPE", b"<!doctype", b"<!Entity"])
def test_the_dtd_scan_sees_across_every_chunk_boundary(text):
    document = b"<?xml version='1.0'?>" + text + b" x><x/>"
    for size in (1, 2, 3, 5, 7):
        scan = _DtdScan()
        with pytest.raises(WorkbookError):
            for start in range(0, len(document), size):
                scan.feed(document[start : start + size])
    clean = _DtdScan()
    clean.feed(b"<c><is><t>&lt;!DOCTYPE is text, escaped</t></is></c>")


# ---------------------------------------------------------------------------------------------
# Sheets: empty ones, and ones claiming a million rows


def test_an_empty_sheet_is_refused_as_empty():
    with pytest.raises(WorkbookError) as error:
        read_sheet(open_workbook(workbook_bytes(lambda book: None)))
    assert error.value.code == "empty_sheet"
    # Empty strings and styled cells are not values either.
    data = empty_string_cell(styled_bottom_row_only(), "C3")
    with pytest.raises(WorkbookError) as error:
        read_sheet(open_workbook(data))
    assert error.value.code == "empty_sheet"


def styled_bottom_row_only() -> bytes:
    def build(book):
        book.active["A1048576"].fill = PatternFill("solid", fgColor="FFFF00")

    return workbook_bytes(build)


def _read_bounded(data: bytes, **limits) -> Sheet:
    """read_sheet(open_workbook(data)), asserting it took little memory: tracemalloc sees
    Python's allocations, the peak RSS calamine's (a million-row grid would add ~400 MB)."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        sheet = read_sheet(open_workbook(data, **limits))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 150 * 1024
    return sheet


def test_a_dimension_claiming_a_million_rows_reads_the_real_rows():
    data = with_dimension(workbook_bytes(member_book), "A1:M1048576")
    assert b'<dimension ref="A1:M1048576"/>' in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    sheet = _read_bounded(data)
    assert [row.number for row in sheet.rows] == [1, 2, 3, 4, 5, 6]
    assert sheet.rows[-1].values[2] == "Budi Santoso"


def test_a_styled_empty_row_at_the_bottom_is_not_walked():
    data = styled_bottom_row()
    assert b'r="A1048576"' in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    sheet = _read_bounded(data)
    assert len(sheet.rows) == 3 and sheet.rows[-1].values == ("6402160202800002", "Budi Santoso")

    def wide(book):  # 13 columns: the upper bound (13 × 1,048,576) makes the reader look closer
        sheet = book.active
        sheet.append([f"Kolom {n}" for n in range(1, 14)])
        sheet.append(list(range(1, 14)))
        sheet["M1048576"].number_format = "0.00"
        sheet["M1048576"].fill = PatternFill("solid", fgColor="FFFF00")

    assert len(_read_bounded(workbook_bytes(wide)).rows) == 2


def test_an_empty_string_far_below_is_dropped_before_calamine_lays_out_the_grid():
    # calamine counts an `=""` result as a cell: M1048576 alone would make a 13.6-million-cell
    # grid, XFD1048576 a 17-billion-cell one. The reader rewrites such a sheet without it.
    for ref in ("M1048576", "XFD1048576"):
        sheet = _read_bounded(empty_string_cell(workbook_bytes(member_book), ref))
        assert len(sheet.rows) == 6
        assert sheet.rows[4].values[4] == datetime.date(2026, 7, 17)  # styles survive


def test_real_values_spread_too_far_apart_are_refused():
    data = value_cell(workbook_bytes(member_book), "Z300000")
    assert _code(data, max_cells=1_000_000) == "too_many_cells"
    sheet = read_sheet(open_workbook(value_cell(workbook_bytes(member_book), "H2000")))
    assert len(sheet.rows) == 2000 and sheet.rows[-1].values[7] == "catatan"


def test_more_filled_rows_than_allowed_are_refused_but_empty_rows_below_do_not_count():
    def filled(count):
        def build(book):
            sheet = book.active
            sheet.append(["NIK", "Nama"])
            for number in range(1, count):
                sheet.append([f"64021601{number:08d}", f"Anggota {number}"])
            sheet["B500"].fill = PatternFill("solid", fgColor="FFFF00")

        return workbook_bytes(build)

    with pytest.raises(WorkbookError) as error:
        read_sheet(open_workbook(filled(41)), max_rows=40)
    assert error.value.code == "too_many_rows"
    sheet = read_sheet(open_workbook(empty_string_cell(filled(40), "B300")), max_rows=40)
    assert len(sheet.rows) == 40


def test_rows_are_padded_back_to_column_a_when_the_table_starts_further_right():
    # calamine 0.9.1's iter_rows starts at row 1 but at the first used column: pinned here.
    def build(book):
        sheet = book.active
        sheet["D4"] = "NIK"
        sheet["E4"] = "Nama"
        sheet["D6"] = "6402160101800001"
        sheet["F6"] = "Siti Aminah"

    sheet = read_sheet(open_workbook(workbook_bytes(build)))
    assert [row.number for row in sheet.rows] == [1, 2, 3, 4, 5, 6]
    assert sheet.rows[3].values == ("", "", "", "NIK", "Nama", "")
    assert sheet.rows[5].values == ("", "", "", "6402160101800001", "", "Siti Aminah")
    assert sheet.rows[0].is_empty()


# ---------------------------------------------------------------------------------------------
# Formulas saved without their results


def formula_book(book):
    sheet = book.active
    sheet.title = "Simpanan"
    sheet.append(["No.", "NIK", "Nama", "Pokok", "Wajib", "Jumlah", "Bonus"])
    sheet["D5"], sheet["E5"], sheet["F5"], sheet["G5"] = 10000, 2500, "=D5+E5", "=12500+12500"
    sheet["D6"], sheet["E6"], sheet["F6"] = 5000, 1000, "=F5+D6-E6"
    sheet["G6"] = '=IF(D6<>"",D6*2,0)'


def test_formulas_without_a_saved_result_are_listed_and_calamine_reads_them_as_empty():
    data = workbook_bytes(formula_book)
    assert b"<f>D5+E5</f><v" in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)  # openpyxl's way
    assert uncached_formulas(data, "Simpanan") == {
        (5, 5): "D5+E5",
        (5, 6): "12500+12500",
        (6, 5): "F5+D6-E6",
        (6, 6): 'IF(D6<>"",D6*2,0)',
    }
    row5 = read_sheet(open_workbook(data)).rows[4]
    assert row5.values[3:] == (10000, 2500, "", "")


def test_shared_formulas_have_no_text_and_cached_results_are_not_listed():
    data = with_sheet_data(
        workbook_bytes(formula_book),
        b'<row r="7"><c r="F7"><f t="shared" ref="F7:F8" si="0">F6+D7</f></c>'
        b'<c r="G7" t="str"><f>""</f><v></v></c><c r="H7"><f>1+1</f><v>2</v></c></row>'
        b'<row r="8"><c r="F8"><f t="shared" si="0"/></c></row>',
    )
    formulas = uncached_formulas(data, "Simpanan")
    assert formulas[(7, 5)] == "F6+D7"
    assert formulas[(8, 5)] == ""  # the caller marks it formula_unsupported
    assert (7, 6) not in formulas and (7, 7) not in formulas  # "" and 2 are saved results
    assert uncached_formulas(workbook_bytes(member_book), "Daftar Anggota") == {}
    with pytest.raises(WorkbookError) as error:
        uncached_formulas(data, "Anggota")
    assert error.value.code == "no_sheet"


# ---------------------------------------------------------------------------------------------
# Village headers: title block, two-row merged headings, a column-number row, totals, signatures

SAVINGS = {
    "nik": ["NIK"],
    "nama": ["Nama", "Nama Anggota"],
    "pokok": ["Simpanan Pokok"],
    "wajib": ["Simpanan Wajib"],
    "sukarela": ["Simpanan Sukarela", "Sukarela"],
    "keterangan": ["Keterangan", "Ket."],
}
KETUA_NIK = "6402160303800003"


def village_book(book):
    sheet = book.active
    sheet.title = "Simpanan"
    sheet["A1"] = "DAFTAR SIMPANAN ANGGOTA"
    sheet["A2"] = "KOPERASI DESA MERAH PUTIH BUKIT RAYA — Per 31 Oktober 2026"
    sheet.merge_cells("A1:G1")
    sheet.merge_cells("A2:G2")
    for column, heading in zip("ABCG", ["No.", "NIK", "Nama Anggota", "Keterangan"], strict=True):
        sheet[f"{column}4"] = heading
        sheet.merge_cells(f"{column}4:{column}5")
    sheet["D4"] = "Simpanan"
    sheet.merge_cells("D4:F4")
    sheet["D5"], sheet["E5"], sheet["F5"] = "Pokok", "Wajib", "Sukarela"
    for index, number in enumerate(range(1, 8)):
        sheet.cell(6, index + 1, f"({number})" if index % 2 else number)
    sheet.append([1, "6402160101800001", "Siti Aminah", 100000, 50000, 0, ""])
    sheet.append([2, "6402160202800002", "Budi Santoso", 100000, 50000, 25000, "pindahan"])
    sheet.append([3, KETUA_NIK, "Ketua", 100000, 50000, 0, ""])  # a member named Ketua
    sheet.append([])
    sheet.append(["", "", "JUMLAH", 300000, 150000, 25000, ""])
    sheet.append([])
    sheet.append(["", "Mengetahui,", "", "", "Tenggarong, 31 Oktober 2026"])
    sheet.append(["", "Ketua", "", "", "Bendahara"])
    sheet.append([])
    sheet.append(["", "( Ahmad Yani )", "", "", "( Dewi Lestari )"])
    sheet.append(["", "Ahmad Yani", "", "", "Dewi Lestari"])


def test_a_two_row_merged_header_with_a_number_row_is_found():
    sheet = read_sheet(open_workbook(workbook_bytes(village_book)))
    assert sheet.rows[4].values[3:6] == ("Pokok", "Wajib", "Sukarela")
    assert sheet.rows[3].values[3:6] == ("Simpanan", "", "")  # a merged range: first cell only
    header = find_header(sheet, SAVINGS, required=["nik", "nama", "pokok"])
    assert (header.row, header.heading_rows, header.data_start) == (4, 2, 7)
    assert header.columns == {
        "nik": 1,
        "nama": 2,
        "pokok": 3,
        "wajib": 4,
        "sukarela": 5,
        "keterangan": 6,
    }
    assert header.unknown == ["No."]
    assert sheet.rows[header.data_start - 1].values[2] == "Siti Aminah"


def test_sub_headings_are_skipped_even_when_no_column_under_them_is_wanted():
    sheet = read_sheet(open_workbook(workbook_bytes(village_book)))
    header = find_header(sheet, {"nik": ["NIK"], "nama": ["Nama Anggota"]}, required=["nik"])
    assert (header.row, header.heading_rows, header.data_start) == (4, 2, 7)


def test_a_single_heading_row_keeps_data_start_right_below_it():
    sheet = read_sheet(open_workbook(workbook_bytes(member_book)))
    header = find_header(sheet, COLUMNS, required=["nik"])
    assert (header.row, header.heading_rows, header.data_start) == (4, 1, 5)
    assert Header(3, {"nik": 0}).data_start == 4  # built by hand, as other tests do


def test_totals_and_signature_rows_are_footers_but_a_member_named_ketua_is_not():
    sheet = read_sheet(open_workbook(workbook_bytes(village_book)))
    header = find_header(sheet, SAVINGS, required=["nik"])
    footer = {row.number for row in sheet.rows if not row.is_empty() and is_footer_row(row, header)}
    assert footer == {11, 13, 14, 16}  # JUMLAH, Mengetahui/place-date, Ketua/Bendahara, (names)
    assert 17 not in footer  # names alone: the import stops at the first footer row anyway
    assert not is_footer_row(Row(30, ("", KETUA_NIK, "Ketua")), header)
    assert is_footer_row(Row(30, ("", "", "Total Keseluruhan", 5)), header)
    assert is_footer_row(Row(30, ("Sub-total",)), header)
    assert is_footer_row(Row(30, ("", "Kepala Desa Bukit Raya")), header)
    assert is_footer_row(Row(30, ("Samarinda, 1 Nov 2026",)), header)
    assert is_footer_row(Row(30, ("", "TTD", "_____________")), header)
    assert not is_footer_row(Row(30, ("Budi Santoso", "Jl. Poros")), header)
    assert not is_footer_row(Row(30, ("Ketua", "RT 3", "Bukit Raya", "L")), header)


def test_cells_written_without_references_are_placed_as_calamine_places_them():
    # Some programs omit r="…" (it is optional): such a sheet is read exactly, and when an
    # empty string far below forces a rewrite, every value keeps its cell.
    rows = (
        b'<row r="2"><c t="inlineStr"><is><t>NIK</t></is></c><c t="inlineStr"><is><t>Nama</t>'
        b'</is></c></row><row><c><v>1</v></c><c r="C3" t="inlineStr"><is><t>Siti</t></is>'
        b'</c><c t="inlineStr"><is><t>Aminah</t></is></c></row>'
    )
    plain = with_sheet_data(workbook_bytes(lambda book: None), rows)
    bloated = with_sheet_data(
        plain, b'<row r="1048576"><c r="XFD1048576" t="str"><v></v></c></row>'
    )
    expected = [("", ""), ("NIK", "Nama", "", ""), (1.0, "", "Siti", "Aminah")]
    for data in (plain, bloated):
        sheet = _read_bounded(data)
        assert [
            row.values[: len(want)] for row, want in zip(sheet.rows, expected, strict=True)
        ] == (expected)


def test_formulas_in_a_sheet_without_cell_references_are_found_by_parsing_it():
    rows = (
        b'<row r="5"><c><v>10000</v></c><c><f>A5*2</f><v/></c><c><f>A5&amp;"x"</f></c>'
        b'<c t="str"><f>""</f><v></v></c></row><row><c><f t="shared" si="0"/></c></row>'
    )
    data = with_sheet_data(workbook_bytes(lambda book: None), rows)
    assert uncached_formulas(data, "Sheet") == {(5, 1): "A5*2", (5, 2): 'A5&"x"', (6, 0): ""}
