"""Journal entries: balanced, numbered per cooperative, refused whole when anything is wrong,
never changed once posted, corrected by reversing entries.

The books here are small and written out by hand: Bukit Raya (coop_a) sells Rp 750.000 of
groceries for cash and pays Rp 250.000 of electricity; Merabu – Panaan (coop_c) has its own
numbering. Amounts are chosen so that a wrong side or a wrong sum shows in the figures.
"""

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from finance import chart
from finance.balances import balances_by_code
from finance.enums import EntrySource
from finance.models import Account, ImmutableError, JournalEntry, JournalLine
from finance.services import (
    ClosedPeriodError,
    JournalError,
    Line,
    UnbalancedEntryError,
    account_create_sub,
    account_update_sub,
    journal_post,
    journal_post_many,
    journal_reverse,
    period_close,
)
from finance.services.journal import EntryDraft
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate
GROCERY_SALES = "4-101"  # Penjualan gerai sembako, revenue of the gerai sembako
ELECTRICITY = "5-902"  # Beban listrik, air dan telepon, of the office


def last_month(day: int = 10) -> datetime.date:
    """A day of the month before this one: it has ended, so it may be closed."""
    return (TODAY().replace(day=1) - datetime.timedelta(days=1)).replace(day=day)


def sale(amount: int = 750_000) -> list[Line]:
    return [Line(chart.CASH, debit=amount), Line(GROCERY_SALES, credit=amount)]


def books_size() -> tuple[int, int]:
    return JournalEntry.objects.count(), JournalLine.objects.count()


def post(cooperative, by, *, lines=None, date=None, description="Penjualan sembako", **kw):
    return journal_post(
        cooperative=cooperative,
        date=date or TODAY(),
        description=description,
        lines=sale() if lines is None else lines,
        by=by,
        **kw,
    )


def refusal(call: Callable[[], Any], error: type[Exception] = JournalError) -> Exception:
    """The error `call` raises, its message in English."""
    with translation.override("en"), pytest.raises(error) as refused:
        call()
    return refused.value


# --- posting -------------------------------------------------------------------------------------


def test_a_balanced_entry_is_posted_with_the_next_number_of_its_own_cooperative(world):
    first = post(world.coop_a, world.alice)
    second = post(
        world.coop_a,
        world.alice,
        description="Bayar listrik kantor",
        lines=[Line(ELECTRICITY, debit=250_000), Line(chart.CASH, credit=250_000)],
    )
    theirs = post(world.coop_c, world.carol)

    assert [first.reference, second.reference, theirs.reference] == [
        "JU-000001",
        "JU-000002",
        "JU-000001",
    ]
    assert (first.source, first.posted_by, first.date) == (EntrySource.MANUAL, world.alice, TODAY())
    lines = list(first.lines.order_by("id").values_list("account__code", "debit", "credit"))
    assert lines == [(chart.CASH, 750_000, 0), (GROCERY_SALES, 0, 750_000)]
    # Lines carry the entry's cooperative and date, and the account's unit unless told.
    sales_line = first.lines.get(credit=750_000)
    assert (sales_line.cooperative, sales_line.date) == (world.coop_a, TODAY())
    assert sales_line.business_unit == "gerai_sembako"
    assert first.lines.get(debit=750_000).business_unit == ""
    # Cash: 750.000 in, 250.000 out; sales 750.000; electricity 250.000.
    assert balances_by_code(world.coop_a) == {
        chart.CASH: 500_000,
        GROCERY_SALES: 750_000,
        ELECTRICITY: 250_000,
    }
    assert balances_by_code(world.coop_c) == {chart.CASH: 750_000, GROCERY_SALES: 750_000}


def test_an_unbalanced_entry_is_refused_naming_the_difference_and_nothing_is_written(world):
    error = refusal(
        lambda: post(
            world.coop_a,
            world.alice,
            lines=[Line(chart.CASH, debit=1_000_000), Line(GROCERY_SALES, credit=900_000)],
        ),
        UnbalancedEntryError,
    )
    assert error.code == "unbalanced"
    assert error.messages == [
        "“Penjualan sembako” does not balance: debits Rp 1.000.000, credits Rp 900.000 "
        "(difference Rp 100.000). Nothing was posted."
    ]
    assert books_size() == (0, 0)


