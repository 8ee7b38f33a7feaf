"""The imported cash book into the journal: a real .xlsx Buku Kas Umum through the import, two
new account names mapped once, then remembered; the refusals (an unknown name, a closed month,
Kas itself) post nothing; rows for savings are counted through the savings book only."""

import datetime
import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from finance import chart
from finance.balances import balances_by_code
from finance.cashbook import cashbook_pending, cashbook_reconciliation, suggest_account
from finance.enums import CashBookStatus, EntrySource
from finance.models import Account, AccountMapping, CashBookEntry, JournalEntry, JournalLine
from finance.selectors import chart_accounts
from finance.services import (
    ClosedPeriodError,
    Line,
    UnknownAccountNamesError,
    account_mapping_confirm,
    cashbook_map_and_post,
    cashbook_post,
    journal_post,
    period_close,
)
from imports.enums import RunStatus
from imports.services import import_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADINGS = ["Tanggal", "No. Bukti", "Uraian", "Akun", "Debet", "Kredit", "Saldo"]


def months_ago(count: int) -> datetime.date:
    """The first day of the month `count` months before this one (ended, so closable)."""
    day = timezone.localdate().replace(day=1)
    for _ in range(count):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


FIRST = months_ago(2)
SECOND = months_ago(1)


def day(month: datetime.date, number: int) -> datetime.date:
    return month.replace(day=number)


