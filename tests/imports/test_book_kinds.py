"""Importing the books: Buku Simpanan, Buku Kas Umum and Daftar Pinjaman, as villages keep them.

Each book is written with openpyxl (a title block, a blank row, a JUMLAH row and a signature
under the table, Indonesian amounts and dates) and run through `import_file`, the command line's
one-go import: rows, columns and codes are asserted as Excel shows them.
"""

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from cooperatives.enums import Sex
from cooperatives.models import Member
from finance.models import CashBookEntry, SavingsTransaction
from imports.enums import RunStatus
from imports.services import import_file
from loans.models import LoanLedgerEntry
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def book(
    headings: list[Any],
    rows: list[list[Any]],
    *,
    title: str = "",
    subtitle: str = "",
    footer: list[Any] | None = None,
    sub_headings: list[Any] | None = None,
) -> bytes:
    """A sheet: three title lines (rows 1 to 3), a blank row 4, the headings in row 5 (and 6),
    the rows (None for a blank row), then the footer row and a signature block."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Buku"
    sheet["A1"] = title
    sheet["A2"] = "KOPERASI DESA MERAH PUTIH BUKIT RAYA"
    sheet["A3"] = subtitle
    sheet.append([])
    sheet.append(headings)
    if sub_headings:
        sheet.append(sub_headings)
    for row in rows:
        if row is None:
            sheet.append([])
        else:
            sheet.append(row)
    if footer is not None:
        sheet.append(footer)
        sheet.append([])
        sheet.append(["", "", "Bukit Raya, 31 Januari 2026"])
        sheet.append(["", "", "Bendahara"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def run_import(world, kind, data, *, cooperative=None, **options):
    return import_file(
        cooperative=cooperative or world.coop_a,
        kind=kind,
        data=data,
        file_name=f"{kind}.xlsx",
        uploaded_by=world.alice,
        **options,
    )


def snapshot(queryset):
    return sorted(map(repr, queryset.values()))


def found(run):
    return {(problem["row"], problem["column"], problem["code"]) for problem in run.errors}


def warned(run):
    return {(warning["row"], warning["column"], warning["code"]) for warning in run.warnings}


@pytest.fixture
def people(world):
    """Siti and Budi of coop A; Rahmat of coop B (the other tenant), with his own savings and
    loan under the numbers coop A's books use."""
    siti = MemberFactory(cooperative=world.coop_a, name="Siti Aminah", sex=Sex.FEMALE)
    budi = MemberFactory(cooperative=world.coop_a, name="Budi Santoso")
    rahmat = MemberFactory(cooperative=world.coop_b, name="Rahmat Hidayat")
    SavingsTransaction.objects.create(
        cooperative=world.coop_b,
        member=rahmat,
        date=D(2026, 1, 5),
        savings_type="pokok",
        deposit=100000,
        receipt_no="BS-001",
    )
    LoanLedgerEntry.objects.create(
        cooperative=world.coop_b,
        member=rahmat,
        loan_no="PJ-001",
        principal=2000000,
        tenor_months=10,
        rate_percent=Decimal("2"),
        instalment=240000,
        balance=2000000,
        collectibility="macet",
        as_of=D(2025, 12, 31),
    )
    return {"siti": siti, "budi": budi, "rahmat": rahmat}


# --- Buku Simpanan -----------------------------------------------------------------------------

SAVINGS_HEADINGS = [
    "No",
    "Tgl",
    "NIK",
    "Nama Anggota",
    "Jenis Simpanan",
    "Setoran",
    "Penarikan",
    "No. Bukti",
    "Keterangan",
]


def savings_rows(people):
    siti, budi = people["siti"].nik, people["budi"].nik
    return [
        [
            1,
            D(2026, 1, 5),
            siti,
            "Siti Aminah",
            "Pokok",
            "Rp 100.000",
            None,
            "BS-001",
            "Simpanan pokok",
        ],
        [2, "05-01-2026", budi, "Budi S.", "SW", 20000, "-", "BS-002", ""],
        None,
        [3, "7 Januari 2026", siti, "Siti", "simpanan sukarela", "50.000", "", "", "Tabungan"],
        [4, "7 Januari 2026", siti, "Siti", "simpanan sukarela", "50.000", "", "", "Tabungan"],
        # Siti takes out part of her sukarela (Budi has none: his withdrawal would be refused).
        [5, "20/01/2026", siti, "Siti Aminah", "Sukarela", "", "Rp 10.000,-", "BS-003", "Ambil"],
    ]