def test_posting_into_a_closed_month_is_refused_and_nothing_is_written(world):
    period_close(cooperative=world.coop_a, month=last_month(), by=world.bob)
    error = refusal(lambda: post(world.coop_a, world.alice, date=last_month(28)), ClosedPeriodError)
    assert error.code == "period_closed"
    assert f"{last_month():%m/%Y}" in error.messages[0]
    assert books_size() == (0, 0)
    # The month is closed for Bukit Raya only.
    assert post(world.coop_c, world.carol, date=last_month(28)).reference == "JU-000001"


def test_an_entry_dated_in_the_future_is_refused(world):
    tomorrow = TODAY() + datetime.timedelta(days=1)
    error = refusal(lambda: post(world.coop_a, world.alice, date=tomorrow))
    assert error.code == "future_date"
    assert tomorrow.strftime("%d-%m-%Y") in error.messages[0]
    assert books_size() == (0, 0)


@pytest.mark.parametrize("case", ["unknown", "inactive", "retired sub", "foreign", "foreign code"])
def test_an_account_outside_the_cooperatives_chart_or_out_of_use_is_refused(world, case):
    bank = Account.objects.get(cooperative=None, code=chart.BANK)
    theirs = account_create_sub(cooperative=world.coop_c, parent=bank, name="Bank BRI", by=None)
    expected = {
        "unknown": ("9-999", "unknown_account"),
        "foreign": (theirs, "foreign_account"),
        # Their sub-account's code is not in Bukit Raya's chart.
        "foreign code": (theirs.code, "unknown_account"),
    }
    if case == "inactive":
        Account.objects.filter(cooperative=None, code="1-140").update(is_active=False)
        expected[case] = ("1-140", "inactive_account")
    if case == "retired sub":
        ours = account_create_sub(cooperative=world.coop_a, parent=bank, name="Bank BPD", by=None)
        account_update_sub(account=ours, by=world.alice, is_active=False)
        expected[case] = (ours, "inactive_account")
    account, code = expected[case]
    error = refusal(
        lambda: post(
            world.coop_a,
            world.alice,
            lines=[Line(account, debit=100_000), Line(chart.CASH, credit=100_000)],
        )
    )
    assert error.code == code
    assert error.messages[0].startswith("Line 1: ")
    assert books_size() == (0, 0)


def test_a_member_of_another_cooperative_is_refused(world):
    stranger = MemberFactory(cooperative=world.coop_c)
    ours = MemberFactory(cooperative=world.coop_a)
    error = refusal(
        lambda: post(
            world.coop_a,
            world.alice,
            lines=[
                Line(chart.CASH, debit=50_000, member=ours),
                Line(GROCERY_SALES, credit=50_000, member=stranger),
            ],
        )
    )
    assert error.code == "foreign_member"
    assert error.messages == ["Line 2: the member is not a member of this cooperative."]
    assert books_size() == (0, 0)
    entry = post(
        world.coop_a,
        world.alice,
        lines=[Line(chart.CASH, debit=50_000), Line(GROCERY_SALES, credit=50_000, member=ours)],
    )
    assert entry.lines.get(credit=50_000).member == ours


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([Line(chart.CASH, debit=10_000)], "too_few_lines"),
        (
            [Line(chart.CASH, debit=10_000, credit=10_000), Line(ELECTRICITY, credit=0)],
            "line_amount",
        ),
        ([Line(chart.CASH, debit=-10_000), Line(ELECTRICITY, credit=-10_000)], "line_amount"),
        ([Line(chart.CASH, debit=0), Line(ELECTRICITY, credit=0)], "line_amount"),
    ],
)
def test_an_entry_needs_two_lines_each_with_one_side_above_zero(world, lines, code):
    assert refusal(lambda: post(world.coop_a, world.alice, lines=lines)).code == code
    assert books_size() == (0, 0)


