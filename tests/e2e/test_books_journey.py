"""The books issue end to end on a 360 px phone: the treasurer imports last month's savings book
and cash book (Buku Simpanan, Buku Kas Umum) as she keeps them in Excel, maps the cash book's two
new account names once, sees the trial balance of the month balance, opens the monthly report
already filled in from the books and sends it into its approval workflow.

Everything is dated in the last finished month, the month a report started today is for.

The books, Dr / Cr (the cash book's savings rows are counted through the savings book):
  savings  Kas 390.000 / 3-101 pokok 200.000 + 3-102 wajib 40.000 + 2-101 sukarela 150.000
  cash     Kas 1.250.000 + 980.000 / 4-101 penjualan gerai;  5-902 listrik 175.000 / Kas
  → kas 2.445.000; SHU of the year 2.230.000 − 175.000 = 2.055.000;
    assets 2.445.000 = liabilities 150.000 + equity 200.000 + 40.000 + 2.055.000."""

import datetime
import re

import pytest
from django.utils import timezone

from finance.models import Account, AccountMapping, JournalEntry, SavingsTransaction
from finance.services import account_mapping_confirm, savings_policy_set
from forms.defaults import ensure_core_forms
from forms.enums import SubmissionStatus
from forms.models import Submission
from tests.e2e.conftest import assert_fits_the_phone, sign_in
from tests.factories import PASSWORD, MemberFactory
from tests.imports.books import book_bytes
from tests.workflows.builders import approval_step, workflow
from workflows.enums import Approver
from workflows.models import ApprovalTaskState

pytestmark = pytest.mark.e2e

