"""Workbooks as villages and programs really write them: templates filled in, formulas without
saved results, text that looks like a formula, two-row headers, several sheets."""

import datetime
import io

import openpyxl
import pytest

from cooperatives.models import Member
from finance.models import CashBookEntry, SavingsBalance, SavingsTransaction
from imports.enums import RunStatus
from imports.reports import template_bytes
from imports.services import import_file
from loans.models import LoanLedgerEntry
from tests.factories import MemberFactory

from .books import BUDI, SITI, book_bytes, member_book

pytestmark = pytest.mark.django_db


def run_import(world, kind, data, **options):
    return import_file(
        cooperative=world.coop_a,
        kind=kind,
        data=data,
        file_name=f"{kind}.xlsx",
        uploaded_by=world.alice,
        **options,
    )


def filled_template(kind: str, values: dict[str, object]) -> bytes:
    """The downloaded template with its example row overwritten by the treasurer's own row."""
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(kind)))
    sheet = book.worksheets[0]
    headings = [str(cell.value).rstrip(" *") for cell in sheet[1]]
    for heading, value in values.items():
        sheet.cell(2, headings.index(heading) + 1).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_template_left_with_its_example_imports_nothing(world):
    run = run_import(world, "members", template_bytes("members"))
    assert run.status == RunStatus.APPLIED
    assert (run.created, run.rows_skipped) == (0, 1)
    assert not Member.objects.exists()


def test_each_filled_template_imports_cleanly(world):
    member = filled_template(
        "members",
        {
            "NIK": "6402165708800002",
            "Nama Lengkap": "Siti Aminah",
            "Desa/Kelurahan": "64.02.16.2002",
        },
    )
    run = run_import(world, "members", member)
    assert run.status == RunStatus.APPLIED, run.errors
    assert run.created == 1
    siti = Member.objects.get(nik="6402165708800002")
    assert (siti.sex, siti.village_id) == ("P", "64.02.16.2002")

    savings = filled_template("savings", {"NIK": siti.nik, "No. Bukti": "BS-001"})
    run = run_import(world, "savings", savings)
    assert run.status == RunStatus.APPLIED, run.errors
    assert SavingsTransaction.objects.get().member == siti

    cash = filled_template("cashbook", {"No. Bukti": "BKU-001"})
    run = run_import(world, "cashbook", cash)
    assert run.status == RunStatus.APPLIED, run.errors
    assert CashBookEntry.objects.get().voucher_no == "BKU-001"

    loan = filled_template("loans", {"NIK": siti.nik, "No. Pinjaman": "PJ-001"})
    run = run_import(world, "loans", loan)
    assert run.status == RunStatus.APPLIED, run.errors
    assert LoanLedgerEntry.objects.get().member == siti


def test_formulas_without_saved_results_are_worked_out_or_refused_never_read_as_zero(world):
    def build(book):
        sheet = book.active
        sheet.append(
            ["NIK", "Nama Lengkap", "Simpanan Pokok", "Simpanan Wajib", "Simpanan Sukarela"]
        )
        sheet.append([SITI[0], "Siti Aminah", 50000, "=12500+12500", "=C2+D2-E3"])
        sheet.append([BUDI[0], "Budi Santoso", 50000, "=SUM(C2:C3)", 1000])
        for row in (2, 3):
            sheet.cell(row, 1).number_format = "@"

    run = run_import(world, "members", book_bytes(build), skip_invalid=True)
    assert run.status == RunStatus.APPLIED
    balance = SavingsBalance.objects.get(member__nik=SITI[0])
    # E2 = C2 + D2 - E3, where D2 is itself a formula without a result: 50000 + 25000 - 1000.
    assert (balance.pokok, balance.wajib, balance.sukarela) == (50000, 25000, 74000)
    [error] = run.errors
    assert (error["row"], error["column"], error["code"]) == (3, "D", "formula_unsupported")
    assert not Member.objects.filter(nik=BUDI[0]).exists()


def test_text_that_looks_like_a_formula_is_stored_verbatim(world):
    # Typed in Excel as text (openpyxl would otherwise write "=…" as a formula).
    book = openpyxl.load_workbook(io.BytesIO(member_book([SITI])))
    sheet = book.active
    sheet["C6"].value = '=HYPERLINK("http://contoh.test","Siti")'
    sheet["C6"].data_type = "s"
    sheet["G6"].value = "@alamat -1+1"
    out = io.BytesIO()
    book.save(out)
    run = run_import(world, "members", out.getvalue())
    assert run.status == RunStatus.APPLIED, run.errors
    member = Member.objects.get()
    assert member.name == '=HYPERLINK("http://contoh.test","Siti")'
    assert member.address == "@alamat -1+1"


def test_two_row_merged_headings_a_number_row_and_other_sheets(world):
    def build(book):
        notes = book.active
        notes.title = "Catatan"
        notes["A1"] = "Lembar ini hanya catatan bendahara"
        sheet = book.create_sheet("Anggota 2026")
        sheet["A1"] = "DAFTAR ANGGOTA"
        sheet["A2"] = "Per 30 September 2026"
        sheet.append([])
        sheet.append(["No", "NIK", "Nama", "L/P", "Simpanan", None, None])
        sheet.append([None, None, None, None, "Pokok", "Wajib", "Sukarela"])
        for column in "ABCD":
            sheet.merge_cells(f"{column}4:{column}5")
        sheet.merge_cells("E4:G4")
        sheet.append([1, 2, 3, 4, 5, 6, 7])
        sheet.append([1, SITI[0], "Siti Aminah", "P", 100000, "Rp 20.000", "-"])
        sheet.cell(7, 2).number_format = "@"
        sheet.append([None, "TOTAL", None, None, 100000, 20000, 0])

    data = book_bytes(build)
    first_sheet = run_import(world, "members", data, dry_run=True)
    assert first_sheet.status != RunStatus.APPLIED
    assert first_sheet.errors[0]["code"] == "missing_columns"
    run = run_import(world, "members", data, sheet="Anggota 2026")
    assert run.status == RunStatus.APPLIED, run.errors
    assert (run.created, run.rows_skipped, run.header_row) == (1, 1, 4)
    balance = SavingsBalance.objects.get()
    assert (balance.as_of, balance.pokok, balance.wajib, balance.sukarela) == (
        datetime.date(2026, 9, 30),
        100000,
        20000,
        0,
    )


def test_a_savings_book_names_a_member_of_another_cooperative_and_is_refused_whole(world):
    ours = MemberFactory(cooperative=world.coop_a, nik=SITI[0])
    theirs = MemberFactory(cooperative=world.coop_c, nik=BUDI[0])

    def build(book):
        sheet = book.active
        sheet.append(["Tanggal", "NIK", "Jenis Simpanan", "Setoran", "Penarikan"])
        sheet.append(["01-10-2026", ours.nik, "Wajib", 20000, None])
        sheet.append(["01-10-2026", theirs.nik, "Wajib", 20000, None])
        for row in (2, 3):
            sheet.cell(row, 2).number_format = "@"

    run = run_import(world, "savings", book_bytes(build))
    assert run.status == RunStatus.REJECTED
    assert [(e["row"], e["column"], e["code"]) for e in run.errors] == [(3, "B", "member_unknown")]
    assert not SavingsTransaction.objects.exists()
