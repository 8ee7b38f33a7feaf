"""Repayments: split penalty → fees → interest → principal, oldest instalment first; never
more than is owed; a mistake undone by a counter-entry, never by editing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from loans.enums import LoanStatus
from loans.models import Repayment
from loans.services import LoanTransitionError, repayment_record, repayment_reverse

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def owed(loan):
    return sum(i.owed for i in loan.instalments.all())


def test_a_partial_payment_covers_interest_before_principal(world, active_loan):
    # Each instalment: 90.000 interest + 500.000 principal.
    payment = repayment_record(loan=active_loan, by=world.henry, amount=300_000, paid_on=TODAY())
    assert (payment.interest, payment.principal) == (90_000, 210_000)
    first = active_loan.instalments.get(number=1)
    assert (first.paid_interest, first.paid_principal, first.owed) == (90_000, 210_000, 290_000)
    assert owed(active_loan) == 12 * 590_000 - 300_000


def test_paying_ahead_goes_on_to_the_next_instalments(world, active_loan):
    payment = repayment_record(loan=active_loan, by=world.henry, amount=1_000_000, paid_on=TODAY())
    lines = {
        line.instalment.number: (line.interest, line.principal) for line in payment.lines.all()
    }
    assert lines == {1: (90_000, 500_000), 2: (90_000, 320_000)}


def test_the_last_rupiah_pays_the_loan_off_and_an_overpayment_is_refused(world, active_loan):
    everything = owed(active_loan)
    with pytest.raises(ValidationError) as refused:
        repayment_record(loan=active_loan, by=world.henry, amount=everything + 1, paid_on=TODAY())
    assert "lebih dari" in refused.value.message_dict["amount"][0]
    assert not Repayment.objects.exists()
    repayment_record(loan=active_loan, by=world.henry, amount=everything, paid_on=TODAY())
    active_loan.refresh_from_db()
    assert active_loan.status == LoanStatus.PAID_OFF
    with pytest.raises(LoanTransitionError):
        repayment_record(loan=active_loan, by=world.henry, amount=1_000, paid_on=TODAY())


@pytest.mark.parametrize(
    ("amount", "days", "field"),
    [(0, 0, "amount"), (-5_000, 0, "amount"), (10_000, 1, "paid_on"), (10_000, -1, "paid_on")],
)
def test_bad_payments_are_refused_and_nothing_is_written(world, active_loan, amount, days, field):
    with pytest.raises(ValidationError) as refused:
        repayment_record(
            loan=active_loan,
            by=world.henry,
            amount=amount,
            paid_on=TODAY() + datetime.timedelta(days=days),
        )
    assert field in refused.value.message_dict
    assert not Repayment.objects.exists()


def test_a_reversal_takes_back_exactly_what_the_payment_covered(world, active_loan):
    before = owed(active_loan)
    payment = repayment_record(loan=active_loan, by=world.henry, amount=1_000_000, paid_on=TODAY())
    with pytest.raises(ValidationError):
        repayment_reverse(repayment=payment, by=world.bob, note="")
    reversal = repayment_reverse(repayment=payment, by=world.bob, note="Salah input")
    assert (reversal.amount, reversal.interest, reversal.principal) == (
        -1_000_000,
        -180_000,
        -820_000,
    )
    assert owed(active_loan) == before
    payment.refresh_from_db()
    assert payment.amount == 1_000_000  # the original stays as it was
    with pytest.raises(ValidationError):
        repayment_reverse(repayment=payment, by=world.bob, note="lagi")


def test_reversing_the_payment_that_paid_off_a_loan_reopens_it(world, active_loan):
    payment = repayment_record(
        loan=active_loan, by=world.henry, amount=owed(active_loan), paid_on=TODAY()
    )
    repayment_reverse(repayment=payment, by=world.bob, note="Cek kosong")
    active_loan.refresh_from_db()
    assert active_loan.status == LoanStatus.ACTIVE
    assert [e.to_status for e in active_loan.events.all()][-2:] == ["paid_off", "active"]


def test_a_written_off_loan_keeps_its_history_and_takes_no_more_payments(world, active_loan):
    from loans.services import loan_write_off

    repayment_record(loan=active_loan, by=world.henry, amount=590_000, paid_on=TODAY())
    with pytest.raises(ValidationError):
        loan_write_off(loan=active_loan, by=world.henry, reason="")
    loan = loan_write_off(loan=active_loan, by=world.henry, reason="Peminjam meninggal dunia")
    assert loan.status == LoanStatus.WRITTEN_OFF
    assert loan.events.last().note == "Peminjam meninggal dunia"
    assert loan.repayments.count() == 1
    with pytest.raises(LoanTransitionError):
        repayment_record(loan=loan, by=world.henry, amount=10_000, paid_on=TODAY())
