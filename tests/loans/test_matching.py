"""Repayments matched from the imported books (loans.matching and its portal page).

The books are real .xlsx files written with openpyxl and imported through `import_file`, as
a treasurer's Buku Kas Umum and Daftar Pinjaman come in. The loans are the micro-loan of
tests/loans/conftest.py (Rp 6.000.000 over 12 months, 1,5 % a month flat: each instalment
Rp 90.000 interest + Rp 500.000 principal), paid out 60 days ago.

Who is who in Bukit Raya (coop A): Siti Aminah and Budi Santoso have one loan each; two members
are called Rina Wati, each with a loan; Agus Salim has two loans; Joko has none; a member called
just “Siti” has none either. Merabu – Panaan (coop C) has its own Siti Aminah with a loan.
"""

import datetime
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone, translation

from finance.models import CashBookEntry
from forms.services import submission_save_step, submission_start, submission_submit
from imports.enums import RunStatus
from imports.services import import_file
from loans.matching import (
    Candidate,
    Pick,
    Source,
    Verdict,
    repayment_candidates,
    repayments_match_confirm,
)
from loans.models import Instalment, Loan, LoanLedgerEntry, Repayment
from loans.services import (
    loan_create_from_application,
    loan_payout_confirm,
    loan_payout_record,
    repayment_reverse,
)
from tests.factories import MemberFactory
from tests.imports.books import book_bytes
from tests.workflows.builders import loan_form

pytestmark = pytest.mark.django_db

