"""From approval to an active loan with its schedule: paid out by one officer, confirmed by another."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from loans.enums import LoanStatus
from loans.services import (
    LoanTransitionError,
    loan_payout_confirm,
    loan_payout_record,
    loan_payout_reject,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_one_officer_records_the_payout_another_confirms_and_the_schedule_is_fixed(world, loan):
    checker = UserFactory(username="kasir")
    today = timezone.localdate()
    loan = loan_payout_record(loan=loan, by=world.henry, disbursed_on=today)
    assert loan.status == LoanStatus.PAYOUT_RECORDED
    assert not loan.instalments.exists()
    with pytest.raises(LoanTransitionError, match="petugas lain"):
        loan_payout_confirm(loan=loan, by=world.henry)
    loan = loan_payout_confirm(loan=loan, by=checker)
    assert loan.status == LoanStatus.ACTIVE
    assert loan.monthly_rate == Decimal("0.015000")
    lines = list(loan.instalments.all())
    assert len(lines) == 12
    assert {(i.principal, i.interest) for i in lines} == {(500_000, 90_000)}
    assert lines[0].due_date > today and lines[-1].balance == 0
    assert [(e.from_status, e.to_status, e.actor) for e in loan.events.all()] == [
        ("", "approved", world.henry),
        ("approved", "payout_recorded", world.henry),
        ("payout_recorded", "active", checker),
    ]


def test_a_wrong_payout_is_sent_back_with_a_reason_and_recorded_again(world, loan):
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=timezone.localdate())
    with pytest.raises(ValidationError):
        loan_payout_reject(loan=loan, by=world.bob, note=" ")
    loan = loan_payout_reject(loan=loan, by=world.bob, note="Tanggal salah")
    assert (loan.status, loan.disbursed_on) == (LoanStatus.APPROVED, None)
    assert loan.events.last().note == "Tanggal salah"
    assert loan_payout_record(loan=loan, by=world.henry, disbursed_on=timezone.localdate())


def test_bad_payouts_are_refused_in_bahasa_indonesia_and_nothing_changes(world, loan, micro):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        loan_payout_record(loan=loan, by=world.henry, disbursed_on=tomorrow)
    assert refused.value.message_dict["disbursed_on"] == [
        "Tanggal pencairan tidak boleh di masa depan."
    ]
    micro.max_amount = 5_000_000
    micro.save()
    with pytest.raises(ValidationError) as refused:
        loan_payout_record(loan=loan, by=world.henry, disbursed_on=timezone.localdate())
    assert "Rp 5.000.000" in refused.value.message_dict["amount"][0]
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPROVED and loan.disbursed_on is None
    with pytest.raises(LoanTransitionError):
        loan_payout_confirm(loan=loan, by=world.bob)
