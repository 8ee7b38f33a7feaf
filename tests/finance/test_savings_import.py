"""The savings book (Buku Simpanan) imported from a real .xlsx: its rows become savings movements
and post to the journal in the import's own transaction; the savings rules make wrong rows, and
a wrong row means nothing is imported (unless the wrong rows are skipped)."""

import datetime

import pytest

from finance import chart
from finance.balances import balances_by_code
from finance.models import Account, JournalEntry, SavingsTransaction
from finance.services import JournalError, period_close, savings_policy_set, savings_record
from imports.enums import RunStatus
from imports.models import ImportRun
from imports.services import import_file
from tests.factories import MemberFactory
from tests.imports.books import book_bytes

pytestmark = pytest.mark.django_db

D = datetime.date
HEADINGS = ["Tanggal", "NIK", "Nama", "Jenis Simpanan", "Setoran", "Penarikan", "No. Bukti", "Ket."]
# Columns as Excel shows them: A Tanggal, B NIK, D Jenis, E Setoran, F Penarikan, G No. Bukti.


def savings_book(rows):
    """A Buku Simpanan with a title block and a JUMLAH row, the headings in row 3: the first
    movement is row 4."""

    def build(book):
        sheet = book.active
        sheet.title = "Buku Simpanan"
        sheet["A1"] = "BUKU SIMPANAN ANGGOTA KOPERASI DESA MERAH PUTIH BUKIT RAYA"
        sheet.append([])
        sheet.append(HEADINGS)
        for row in rows:
            sheet.append(row)
            sheet.cell(sheet.max_row, 2).number_format = "@"
        sheet.append(["", "JUMLAH"])

    return book_bytes(build)


def run_import(world, data, **options):
    return import_file(
        cooperative=world.coop_a,
        kind="savings",
        data=data,
        file_name="buku-simpanan.xlsx",
        uploaded_by=world.alice,
        **options,
    )


def found(run):
    return {(problem["row"], problem["column"], problem["code"]) for problem in run.errors}


@pytest.fixture
def siti(world):
    return MemberFactory(cooperative=world.coop_a, name="Siti Aminah", join_date=D(2025, 9, 1))


@pytest.fixture
def budi(world):
    return MemberFactory(cooperative=world.coop_a, name="Budi Santoso", join_date=D(2025, 9, 1))


def january(siti, budi):
    return [
        ["05-01-2026", siti.nik, "Siti Aminah", "Pokok", "Rp 100.000", None, "BS-001", ""],  # 4
        ["05-01-2026", siti.nik, "Siti", "Wajib", 20000, None, "BS-002", ""],  # 5
        ["06-01-2026", budi.nik, "Budi", "SW", "20.000", None, "BS-003", ""],  # 6
        ["10-01-2026", siti.nik, "Siti", "Sukarela", 50000, None, "", "Tabungan"],  # 7
        ["20-01-2026", siti.nik, "Siti", "Sukarela", None, "10.000", "BS-004", "Ambil"],  # 8
    ]


def test_a_clean_book_becomes_movements_each_posted_to_the_journal(world, siti, budi):
    run = run_import(world, savings_book(january(siti, budi)))
    assert run.status == RunStatus.APPLIED, run.errors
    movements = SavingsTransaction.objects.filter(cooperative=world.coop_a).order_by("import_row")
    assert movements.count() == 5
    for movement in movements:
        assert movement.journal_entry is not None
        assert movement.journal_entry.source_key == f"savings:{movement.pk}"
        assert movement.journal_entry.posted_by == world.alice
    # Kas: 100.000 + 20.000 + 20.000 + 50.000 − 10.000 = 180.000
    assert balances_by_code(world.coop_a) == {
        chart.CASH: 180_000,
        chart.PRINCIPAL_SAVINGS: 100_000,
        chart.COMPULSORY_SAVINGS: 40_000,
        chart.VOLUNTARY_SAVINGS: 40_000,
    }
    withdrawal = movements.get(receipt_no="BS-004").journal_entry
    assert sorted(
        (line.account.code, line.debit, line.credit, line.member_id)
        for line in withdrawal.lines.select_related("account")
    ) == sorted([(chart.VOLUNTARY_SAVINGS, 10_000, 0, siti.pk), (chart.CASH, 0, 10_000, None)])