def test_posting_many_is_all_or_nothing(world):
    drafts = [
        EntryDraft(date=TODAY(), description="Penjualan 1", lines=sale(100_000)),
        EntryDraft(date=TODAY(), description="Penjualan 2", lines=sale(200_000)),
        EntryDraft(
            date=TODAY(),
            description="Salah tulis",
            lines=[Line(chart.CASH, debit=300_000), Line(GROCERY_SALES, credit=30_000)],
        ),
    ]
    error = refusal(
        lambda: journal_post_many(cooperative=world.coop_a, drafts=drafts, by=world.alice),
        UnbalancedEntryError,
    )
    assert "“Salah tulis”" in error.messages[0]
    assert books_size() == (0, 0)
    # No number was used up by the refused batch.
    posted = journal_post_many(cooperative=world.coop_a, drafts=drafts[:2], by=world.alice)
    assert [e.reference for e in posted] == ["JU-000001", "JU-000002"]
    assert books_size() == (2, 4)


def test_the_same_source_posted_twice_returns_the_first_entry(world):
    first = post(world.coop_a, world.alice, source=EntrySource.CASH_BOOK, source_key="cashbook:7")
    again = post(
        world.coop_a,
        world.bob,
        lines=sale(999_000),
        source=EntrySource.CASH_BOOK,
        source_key="cashbook:7",
    )
    assert again.pk == first.pk
    assert books_size() == (1, 2)
    assert balances_by_code(world.coop_a)[chart.CASH] == 750_000
    # The key is per cooperative: another cooperative's row 7 is its own.
    assert post(world.coop_c, world.carol, source_key="cashbook:7").pk != first.pk
    # A key repeated within one batch is posted once as well.
    batch = journal_post_many(
        cooperative=world.coop_a,
        drafts=[
            EntryDraft(date=TODAY(), description="A", lines=sale(1_000), source_key="x:1"),
            EntryDraft(date=TODAY(), description="B", lines=sale(2_000), source_key="x:1"),
            EntryDraft(date=TODAY(), description="C", lines=sale(3_000), source_key="cashbook:7"),
        ],
        by=world.alice,
    )
    assert batch[0].pk == batch[1].pk != first.pk
    assert batch[2].pk == first.pk
    assert JournalEntry.objects.filter(cooperative=world.coop_a).count() == 2


# --- immutability --------------------------------------------------------------------------------


def test_a_posted_entry_and_its_lines_never_change_nor_disappear(world):
    entry = post(world.coop_a, world.alice)
    line = entry.lines.first()
    entry.description = "Diubah"
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        entry.delete()
    line.debit = line.debit * 2 if line.debit else 0
    with pytest.raises(ImmutableError):
        line.save()
    with pytest.raises(ImmutableError):
        line.delete()
    saved = JournalEntry.objects.get()
    assert saved.description == "Penjualan sembako"
    assert sorted(JournalLine.objects.values_list("debit", "credit")) == [
        (0, 750_000),
        (750_000, 0),
    ]


# --- reversals -----------------------------------------------------------------------------------


def test_a_reversal_swaps_every_side_is_dated_today_and_cancels_the_entry(world):
    member = MemberFactory(cooperative=world.coop_a)
    entry = post(
        world.coop_a,
        world.alice,
        date=TODAY() - datetime.timedelta(days=3),
        lines=[
            Line(chart.CASH, debit=750_000, memo="Nota 12"),
            Line(GROCERY_SALES, credit=750_000, member=member),
        ],
    )
    reversal = journal_reverse(entry=entry, by=world.alice, reason="Salah akun")

    assert reversal.reference == "JU-000002"
    assert (reversal.date, reversal.source, reversal.reverses) == (
        TODAY(),
        EntrySource.REVERSAL,
        entry,
    )
    assert reversal.source_key == f"reversal:{entry.pk}"
    assert reversal.description.endswith("JU-000001: Salah akun")
    assert sorted(
        reversal.lines.values_list("account__code", "debit", "credit", "member", "memo")
    ) == [
        (chart.CASH, 0, 750_000, None, "Nota 12"),
        (GROCERY_SALES, 750_000, 0, member.pk, ""),
    ]
    assert JournalEntry.objects.get(pk=entry.pk).reversed_by == reversal
    assert balances_by_code(world.coop_a) == {chart.CASH: 0, GROCERY_SALES: 0}