def savings_book(rows):
    return book(
        SAVINGS_HEADINGS,
        rows,
        title="BUKU SIMPANAN ANGGOTA",
        subtitle="Bulan Januari 2026",
        footer=["", "JUMLAH", "", "", "", 220000, 10000],
    )


def test_a_messy_savings_book_imports_each_movement_with_provenance(world, people):
    run = run_import(world, "savings", savings_book(savings_rows(people)))
    assert run.status == RunStatus.APPLIED, run.errors
    assert (run.created, run.updated, run.unchanged, run.rows_invalid) == (5, 0, 0, 0)
    assert run.rows_skipped == 3  # JUMLAH, the place and date, "Bendahara"
    assert run.warnings == []  # "Budi S." and "Siti" are the registered names, shortened
    stored = list(
        SavingsTransaction.objects.filter(cooperative=world.coop_a)
        .order_by("import_row")
        .values_list(
            "import_row",
            "member__name",
            "date",
            "savings_type",
            "deposit",
            "withdrawal",
            "receipt_no",
            "description",
        )
    )
    assert stored == [
        (6, "Siti Aminah", D(2026, 1, 5), "pokok", 100000, 0, "BS-001", "Simpanan pokok"),
        (7, "Budi Santoso", D(2026, 1, 5), "wajib", 20000, 0, "BS-002", ""),
        # Two identical deposits on one day are two transactions.
        (9, "Siti Aminah", D(2026, 1, 7), "sukarela", 50000, 0, "", "Tabungan"),
        (10, "Siti Aminah", D(2026, 1, 7), "sukarela", 50000, 0, "", "Tabungan"),
        (11, "Siti Aminah", D(2026, 1, 20), "sukarela", 0, 10000, "BS-003", "Ambil"),
    ]
    assert set(
        SavingsTransaction.objects.filter(cooperative=world.coop_a).values_list(
            "import_run", flat=True
        )
    ) == {run.pk}