D = datetime.timedelta
INSTALMENT = 590_000  # 90.000 interest + 500.000 principal
CASH_HEADINGS = ["Tanggal", "No. Bukti", "Uraian", "Kode Akun", "Debet", "Kredit"]
LEDGER_HEADINGS = [
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
_keys = itertools.count(1)


def today() -> datetime.date:
    return timezone.localdate()


def sheet(title: str, subtitle: str, headings: list[str], rows: list[list[Any]]) -> bytes:
    """A book as villages keep it: a title block, a blank row, the table, a JUMLAH row and a
    signature."""

    def build(book: Any) -> None:
        page = book.active
        page["A1"] = title
        page["A2"] = "KOPERASI DESA MERAH PUTIH BUKIT RAYA"
        page["A3"] = subtitle
        page.append([])
        page.append(headings)
        for row in rows:
            page.append(row)
        page.append(["", "", "JUMLAH"])
        page.append([])
        page.append(["", "", "Bendahara"])

    return book_bytes(build)


def cash_book(rows: list[list[Any]]) -> bytes:
    return sheet("BUKU KAS UMUM", "Tahun 2026", CASH_HEADINGS, rows)


def ledger(rows: list[list[Any]], as_of: datetime.date) -> bytes:
    return sheet("DAFTAR PINJAMAN ANGGOTA", f"Per {as_of:%d-%m-%Y}", LEDGER_HEADINGS, rows)


def ledger_row(member, *, balance: int, principal: int = 6_000_000, paid: int = 2) -> list[Any]:
    return [
        1,
        "",
        member.nik,
        member.name,
        today() - D(days=60),
        principal,
        12,
        "1,5",
        INSTALMENT,
        paid,
        balance,
        0,
        "Lancar",
    ]


def imported(cooperative, kind: str, data: bytes, uploader, name: str = ""):
    run = import_file(
        cooperative=cooperative,
        kind=kind,
        data=data,
        file_name=name or f"{kind}.xlsx",
        uploaded_by=uploader,
    )
    assert run.status == RunStatus.APPLIED, run.errors
    return run


def application(form, cooperative, author, member, amount: int):
    draft = submission_start(
        form_page=form,
        cooperative=cooperative,
        author=author,
        idempotency_key=f"matching-{next(_keys)}",
    )
    submission_save_step(
        submission=draft,
        by=author,
        step=0,
        answers={
            "anggota": member.pk,
            "produk": "modal_usaha",
            "jumlah": amount,
            "tenor_bulan": 12,
        },
    )
    return submission_submit(submission=draft, by=author)


@dataclass
class Scene:
    world: Any
    siti: Any
    budi: Any
    rinas: list[Any]
    agus: Any
    joko: Any
    siti_c: Any
    loans: dict[str, Loan]


@pytest.fixture
def scene(world, micro) -> Scene:
    form = loan_form(None)
    a, c = world.coop_a, world.coop_c
    siti = MemberFactory(cooperative=a, name="Siti Aminah")
    MemberFactory(cooperative=a, name="Siti")
    budi = MemberFactory(cooperative=a, name="Budi Santoso")
    rinas = [MemberFactory(cooperative=a, name="Rina Wati") for _ in range(2)]
    agus = MemberFactory(cooperative=a, name="Agus Salim")
    joko = MemberFactory(cooperative=a, name="Joko Susilo")
    siti_c = MemberFactory(cooperative=c, name="Siti Aminah")

    def active(member, author, key):
        submission = application(form, member.cooperative, author, member, 6_000_000)
        loan = loan_create_from_application(
            application=submission,
            member=member,
            product_code="mikro",
            principal=6_000_000,
            tenor_months=12,
            approved_by=world.henry,
        )
        # Approved three months ago, so that the payout may be dated 60 days back.
        Loan.objects.filter(pk=loan.pk).update(approved_at=timezone.now() - D(days=90))
        loan_payout_record(loan=loan, by=world.henry, disbursed_on=today() - D(days=60))
        loans[key] = loan_payout_confirm(loan=loan, by=world.bob)

    loans: dict[str, Loan] = {}
    active(siti, world.alice, "siti")
    active(budi, world.alice, "budi")
    active(rinas[0], world.alice, "rina0")
    active(rinas[1], world.alice, "rina1")
    active(agus, world.alice, "agus0")
    active(agus, world.alice, "agus1")
    active(siti_c, world.carol, "siti_c")
    return Scene(world, siti, budi, rinas, agus, joko, siti_c, loans)


def cash_rows(scene: Scene) -> list[list[Any]]:
    nik = scene.budi.nik
    return [
        [
            today() - D(days=30),
            "BKM-101",
            "Angsuran pinjaman Siti Aminah",
            "1103",
            "Rp 590.000",
            "",
        ],
        [
            today() - D(days=29),
            "BKM-102",
            f"Cicilan NIK {nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}",
            "1103",
            300000,
            "",
        ],
        [today() - D(days=28), "BKM-103", "Angsuran RINA  wati", "1103", 590000, ""],
        [today() - D(days=27), "BKM-104", "Angs. pinjaman Agus Salim", "1103", 590000, ""],
        [today() - D(days=26), "BKM-105", "Simpanan wajib Siti Aminah", "3102", 50000, ""],
        [today() - D(days=25), "BKK-101", "Pencairan pinjaman Joko Susilo", "1103", "", 1000000],
        [today() - D(days=24), "BKM-106", "Angsuran pinjaman", "1103", 590000, ""],
        [today() - D(days=90), "BKM-107", "Angsuran Siti Aminah", "1103", 590000, ""],
        [today() + D(days=5), "BKM-108", "Angsuran Budi Santoso", "1103", 590000, ""],
        [today() - D(days=23), "BKM-109", "Pelunasan pinjaman Joko Susilo", "1103", 590000, ""],
    ]


def by_voucher(candidates: list[Candidate]) -> dict[str, Candidate]:
    vouchers = dict(
        CashBookEntry.objects.filter(
            pk__in=[c.row_id for c in candidates if c.source == Source.CASH_BOOK]
        ).values_list("pk", "voucher_no")
    )
    return {vouchers[c.row_id]: c for c in candidates if c.source == Source.CASH_BOOK}


def pick(candidate: Candidate, *, loan: Loan | None = None, amount: int | None = None) -> Pick:
    chosen = loan or candidate.loan
    assert chosen is not None
    return Pick(
        source=candidate.source,
        row_id=candidate.row_id,
        loan_id=chosen.pk,
        amount=candidate.amount if amount is None else amount,
    )


@pytest.fixture
def cash(scene):
    """Coop A's cash book, imported; the candidates it gives, by voucher number."""
    run = imported(scene.world.coop_a, "cashbook", cash_book(cash_rows(scene)), scene.world.alice)
    with translation.override("en"):
        found = by_voucher(repayment_candidates(cooperative=scene.world.coop_a))
    return run, found


# --- Proposals ------------------------------------------------------------------------------


def test_cash_rows_naming_one_borrower_are_proposed_with_file_row_and_reason(scene, cash):
    run, found = cash
    siti = found["BKM-101"]
    assert (siti.verdict, siti.loan, siti.amount) == (
        Verdict.MATCHED,
        scene.loans["siti"],
        INSTALMENT,
    )
    assert (siti.file_name, siti.excel_row, siti.import_run_id) == ("cashbook.xlsx", 6, run.pk)
    assert siti.date == today() - D(days=30)
    assert "“angsuran”" in siti.reason and "names Siti Aminah" in siti.reason
    assert siti.checked_by_default
    # By NIK, written in groups of four; no name needed.
    budi = found["BKM-102"]
    assert (budi.verdict, budi.loan, budi.amount) == (Verdict.MATCHED, scene.loans["budi"], 300_000)
    assert "gives the NIK of Budi Santoso" in budi.reason


def test_a_name_that_fits_several_members_or_a_member_with_several_loans_is_not_picked(scene, cash):
    _run, found = cash
    rina = found["BKM-103"]  # case and spacing do not matter
    assert rina.verdict == Verdict.CHOOSE and rina.loan is None
    assert {c.loan for c in rina.choices} == {scene.loans["rina0"], scene.loans["rina1"]}
    assert "fits 2 members" in rina.reason
    agus = found["BKM-104"]
    assert agus.verdict == Verdict.CHOOSE and not agus.checked_by_default
    assert {c.loan for c in agus.choices} == {scene.loans["agus0"], scene.loans["agus1"]}
    assert "2 active loans" in agus.reason


def test_rows_that_cannot_be_matched_are_listed_with_their_reason(scene, cash):
    _run, found = cash
    reasons = {
        voucher: candidate.reason
        for voucher, candidate in found.items()
        if candidate.verdict == Verdict.CANNOT
    }
    assert set(reasons) == {"BKM-106", "BKM-107", "BKM-108", "BKM-109"}, reasons
    assert "no member's NIK or full name" in reasons["BKM-106"]
    assert "before the loan was paid out" in reasons["BKM-107"]
    assert "in the future" in reasons["BKM-108"]
    assert reasons["BKM-109"] == "Joko Susilo has no active loan."
    # Savings and money paid out are other entries of the book, not listed at all.
    assert "BKM-105" not in found and "BKK-101" not in found
    # The proposals come first.
    candidates = repayment_candidates(cooperative=scene.world.coop_a)
    verdicts = [c.verdict == Verdict.CANNOT for c in candidates]
    assert verdicts == sorted(verdicts)


def test_a_longer_name_is_not_also_the_shorter_one_inside_it(scene, cash):
    # A member is called just "Siti"; "Siti Aminah" in the text is Siti Aminah alone.
    _run, found = cash
    siti = found["BKM-101"]
    assert siti.verdict == Verdict.MATCHED, siti.reason
    assert [c.loan.member for c in siti.choices] == [scene.siti]


# --- Recording ------------------------------------------------------------------------------


def test_confirming_records_with_provenance_and_splits_penalty_interest_principal(scene, cash):
    run, found = cash
    world = scene.world
    Instalment.objects.filter(loan=scene.loans["siti"], number=1).update(penalty=10_000)
    result = repayments_match_confirm(
        cooperative=world.coop_a,
        by=world.alice,
        picks=[pick(found["BKM-101"]), pick(found["BKM-102"])],
    )
    assert result.ok, result.errors
    siti, budi = sorted(result.recorded, key=lambda r: r.paid_on)
    entry = CashBookEntry.objects.get(voucher_no="BKM-101")
    assert (siti.cash_book_entry, siti.import_run, siti.import_row) == (entry, run, 6)
    assert (siti.loan, siti.paid_on, siti.recorded_by) == (
        scene.loans["siti"],
        entry.date,
        world.alice,
    )
    assert (siti.amount, siti.penalty, siti.interest, siti.principal) == (
        INSTALMENT,
        10_000,
        90_000,
        490_000,
    )
    assert "cashbook.xlsx" in siti.note
    assert (budi.interest, budi.principal, budi.import_row) == (90_000, 210_000, 7)
    # Recorded rows are no longer proposed.
    left = by_voucher(repayment_candidates(cooperative=world.coop_a))
    assert "BKM-101" not in left and "BKM-102" not in left and "BKM-103" in left


def test_the_treasurer_chooses_the_loan_and_may_lower_the_amount(scene, cash):
    _run, found = cash
    rina = found["BKM-103"]
    result = repayments_match_confirm(
        cooperative=scene.world.coop_a,
        by=scene.world.alice,
        picks=[pick(rina, loan=scene.loans["rina1"], amount=400_000)],
    )
    assert result.ok, result.errors
    (repayment,) = result.recorded
    assert (repayment.loan, repayment.amount) == (scene.loans["rina1"], 400_000)
    assert not scene.loans["rina0"].repayments.exists()


def test_one_failing_pick_records_nothing_and_says_why_for_that_row(scene, cash):
    world = scene.world
    big = imported(
        world.coop_a,
        "cashbook",
        cash_book([[today() - D(days=1), "BKM-201", "Pelunasan Budi Santoso", "", 8_000_000, ""]]),
        world.alice,
        "lunas.xlsx",
    )
    with translation.override("en"):
        (payoff,) = repayment_candidates(cooperative=world.coop_a, import_run=big)
    owed = 12 * INSTALMENT
    assert payoff.verdict == Verdict.MATCHED and not payoff.checked_by_default
    assert "more than the Rp 7.080.000 still owed" in payoff.warning
    _run, found = cash
    with translation.override("en"):
        result = repayments_match_confirm(
            cooperative=world.coop_a,
            by=world.alice,
            picks=[pick(found["BKM-101"]), pick(payoff)],
        )
    assert not result.ok and not result.recorded
    assert list(result.errors) == [payoff.key]
    assert "Rp 7.080.000 still owed" in result.errors[payoff.key][0]
    assert not Repayment.objects.exists()
    assert sum(i.owed for i in scene.loans["siti"].instalments.all()) == owed
    # More than the row says, or a loan the row is not about, is refused too.
    with translation.override("en"):
        result = repayments_match_confirm(
            cooperative=world.coop_a,
            by=world.alice,
            picks=[
                pick(found["BKM-101"], amount=INSTALMENT + 1),
                pick(found["BKM-102"], loan=scene.loans["siti"]),
            ],
        )
    assert result.errors == {
        found["BKM-101"].key: ["At most Rp 590.000: the amount in the book."],
        found["BKM-102"].key: ["Choose one of the loans proposed for this row."],
    }
    assert not Repayment.objects.exists()


def test_confirming_the_same_rows_twice_records_them_once(scene, cash):
    _run, found = cash
    picks = [pick(found["BKM-101"]), pick(found["BKM-102"])]
    first = repayments_match_confirm(
        cooperative=scene.world.coop_a, by=scene.world.bob, picks=picks
    )
    assert first.ok and len(first.recorded) == 2
    with translation.override("en"):
        again = repayments_match_confirm(
            cooperative=scene.world.coop_a, by=scene.world.bob, picks=picks
        )
    assert not again.recorded
    assert {tuple(messages) for messages in again.errors.values()} == {
        ("This row was already recorded as a payment.",)
    }
    assert Repayment.objects.count() == 2
    twice = repayments_match_confirm(
        cooperative=scene.world.coop_a,
        by=scene.world.bob,
        picks=[pick(found["BKM-104"], loan=scene.loans["agus0"])] * 2,
    )
    assert not twice.ok and Repayment.objects.count() == 2


def test_a_reversed_repayment_frees_its_row(scene, cash):
    _run, found = cash
    world = scene.world
    (repayment,) = repayments_match_confirm(
        cooperative=world.coop_a, by=world.alice, picks=[pick(found["BKM-101"])]
    ).recorded
    assert "BKM-101" not in by_voucher(repayment_candidates(cooperative=world.coop_a))
    repayment_reverse(repayment=repayment, by=world.bob, note="Salah anggota")
    again = by_voucher(repayment_candidates(cooperative=world.coop_a))["BKM-101"]
    assert again.verdict == Verdict.MATCHED
    result = repayments_match_confirm(cooperative=world.coop_a, by=world.alice, picks=[pick(again)])
    assert result.ok and result.recorded[0].cash_book_entry_id == repayment.cash_book_entry_id


def test_only_users_who_handle_loans_may_confirm(scene, cash):
    _run, found = cash
    with pytest.raises(PermissionDenied):
        repayments_match_confirm(
            cooperative=scene.world.coop_a, by=scene.world.dave, picks=[pick(found["BKM-101"])]
        )
    assert not Repayment.objects.exists()


# --- The loan ledger ------------------------------------------------------------------------


def test_a_ledger_owing_less_than_our_books_proposes_the_payment_that_brings_them_level(scene):
    world = scene.world
    as_of = today() - D(days=1)
    run = imported(
        world.coop_a,
        "loans",
        ledger(
            [
                ledger_row(scene.siti, balance=5_000_000),  # two instalments paid
                ledger_row(scene.joko, balance=1_000_000),  # no loan here
                ledger_row(scene.budi, balance=4_000_000, principal=5_000_000),  # another loan
                ledger_row(scene.rinas[0], balance=6_000_000, paid=0),  # agrees with us
            ],
            as_of,
        ),
        world.alice,
        "daftar-pinjaman.xlsx",
    )
    with translation.override("en"):
        candidates = repayment_candidates(cooperative=world.coop_a, import_run=run)
    by_member = {LoanLedgerEntry.objects.get(pk=c.row_id).member: c for c in candidates}
    assert set(by_member) == {scene.siti, scene.joko, scene.budi}
    siti = by_member[scene.siti]
    assert (siti.source, siti.verdict, siti.loan) == (
        Source.LEDGER,
        Verdict.MATCHED,
        scene.loans["siti"],
    )
    # Rp 1.000.000 of principal paid: two instalments, with their interest.
    assert (siti.amount, siti.date, siti.excel_row) == (2 * INSTALMENT, as_of, 6)
    assert "Rp 5.000.000" in siti.reason and "Rp 6.000.000" in siti.reason
    assert by_member[scene.joko].reason == "Joko Susilo has no active loan here."
    assert "is not Budi Santoso's loan here" in by_member[scene.budi].reason

    result = repayments_match_confirm(cooperative=world.coop_a, by=world.alice, picks=[pick(siti)])
    (repayment,) = result.recorded
    entry = LoanLedgerEntry.objects.get(member=scene.siti)
    assert (repayment.ledger_entry, repayment.import_run, repayment.import_row) == (entry, run, 6)
    assert (repayment.interest, repayment.principal, repayment.paid_on) == (
        180_000,
        1_000_000,
        as_of,
    )
    left = sum(i.principal - i.paid_principal for i in scene.loans["siti"].instalments.all())
    assert left == 5_000_000
    ledger_rows = [
        c.row_id
        for c in repayment_candidates(cooperative=world.coop_a)
        if c.source == Source.LEDGER
    ]
    assert entry.pk not in ledger_rows

    # Next month's ledger updates the row: the payment made since is proposed.
    later = imported(
        world.coop_a,
        "loans",
        ledger([ledger_row(scene.siti, balance=4_500_000, paid=3)], today()),
        world.alice,
        "daftar-pinjaman-2.xlsx",
    )
    (next_one,) = repayment_candidates(cooperative=world.coop_a, import_run=later)
    assert (next_one.row_id, next_one.amount, next_one.import_run_id) == (
        entry.pk,
        INSTALMENT,
        later.pk,
    )


def test_a_ledger_and_a_cash_row_for_the_same_payment_are_not_both_recorded(scene, cash):
    world = scene.world
    imported(
        world.coop_a,
        "loans",
        ledger([ledger_row(scene.siti, balance=5_500_000, paid=1)], today()),
        world.alice,
    )
    with translation.override("en"):
        candidates = repayment_candidates(cooperative=world.coop_a)
    cash_row = by_voucher(candidates)["BKM-101"]
    (from_ledger,) = [c for c in candidates if c.source == Source.LEDGER]
    assert from_ledger.amount == INSTALMENT
    assert "already contains them" in from_ledger.warning and not from_ledger.checked_by_default
    with translation.override("en"):
        result = repayments_match_confirm(
            cooperative=world.coop_a, by=world.alice, picks=[pick(cash_row), pick(from_ledger)]
        )
    assert result.errors == {
        from_ledger.key: [
            "The loan ledger and the loan's payments agree now: there is nothing to record."
        ]
    }
    assert not Repayment.objects.exists()


def test_a_ledger_owing_more_than_our_books_cannot_be_matched(scene, cash):
    world = scene.world
    _run, found = cash
    imported(
        world.coop_a,
        "loans",
        ledger([ledger_row(scene.siti, balance=6_000_000, paid=0)], today()),
        world.alice,
    )
    repayments_match_confirm(
        cooperative=world.coop_a, by=world.alice, picks=[pick(found["BKM-101"])]
    )
    with translation.override("en"):
        (row,) = [
            c for c in repayment_candidates(cooperative=world.coop_a) if c.source == Source.LEDGER
        ]
    assert row.verdict == Verdict.CANNOT
    assert "more than the Rp 5.500.000 our books say" in row.reason


# --- Tenants --------------------------------------------------------------------------------


def test_another_cooperatives_rows_and_loans_are_never_proposed(scene, cash):
    world = scene.world
    _run, found = cash
    other = imported(
        world.coop_c,
        "cashbook",
        cash_book([[today() - D(days=3), "BKM-101", "Angsuran Siti Aminah", "", 590000, ""]]),
        world.carol,
    )
    other_row = CashBookEntry.objects.get(cooperative=world.coop_c)
    own = repayment_candidates(cooperative=world.coop_a)
    assert other_row.pk not in {c.row_id for c in own if c.source == Source.CASH_BOOK}
    assert {c.loan.cooperative_id for candidate in own for c in candidate.choices} == {
        world.coop_a.pk
    }
    (theirs,) = repayment_candidates(cooperative=world.coop_c)
    assert (theirs.row_id, theirs.loan, theirs.import_run_id) == (
        other_row.pk,
        scene.loans["siti_c"],
        other.pk,
    )
    # Naming the other cooperative's row or loan in a pick records nothing.
    with translation.override("en"):
        result = repayments_match_confirm(
            cooperative=world.coop_a,
            by=world.alice,
            picks=[pick(theirs), pick(found["BKM-101"], loan=scene.loans["siti_c"])],
        )
    assert result.errors == {
        theirs.key: ["This row is not in the cooperative's books."],
        found["BKM-101"].key: ["Choose one of the loans proposed for this row."],
    }
    assert not Repayment.objects.exists()


def test_the_list_may_be_limited_to_one_import(scene, cash):
    run, _found = cash
    world = scene.world
    second = imported(
        world.coop_a,
        "cashbook",
        cash_book([[today() - D(days=2), "BKM-301", "Angsuran Budi Santoso", "", 590000, ""]]),
        world.alice,
        "februari.xlsx",
    )
    assert [
        c.file_name for c in repayment_candidates(cooperative=world.coop_a, import_run=second)
    ] == ["februari.xlsx"]
    assert {
        c.import_run_id for c in repayment_candidates(cooperative=world.coop_a, import_run=run)
    } == {run.pk}


# --- The portal page ------------------------------------------------------------------------


def page_url(scene: Scene, cooperative=None, **query: Any) -> str:
    url = reverse("loan_repayment_matching", args=[(cooperative or scene.world.coop_a).pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def form_data(candidates: list[Candidate], **ticks: dict[str, Any]) -> dict[str, Any]:
    """The page's POST: every shown row, and the fields of the ticked ones."""
    data: dict[str, Any] = {"row": [c.key for c in candidates if c.verdict != Verdict.CANNOT]}
    for key, fields in ticks.items():
        data.update({f"{key}-{name}": value for name, value in fields.items()})
    return data


def test_the_page_answers_who_may_handle_the_loans(client, scene, cash):
    world = scene.world
    for user, status in [
        (world.alice, 200),
        (world.henry, 200),
        (world.dave, 403),  # sees the cooperative, does not handle its loans
        (world.carol, 404),  # another cooperative's operator
        (world.ivan, 404),
    ]:
        client.force_login(user)
        assert client.get(page_url(scene)).status_code == status, user
    client.logout()
    assert client.get(page_url(scene)).status_code == 302


def test_the_page_lists_proposals_ticked_by_default_and_the_rows_that_cannot_be_matched(
    client, scene, cash
):
    _run, found = cash
    client.force_login(scene.world.alice)
    response = client.get(page_url(scene))
    assert response.status_code == 200
    page = response.content.decode()
    siti, rina = found["BKM-101"], found["BKM-103"]
    assert f'name="{siti.key}-take" id="id_{siti.key}-take" checked' in page
    assert f'name="{rina.key}-take" id="id_{rina.key}-take">' in page  # not ticked
    assert f'<select name="{rina.key}-loan"' in page
    assert "Pencairan pinjaman" not in page and "Simpanan wajib" not in page
    assert "Joko Susilo" in page  # the row that cannot be matched, with its reason
    assert "<script" not in page and "style=" not in page


def test_posting_the_ticked_rows_records_them_and_says_how_many(client, scene, cash):
    _run, found = cash
    world = scene.world
    candidates = repayment_candidates(cooperative=world.coop_a)
    siti, rina = found["BKM-101"], found["BKM-103"]
    data = form_data(
        candidates,
        **{
            siti.key: {"take": "on", "loan": scene.loans["siti"].pk, "amount": "590.000"},
            rina.key: {"take": "on", "loan": scene.loans["rina0"].pk, "amount": "Rp 500.000"},
        },
    )
    client.force_login(world.alice)
    response = client.post(page_url(scene), data, follow=True)
    assert response.redirect_chain == [(page_url(scene), 302)]
    assert "2 pembayaran dicatat." in response.content.decode()
    assert set(Repayment.objects.values_list("loan", "amount", "recorded_by")) == {
        (scene.loans["siti"].pk, 590_000, world.alice.pk),
        (scene.loans["rina0"].pk, 500_000, world.alice.pk),
    }
    # A second click on the same page records nothing more.
    again = client.post(page_url(scene), data, follow=True)
    assert again.status_code == 200 and Repayment.objects.count() == 2


def test_a_refused_post_records_nothing_and_shows_why_beside_the_row(client, scene, cash):
    _run, found = cash
    world = scene.world
    candidates = repayment_candidates(cooperative=world.coop_a)
    siti, agus = found["BKM-101"], found["BKM-104"]

    def post(agus_loan: Any) -> Any:
        ticks = {
            siti.key: {"take": "on", "loan": scene.loans["siti"].pk, "amount": "590000"},
            agus.key: {"take": "on", "loan": agus_loan, "amount": "590.000"},
        }
        return client.post(page_url(scene), form_data(candidates, **ticks))

    client.force_login(world.alice)
    # The loan of a row that fits several must be chosen.
    with translation.override("en"):
        response = post("")
    assert response.status_code == 400
    assert "Pilih pinjaman untuk pembayaran ini." in response.content.decode()
    assert not Repayment.objects.exists()
    # Siti's loan has Rp 500.000 left: the service refuses the overpayment, in the user's
    # language (Indonesian here), and Agus's payment is not recorded either.
    Instalment.objects.filter(loan=scene.loans["siti"]).update(
        paid_interest=90_000, paid_principal=500_000
    )
    Instalment.objects.filter(loan=scene.loans["siti"], number=12).update(paid_principal=0)
    response = post(scene.loans["agus1"].pk)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Rp 590.000 lebih dari sisa kewajiban Rp 500.000" in page
    assert not Repayment.objects.exists()


def test_the_page_may_show_one_import_and_refuses_anothers(client, scene, cash):
    run, _found = cash
    world = scene.world
    other = imported(
        world.coop_c,
        "cashbook",
        cash_book([[today() - D(days=3), "BKM-1", "Angsuran Siti Aminah", "", 590000, ""]]),
        world.carol,
    )
    client.force_login(world.alice)
    assert client.get(page_url(scene, impor=run.pk)).status_code == 200
    assert client.get(page_url(scene, impor=other.pk)).status_code == 404
    assert client.get(page_url(scene, impor="x")).status_code == 404
    detail = client.get(reverse("import_run_detail", args=[run.pk])).content.decode()
    assert f"{page_url(scene)}?impor={run.pk}" in detail


# --- Two confirmations at once (PostgreSQL) ---------------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite ignores select_for_update"
)


ROUNDS = 10


@on_postgresql
@pytest.mark.usefixtures("page_tree")
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_the_same_row_at_once_record_it_once(scene):
    """Two treasurers (or a double click) confirm the same cash-book row together, round after
    round: each row is recorded once, and the other confirmation says so."""
    world = scene.world
    imported(
        world.coop_a,
        "cashbook",
        cash_book(
            [
                [today() - D(days=20), f"BKM-5{n:02d}", "Angsuran Siti Aminah", "", 10_000, ""]
                for n in range(ROUNDS)
            ]
        ),
        world.alice,
    )
    candidates = repayment_candidates(cooperative=world.coop_a)
    assert len(candidates) == ROUNDS
    for candidate in candidates:
        outcomes = race(
            *(
                partial(
                    repayments_match_confirm,
                    cooperative=world.coop_a,
                    by=user,
                    picks=[pick(candidate)],
                )
                for user in (world.alice, world.bob)
            )
        )
        assert sorted(outcome.ok for outcome in outcomes) == [False, True]
        assert Repayment.objects.filter(cash_book_entry_id=candidate.row_id).count() == 1
    assert Repayment.objects.count() == ROUNDS


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread (its own database connection), all released at once."""
    barrier = threading.Barrier(len(calls), timeout=30)
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