def cash_book(rows: list[list[Any]], *, month: datetime.date = FIRST) -> bytes:
    """A Buku Kas Umum as a treasurer keeps it: a title, the month, the headings, the opening
    balance row, the rows, a JUMLAH row and the signature."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "BKU"
    sheet["A1"] = "BUKU KAS UMUM"
    sheet["A2"] = "KOPERASI DESA MERAH PUTIH BUKIT RAYA"
    sheet["A3"] = f"Bulan {month:%m/%Y}"
    sheet.append([])
    sheet.append(HEADINGS)
    sheet.append(["", "", "Saldo awal", "", "", "", 2_000_000])
    for row in rows:
        sheet.append(row)
    sheet.append(["", "", "JUMLAH", "", "", "", ""])
    sheet.append([])
    sheet.append(["", "", "Bendahara"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def first_month_rows() -> list[list[Any]]:
    return [
        [
            day(FIRST, 1),
            "BKM-001",
            "Penjualan sembako minggu 1",
            "Penjualan Toko",
            1_500_000,
            "",
            "",
        ],
        [day(FIRST, 2), "BKK-001", "Bayar listrik kantor", "Listrik", "", "250.000", ""],
        [
            day(FIRST, 3),
            "BKM-002",
            "Penjualan sembako minggu 2",
            "penjualan  toko.",
            500_000,
            "",
            "",
        ],
        [
            day(FIRST, 5),
            "BKM-003",
            "Setoran simpanan wajib Siti",
            "Simpanan Wajib",
            100_000,
            "",
            "",
        ],
    ]


def run_import(world: Any, data: bytes, **options: Any) -> Any:
    run = import_file(
        cooperative=world.coop_a,
        kind="cashbook",
        data=data,
        file_name="bku.xlsx",
        uploaded_by=world.alice,
        **options,
    )
    assert run.status == RunStatus.APPLIED, run.errors
    return run


def account(code: str) -> Account:
    return Account.objects.get(cooperative__isnull=True, code=code)


def remember(world: Any, name: str, code: str) -> None:
    account_mapping_confirm(
        cooperative=world.coop_a, name=name, account=account(code), by=world.alice
    )


def line_totals(cooperative: Any) -> tuple[int, int]:
    totals = JournalLine.objects.filter(cooperative=cooperative).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    return int(totals["debit"] or 0), int(totals["credit"] or 0)


def statuses(cooperative: Any) -> dict[str, str]:
    return dict(
        CashBookEntry.objects.filter(cooperative=cooperative).values_list(
            "voucher_no", "book_status"
        )
    )


@pytest.fixture
def wajib_known(world: Any) -> None:
    """Simpanan wajib was mapped on an earlier book: only two names are new."""
    remember(world, "Simpanan Wajib", chart.COMPULSORY_SAVINGS)


def test_a_book_with_two_new_names_imports_posts_nothing_and_lists_them(world, wajib_known):
    run = run_import(world, cash_book(first_month_rows()))

    assert run.created == 4
    assert not JournalEntry.objects.filter(cooperative=world.coop_a).exists()
    assert set(statuses(world.coop_a).values()) == {CashBookStatus.PENDING}
    book = cashbook_pending(world.coop_a, import_run=run)
    assert [(n.name, n.rows, n.received, n.paid) for n in book.unknown] == [
        ("Listrik", 1, 0, 250_000),
        ("Penjualan Toko", 2, 2_000_000, 0),
    ]
    assert [n.suggestion.code for n in book.unknown] == ["5-902", "4-101"]
    assert [(n.name, n.account.code, n.subledger) for n in book.known] == [
        ("Simpanan Wajib", chart.COMPULSORY_SAVINGS, True)
    ]
    assert (book.rows, book.received, book.paid, book.unknown_count) == (4, 2_100_000, 250_000, 2)


def test_mapping_the_names_posts_the_book_balanced_and_the_next_month_posts_by_itself(
    world, wajib_known
):
    run = run_import(world, cash_book(first_month_rows()))

    result = cashbook_map_and_post(
        cooperative=world.coop_a,
        mappings={"Penjualan Toko": account("4-101"), "Listrik": account("5-902")},
        by=world.alice,
    )

    assert (len(result.posted), len(result.subledger), len(result.loan_repayments)) == (3, 1, 0)
    assert statuses(world.coop_a) == {
        "BKM-001": CashBookStatus.POSTED,
        "BKK-001": CashBookStatus.POSTED,
        "BKM-002": CashBookStatus.POSTED,
        "BKM-003": CashBookStatus.SUBLEDGER,
    }
    # Kas 1.500.000 + 500.000 − 250.000; sales 2.000.000; electricity 250.000; the wajib
    # deposit is the savings book's to post.
    assert balances_by_code(world.coop_a) == {
        chart.CASH: 1_750_000,
        "4-101": 2_000_000,
        "5-902": 250_000,
    }
    assert line_totals(world.coop_a) == (2_250_000, 2_250_000)
    sale = CashBookEntry.objects.get(voucher_no="BKM-001")
    entry = sale.journal_entry
    assert (entry.source, entry.source_key, entry.date) == (
        EntrySource.CASH_BOOK,
        f"cashbook:{sale.pk}",
        day(FIRST, 1),
    )
    assert sorted(entry.lines.values_list("account__code", "debit", "credit", "member")) == [
        (chart.CASH, 1_500_000, 0, None),
        ("4-101", 0, 1_500_000, None),
    ]
    bill = CashBookEntry.objects.get(voucher_no="BKK-001").journal_entry
    assert sorted(bill.lines.values_list("account__code", "debit", "credit")) == [
        (chart.CASH, 0, 250_000),
        ("5-902", 250_000, 0),
    ]
    assert set(AccountMapping.objects.values_list("key", "account__code")) == {
        ("simpanan wajib", chart.COMPULSORY_SAVINGS),
        ("penjualan toko", "4-101"),
        ("listrik", "5-902"),
    }
    assert cashbook_pending(world.coop_a, import_run=run).rows == 0

    following = run_import(
        world,
        cash_book(
            [
                [day(SECOND, 4), "BKM-010", "Penjualan sembako", "PENJUALAN TOKO", 700_000, "", ""],
                [day(SECOND, 6), "BKK-010", "Listrik bulan ini", "Listrik", "", 300_000, ""],
            ],
            month=SECOND,
        ),
    )

    assert following.created == 2
    assert statuses(world.coop_a)["BKM-010"] == CashBookStatus.POSTED
    assert statuses(world.coop_a)["BKK-010"] == CashBookStatus.POSTED
    assert balances_by_code(world.coop_a)[chart.CASH] == 1_750_000 + 700_000 - 300_000
    assert line_totals(world.coop_a) == (3_250_000, 3_250_000)


def test_an_unknown_name_refuses_the_whole_posting_with_the_names(world):
    remember(world, "Penjualan Toko", "4-101")
    rows = [
        [day(FIRST, 1), "BKM-001", "Penjualan", "Penjualan Toko", 100_000, "", ""],
        [day(FIRST, 2), "BKK-001", "Sewa tenda hajatan", "Sewa Tenda", "", 75_000, ""],
        [day(FIRST, 3), "BKK-002", "Sewa tenda lagi", "sewa tenda", "", 25_000, ""],
        [day(FIRST, 4), "BKK-003", "Biaya tanpa akun", "", "", 10_000, ""],
    ]
    run_import(world, cash_book(rows))
    assert not JournalEntry.objects.exists()

    with pytest.raises(UnknownAccountNamesError) as refused:
        cashbook_post(cooperative=world.coop_a, by=world.alice)

    assert refused.value.code == "unknown_account_names"
    assert refused.value.names == {"": 1, "Sewa Tenda": 2}
    message = refused.value.messages[0]
    assert "“Sewa Tenda” (2" in message and "(1 " in message
    # The known row waits too: all together or none.
    assert not JournalEntry.objects.exists()
    assert set(statuses(world.coop_a).values()) == {CashBookStatus.PENDING}


def test_rows_for_savings_accounts_are_counted_through_the_savings_book_not_posted(world):
    remember(world, "Simpanan wajib", chart.COMPULSORY_SAVINGS)
    remember(world, "Tabungan sukarela", chart.VOLUNTARY_SAVINGS)
    remember(world, "Simpanan pokok", chart.PRINCIPAL_SAVINGS)
    rows = [
        [day(FIRST, 1), "BKM-001", "Wajib Siti", "Simpanan wajib", 100_000, "", ""],
        [day(FIRST, 2), "BKM-002", "Setoran sukarela Budi", "Tabungan sukarela", 250_000, "", ""],
        [day(FIRST, 3), "BKK-001", "Penarikan sukarela Budi", "Tabungan sukarela", "", 50_000, ""],
        [day(FIRST, 4), "BKM-003", "Pokok Rina", "Simpanan pokok", 100_000, "", ""],
    ]
    run = run_import(world, cash_book(rows))

    assert set(statuses(world.coop_a).values()) == {CashBookStatus.SUBLEDGER}
    assert not JournalEntry.objects.exists()
    assert cashbook_pending(world.coop_a, import_run=run).rows == 0
    # The savings book posts its own movements; the page compares the two books per account.
    journal_post(
        cooperative=world.coop_a,
        date=day(FIRST, 2),
        description="Setoran sukarela Budi (buku simpanan)",
        lines=[
            Line(account=chart.CASH, debit=250_000),
            Line(account=chart.VOLUNTARY_SAVINGS, credit=250_000),
        ],
        source=EntrySource.SAVINGS,
    )
    journal_post(
        cooperative=world.coop_a,
        date=day(FIRST, 1),
        description="Wajib Siti (buku simpanan)",
        lines=[
            Line(account=chart.CASH, debit=100_000),
            Line(account=chart.COMPULSORY_SAVINGS, credit=100_000),
        ],
        source=EntrySource.SAVINGS,
    )
    figures = {
        line.control: (line.cash_book, line.books, line.difference)
        for line in cashbook_reconciliation(world.coop_a, month=FIRST)
    }
    assert figures == {
        "savings_pokok": (100_000, 0, 100_000),  # written in the cash book only
        "savings_wajib": (100_000, 100_000, 0),
        "savings_sukarela": (200_000, 250_000, -50_000),  # the withdrawal is missing
        "member_loans": (0, 0, 0),
        "bank_loans": (0, 0, 0),
    }
    assert cashbook_reconciliation(world.coop_a, month=SECOND)[1].cash_book == 0


def test_a_row_in_a_closed_month_posts_nothing_and_forgets_the_new_names(world, wajib_known):
    run_import(world, cash_book(first_month_rows()))
    period_close(cooperative=world.coop_a, month=FIRST, by=world.bob)

    with pytest.raises(ClosedPeriodError) as refused:
        cashbook_map_and_post(
            cooperative=world.coop_a,
            mappings={"Penjualan Toko": account("4-101"), "Listrik": account("5-902")},
            by=world.alice,
        )

    assert refused.value.code == "period_closed"
    assert not JournalEntry.objects.exists()
    assert set(statuses(world.coop_a).values()) == {CashBookStatus.PENDING}
    assert list(AccountMapping.objects.values_list("key", flat=True)) == ["simpanan wajib"]


def test_an_import_into_a_closed_month_still_imports_and_waits(world):
    remember(world, "Penjualan Toko", "4-101")
    period_close(cooperative=world.coop_a, month=FIRST, by=world.bob)
    run = run_import(
        world,
        cash_book([[day(FIRST, 1), "BKM-001", "Penjualan", "Penjualan Toko", 90_000, "", ""]]),
    )
    assert run.created == 1
    assert statuses(world.coop_a) == {"BKM-001": CashBookStatus.PENDING}
    assert not JournalEntry.objects.exists()
    book = cashbook_pending(world.coop_a)
    assert (book.in_closed_months, book.future_rows, book.unknown_count) == ([FIRST], 0, 0)


def test_kas_itself_is_refused_as_a_mapping(world):
    run_import(world, cash_book([[day(FIRST, 1), "BKM-001", "Setor", "Kas Kecil", 50_000, "", ""]]))
    with pytest.raises(ValidationError) as refused:
        cashbook_map_and_post(
            cooperative=world.coop_a, mappings={"Kas Kecil": account(chart.CASH)}, by=world.alice
        )
    assert refused.value.code == "cash_account_mapping"
    assert not AccountMapping.objects.exists()
    assert not JournalEntry.objects.exists()


def test_a_corrected_posted_row_is_reversed_and_posted_again_as_it_reads_now(world):
    remember(world, "Listrik", "5-902")
    rows = [[day(FIRST, 2), "BKK-001", "Bayar listrik", "Listrik", "", 250_000, ""]]
    run_import(world, cash_book(rows))
    first = CashBookEntry.objects.get(voucher_no="BKK-001").journal_entry
    assert first is not None

    rows[0][5] = 275_000
    again = run_import(world, cash_book(rows))

    assert again.updated == 1
    row = CashBookEntry.objects.get(voucher_no="BKK-001")
    assert row.book_status == CashBookStatus.POSTED
    assert row.journal_entry != first
    assert row.journal_entry.source_key == f"cashbook:{row.pk}:2"
    assert JournalEntry.objects.filter(reverses=first, date=first.date).exists()
    assert balances_by_code(world.coop_a) == {chart.CASH: -275_000, "5-902": 275_000}


def test_entries_of_one_other_cooperative_are_not_posted(world):
    remember(world, "Listrik", "5-902")
    run_import(world, cash_book([[day(FIRST, 2), "BKK-001", "Listrik", "Listrik", "", 5_000, ""]]))
    other = CashBookEntry.objects.create(
        cooperative=world.coop_b,
        date=day(FIRST, 2),
        description="Listrik",
        account="Listrik",
        credit=5_000,
    )
    result = cashbook_post(cooperative=world.coop_a, entries=[other], by=world.alice)
    assert result.rows == 0
    other.refresh_from_db()
    assert other.book_status == CashBookStatus.PENDING


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Simpanan Wajib", "3-102"),
        ("Penerimaan simpanan wajib", "3-102"),
        ("Penjualan", "4-101"),
        ("Hasil jual beras", "4-101"),
        ("Bayar Listrik", "5-902"),
        ("Gaji pengurus", "5-901"),
        ("Honor pengawas", "5-901"),
        ("Setor ke bank", "1-102"),
        ("Bunga bank", "5-906"),
        ("Angsuran pinjaman", "1-110"),
        ("Jasa pinjaman", "4-201"),
        ("Penjualan apotek desa", "4-401"),
    ],
)
def test_suggestions_are_a_small_table_of_words(world, name, code):
    accounts = list(chart_accounts(world.coop_a))
    assert suggest_account(name, accounts).code == code


def test_no_suggestion_for_a_name_without_a_known_word(world):
    accounts = list(chart_accounts(world.coop_a))
    assert suggest_account("Sewa tenda", accounts) is None
    assert suggest_account("Kas", accounts) is None