def test_an_entry_is_reversed_once_and_a_reversal_is_never_reversed(world):
    entry = post(world.coop_a, world.alice)
    reversal = journal_reverse(entry=entry, by=world.alice)
    twice = refusal(lambda: journal_reverse(entry=entry, by=world.alice))
    back = refusal(lambda: journal_reverse(entry=reversal, by=world.alice))
    assert (twice.code, back.code) == ("reversed", "reversal_of_reversal")
    assert twice.messages == ["JU-000001 was already reversed."]
    assert back.messages == ["JU-000002 is itself a reversal; post a new entry instead."]
    assert books_size() == (2, 4)


def test_a_reversal_may_be_dated_but_not_into_a_closed_month(world):
    entry = post(world.coop_a, world.alice, date=last_month(5))
    period_close(cooperative=world.coop_a, month=last_month(), by=world.bob)
    error = refusal(
        lambda: journal_reverse(entry=entry, by=world.alice, date=last_month(20)),
        ClosedPeriodError,
    )
    assert error.code == "period_closed"
    assert books_size() == (1, 2)
    # Today is open: the correction goes there, the closed month keeps its figures.
    assert journal_reverse(entry=entry, by=world.alice).date == TODAY()
    assert balances_by_code(world.coop_a, end=last_month(28))[chart.CASH] == 750_000


# --- two treasurers at once (PostgreSQL) ---------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite ignores select_for_update"
)
ROUNDS = 8


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread (its own database connection), all released at once;
    the value each returned, or the exception it raised."""
    barrier = threading.Barrier(len(calls), timeout=30)
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # reported to the test thread
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a post never returned (deadlock?)"
    return outcomes


@on_postgresql
@pytest.mark.usefixtures("page_tree")
@pytest.mark.django_db(transaction=True)
def test_two_posts_at_once_never_take_the_same_number(world):
    # A transactional test before this one may have emptied the tables the migration seeded.
    chart.chart_ensure_standard()
    for _round in range(ROUNDS):
        outcomes = race(
            lambda: post(world.coop_a, world.alice, lines=sale(1_000)),
            lambda: post(world.coop_a, world.bob, lines=sale(2_000)),
            lambda: journal_post_many(
                cooperative=world.coop_a,
                drafts=[
                    EntryDraft(date=TODAY(), description="Satu", lines=sale(3_000)),
                    EntryDraft(date=TODAY(), description="Dua", lines=sale(4_000)),
                ],
                by=world.alice,
            ),
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    numbers = list(
        JournalEntry.objects.filter(cooperative=world.coop_a)
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert numbers == list(range(1, 4 * ROUNDS + 1))
    # Each batch got two numbers in a row: nothing slipped in between.
    for first in JournalEntry.objects.filter(cooperative=world.coop_a, description="Satu"):
        assert (
            JournalEntry.objects.get(cooperative=world.coop_a, number=first.number + 1).description
            == "Dua"
        )
    assert balances_by_code(world.coop_a)[chart.CASH] == ROUNDS * 10_000


@on_postgresql
@pytest.mark.usefixtures("page_tree")
@pytest.mark.django_db(transaction=True)
def test_the_same_source_posted_twice_at_once_is_posted_once(world):
    chart.chart_ensure_standard()
    for index in range(ROUNDS):
        key = f"cashbook:{index}"
        outcomes = race(
            *(
                lambda key=key: post(
                    world.coop_a, world.alice, source=EntrySource.CASH_BOOK, source_key=key
                )
                for _ in range(2)
            )
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert outcomes[0].pk == outcomes[1].pk
    assert JournalEntry.objects.filter(cooperative=world.coop_a).count() == ROUNDS