def test_a_pokok_withdrawal_by_an_active_member_is_a_wrong_row_and_nothing_is_applied(
    world, siti, budi
):
    rows = january(siti, budi)
    rows.append(["25-01-2026", siti.nik, "Siti", "Pokok", None, 50000, "BS-005", "Keluar?"])  # 9
    run = run_import(world, savings_book(rows))
    assert run.status == RunStatus.REJECTED
    assert found(run) == {(9, "F", "savings_locked")}
    assert "Siti Aminah" in run.errors[0]["message"]
    assert not SavingsTransaction.objects.filter(cooperative=world.coop_a).exists()
    assert not JournalEntry.objects.filter(cooperative=world.coop_a).exists()

    partial = run_import(world, savings_book(rows), skip_invalid=True)
    assert partial.status == RunStatus.APPLIED
    assert (partial.created, partial.rows_invalid) == (5, 1)
    assert balances_by_code(world.coop_a)[chart.PRINCIPAL_SAVINGS] == 100_000
    assert JournalEntry.objects.filter(cooperative=world.coop_a).count() == 5


def test_a_withdrawal_beyond_the_balance_counts_the_stored_movements_and_the_rows_above(
    world, siti
):
    savings_record(
        cooperative=world.coop_a,
        member=siti,
        savings_type="sukarela",
        date=D(2026, 1, 2),
        deposit=30_000,
        by=world.alice,
    )
    rows = [
        ["05-01-2026", siti.nik, "Siti", "Sukarela", 20000, None, "", ""],  # 4: 50.000
        ["06-01-2026", siti.nik, "Siti", "Sukarela", None, 45000, "", ""],  # 5: 5.000 left
        ["07-01-2026", siti.nik, "Siti", "Sukarela", None, 10000, "", ""],  # 6: too much
        ["08-01-2026", siti.nik, "Siti", "Sukarela", None, 5000, "", ""],  # 7: all that is left
    ]
    run = run_import(world, savings_book(rows))
    assert run.status == RunStatus.REJECTED
    assert found(run) == {(6, "F", "balance_exceeded")}
    assert "Rp 5.000" in run.errors[0]["message"]

    run = run_import(world, savings_book(rows), skip_invalid=True)
    assert run.status == RunStatus.APPLIED
    assert balances_by_code(world.coop_a)[chart.VOLUNTARY_SAVINGS] == 0


def test_rows_in_a_closed_month_in_the_future_or_beyond_the_pokok_are_wrong(world, siti, budi):
    savings_policy_set(
        cooperative=world.coop_a,
        pokok_amount=100_000,
        wajib_amount=20_000,
        wajib_from=D(2026, 1, 1),
        by=world.alice,
    )
    period_close(cooperative=world.coop_a, month=D(2026, 2, 1), by=world.bob)
    from django.utils import timezone

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    rows = [
        ["05-01-2026", siti.nik, "Siti", "Pokok", 60000, None, "", ""],  # 4
        ["05-01-2026", siti.nik, "Siti", "Pokok", 40000, None, "", ""],  # 5: 100.000 in all
        ["06-01-2026", siti.nik, "Siti", "Pokok", 10000, None, "", ""],  # 6: beyond
        ["10-02-2026", budi.nik, "Budi", "Wajib", 20000, None, "", ""],  # 7: closed month
        [tomorrow, budi.nik, "Budi", "Wajib", 20000, None, "", ""],  # 8: future
    ]
    run = run_import(world, savings_book(rows))
    assert run.status == RunStatus.REJECTED
    assert found(run) == {
        (6, "E", "pokok_exceeded"),
        (7, "A", "period_closed"),
        (8, "A", "date_future"),
    }
    assert not SavingsTransaction.objects.exists()


def test_a_row_dated_before_joining_is_only_a_warning(world, siti):
    late = MemberFactory(cooperative=world.coop_a, name="Rina", join_date=D(2026, 3, 1))
    rows = [["05-01-2026", late.nik, "Rina", "Wajib", 20000, None, "", ""]]
    run = run_import(world, savings_book(rows))
    assert run.status == RunStatus.APPLIED, run.errors
    assert [(w["row"], w["column"], w["code"]) for w in run.warnings] == [
        (4, "A", "before_joining")
    ]
    assert SavingsTransaction.objects.get().journal_entry is not None


