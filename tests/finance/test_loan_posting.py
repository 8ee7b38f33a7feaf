"""Loans post themselves: each event's lines hand-computed for a micro-loan of Rp 6.000.000
over 12 months at 1,5 % a month flat (instalments of Rp 500.000 principal + Rp 90.000
interest), and for the cooperative's own bank financing. A posting the journal refuses (a
closed month) refuses the loan step with it."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from finance import chart
from finance.balances import balances_by_code
from finance.enums import CashBookStatus, EntrySource
from finance.models import Account, AccountMapping, CashBookEntry, JournalEntry, JournalLine
from finance.services import (
    ClosedPeriodError,
    account_mapping_confirm,
    cashbook_post,
    period_close,
)
from loans.enums import InterestMethod, LoanKind, LoanStatus
from loans.models import Instalment, Loan, LoanProduct, Repayment
from loans.services import (
    loan_payout_confirm,
    loan_payout_record,
    loan_reschedule,
    loan_write_off,
    repayment_record,
    repayment_reverse,
)
from tests.factories import MemberFactory, UserFactory
from tests.finance.test_cashbook import months_ago

pytestmark = pytest.mark.django_db

PAYOUT_MONTH = months_ago(3)
FIRST_DUE = months_ago(2)  # the payout's day, a month later
SECOND_DUE = months_ago(1)


@pytest.fixture
def micro():
    return LoanProduct.objects.create(
        code="mikro",
        name="Pinjaman Mikro",
        min_amount=500_000,
        max_amount=2_000_000_000,
        min_tenor_months=3,
        max_tenor_months=72,
        rate_percent=Decimal("1.5"),
        interest_method=InterestMethod.FLAT,
    )


@pytest.fixture
def member(world):
    return MemberFactory(cooperative=world.coop_a, name="Siti Aminah")


def paid_out(world, micro, *, member=None, kind=LoanKind.MEMBER, principal=6_000_000):
    loan = Loan.objects.create(
        cooperative=world.coop_a,
        kind=kind,
        member=member,
        lender="" if member else "Bank BRI",
        product_code=micro.code,
        principal=principal,
        tenor_months=12,
        approved_at=timezone.now() - datetime.timedelta(days=120),
    )
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=PAYOUT_MONTH.replace(day=3))
    return loan_payout_confirm(loan=loan, by=UserFactory(username=f"kasir{loan.pk}"))


@pytest.fixture
def loan(world, micro, member):
    return paid_out(world, micro, member=member)


def lines_of(entry):
    return sorted(
        entry.lines.values_list("account__code", "debit", "credit", "member_id"),
        key=lambda line: (line[0], line[1], line[2]),
    )


def entry_for(key):
    return JournalEntry.objects.get(source_key=key)


def test_a_member_payout_posts_the_receivable_against_cash(world, loan, member):
    entry = entry_for(f"loan-payout:{loan.pk}")
    assert (entry.date, entry.source) == (PAYOUT_MONTH.replace(day=3), EntrySource.LOAN)
    assert lines_of(entry) == [
        (chart.CASH, 0, 6_000_000, None),
        (chart.MEMBER_LOANS, 6_000_000, 0, member.pk),
    ]


def test_a_repayment_splits_into_penalty_fee_interest_and_principal(world, loan, member):
    first = repayment_record(
        loan=loan, by=world.henry, amount=590_000, paid_on=FIRST_DUE.replace(day=3)
    )
    assert lines_of(entry_for(f"repayment:{first.pk}")) == [
        (chart.CASH, 590_000, 0, member.pk),
        (chart.MEMBER_LOANS, 0, 500_000, member.pk),
        (chart.LOAN_INTEREST, 0, 90_000, member.pk),
    ]
    # The arrears job charged a penalty and the product a fee on the second instalment.
    Instalment.objects.filter(loan=loan, number=2).update(penalty=10_000, fee=5_000)
    second = repayment_record(
        loan=loan, by=world.henry, amount=605_000, paid_on=SECOND_DUE.replace(day=10)
    )
    entry = entry_for(f"repayment:{second.pk}")
    assert entry.date == SECOND_DUE.replace(day=10)
    assert lines_of(entry) == [
        (chart.CASH, 605_000, 0, member.pk),
        (chart.MEMBER_LOANS, 0, 500_000, member.pk),
        (chart.LOAN_INTEREST, 0, 90_000, member.pk),
        (chart.LOAN_FEES, 0, 5_000, member.pk),
        (chart.LOAN_PENALTIES, 0, 10_000, member.pk),
    ]
    assert balances_by_code(world.coop_a) == {
        chart.CASH: -6_000_000 + 590_000 + 605_000,
        chart.MEMBER_LOANS: 5_000_000,
        chart.LOAN_INTEREST: 180_000,
        chart.LOAN_FEES: 5_000,
        chart.LOAN_PENALTIES: 10_000,
    }


def test_a_reversed_repayment_nets_to_zero(world, loan):
    payment = repayment_record(
        loan=loan, by=world.henry, amount=590_000, paid_on=FIRST_DUE.replace(day=3)
    )
    reversal = repayment_reverse(repayment=payment, by=world.henry, note="Salah catat")
    original = entry_for(f"repayment:{payment.pk}")
    mirror = JournalEntry.objects.get(reverses=original)
    assert mirror.date == reversal.paid_on == timezone.localdate()
    assert mirror.source == EntrySource.REVERSAL
    both = (
        JournalLine.objects.filter(entry__in=[original, mirror])
        .values("account__code")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    assert {row["account__code"]: row["debit"] - row["credit"] for row in both} == {
        chart.CASH: 0,
        chart.MEMBER_LOANS: 0,
        chart.LOAN_INTEREST: 0,
    }
    assert balances_by_code(world.coop_a)[chart.MEMBER_LOANS] == 6_000_000


def test_a_repayment_into_a_closed_month_is_refused_and_not_recorded(world, loan):
    period_close(cooperative=world.coop_a, month=FIRST_DUE, by=world.bob)
    with pytest.raises(ClosedPeriodError):
        repayment_record(
            loan=loan, by=world.henry, amount=590_000, paid_on=FIRST_DUE.replace(day=3)
        )
    assert not Repayment.objects.exists()
    assert not Instalment.objects.filter(loan=loan, paid_principal__gt=0).exists()
    assert not JournalEntry.objects.filter(source_key__startswith="repayment:").exists()
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE
    # The next month is open.
    repayment_record(loan=loan, by=world.henry, amount=590_000, paid_on=SECOND_DUE.replace(day=3))
    assert Repayment.objects.count() == 1


def test_a_payout_into_a_closed_month_is_refused_and_the_loan_waits(world, micro, member):
    loan = Loan.objects.create(
        cooperative=world.coop_a,
        member=member,
        product_code=micro.code,
        principal=1_000_000,
        tenor_months=6,
        approved_at=timezone.now() - datetime.timedelta(days=120),
    )
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=PAYOUT_MONTH.replace(day=3))
    period_close(cooperative=world.coop_a, month=PAYOUT_MONTH, by=world.bob)
    with pytest.raises(ClosedPeriodError):
        loan_payout_confirm(loan=loan, by=UserFactory(username="kasir"))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.PAYOUT_RECORDED
    assert not loan.instalments.exists()
    assert not JournalEntry.objects.exists()


def test_a_write_off_expenses_the_principal_still_owed(world, loan, member):
    repayment_record(loan=loan, by=world.henry, amount=590_000, paid_on=FIRST_DUE.replace(day=3))
    loan_write_off(loan=loan, by=world.henry, reason="Meninggal dunia, tanpa ahli waris")
    entry = entry_for(f"loan-writeoff:{loan.pk}")
    assert entry.date == timezone.localdate()
    assert lines_of(entry) == [
        (chart.MEMBER_LOANS, 0, 5_500_000, member.pk),
        (chart.LOANS_WRITTEN_OFF, 5_500_000, 0, member.pk),
    ]
    assert balances_by_code(world.coop_a)[chart.MEMBER_LOANS] == 6_000_000 - 500_000 - 5_500_000


def test_a_reschedule_moves_the_principal_and_recognises_what_it_capitalises(world, loan, member):
    # Nothing paid; two instalments due by the rescheduling, the first with a penalty.
    Instalment.objects.filter(loan=loan, number=1).update(penalty=10_000)
    on = SECOND_DUE.replace(day=10)
    successor = loan_reschedule(
        loan=loan, by=world.henry, tenor_months=24, on=on, reason="Gagal panen"
    )
    # 6.000.000 principal + 2 × 90.000 interest due + 10.000 penalty.
    assert successor.principal == 6_190_000
    entry = entry_for(f"loan-reschedule:{loan.pk}")
    assert entry.date == on
    assert lines_of(entry) == [
        (chart.MEMBER_LOANS, 0, 6_000_000, member.pk),
        (chart.MEMBER_LOANS, 6_190_000, 0, member.pk),
        (chart.LOAN_INTEREST, 0, 180_000, member.pk),
        (chart.LOAN_PENALTIES, 0, 10_000, member.pk),
    ]
    assert balances_by_code(world.coop_a)[chart.MEMBER_LOANS] == 6_190_000
    assert balances_by_code(world.coop_a)[chart.CASH] == -6_000_000


def test_the_cooperatives_bank_financing_posts_through_the_bank(world, micro):
    financing = paid_out(world, micro, kind=LoanKind.COOPERATIVE, principal=12_000_000)
    assert lines_of(entry_for(f"loan-payout:{financing.pk}")) == [
        (chart.BANK, 12_000_000, 0, None),
        (chart.BANK_LOANS, 0, 12_000_000, None),
    ]
    # 1.000.000 principal + 180.000 interest (1,5 % of 12.000.000), and a bank penalty.
    Instalment.objects.filter(loan=financing, number=1).update(penalty=20_000)
    payment = repayment_record(
        loan=financing, by=world.henry, amount=1_200_000, paid_on=FIRST_DUE.replace(day=5)
    )
    assert lines_of(entry_for(f"repayment:{payment.pk}")) == [
        (chart.BANK, 0, 1_200_000, None),
        (chart.BANK_LOANS, 1_000_000, 0, None),
        (chart.BANK_INTEREST, 200_000, 0, None),
    ]
    assert balances_by_code(world.coop_a) == {
        chart.BANK: 10_800_000,
        chart.BANK_LOANS: 11_000_000,
        chart.BANK_INTEREST: 200_000,
    }


def _cash_row(world, *, amount, account="Penerimaan lain"):
    return CashBookEntry.objects.create(
        cooperative=world.coop_a,
        date=FIRST_DUE.replace(day=3),
        voucher_no="BKM-100",
        description="Angsuran pinjaman Siti Aminah",
        account=account,
        debit=amount,
    )


def test_a_repayment_matched_from_a_posted_cash_row_counts_the_money_once(world, loan):
    account_mapping_confirm(
        cooperative=world.coop_a,
        name="Penerimaan lain",
        account=Account.objects.get(code="4-901"),
        by=world.alice,
    )
    row = _cash_row(world, amount=600_000)
    cashbook_post(cooperative=world.coop_a, by=world.alice)
    row.refresh_from_db()
    posted = row.journal_entry
    assert row.book_status == CashBookStatus.POSTED and posted is not None

    # The treasurer matched 590.000 of it to the loan; the 10.000 left is other income.
    payment = repayment_record(
        loan=loan,
        by=world.henry,
        amount=590_000,
        paid_on=row.date,
        cash_book_entry=row,
    )
    row.refresh_from_db()
    assert row.book_status == CashBookStatus.LOAN_REPAYMENT
    assert JournalEntry.objects.filter(reverses=posted, date=posted.date).exists()
    assert lines_of(row.journal_entry) == [
        (chart.CASH, 10_000, 0, None),
        ("4-901", 0, 10_000, None),
    ]
    assert row.journal_entry.source_key == f"cashbook:{row.pk}:2"
    books = balances_by_code(world.coop_a, start=row.date, end=row.date)
    assert books == {
        chart.CASH: 600_000,  # once, as the cash book says
        chart.MEMBER_LOANS: -500_000,
        chart.LOAN_INTEREST: 90_000,
        "4-901": 10_000,
    }

    # Cancelled: the row waits again as it was before it was matched.
    repayment_reverse(repayment=payment, by=world.henry, note="Bukan angsuran")
    row.refresh_from_db()
    assert (row.book_status, row.journal_entry) == (CashBookStatus.PENDING, None)
    # The repayment's reversal is dated today: from the row's day on, the money is out again.
    assert balances_by_code(world.coop_a, start=row.date).get(chart.CASH) == 0
    cashbook_post(cooperative=world.coop_a, by=world.alice)
    row.refresh_from_db()
    assert row.book_status == CashBookStatus.POSTED
    assert row.journal_entry.source_key == f"cashbook:{row.pk}:3"
    assert balances_by_code(world.coop_a, start=row.date)[chart.CASH] == 600_000


def test_a_pending_row_matched_to_a_repayment_is_not_posted_from_the_cash_book(world, loan):
    row = _cash_row(world, amount=590_000, account="Angsuran")
    repayment_record(
        loan=loan, by=world.henry, amount=590_000, paid_on=row.date, cash_book_entry=row
    )
    row.refresh_from_db()
    assert (row.book_status, row.journal_entry) == (CashBookStatus.LOAN_REPAYMENT, None)
    assert not AccountMapping.objects.exists()
    result = cashbook_post(cooperative=world.coop_a, by=world.alice)
    assert result.rows == 0
    assert balances_by_code(world.coop_a, start=row.date, end=row.date)[chart.CASH] == 590_000