REPORT = "laporan-keuangan-bulanan"
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
BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
CASH_HEADINGS = ["Tanggal", "No. Bukti", "Uraian", "Akun", "Debet", "Kredit", "Saldo"]


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def kept_book(title: str, month: datetime.date, headings: list, rows: list) -> bytes:
    """A book as villages keep it: title lines, the headings, the rows, a JUMLAH line and the
    treasurer's signature."""

    def build(book) -> None:
        sheet = book.active
        sheet.title = "Buku"
        sheet["A1"] = title
        sheet["A2"] = "KOPERASI DESA MERAH PUTIH BUKIT RAYA"
        sheet["A3"] = f"Bulan {month:%m/%Y}"
        sheet.append([])
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
        sheet.append([])
        sheet.append(["", "", "JUMLAH"])
        end = (month + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
        sheet.append(["", "", f"Bukit Raya, {end.day} {BULAN[end.month - 1]} {end.year}"])
        sheet.append(["", "", "Bendahara"])

    return book_bytes(build)


def savings_book(month: datetime.date, siti, budi) -> bytes:
    day = month.replace
    return kept_book(
        "BUKU SIMPANAN ANGGOTA",
        month,
        SAVINGS_HEADINGS,
        [
            [1, day(day=2), siti.nik, "Siti Aminah", "Pokok", "Rp 100.000", None, "BS-001", ""],
            [2, day(day=2), budi.nik, "Budi Santoso", "Pokok", "100.000", "-", "BS-002", ""],
            [3, day(day=9), siti.nik, "Siti", "Wajib", 20000, "", "BS-003", ""],
            [4, day(day=9), budi.nik, "Budi S.", "SW", 20000, "", "BS-004", ""],
            [5, day(day=14), siti.nik, "Siti Aminah", "Sukarela", "150.000", "", "BS-005", ""],
        ],
    )


def cash_book(month: datetime.date) -> bytes:
    day = month.replace
    return kept_book(
        "BUKU KAS UMUM",
        month,
        CASH_HEADINGS,
        [
            [day(day=2), "BKM-001", "Simpanan pokok Siti", "Simpanan pokok", 100_000, "", ""],
            [day(day=2), "BKM-002", "Simpanan pokok Budi", "Simpanan pokok", 100_000, "", ""],
            [day(day=3), "BKM-003", "Penjualan minggu 1", "Penjualan sembako", 1_250_000, "", ""],
            [day(day=9), "BKM-004", "Simpanan wajib", "Simpanan wajib", 40_000, "", ""],
            [day(day=10), "BKM-005", "Penjualan minggu 2", "Penjualan sembako", "980.000", "", ""],
            [day(day=12), "BKK-001", "Bayar listrik gerai", "Biaya listrik", "", "175.000", ""],
            [day(day=14), "BKM-006", "Tabungan Siti", "Simpanan sukarela", "150.000", "", ""],
        ],
    )


def upload(phone, base: str, coop, kind: str, path) -> None:
    phone.goto(f"{base}/koperasi/{coop.pk}/impor/")
    phone.get_by_label("Isi berkas").select_option(kind)
    phone.get_by_label("Berkas Excel (.xlsx)").set_input_files(str(path))
    phone.get_by_role("button", name="Unggah dan periksa").click()
    phone.wait_for_load_state()
    assert phone.locator("table.problems").count() == 0, phone.locator("main").inner_text()
    phone.get_by_role("button", name="Konfirmasi impor").click()
    phone.get_by_text("Sudah diimpor.").wait_for()


def test_a_month_of_books_imported_mapped_balanced_and_reported(
    world, page_tree, live_server, phone, shot, tmp_path
):
    coop, base, month = world.coop_a, live_server.url, last_month()
    joined = month - datetime.timedelta(days=60)
    siti = MemberFactory(cooperative=coop, name="Siti Aminah", join_date=joined)
    budi = MemberFactory(cooperative=coop, name="Budi Santoso", join_date=joined)
    savings_policy_set(
        cooperative=coop,
        pokok_amount=100_000,
        wajib_amount=20_000,
        wajib_from=joined,
        by=world.alice,
    )
    # The savings names were remembered with an earlier month's book: their rows are counted
    # through the savings book, never posted twice.
    for name, code in (
        ("Simpanan pokok", "3-101"),
        ("Simpanan wajib", "3-102"),
        ("Simpanan sukarela", "2-101"),
    ):
        account_mapping_confirm(
            cooperative=coop, name=name, account=Account.objects.get(code=code), by=world.alice
        )
    report = {page.slug: page for page in ensure_core_forms()}[REPORT]
    report.approval_workflow = workflow(
        "Verifikasi laporan", approval_step("Pengawas", Approver.PENGAWAS)
    )
    report.save(update_fields=["approval_workflow"])

    sign_in(phone, base, "alice", PASSWORD)

    # 1. The savings book: each movement becomes a savings movement and a journal entry.
    path = tmp_path / "buku-simpanan.xlsx"
    path.write_bytes(savings_book(month, siti, budi))
    upload(phone, base, coop, "savings", path)
    assert SavingsTransaction.objects.filter(cooperative=coop).count() == 5
    assert not SavingsTransaction.objects.filter(journal_entry__isnull=True).exists()

    # 2. The cash book: its rows wait for their two new account names.
    path = tmp_path / "buku-kas-umum.xlsx"
    path.write_bytes(cash_book(month))
    upload(phone, base, coop, "cashbook", path)
    waiting = phone.locator("#cashbook-waiting")
    assert waiting.is_visible()
    shot(phone, "80-books-cashbook-imported")
    entries_before = JournalEntry.objects.filter(cooperative=coop).count()
    waiting.get_by_role("link").click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/koperasi/{coop.pk}/buku/kas/")
    cards = phone.locator("li.card")
    assert cards.count() == 2
    assert_fits_the_phone(phone)
    shot(phone, "81-books-cashbook-map-names")
    cards.filter(has_text="Penjualan sembako").locator("select").select_option(
        label="4-101 Penjualan gerai sembako"
    )
    cards.filter(has_text="Biaya listrik").locator("select").select_option(
        label="5-902 Beban listrik, air dan telepon"
    )
    phone.locator("main form[method=post] .actions button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.locator(".error-summary").count() == 0, phone.locator("main").inner_text()
    # The cash book and the savings book agree on the month's savings.
    reconciled = phone.locator("section[aria-labelledby=reconcile-title] tbody tr")
    assert reconciled.count() == 5
    assert reconciled.filter(has=phone.locator("strong")).count() == 0
    assert JournalEntry.objects.filter(cooperative=coop).count() == entries_before + 3
    assert set(
        AccountMapping.objects.filter(cooperative=coop).values_list("name", "account__code")
    ) >= {("Penjualan sembako", "4-101"), ("Biaya listrik", "5-902")}
    shot(phone, "82-books-cashbook-posted")
    assert_fits_the_phone(phone)

    # 3. The trial balance of the month balances.
    phone.goto(
        f"{base}/koperasi/{coop.pk}/buku/laporan/neraca-saldo/?period=month&month={month:%Y-%m}"
    )
    check = phone.locator("#balance-check")
    assert "st-active" in (check.get_attribute("class") or "")
    table = phone.locator("main table").first.inner_text()
    assert "2.445.000" in table  # Kas at the end of the month
    assert "2.230.000" in table  # the store's sales
    assert_fits_the_phone(phone)
    shot(phone, "83-books-trial-balance")

    # 4. The monthly report opens filled in from the books.
    phone.goto(f"{base}/formulir/")
    phone.locator(".card").filter(has_text="Laporan Keuangan Bulanan").get_by_role(
        "link", name="Isi", exact=True
    ).click()
    phone.wait_for_load_state()
    phone.get_by_role("button", name="Mulai isian baru").click()
    phone.wait_for_load_state()
    draft = Submission.objects.get(form_page__slug=REPORT, cooperative=coop)
    assert draft.data["periode"] == f"{month:%Y-%m}"
    assert draft.prefilled["kas"] == 2_445_000
    assert phone.locator(".prefill").is_visible()
    assert_fits_the_phone(phone)
    shot(phone, "84-books-report-prefilled")
    for _step in range(2):
        phone.get_by_role("button", name="Simpan dan lanjut").click()
        phone.wait_for_load_state()
    assert re.search(r"2\.445\.000", phone.locator("input[name=kas]").input_value())
    assert_fits_the_phone(phone)
    shot(phone, "85-books-report-cash-step")
    for _step in range(3):
        phone.get_by_role("button", name="Simpan dan lanjut").click()
        phone.wait_for_load_state()
    phone.get_by_role("button", name="Simpan dan periksa").click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/isian/{draft.pk}/periksa/"), phone.locator("main").inner_text()
    assert_fits_the_phone(phone)
    shot(phone, "86-books-report-review")
    phone.get_by_role("button", name="Kirim formulir").click()
    phone.wait_for_load_state()

    # 5. It went into its workflow with the books' figures, each kept beside what was sent.
    sent = Submission.objects.get(pk=draft.pk)
    assert sent.status == SubmissionStatus.IN_REVIEW
    assert ApprovalTaskState.objects.filter(status="in_progress").count() == 1
    for code, value in {
        "kas": 2_445_000,
        "simpanan_pokok": 200_000,
        "simpanan_wajib": 40_000,
        "simpanan_sukarela": 150_000,
        "shu_tahun_berjalan": 2_055_000,
    }.items():
        assert sent.prefilled[code] == value
        assert sent.data[code] == value
    assert sent.explanations == {}
    shot(phone, "87-books-report-sent")
    assert_fits_the_phone(phone)