def test_importing_the_book_again_posts_nothing_twice(world, siti, budi):
    data = savings_book(january(siti, budi))
    run_import(world, data)
    entries = list(JournalEntry.objects.order_by("pk").values_list("pk", flat=True))
    again = run_import(world, data)
    assert again.status == RunStatus.APPLIED
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert list(JournalEntry.objects.order_by("pk").values_list("pk", flat=True)) == entries


def test_a_corrected_amount_reverses_the_old_entry_and_posts_the_new_one(world, siti, budi):
    run_import(world, savings_book(january(siti, budi)))
    corrected = SavingsTransaction.objects.get(receipt_no="BS-002")
    old_entry = corrected.journal_entry
    rows = january(siti, budi)
    rows[1][4] = "25.000"  # BS-002: 20.000 → 25.000
    edited = run_import(world, savings_book(rows))
    assert edited.status == RunStatus.APPLIED, edited.errors
    assert (edited.created, edited.updated, edited.unchanged) == (0, 1, 4)
    corrected.refresh_from_db()
    assert corrected.deposit == 25_000
    reversal = JournalEntry.objects.get(reverses=old_entry)
    assert reversal.date == D(2026, 1, 5)
    assert corrected.journal_entry.source_key == f"savings:{corrected.pk}:2"
    assert corrected.journal_entry.reverses is None
    # 3-102: Siti 25.000 + Budi 20.000; Kas 180.000 + 5.000
    codes = balances_by_code(world.coop_a)
    assert (codes[chart.COMPULSORY_SAVINGS], codes[chart.CASH]) == (45_000, 185_000)
    # The five entries of the first import, the reversal and the new entry.
    assert JournalEntry.objects.filter(cooperative=world.coop_a).count() == 7


def test_a_receipt_of_a_closed_month_can_no_longer_be_corrected(world, siti, budi):
    run_import(world, savings_book(january(siti, budi)))
    period_close(cooperative=world.coop_a, month=D(2026, 1, 1), by=world.bob)
    rows = january(siti, budi)
    rows[1][0] = "05-03-2026"  # BS-002 moved out of January
    run = run_import(world, savings_book(rows))
    assert run.status == RunStatus.REJECTED
    assert found(run) == {(5, "A", "period_closed")}
    assert SavingsTransaction.objects.get(receipt_no="BS-002").date == D(2026, 1, 5)


def test_a_wide_book_posts_each_kind_of_a_row(world, siti):
    def build(book):
        sheet = book.active
        sheet.append(["Tanggal", "NIK", "Nama", "Pokok", "Wajib", "Sukarela", "No. Bukti"])
        sheet.append(["05-01-2026", siti.nik, "Siti", 100000, 20000, 5000, "K-01"])
        sheet.cell(2, 2).number_format = "@"

    run = run_import(world, book_bytes(build))
    assert run.status == RunStatus.APPLIED, run.errors
    assert balances_by_code(world.coop_a) == {
        chart.CASH: 125_000,
        chart.PRINCIPAL_SAVINGS: 100_000,
        chart.COMPULSORY_SAVINGS: 20_000,
        chart.VOLUNTARY_SAVINGS: 5_000,
    }
    assert JournalEntry.objects.filter(cooperative=world.coop_a).count() == 3


def test_a_savings_account_out_of_use_refuses_the_whole_book(world, siti, budi):
    Account.objects.filter(code=chart.COMPULSORY_SAVINGS, cooperative__isnull=True).update(
        is_active=False
    )
    run = run_import(world, savings_book(january(siti, budi)))
    assert run.status == RunStatus.REJECTED
    assert run.errors[0]["code"] == "accounts_unusable"
    assert chart.COMPULSORY_SAVINGS in run.errors[0]["message"]
    assert not SavingsTransaction.objects.exists()


def test_when_the_journal_refuses_at_apply_nothing_of_the_import_stays(
    world, siti, budi, monkeypatch
):
    def refuse(**kwargs):
        raise JournalError("the journal refuses", code="test")

    monkeypatch.setattr("finance.services.savings.journal_post_many", refuse)
    with pytest.raises(JournalError):
        run_import(world, savings_book(january(siti, budi)))
    assert ImportRun.objects.get().status == RunStatus.FAILED
    assert not SavingsTransaction.objects.exists()
    assert not JournalEntry.objects.exists()
