"""Exports and import templates, read back with openpyxl (and with the importer's own reader)."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from imports.reader import find_header, open_workbook, read_sheet
from imports.spec import Column, ValueType
from imports.xlsx import (
    AMOUNT_FORMAT,
    DATE_FORMAT,
    DATETIME_FORMAT,
    TableSheet,
    safe_sheet_name,
    template_workbook,
    unneutralise,
    write_table,
)

NIK = "6402161708250001"
PHONE = "+6281234567890"

COLUMNS = [
    Column("nik", "NIK", ValueType.NIK, required=True),
    Column("name", "Nama Lengkap", ValueType.TEXT, required=True),
    Column("sex", "Jenis Kelamin", ValueType.CHOICE, choices=("L", "P")),
    Column("birth_date", "Tanggal Lahir", ValueType.DATE),
    Column("phone", "No. HP", ValueType.PHONE),
    Column("rt", "RT", ValueType.INTEGER),
    Column("rate", "Bunga (% per bulan)", ValueType.DECIMAL),
    Column("principal", "Simpanan Pokok", ValueType.AMOUNT),
]
ROW = (NIK, "Siti Aminah", "P", date(1990, 8, 17), PHONE, 3, Decimal("1.5"), Decimal(150000))


def export(rows, columns=COLUMNS, **sheet):
    output = io.BytesIO()
    write_table(output, [TableSheet(name="Anggota", columns=columns, rows=rows, **sheet)])
    output.seek(0)
    return openpyxl.load_workbook(output)


def test_amounts_and_numbers_are_number_cells_with_their_formats():
    ws = export([ROW]).active
    principal, rt, rate = ws["H2"], ws["F2"], ws["G2"]
    assert principal.data_type == "n" and principal.value == 150000
    assert principal.number_format == AMOUNT_FORMAT == '"Rp "#,##0'
    assert rt.data_type == "n" and rt.value == 3
    assert rate.data_type == "n" and rate.value == 1.5
    assert rate.number_format == "0.00##"


def test_dates_are_excel_dates_and_aware_datetimes_are_written_in_local_time():
    columns = [Column("day", "Tanggal", ValueType.DATE)]
    rows = [
        (date(2025, 8, 17),),
        (datetime(2025, 8, 17, 0, 30, tzinfo=UTC),),  # 08:30 in Asia/Makassar
        (datetime(2025, 8, 17, 14, 5),),
    ]
    ws = export(rows, columns).active
    assert ws["A2"].is_date and ws["A2"].value == datetime(2025, 8, 17)
    assert ws["A2"].number_format == DATE_FORMAT == "dd/mm/yyyy"
    assert ws["A3"].value == datetime(2025, 8, 17, 8, 30)
    assert ws["A3"].number_format == DATETIME_FORMAT
    assert ws["A4"].value == datetime(2025, 8, 17, 14, 5)
    assert ws.column_dimensions["A"].width >= 16  # wide enough for the time


def test_nik_keeps_its_16_digits_as_text_with_a_text_format():
    columns = [Column("nik", "NIK", ValueType.NIK)]
    ws = export([(NIK,), (int(NIK),)], columns).active
    for cell in (ws["A2"], ws["A3"]):
        assert cell.data_type == "s"
        assert cell.value == NIK
        assert cell.number_format == "@"


def test_phone_numbers_read_back_exactly_as_text():
    columns = [Column("phone", "No. HP", ValueType.PHONE)]
    ws = export([(PHONE,), ("+62 812-3456-7890",), ("081234567890",)], columns).active
    assert [ws.cell(row, 1).value for row in (2, 3, 4)] == [
        PHONE,
        "+62 812-3456-7890",
        "081234567890",
    ]
    assert ws["A2"].data_type == "s" and ws["A2"].number_format == "@"


@pytest.mark.parametrize("text", ["=1+1", "@SUM(A1)", "-cmd", "+x", "\tx", "\rx", "=HYPERLINK(1)"])
def test_text_that_could_run_as_a_formula_is_neutralised(text):
    columns = [
        Column("name", "Nama", ValueType.TEXT),
        Column("sex", "Jenis Kelamin", ValueType.CHOICE),
        Column("nik", "NIK", ValueType.NIK),
        Column("phone", "No. HP", ValueType.PHONE),
        Column("amount", "Jumlah", ValueType.AMOUNT),
    ]
    output = io.BytesIO()
    write_table(output, [TableSheet("Anggota", columns, [(text,) * 5])])
    for cell in openpyxl.load_workbook(output).active[2]:
        assert cell.data_type == "s"
        assert cell.value.startswith("'")  # openpyxl leaves a CR escaped as _x000D_
    # The importer's reader (like Excel) decodes the CR: the text comes back whole, behind "'".
    values = read_sheet(open_workbook(output.getvalue())).rows[1].values
    assert values == ("'" + text,) * 5
    assert unneutralise(values[0]) == text


def test_phone_numbers_and_harmless_text_are_not_neutralised():
    columns = [Column("name", "Nama", ValueType.TEXT), Column("phone", "No. HP", ValueType.PHONE)]
    ws = export([("Rp 5.000 - lunas", PHONE), ("'quoted", "-5")], columns).active
    assert ws["A2"].value == "Rp 5.000 - lunas"
    assert ws["B2"].value == PHONE
    assert ws["A3"].value == "'quoted"  # only a formula start is prefixed
    assert ws["B3"].value == "'-5"  # not a phone number: neutralised like any text
    assert unneutralise("'quoted") == "'quoted"


def test_none_and_empty_text_are_blank_cells():
    ws = export([(None, "", None, None, None, None, None, None)]).active
    assert all(cell.value is None for cell in ws[2])
    assert ws.max_row == 2  # the autofilter still covers the row


def test_strings_are_never_turned_into_numbers_links_or_formulas():
    columns = [Column("a", "A", ValueType.TEXT), Column("b", "B", ValueType.TEXT)]
    ws = export([("https://example.com", "007")], columns).active
    assert ws["A2"].value == "https://example.com" and ws["A2"].hyperlink is None
    assert ws["B2"].value == "007" and ws["B2"].data_type == "s"


def test_heading_row_is_styled_frozen_and_filtered_over_the_data():
    ws = export([ROW] * 3).active
    assert [cell.value for cell in ws[1]] == [column.heading for column in COLUMNS]
    heading = ws["A1"]
    assert heading.font.b
    assert heading.fill.fgColor.rgb.endswith("F2DCDB")
    assert heading.alignment.wrap_text
    assert heading.border.bottom.style == "thin"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H4"


def test_columns_get_sensible_widths():
    columns = [
        *COLUMNS,
        Column("address", "Alamat", ValueType.TEXT),
        Column("note", "Catatan", ValueType.TEXT, width=33),
    ]
    rows = [(*ROW, "Jl. Poros Tenggarong – Samarinda Km 12 RT 003 Bukit Raya", "x")] + [
        (*ROW, "Jl. A", "y")
    ] * 10
    widths = {  # as set, without the padding xlsxwriter adds as Excel does
        letter: int(dimension.width)
        for letter, dimension in export(rows, columns).active.column_dimensions.items()
    }
    assert widths["A"] == 20  # NIK
    assert widths["B"] == 14  # name: from its heading, "Nama Lengkap" + 2
    assert widths["C"] == 15  # sex: "Jenis Kelamin" + 2
    assert widths["D"] == 12  # date
    assert widths["E"] == 16  # phone
    assert widths["H"] == 16  # amount
    assert widths["I"] == 40  # address: the longest value, capped at 40
    assert widths["J"] == 33  # Column.width wins


def member_rows(count):
    for index in range(count):
        yield (
            f"6402{index:012d}",
            f"Anggota {index}",
            "LP"[index % 2],
            date(1980, 1 + index % 12, 1 + index % 28),
            f"+62812{index:08d}",
            index % 20,
            None,
            index * 1000,
        )


@pytest.mark.parametrize("to_path", [False, True], ids=["bytesio", "path"])
def test_a_generator_of_5000_rows_is_written_in_order(tmp_path: Path, to_path):
    sheet = TableSheet("Anggota", COLUMNS, member_rows(5000), title="Daftar anggota")
    if to_path:
        target: Path | io.BytesIO = tmp_path / "anggota.xlsx"
        write_table(target, [sheet])
        workbook = openpyxl.load_workbook(target, read_only=True)
    else:
        target = io.BytesIO()
        write_table(target, [sheet])
        workbook = openpyxl.load_workbook(io.BytesIO(target.getvalue()), read_only=True)
    rows = list(workbook.active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5000
    assert rows[0] == (
        "6402000000000000",
        "Anggota 0",
        "L",
        datetime(1980, 1, 1),
        "+6281200000000",
        0,
        None,
        0,
    )
    assert rows[-1][0] == "6402000000004999" and rows[-1][-1] == 4_999_000


def test_constant_memory_can_be_switched_off():
    output = io.BytesIO()
    write_table(output, [TableSheet("Anggota", COLUMNS, [ROW])], constant_memory=False)
    ws = openpyxl.load_workbook(output).active
    assert ws["A2"].value == NIK and ws["H2"].number_format == AMOUNT_FORMAT


def test_an_export_reimports_cleanly_with_the_importer_reader():
    output = io.BytesIO()
    write_table(output, [TableSheet("Anggota", COLUMNS, [ROW], title="Daftar anggota")])
    sheet = read_sheet(open_workbook(output.getvalue()))
    header = find_header(
        sheet, {column.key: column.headings for column in COLUMNS}, required=["nik", "name"]
    )
    assert header.row == 1 and header.columns["nik"] == 0
    values = sheet.rows[1].values
    assert values[0] == NIK and values[4] == PHONE and values[7] == 150000


def test_several_sheets_get_valid_unique_names_and_the_title_goes_into_the_properties():
    output = io.BytesIO()
    columns = [Column("a", "A")]
    write_table(
        output,
        [
            TableSheet("Simpanan 2024/2025: [wajib]*?", columns, [("x",)], title="Laporan & rekap"),
            TableSheet("simpanan 2024-2025- (wajib)", columns, [("y",)]),
            TableSheet("'Kas'", columns, []),
        ],
    )
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == [
        "Simpanan 2024-2025- (wajib)",
        "simpanan 2024-2025- (wajib) (2)",
        "Kas",
    ]
    assert workbook.properties.title == "Laporan & rekap"
    first = workbook.worksheets[0]
    assert first["A1"].value == "A" and first["A2"].value == "x"  # no title line above the table
    assert first.oddHeader.center.text.endswith("Laporan && rekap")  # printed on each page
    assert workbook["Kas"].auto_filter.ref == "A1"


def test_sheet_names_are_cut_to_31_characters_without_a_trailing_apostrophe():
    assert safe_sheet_name("x" * 40) == "x" * 31
    assert safe_sheet_name("a" * 30 + "'b") == "a" * 30
    assert safe_sheet_name("Data", ["DATA"]) == "Data (2)"
    assert safe_sheet_name("", []) == "Data 1"
    assert safe_sheet_name("History") == "History 1"


def test_a_row_with_more_values_than_columns_is_refused(tmp_path: Path):
    target = tmp_path / "x.xlsx"
    with pytest.raises(ValueError, match="Row 3 has 2 values for 1 columns"):
        write_table(target, [TableSheet("A", [Column("a", "A")], [("x",), ("y", "z")])])
    assert not target.exists()


# Templates -----------------------------------------------------------------------------------

VILLAGES = tuple(f"Desa Nomor {number:03d}" for number in range(40))  # over 255 characters
TEMPLATE_COLUMNS = [
    Column("nik", "NIK", ValueType.NIK, required=True, example=NIK, help="Nomor di KTP."),
    Column("name", "Nama", ValueType.TEXT, required=True, example="Siti Aminah"),
    Column("sex", "Jenis Kelamin", ValueType.CHOICE, choices=("L", "P"), example="P"),
    Column("village", "Desa", ValueType.CHOICE, choices=VILLAGES, example=VILLAGES[0]),
    Column("birth_date", "Tanggal Lahir", ValueType.DATE, example=date(1990, 8, 17)),
    Column("phone", "No. HP", ValueType.PHONE, example=PHONE),
    Column("principal", "Simpanan Pokok", ValueType.AMOUNT, required=True, example=100000),
]


@pytest.fixture
def template():
    output = io.BytesIO()
    with translation.override("id"):
        template_workbook(
            output,
            sheet_name="Anggota",
            columns=TEMPLATE_COLUMNS,
            instructions_title="Petunjuk pengisian data anggota",
            notes=("Satu baris untuk satu anggota.",),
        )
    return output.getvalue()


def validations(ws):
    return {str(validation.sqref): validation for validation in ws.data_validations.dataValidation}


def test_template_offers_a_dropdown_on_choice_columns(template):
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    ws = workbook["Anggota"]
    by_range = validations(ws)
    assert set(by_range) == {"C2:C10001", "D2:D10001"}
    assert by_range["C2:C10001"].type == "list"
    assert by_range["C2:C10001"].formula1 == '"L,P"'
    # Too long for Excel's inline list: taken from the hidden sheet.
    assert by_range["D2:D10001"].formula1 == "Pilihan!$A$2:$A$41"
    choices = workbook["Pilihan"]
    assert choices.sheet_state == "hidden"
    assert [row[0] for row in choices.iter_rows(min_row=2, values_only=True)] == list(VILLAGES)


def test_template_headings_are_frozen_marked_when_required_and_found_by_the_importer(template):
    ws = openpyxl.load_workbook(io.BytesIO(template))["Anggota"]
    assert [cell.value for cell in ws[1]] == [
        "NIK *",
        "Nama *",
        "Jenis Kelamin",
        "Desa",
        "Tanggal Lahir",
        "No. HP",
        "Simpanan Pokok *",
    ]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.color.rgb.endswith("C00000") and ws["A1"].font.b
    sheet = read_sheet(open_workbook(template))
    assert sheet.name == "Anggota"  # the first visible sheet
    header = find_header(
        sheet,
        {column.key: column.headings for column in TEMPLATE_COLUMNS},
        required=[column.key for column in TEMPLATE_COLUMNS],
    )
    assert header.columns == {column.key: index for index, column in enumerate(TEMPLATE_COLUMNS)}


def test_template_formats_whole_columns_by_type(template):
    ws = openpyxl.load_workbook(io.BytesIO(template))["Anggota"]
    formats = {letter: ws.column_dimensions[letter].number_format for letter in "AEFG"}
    assert formats == {"A": "@", "E": DATE_FORMAT, "F": "@", "G": AMOUNT_FORMAT}


def test_template_example_row_is_typed(template):
    ws = openpyxl.load_workbook(io.BytesIO(template))["Anggota"]
    nik, birth_date, phone, principal = ws["A2"], ws["E2"], ws["F2"], ws["G2"]
    assert nik.value == NIK and nik.data_type == "s" and nik.number_format == "@"
    assert birth_date.is_date and birth_date.value == datetime(1990, 8, 17)
    assert phone.value == PHONE and phone.data_type == "s"
    assert principal.value == 100000 and principal.number_format == AMOUNT_FORMAT
    assert ws["C2"].value == "P" and ws["D2"].value == VILLAGES[0]
    assert ws.max_row == 2


def test_template_guide_lists_every_column_with_whether_it_is_required(template):
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    assert workbook.sheetnames[:2] == ["Anggota", "Petunjuk"]
    guide = workbook["Petunjuk"]
    assert guide["A1"].value == "Petunjuk pengisian data anggota"
    rows = list(guide.iter_rows(values_only=True))
    assert ("Satu baris untuk satu anggota.", None, None, None, None) in rows
    table = {row[0]: row for row in rows if row[1] in ("Ya", "Tidak")}
    assert list(table) == [column.heading for column in TEMPLATE_COLUMNS]
    assert [table[column.heading][1] for column in TEMPLATE_COLUMNS] == [
        "Ya",
        "Ya",
        "Tidak",
        "Tidak",
        "Tidak",
        "Tidak",
        "Ya",
    ]
    assert table["NIK"][3] == "Nomor di KTP."
    assert table["NIK"][4] == NIK
    assert "L, P" in table["Jenis Kelamin"][2]
    assert table["Tanggal Lahir"][4] == datetime(1990, 8, 17)
    assert table["Simpanan Pokok"][4] == 100000
    assert workbook.properties.title == "Petunjuk pengisian data anggota"


def test_template_neutralises_text_from_form_labels(tmp_path: Path):
    target = tmp_path / "template.xlsx"
    template_workbook(
        target,
        sheet_name="Isian",
        columns=[Column("q", "=cmd|' /C calc'!A0", example="@SUM(1)", help="-x")],
        instructions_title="+Judul",
        notes=("=1+1",),
    )
    workbook = openpyxl.load_workbook(target)
    assert workbook["Isian"]["A1"].value == "'=cmd|' /C calc'!A0"
    assert workbook["Isian"]["A2"].value == "'@SUM(1)"
    guide = workbook["Petunjuk"]
    assert guide["A1"].value == "'+Judul"
    assert guide["A3"].value == "'=1+1"
    values = [value for row in guide.iter_rows(values_only=True) for value in row if value]
    assert "=cmd|' /C calc'!A0" not in values and "'-x" in values


def test_template_needs_columns():
    with pytest.raises(ValueError, match="at least one column"):
        template_workbook(io.BytesIO(), sheet_name="A", columns=[], instructions_title="T")
