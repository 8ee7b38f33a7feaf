"""Members' savings through finance.services.savings and the reads of finance.savings.

Every movement writes a savings-book row and posts its entry (Dr Kas / Cr the savings account,
or back for a withdrawal, the member on the savings line); every refusal writes neither. The
balances, the passbook and the wajib arrears below are computed by hand in the comments.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cooperatives.enums import MemberStatus
from finance import chart
from finance.balances import balances_by_code
from finance.enums import EntrySource, SavingsSource
from finance.models import JournalEntry, JournalLine, SavingsPolicy, SavingsTransaction
from finance.savings import member_savings, passbook, savings_totals, wajib_arrears, wajib_billing
from finance.services import (
    ClosedPeriodError,
    period_close,
    savings_policy_set,
    savings_post_imported,
    savings_record,
)
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def record(world, member, savings_type, date, *, deposit=0, withdrawal=0, **fields):
    return savings_record(
        cooperative=world.coop_a,
        member=member,
        savings_type=savings_type,
        date=date,
        deposit=deposit,
        withdrawal=withdrawal,
        by=world.alice,
        **fields,
    )


def lines_of(entry):
    return sorted(
        (line.account.code, line.debit, line.credit, line.member_id)
        for line in entry.lines.select_related("account")
    )


def books_state():
    """Everything a refused movement must leave as it was."""
    return (
        sorted(SavingsTransaction.objects.values_list("pk", "deposit", "withdrawal")),
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
    )


@pytest.fixture
def siti(world):
    return MemberFactory(cooperative=world.coop_a, name="Siti Aminah", join_date=D(2025, 9, 1))


@pytest.fixture
def policy(world):
    return savings_policy_set(
        cooperative=world.coop_a,
        pokok_amount=100_000,
        wajib_amount=20_000,
        wajib_from=D(2026, 1, 17),
        by=world.alice,
    )


# --- Posting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("savings_type", "account"),
    [
        ("pokok", chart.PRINCIPAL_SAVINGS),
        ("wajib", chart.COMPULSORY_SAVINGS),
        ("sukarela", chart.VOLUNTARY_SAVINGS),
    ],
)
def test_a_deposit_posts_kas_against_its_savings_account_naming_the_member(
    world, siti, savings_type, account
):
    movement = record(world, siti, savings_type, D(2026, 1, 10), deposit=20_000, receipt_no="BS-1")
    entry = movement.journal_entry
    assert entry is not None
    assert (entry.source, entry.source_key, entry.date) == (
        EntrySource.SAVINGS,
        f"savings:{movement.pk}",
        D(2026, 1, 10),
    )
    assert lines_of(entry) == sorted([(chart.CASH, 20_000, 0, None), (account, 0, 20_000, siti.pk)])
    assert (movement.source, movement.recorded_by, movement.receipt_no) == (
        SavingsSource.PORTAL,
        world.alice,
        "BS-1",
    )
    assert "Siti Aminah" in entry.description and "BS-1" in entry.description


def test_a_withdrawal_of_sukarela_posts_the_other_way_round(world, siti):
    record(world, siti, "sukarela", D(2026, 3, 1), deposit=150_000)
    movement = record(world, siti, "sukarela", D(2026, 3, 20), withdrawal=40_000)
    assert lines_of(movement.journal_entry) == sorted(
        [(chart.VOLUNTARY_SAVINGS, 40_000, 0, siti.pk), (chart.CASH, 0, 40_000, None)]
    )


def test_balances_from_the_book_and_from_the_journal_agree_with_the_hand_computed_ones(world, siti):
    record(world, siti, "pokok", D(2026, 1, 5), deposit=100_000)
    record(world, siti, "wajib", D(2026, 1, 10), deposit=20_000)
    record(world, siti, "wajib", D(2026, 2, 10), deposit=20_000)
    record(world, siti, "sukarela", D(2026, 3, 1), deposit=150_000)
    record(world, siti, "sukarela", D(2026, 3, 20), withdrawal=40_000)
    record(world, siti, "wajib", D(2026, 4, 10), deposit=20_000)
    # pokok 100.000; wajib 3 × 20.000 = 60.000; sukarela 150.000 − 40.000 = 110.000
    assert member_savings(siti) == {"pokok": 100_000, "wajib": 60_000, "sukarela": 110_000}
    # On 1 March: wajib of January and February, the sukarela deposit of that day.
    assert member_savings(siti, as_of=D(2026, 3, 1)) == {
        "pokok": 100_000,
        "wajib": 40_000,
        "sukarela": 150_000,
    }
    assert savings_totals(world.coop_a) == {"pokok": 100_000, "wajib": 60_000, "sukarela": 110_000}
    # Kas: 100.000 + 60.000 + 150.000 − 40.000 = 270.000
    assert balances_by_code(world.coop_a) == {
        chart.CASH: 270_000,
        chart.PRINCIPAL_SAVINGS: 100_000,
        chart.COMPULSORY_SAVINGS: 60_000,
        chart.VOLUNTARY_SAVINGS: 110_000,
    }
    for entry in JournalEntry.objects.filter(cooperative=world.coop_a):
        debit = sum(line.debit for line in entry.lines.all())
        assert debit == sum(line.credit for line in entry.lines.all()) > 0


def test_the_passbook_runs_a_balance_per_kind_from_the_opening_of_the_period(world, siti):
    record(world, siti, "pokok", D(2026, 1, 5), deposit=100_000, receipt_no="P-1")
    record(world, siti, "wajib", D(2026, 1, 10), deposit=20_000)
    record(world, siti, "wajib", D(2026, 2, 10), deposit=20_000, description="Februari")
    record(world, siti, "sukarela", D(2026, 3, 1), deposit=150_000)
    record(world, siti, "sukarela", D(2026, 3, 20), withdrawal=40_000)
    record(world, siti, "wajib", D(2026, 4, 10), deposit=20_000)

    book = passbook(siti, start=D(2026, 2, 1), end=D(2026, 3, 31))
    assert book.opening == {"pokok": 100_000, "wajib": 20_000, "sukarela": 0}
    assert [
        (row.date, row.savings_type, row.deposit, row.withdrawal, row.balance, row.total)
        for row in book.rows
    ] == [
        (D(2026, 2, 10), "wajib", 20_000, 0, 40_000, 140_000),
        (D(2026, 3, 1), "sukarela", 150_000, 0, 150_000, 290_000),
        (D(2026, 3, 20), "sukarela", 0, 40_000, 110_000, 250_000),
    ]
    assert book.rows[0].description == "Februari"
    assert (book.deposits, book.withdrawals, book.opening_total, book.closing_total) == (
        170_000,
        40_000,
        120_000,
        250_000,
    )
    everything = passbook(siti)
    assert len(everything.rows) == 6 and everything.opening_total == 0
    assert everything.rows[0].receipt_no == "P-1"
    assert everything.closing == {"pokok": 100_000, "wajib": 60_000, "sukarela": 110_000}


def test_reads_are_single_aggregate_queries(world, siti, policy, django_assert_num_queries):
    for number in range(5):
        member = MemberFactory(cooperative=world.coop_a, join_date=D(2025, 12, 1))
        record(world, member, "wajib", D(2026, 2, 1), deposit=20_000 * (number + 1))
    with django_assert_num_queries(1):
        member_savings(siti)
    with django_assert_num_queries(1):
        savings_totals(world.coop_a)
    with django_assert_num_queries(2):  # the policy, the members with their deposits
        wajib_arrears(world.coop_a, as_of=D(2026, 3, 31))
    with django_assert_num_queries(2):  # the opening balances, the movements
        passbook(siti, start=D(2026, 2, 1))


# --- The rules: each refusal writes nothing -----------------------------------------------------


def refused(world, member, savings_type, date, code, **amounts):
    before = books_state()
    with pytest.raises(ValidationError) as caught:
        record(world, member, savings_type, date, **amounts)
    assert caught.value.code == code, caught.value.messages
    assert books_state() == before
    return caught.value


@pytest.mark.parametrize(
    "amounts",
    [
        {"deposit": 20_000, "withdrawal": 5_000},
        {},
        {"deposit": -20_000},
        {"deposit": True},
        {"deposit": 20_000.0},
    ],
)
def test_a_movement_is_one_deposit_or_one_withdrawal_of_whole_rupiah(world, siti, amounts):
    refused(world, siti, "wajib", D(2026, 1, 10), "amount_invalid", **amounts)


@pytest.mark.parametrize("savings_type", ["pokok", "wajib"])
def test_an_active_member_cannot_withdraw_pokok_or_wajib(world, siti, savings_type):
    record(world, siti, savings_type, D(2026, 1, 5), deposit=100_000)
    error = refused(world, siti, savings_type, D(2026, 2, 1), "savings_locked", withdrawal=50_000)
    assert "Siti Aminah" in error.messages[0]
    assert member_savings(siti)[savings_type] == 100_000


def test_after_leaving_pokok_and_wajib_are_paid_back_up_to_the_balance(world, siti):
    record(world, siti, "pokok", D(2026, 1, 5), deposit=100_000)
    record(world, siti, "wajib", D(2026, 1, 5), deposit=20_000)
    siti.status = MemberStatus.RESIGNED
    siti.save(update_fields=["status"])
    refused(world, siti, "pokok", D(2026, 6, 1), "balance_exceeded", withdrawal=100_001)
    payback = record(world, siti, "pokok", D(2026, 6, 1), withdrawal=100_000)
    record(world, siti, "wajib", D(2026, 6, 1), withdrawal=20_000)
    assert lines_of(payback.journal_entry) == sorted(
        [(chart.PRINCIPAL_SAVINGS, 100_000, 0, siti.pk), (chart.CASH, 0, 100_000, None)]
    )
    assert member_savings(siti) == {"pokok": 0, "wajib": 0, "sukarela": 0}


def test_nothing_is_withdrawn_beyond_the_balance(world, siti):
    refused(world, siti, "sukarela", D(2026, 3, 1), "balance_exceeded", withdrawal=1)
    record(world, siti, "sukarela", D(2026, 3, 1), deposit=50_000)
    refused(world, siti, "sukarela", D(2026, 3, 2), "balance_exceeded", withdrawal=50_001)
    # Dated before the deposit, the balance that day is nothing.
    refused(world, siti, "sukarela", D(2026, 2, 28), "balance_exceeded", withdrawal=10_000)
    record(world, siti, "sukarela", D(2026, 3, 2), withdrawal=50_000)
    assert member_savings(siti)["sukarela"] == 0


def test_a_withdrawal_dated_back_may_not_take_a_later_balance_below_zero(world, siti):
    record(world, siti, "sukarela", D(2026, 3, 1), deposit=100_000)
    record(world, siti, "sukarela", D(2026, 3, 20), withdrawal=80_000)
    # On 10 March 100.000 were there, but after 20 March only 20.000 are left.
    refused(world, siti, "sukarela", D(2026, 3, 10), "balance_exceeded", withdrawal=50_000)
    record(world, siti, "sukarela", D(2026, 3, 10), withdrawal=20_000)
    balances = [row.balance for row in passbook(siti).rows]
    assert balances == [100_000, 80_000, 0] and min(balances) == 0


def test_pokok_is_paid_once_up_to_the_policy_amount(world, siti, policy):
    record(world, siti, "pokok", D(2026, 1, 5), deposit=60_000)
    error = refused(world, siti, "pokok", D(2026, 2, 5), "pokok_exceeded", deposit=50_000)
    assert "Rp 40.000" in error.messages[0]  # what is left to pay
    record(world, siti, "pokok", D(2026, 2, 5), deposit=40_000)
    refused(world, siti, "pokok", D(2026, 3, 5), "pokok_exceeded", deposit=1)
    assert member_savings(siti)["pokok"] == 100_000


def test_without_a_policy_a_second_pokok_deposit_is_refused(world, siti):
    assert not SavingsPolicy.objects.exists()
    record(world, siti, "pokok", D(2026, 1, 5), deposit=150_000)
    refused(world, siti, "pokok", D(2026, 2, 5), "pokok_paid", deposit=1_000)


def test_dates_in_the_future_or_before_joining_are_refused(world, siti):
    from django.utils import timezone

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused(world, siti, "wajib", tomorrow, "date_future", deposit=20_000)
    refused(world, siti, "wajib", D(2025, 8, 31), "before_joining", deposit=20_000)
    record(world, siti, "wajib", D(2025, 9, 1), deposit=20_000)


def test_a_closed_month_refuses_with_the_journal_error(world, siti):
    period_close(cooperative=world.coop_a, month=D(2026, 2, 1), by=world.bob)
    before = books_state()
    with pytest.raises(ClosedPeriodError) as caught:
        record(world, siti, "wajib", D(2026, 2, 10), deposit=20_000)
    assert caught.value.code == "period_closed"
    assert books_state() == before
    record(world, siti, "wajib", D(2026, 3, 1), deposit=20_000)


def test_a_member_of_another_cooperative_is_refused(world):
    stranger = MemberFactory(cooperative=world.coop_c)
    refused(world, stranger, "sukarela", D(2026, 1, 10), "foreign_member", deposit=20_000)


def test_a_receipt_number_is_recorded_once_per_kind(world, siti):
    record(world, siti, "wajib", D(2026, 1, 10), deposit=20_000, receipt_no="BS-7")
    refused(
        world, siti, "wajib", D(2026, 2, 10), "receipt_duplicate", deposit=20_000, receipt_no="BS-7"
    )
    record(world, siti, "sukarela", D(2026, 1, 10), deposit=5_000, receipt_no="BS-7")


def test_an_unknown_kind_and_overlong_texts_are_refused(world, siti):
    refused(world, siti, "bunga", D(2026, 1, 10), "savings_type_invalid", deposit=1)
    with pytest.raises(ValidationError) as caught:
        record(world, siti, "wajib", D(2026, 1, 10), deposit=1, receipt_no="X" * 41)
    assert caught.value.code == "too_long"


# --- The policy and simpanan wajib arrears ------------------------------------------------------


def test_the_policy_is_set_once_per_cooperative_from_the_first_of_its_month(world, policy):
    assert (policy.pokok_amount, policy.wajib_amount, policy.wajib_from) == (
        100_000,
        20_000,
        D(2026, 1, 1),
    )
    again = savings_policy_set(
        cooperative=world.coop_a,
        pokok_amount=150_000,
        wajib_amount=25_000,
        wajib_from=D(2026, 7, 31),
        by=world.alice,
    )
    assert again.pk == policy.pk and SavingsPolicy.objects.count() == 1
    assert (again.pokok_amount, again.wajib_amount, again.wajib_from) == (
        150_000,
        25_000,
        D(2026, 7, 1),
    )
    with pytest.raises(ValidationError):
        savings_policy_set(
            cooperative=world.coop_a,
            pokok_amount=-1,
            wajib_amount=25_000,
            wajib_from=D(2026, 7, 1),
            by=world.alice,
        )
    assert SavingsPolicy.objects.get().pokok_amount == 150_000


def test_wajib_arrears_count_the_months_from_the_later_of_policy_and_joining(world, policy):
    """Wajib 20.000 a month from January 2026; counted on 15 June 2026 (January to June).

    Siti   joined 1 Sep 2025 → 6 months, 120.000 due; paid 60.000 (+ 20.000 on 20 June, after
           the day) → owes 60.000, 3 months
    Budi   joined 15 Mar 2026 → March to June, 4 months, 80.000 due; paid nothing → 80.000, 4
    Ani    joined 1 Oct 2025 → 6 months, paid 120.000 → owes nothing
    Dewi   joined 1 Jan 2026 → 6 months, paid 130.000 ahead → owes nothing (never negative)
    Eko    joined 1 Apr 2026 → 3 months, 60.000 due; paid 50.000 → 10.000, one month partly
    Rudi   resigned → not billed; Wati joined 1 July 2026 → not billed yet
    """
    coop = world.coop_a
    people = {
        name: MemberFactory(cooperative=coop, name=name, join_date=joined)
        for name, joined in (
            ("Siti", D(2025, 9, 1)),
            ("Budi", D(2026, 3, 15)),
            ("Ani", D(2025, 10, 1)),
            ("Dewi", D(2026, 1, 1)),
            ("Eko", D(2026, 4, 1)),
            ("Rudi", D(2025, 9, 1)),
            ("Wati", D(2026, 7, 1)),
        )
    }
    people["Rudi"].status = MemberStatus.RESIGNED
    people["Rudi"].save(update_fields=["status"])
    paid = {
        "Siti": [(D(2026, 1, 10), 20_000), (D(2026, 2, 10), 40_000), (D(2026, 6, 20), 20_000)],
        "Ani": [(D(2026, 1, 10), 120_000)],
        "Dewi": [(D(2026, 1, 10), 130_000)],
        "Eko": [(D(2026, 4, 10), 50_000)],
    }
    for name, deposits in paid.items():
        for date, amount in deposits:
            record(world, people[name], "wajib", date, deposit=amount)
    record(world, people["Budi"], "sukarela", D(2026, 4, 1), deposit=500_000)  # not wajib

    owed = wajib_arrears(coop, as_of=D(2026, 6, 15))
    assert [
        (bill.name, bill.months, bill.due, bill.paid, bill.arrears, bill.months_behind)
        for bill in owed
    ] == [
        ("Budi", 4, 80_000, 0, 80_000, 4),
        ("Eko", 3, 60_000, 50_000, 10_000, 1),
        ("Siti", 6, 120_000, 60_000, 60_000, 3),
    ]
    billed = {bill.name: bill for bill in wajib_billing(coop, as_of=D(2026, 6, 15))}
    assert set(billed) == {"Siti", "Budi", "Ani", "Dewi", "Eko"}
    assert (billed["Dewi"].due, billed["Dewi"].paid, billed["Dewi"].arrears) == (
        120_000,
        130_000,
        0,
    )
    # A month on: Siti's June deposit counts, July is billed too (7 × 20.000 = 140.000).
    later = {bill.name: bill for bill in wajib_arrears(coop, as_of=D(2026, 7, 31))}
    assert (later["Siti"].due, later["Siti"].paid, later["Siti"].arrears) == (
        140_000,
        80_000,
        60_000,
    )
    assert (later["Wati"].months, later["Wati"].arrears) == (1, 20_000)


def test_without_a_policy_nobody_is_billed(world, siti):
    assert wajib_arrears(world.coop_a, as_of=D(2026, 6, 30)) == []


# --- Posting imported movements -----------------------------------------------------------------


def legacy(world, member, date, savings_type="wajib", deposit=0, withdrawal=0):
    """A movement as an import before the books left it: not in the journal."""
    return SavingsTransaction.objects.create(
        cooperative=world.coop_a,
        member=member,
        date=date,
        savings_type=savings_type,
        deposit=deposit,
        withdrawal=withdrawal,
    )


def test_movements_outside_the_journal_post_once(world, siti):
    first = legacy(world, siti, D(2026, 1, 10), deposit=20_000)
    second = legacy(world, siti, D(2026, 2, 10), "sukarela", deposit=70_000)
    mine = SavingsTransaction.objects.filter(cooperative=world.coop_a)
    posting = savings_post_imported(transactions=mine, by=world.alice)
    assert posting.count == 2 and not posting.reposted
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.journal_entry.source_key == f"savings:{first.pk}"
    assert balances_by_code(world.coop_a)[chart.CASH] == 90_000

    entries = JournalEntry.objects.count()
    assert savings_post_imported(transactions=mine, by=world.alice).count == 0
    assert JournalEntry.objects.count() == entries


def test_a_corrected_movement_is_reversed_and_posted_again(world, siti):
    movement = legacy(world, siti, D(2026, 1, 10), deposit=20_000)
    savings_post_imported(transactions=[movement], by=world.alice)
    movement.refresh_from_db()
    old_entry = movement.journal_entry
    SavingsTransaction.objects.filter(pk=movement.pk).update(deposit=25_000)

    posting = savings_post_imported(transactions=[movement], by=world.alice)
    assert [m.pk for m in posting.reposted] == [movement.pk]
    movement.refresh_from_db()
    reversal = JournalEntry.objects.get(reverses=old_entry)
    assert reversal.date == old_entry.date
    assert movement.journal_entry.source_key == f"savings:{movement.pk}:2"
    assert lines_of(movement.journal_entry) == sorted(
        [(chart.CASH, 25_000, 0, None), (chart.COMPULSORY_SAVINGS, 0, 25_000, siti.pk)]
    )
    assert balances_by_code(world.coop_a) == {chart.CASH: 25_000, chart.COMPULSORY_SAVINGS: 25_000}
    # Once more: nothing left to do.
    assert savings_post_imported(transactions=[movement], by=world.alice).count == 0


def test_imported_movements_post_all_together_or_none(world, siti):
    period_close(cooperative=world.coop_a, month=D(2026, 2, 1), by=world.bob)
    open_month = legacy(world, siti, D(2026, 1, 10), deposit=20_000)
    closed_month = legacy(world, siti, D(2026, 2, 10), deposit=20_000)
    with pytest.raises(ClosedPeriodError):
        savings_post_imported(transactions=[open_month, closed_month], by=world.alice)
    assert not JournalEntry.objects.exists()
    open_month.refresh_from_db()
    assert open_month.journal_entry is None