def test_a_wide_savings_book_makes_one_deposit_per_kind(world, people):
    siti, budi = people["siti"].nik, people["budi"].nik
    rows = [
        ["02-02-2026", siti, "Siti Aminah", "Rp 100.000", "20.000", "-", "", "", "K-01"],  # 7
        # 8: with a sukarela deposit, so that row 9 has something to withdraw.
        ["02-02-2026", budi, "Budi Santoso", "", 20000, "10.000", "", "", ""],
        ["03-02-2026", budi, "Budi Santoso", "", "", "", "SS", "5.000", "K-02"],  # 9
        ["03-02-2026", siti, "Siti Aminah", "", -20000, "", "", "", ""],  # 10 negative
        ["03-02-2026", siti, "Siti Aminah", "", "", "", "", 5000, ""],  # 11 from which?
        ["03-02-2026", budi, "Budi Santoso", 100000, "", "", "Pokok", 5000, ""],  # 12 both
        ["03-02-2026", budi, "Budi Santoso", "-", "", "", "", "", ""],  # 13 nothing
    ]
    data = book(
        ["Tanggal", "NIK", "Nama", "Simpanan", "", "", "Jenis Simpanan", "Penarikan", "No. Bukti"],
        rows,
        sub_headings=["", "", "", "Pokok", "Wajib", "Sukarela", "", "", ""],
        footer=["JUMLAH", "", "", 200000, 20000, 10000, "", 15000],
    )
    run = run_import(world, "savings", data, skip_invalid=True)
    assert run.status == RunStatus.APPLIED, run.errors
    assert run.header_row == 5
    assert found(run) == {
        (10, "E", "amount_negative"),
        (11, "G", "savings_type_missing"),
        (12, "H", "two_movements"),
        (13, "D", "amount_missing"),
    }
    assert (run.created, run.unchanged, run.rows_invalid) == (3, 0, 4)
    assert sorted(
        SavingsTransaction.objects.filter(cooperative=world.coop_a).values_list(
            "import_row", "member__name", "savings_type", "deposit", "withdrawal", "receipt_no"
        )
    ) == [
        (7, "Siti Aminah", "pokok", 100000, 0, "K-01"),
        (7, "Siti Aminah", "wajib", 20000, 0, "K-01"),
        (8, "Budi Santoso", "sukarela", 10000, 0, ""),
        (8, "Budi Santoso", "wajib", 20000, 0, ""),
        (9, "Budi Santoso", "sukarela", 0, 5000, "K-02"),
    ]
    before = snapshot(SavingsTransaction.objects.all())
    again = run_import(world, "savings", data, skip_invalid=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(SavingsTransaction.objects.all()) == before

    # The first two rows again, in a one-row heading: K-01's wajib corrected, its pokok as it
    # was, Budi's deposit as it was.
    rows[0][4] = "25.000"
    edited_book = book(
        ["Tanggal", "NIK", "Nama", "Pokok", "Wajib", "Sukarela", "No. Bukti"],
        [[*row[:6], row[8]] for row in rows[:2]],
    )
    edited = run_import(world, "savings", edited_book)
    assert (edited.created, edited.updated, edited.unchanged) == (0, 1, 1), edited.errors
    assert edited.changes[0]["fields"] == [["Wajib", 20000, 25000]]
    assert SavingsTransaction.objects.get(receipt_no="K-01", savings_type="wajib").deposit == 25000
    assert SavingsTransaction.objects.get(receipt_no="K-01", savings_type="pokok").import_run == run


def test_wrong_savings_rows_name_row_column_and_reason_and_write_nothing(world, people):
    siti, budi = people["siti"].nik, people["budi"].nik
    rows = [
        [1, "05-01-2026", siti, "Siti Aminah", "Pokok", 100000, None, "BS-001", ""],  # 6 valid
        [2, "31-02-2026", siti, "", "Wajib", 20000, None, "", ""],  # 7 no such day
        [3, "05-01-2026", budi, "", "Wajib", "dua puluh ribu", None, "", ""],  # 8 words
        [4, "05-01-2026", budi, "", "Wajib", 20000, 5000, "", ""],  # 9 two movements
        [5, "05-01-2026", budi, "", "Wajib", "", "-", "", ""],  # 10 no amount
        [6, "05-01-2026", "6402160101900009", "", "Wajib", 20000, None, "", ""],  # 11 stranger
        [7, "06-01-2026", budi, "", "Pokok", 100000, None, "BS-001", ""],  # 12 receipt again
        [8, "06-01-2026", budi, "", "Bunga", 100000, None, "", ""],  # 13 not a kind
        [9, "06-01-2026", budi, "", "Wajib", -20000, None, "", ""],  # 14 negative
        [10, "06-01-2026", budi, "", "", 20000, None, "", ""],  # 15 which savings?
    ]
    before = snapshot(SavingsTransaction.objects.all())
    run = run_import(world, "savings", savings_book(rows))
    assert run.status == RunStatus.REJECTED
    assert run.rows_invalid == 10 - 1
    assert found(run) == {
        (7, "B", "date_impossible"),
        (8, "F", "amount_format"),
        (9, "G", "two_movements"),
        (10, "F", "amount_missing"),
        (11, "C", "member_unknown"),
        (12, "H", "receipt_duplicate"),
        (13, "E", "savings_type_invalid"),
        (14, "F", "amount_negative"),
        (15, "E", "required"),
    }
    duplicate = next(e for e in run.errors if e["code"] == "receipt_duplicate")
    assert "baris 6" in duplicate["message"]
    assert snapshot(SavingsTransaction.objects.all()) == before

    partial = run_import(world, "savings", savings_book(rows), skip_invalid=True)
    assert partial.status == RunStatus.APPLIED
    assert (partial.created, partial.rows_invalid) == (1, 9)
    assert list(
        SavingsTransaction.objects.filter(cooperative=world.coop_a).values_list(
            "import_row", "receipt_no", "deposit"
        )
    ) == [(6, "BS-001", 100000)]


def test_a_savings_book_imported_again_changes_nothing_and_an_edit_changes_its_rows(world, people):
    data = savings_book(savings_rows(people))
    first = run_import(world, "savings", data)
    assert first.status == RunStatus.APPLIED, first.errors
    mine = SavingsTransaction.objects.filter(cooperative=world.coop_a)
    before = snapshot(mine)

    again = run_import(world, "savings", data)
    assert again.status == RunStatus.APPLIED
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert snapshot(mine) == before  # provenance included: nothing was written

    rows = savings_rows(people)
    rows[1][5] = "25.000"  # BS-002 corrected: the same transaction, a new amount
    rows[3][5] = "60.000"  # no receipt: a new transaction beside the old one
    edited = run_import(world, "savings", savings_book(rows))
    assert edited.status == RunStatus.APPLIED, edited.errors
    assert (edited.created, edited.updated, edited.unchanged) == (1, 1, 3)
    assert edited.changes == [
        {
            "row": 7,
            "label": "Budi Santoso, 05-01-2026, BS-002",
            "fields": [["Setoran", 20000, 25000]],
        }
    ]
    assert warned(edited) == {(9, "F", "similar_transaction")}
    corrected = mine.get(receipt_no="BS-002")
    assert (corrected.deposit, corrected.import_run_id, corrected.import_row) == (
        25000,
        edited.pk,
        7,
    )
    assert sorted(mine.filter(receipt_no="").values_list("deposit", flat=True)) == [
        50000,
        50000,
        60000,
    ]
    untouched = snapshot(mine.filter(import_run=first))
    assert len(untouched) == 4 and set(untouched) <= set(before)


def test_a_savings_row_with_another_cooperatives_member_is_refused(world, people):
    rahmat = people["rahmat"]
    theirs = snapshot(SavingsTransaction.objects.filter(cooperative=world.coop_b))
    their_member = snapshot(Member.objects.filter(pk=rahmat.pk))
    rows = [
        # Same receipt as coop B's transaction: coop A's own, new one.
        [1, "05-01-2026", people["siti"].nik, "Siti", "Pokok", 100000, None, "BS-001", ""],
        [2, "05-01-2026", rahmat.nik, "Rahmat Hidayat", "Pokok", 999999, None, "BS-002", ""],
    ]
    run = run_import(world, "savings", savings_book(rows), skip_invalid=True)
    assert run.status == RunStatus.APPLIED
    assert found(run) == {(7, "C", "member_unknown")}
    message = run.errors[0]["message"]
    assert message == "Tidak ada anggota koperasi ini dengan NIK tersebut."
    assert list(
        SavingsTransaction.objects.filter(cooperative=world.coop_a).values_list("member", "deposit")
    ) == [(people["siti"].pk, 100000)]
    assert snapshot(SavingsTransaction.objects.filter(cooperative=world.coop_b)) == theirs
    assert snapshot(Member.objects.filter(pk=rahmat.pk)) == their_member


def test_a_savings_row_naming_someone_else_is_a_warning(world, people):
    rows = [[1, "05-01-2026", people["siti"].nik, "Budi Santoso", "Wajib", 20000, None, "", ""]]
    run = run_import(world, "savings", savings_book(rows))
    assert run.status == RunStatus.APPLIED
    assert run.created == 1
    assert warned(run) == {(6, "D", "name_mismatch")}
    assert "Siti Aminah" in run.warnings[0]["message"]


@pytest.mark.parametrize(
    ("headings", "code"),
    [
        (["Tanggal", "NIK", "Setoran"], "missing_columns"),  # deposits of which savings?
        (["Tanggal", "NIK", "Jenis Simpanan", "Setoran", "Wajib"], "mixed_layout"),
        (["Tanggal", "NIK", "Wajib", "Penarikan"], "missing_columns"),  # withdrawn from?
    ],
)
def test_a_savings_sheet_whose_layout_is_unclear_is_refused(world, people, headings, code):
    row = ["05-01-2026", people["siti"].nik, *(["Wajib"] if "Jenis Simpanan" in headings else [])]
    data = book(headings, [[*row, 20000, 20000][: len(headings)]])
    run = run_import(world, "savings", data)
    assert run.status == RunStatus.REJECTED
    assert run.errors[0]["code"] == code
    if code == "missing_columns":
        assert "Jenis Simpanan" in run.errors[0]["message"]
    assert not SavingsTransaction.objects.filter(cooperative=world.coop_a).exists()


# --- Buku Kas Umum -----------------------------------------------------------------------------

CASH_HEADINGS = ["Tanggal", "No. Bukti", "Uraian", "Kode Akun", "Debet", "Kredit", "Saldo"]


def cash_rows():
    return [
        ["", "", "Saldo awal", "", "", "", "Rp 5.000.000"],  # 6: skipped, the start
        [D(2026, 1, 2), "BKM-001", "Simpanan pokok Siti", "3101", "Rp 100.000", "-", 5100000],
        ["03-01-2026", "BKK-001", "Beli ATK", 5101, "-", "25.000", "5.075.000"],
        None,
        ["03/01/2026", "", "Biaya listrik", "5102", "", 50000, 5000000],  # 10: should be 5.025.000
        ["03/01/2026", "", "Biaya listrik", "5102", "", 50000, 4950000],  # 11: from 5.000.000
        ["4 Januari 2026", "BKM-002", "Jasa pinjaman", "4101", "Rp 30.000,-", "", ""],
    ]


def cash_book(rows):
    return book(
        CASH_HEADINGS,
        rows,
        title="BUKU KAS UMUM",
        subtitle="Bulan Januari 2026",
        footer=["", "", "JUMLAH", "", 130000, 125000, 4980000],
    )


def test_a_messy_cash_book_imports_entries_skips_the_opening_balance_and_checks_saldo(world):
    run = run_import(world, "cashbook", cash_book(cash_rows()))
    assert run.status == RunStatus.APPLIED, run.errors
    assert (run.created, run.updated, run.unchanged, run.rows_invalid) == (5, 0, 0, 0)
    assert run.rows_skipped == 4  # Saldo awal, JUMLAH, the place and date, "Bendahara"
    assert warned(run) == {(10, "G", "balance_mismatch")}
    assert "Rp 5.025.000" in run.warnings[0]["message"]
    assert list(
        CashBookEntry.objects.filter(cooperative=world.coop_a)
        .order_by("import_row")
        .values_list(
            "import_row", "date", "voucher_no", "description", "account", "debit", "credit"
        )
    ) == [
        (7, D(2026, 1, 2), "BKM-001", "Simpanan pokok Siti", "3101", 100000, 0),
        (8, D(2026, 1, 3), "BKK-001", "Beli ATK", "5101", 0, 25000),
        (10, D(2026, 1, 3), "", "Biaya listrik", "5102", 0, 50000),
        (11, D(2026, 1, 3), "", "Biaya listrik", "5102", 0, 50000),
        (12, D(2026, 1, 4), "BKM-002", "Jasa pinjaman", "4101", 30000, 0),
    ]
    assert set(CashBookEntry.objects.values_list("import_run", flat=True)) == {run.pk}


def test_wrong_cash_rows_are_refused_with_their_reason(world):
    rows = [
        ["02-01-2026", "BKM-001", "Setoran", "3101", 100000, 100000, ""],  # 6 both
        ["02-01-2026", "BKM-002", "Kosong", "3101", "-", "", ""],  # 7 neither
        ["02-01-2026", "BKM-003", "Minus", "3101", "-5.000", "", ""],  # 8 negative
        ["02-01-2026", "BKM-004", "Benar", "3101", 5000, "", ""],  # 9 valid
        ["09-01-2026", "BKM-004", "Lagi", "3101", 5000, "", ""],  # 10 same voucher, same year
        ["02-01-2027", "BKM-004", "Tahun depan", "3101", 5000, "", ""],  # 11 next year: fine
        ["2-1-26", "BKM-005", "Tahun pendek", "3101", 5000, "", ""],  # 12 2-digit year
        ["03-01-2026", "BKM-006", "", "3101", 5000, "", ""],  # 13 no description
    ]
    run = run_import(world, "cashbook", cash_book(rows))
    assert run.status == RunStatus.REJECTED
    assert found(run) == {
        (6, "F", "debit_and_credit"),
        (7, "E", "amount_missing"),
        (8, "E", "amount_negative"),
        (10, "B", "voucher_duplicate"),
        (12, "A", "date_short_year"),
        (13, "C", "required"),
    }
    assert "baris 9" in next(e for e in run.errors if e["code"] == "voucher_duplicate")["message"]
    assert not CashBookEntry.objects.exists()

    partial = run_import(world, "cashbook", cash_book(rows), skip_invalid=True)
    assert (partial.status, partial.created) == (RunStatus.APPLIED, 2)
    assert sorted(CashBookEntry.objects.values_list("import_row", "date")) == [
        (9, D(2026, 1, 2)),
        (11, D(2027, 1, 2)),
    ]


def test_a_cash_book_imported_again_changes_nothing_and_an_edit_changes_its_row(world):
    data = cash_book(cash_rows())
    first = run_import(world, "cashbook", data)
    assert first.status == RunStatus.APPLIED, first.errors
    before = snapshot(CashBookEntry.objects.all())

    again = run_import(world, "cashbook", data)
    assert (again.status, again.created, again.updated, again.unchanged) == (
        RunStatus.APPLIED,
        0,
        0,
        5,
    )
    assert snapshot(CashBookEntry.objects.all()) == before

    rows = cash_rows()
    rows[2][5] = "30.000"  # BKK-001 corrected
    rows[2][6] = 5070000
    edited = run_import(world, "cashbook", cash_book(rows))
    assert (edited.created, edited.updated, edited.unchanged) == (0, 1, 4), edited.errors
    assert edited.changes == [{"row": 8, "label": "BKK-001", "fields": [["Kredit", 25000, 30000]]}]
    entry = CashBookEntry.objects.get(voucher_no="BKK-001")
    assert (entry.credit, entry.import_run_id, entry.import_row) == (30000, edited.pk, 8)
    others = snapshot(CashBookEntry.objects.exclude(pk=entry.pk))
    assert set(others) <= set(before)


# --- Daftar Pinjaman ---------------------------------------------------------------------------

LOAN_HEADINGS = [
    "No",
    "No. Pinjaman",
    "NIK",
    "Nama Peminjam",
    "Tgl Cair",
    "Plafon",
    "Jangka Waktu (Bulan)",
    "Bunga (% per bulan)",
    "Angsuran/Bulan",
    "Angsuran Ke",
    "Sisa Pokok",
    "Hari Tunggakan",
    "Kolektibilitas",
]


def loan_rows(people):
    siti, budi = people["siti"].nik, people["budi"].nik
    return [
        [
            1,
            "PJ-001",
            siti,
            "Siti Aminah",
            D(2025, 6, 15),
            "Rp 5.000.000",
            12,
            "1,5",
            "491.667",
            6,
            "2.500.000",
            0,
            "Lancar",
        ],
        None,
        [
            2,
            "",
            budi,
            "Budi",
            "15-09-2025",
            3000000,
            "12",
            1.25,
            275000,
            3,
            "2.250.000",
            "35",
            "DPK",
        ],
    ]


def loan_book(rows, per="Per 31 Desember 2025"):
    return book(
        LOAN_HEADINGS,
        rows,
        title="DAFTAR PINJAMAN ANGGOTA",
        subtitle=per,
        footer=["", "JUMLAH", "", "", "", 8000000, "", "", "", "", 4750000],
    )


def test_a_messy_loan_ledger_imports_each_loan_as_of_the_lists_date(world, people):
    run = run_import(world, "loans", loan_book(loan_rows(people)))
    assert run.status == RunStatus.APPLIED, run.errors
    assert (run.created, run.updated, run.unchanged, run.rows_invalid) == (2, 0, 0, 0)
    loans = list(
        LoanLedgerEntry.objects.filter(cooperative=world.coop_a)
        .order_by("import_row")
        .values(
            "loan_no",
            "member_id",
            "disbursed_on",
            "principal",
            "tenor_months",
            "rate_percent",
            "instalment",
            "instalments_paid",
            "balance",
            "days_overdue",
            "collectibility",
            "as_of",
            "import_run",
            "import_row",
        )
    )
    assert loans == [
        {
            "loan_no": "PJ-001",
            "member_id": people["siti"].pk,
            "disbursed_on": D(2025, 6, 15),
            "principal": 5000000,
            "tenor_months": 12,
            "rate_percent": Decimal("1.500"),
            "instalment": 491667,
            "instalments_paid": 6,
            "balance": 2500000,
            "days_overdue": 0,
            "collectibility": "lancar",
            "as_of": D(2025, 12, 31),
            "import_run": run.pk,
            "import_row": 6,
        },
        {
            "loan_no": "",
            "member_id": people["budi"].pk,
            "disbursed_on": D(2025, 9, 15),
            "principal": 3000000,
            "tenor_months": 12,
            "rate_percent": Decimal("1.250"),
            "instalment": 275000,
            "instalments_paid": 3,
            "balance": 2250000,
            "days_overdue": 35,
            "collectibility": "dpk",
            "as_of": D(2025, 12, 31),
            "import_run": run.pk,
            "import_row": 8,
        },
    ]


def test_wrong_loan_rows_are_refused_with_their_reason(world, people):
    siti, budi = people["siti"].nik, people["budi"].nik
    good = [
        1,
        "PJ-001",
        siti,
        "",
        "15-06-2025",
        5000000,
        12,
        "1,5",
        491667,
        6,
        2500000,
        0,
        "Lancar",
    ]

    def row(**changes):
        values = dict(zip(LOAN_HEADINGS, good, strict=True))
        values.update(changes)
        return list(values.values())

    rows = [
        good,  # 6
        row(**{"No. Pinjaman": "PJ-002", "Bunga (% per bulan)": 18}),  # 7 per year
        row(**{"No. Pinjaman": "PJ-003", "Jangka Waktu (Bulan)": 0}),  # 8 no term
        row(**{"No. Pinjaman": "PJ-004", "Sisa Pokok": 6000000}),  # 9 more than lent
        row(**{"No. Pinjaman": "PJ-005", "Kolektibilitas": "Bagus"}),  # 10 no such class
        row(**{"No. Pinjaman": "PJ-006", "Angsuran Ke": 13}),  # 11 more than the term
        row(**{"Nama Peminjam": "Siti lagi"}),  # 12 PJ-001 again
        row(**{"No. Pinjaman": "PJ-007", "Plafon": 0, "Sisa Pokok": 0}),  # 13 nothing lent
        row(**{"No. Pinjaman": "PJ-008", "NIK": budi, "Hari Tunggakan": -3}),  # 14 negative
        row(**{"No. Pinjaman": "PJ-009", "Kolektibilitas": ""}),  # 15 required
        row(**{"No. Pinjaman": "PJ-010", "Bunga (% per bulan)": 0.015}),  # 16 a % cell
    ]
    run = run_import(world, "loans", loan_book(rows))
    assert run.status == RunStatus.REJECTED
    assert found(run) == {
        (7, "H", "rate_per_year"),
        (8, "G", "tenor_range"),
        (9, "K", "balance_over_principal"),
        (10, "M", "collectibility_invalid"),
        (11, "J", "instalments_over_tenor"),
        (12, "B", "loan_duplicate"),
        (13, "F", "principal_not_positive"),
        (14, "L", "negative"),
        (15, "M", "required"),
        (16, "H", "rate_fraction"),
    }
    per_year = next(e for e in run.errors if e["code"] == "rate_per_year")["message"]
    assert "1,5" in per_year  # 18 a year is 1,5 a month: said, never done silently
    assert "baris 6" in next(e for e in run.errors if e["code"] == "loan_duplicate")["message"]
    assert not LoanLedgerEntry.objects.filter(cooperative=world.coop_a).exists()

    partial = run_import(world, "loans", loan_book(rows), skip_invalid=True)
    assert (partial.status, partial.created) == (RunStatus.APPLIED, 1)
    assert list(
        LoanLedgerEntry.objects.filter(cooperative=world.coop_a).values_list(
            "loan_no", "import_row"
        )
    ) == [("PJ-001", 6)]


def test_a_loan_ledger_imported_again_changes_nothing_and_a_later_one_updates_the_figures(
    world, people
):
    first = run_import(world, "loans", loan_book(loan_rows(people)))
    assert first.status == RunStatus.APPLIED, first.errors
    mine = LoanLedgerEntry.objects.filter(cooperative=world.coop_a)
    before = snapshot(mine)

    again = run_import(world, "loans", loan_book(loan_rows(people), per="Per 15 Januari 2026"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(mine) == before  # not even the date: nothing moved

    rows = loan_rows(people)
    rows[0][9:] = [7, "2.083.333", 12, "DPK"]  # PJ-001 a month on, late
    rows[2][1] = "PJ-002"  # Budi's loan gets its number
    later = run_import(world, "loans", loan_book(rows, per="Per 31 Januari 2026"))
    assert later.status == RunStatus.APPLIED, later.errors
    assert (later.created, later.updated, later.unchanged) == (0, 2, 0)
    assert later.changes == [
        {
            "row": 6,
            "label": "PJ-001",
            "fields": [
                ["Angsuran Ke", 6, 7],
                ["Sisa Pokok", 2500000, 2083333],
                ["Hari Tunggakan", 0, 12],
                ["Kolektibilitas", "Lancar", "DPK"],
            ],
        },
        {"row": 8, "label": "PJ-002", "fields": [["No. Pinjaman", "", "PJ-002"]]},
    ]
    siti_loan = mine.get(loan_no="PJ-001")
    assert (
        siti_loan.instalments_paid,
        siti_loan.balance,
        siti_loan.days_overdue,
        siti_loan.collectibility,
        siti_loan.as_of,
        siti_loan.import_run_id,
    ) == (7, 2083333, 12, "dpk", D(2026, 1, 31), later.pk)
    assert (siti_loan.principal, siti_loan.rate_percent) == (5000000, Decimal("1.500"))
    assert mine.count() == 2
    budi_loan = mine.get(member=people["budi"])
    assert (budi_loan.loan_no, budi_loan.balance, budi_loan.as_of) == (
        "PJ-002",
        2250000,
        D(2026, 1, 31),
    )


def test_a_loan_row_with_another_cooperatives_member_is_refused(world, people):
    rahmat = people["rahmat"]
    theirs = snapshot(LoanLedgerEntry.objects.filter(cooperative=world.coop_b))
    their_member = snapshot(Member.objects.filter(pk=rahmat.pk))
    rows = loan_rows(people)
    # Rahmat's NIK, with a paid-off balance for his loan in coop B.
    rows[2] = [
        2,
        "PJ-009",
        rahmat.nik,
        "Rahmat Hidayat",
        "",
        2000000,
        10,
        2,
        240000,
        10,
        0,
        0,
        "Lancar",
    ]
    run = run_import(world, "loans", loan_book(rows), skip_invalid=True)
    assert run.status == RunStatus.APPLIED
    assert found(run) == {(8, "C", "member_unknown")}
    assert list(
        LoanLedgerEntry.objects.filter(cooperative=world.coop_a).values_list("member", "loan_no")
    ) == [(people["siti"].pk, "PJ-001")]
    assert snapshot(LoanLedgerEntry.objects.filter(cooperative=world.coop_b)) == theirs
    assert snapshot(Member.objects.filter(pk=rahmat.pk)) == their_member
