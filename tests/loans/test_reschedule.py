"""Rescheduling (restrukturisasi): the loan ends as rescheduled and what is owed continues as a
new loan with its own schedule; refused cleanly when the terms or the date are wrong."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cooperatives.models import Cooperative
from loans.arrears import loans_arrears_update, portfolio
from loans.enums import Collectibility, LoanStatus
from loans.models import Loan, LoanEvent
from loans.services import (
    LoanTransitionError,
    loan_payout_confirm,
    loan_payout_record,
    loan_reschedule,
    loan_write_off,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAID_OUT = datetime.date(2026, 1, 15)
ON = datetime.date(2026, 5, 20)  # February to May due and unpaid


@pytest.fixture
def late_loan(world, loan) -> Loan:
    Loan.objects.filter(pk=loan.pk).update(
        approved_at=datetime.datetime(2026, 1, 10, tzinfo=datetime.UTC)
    )
    loan.refresh_from_db()
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=PAID_OUT)
    return loan_payout_confirm(loan=loan, by=UserFactory(username="kasir"))


def test_what_is_owed_continues_as_a_new_loan(world, late_loan):
    loans_arrears_update(on=ON)
    new = loan_reschedule(
        loan=late_loan, by=world.henry, tenor_months=18, on=ON, reason="Gagal panen"
    )
    late_loan.refresh_from_db()
    assert late_loan.status == LoanStatus.RESCHEDULED
    # 6.000.000 principal + four months of flat interest (90.000) already due.
    assert new.principal == 6_000_000 + 4 * 90_000
    assert (new.status, new.tenor_months, new.disbursed_on) == (LoanStatus.ACTIVE, 18, ON)
    assert new.rescheduled_from == late_loan and new.member == late_loan.member
    instalments = list(new.instalments.order_by("number"))
    assert len(instalments) == 18
    assert sum(i.principal for i in instalments) == new.principal
    assert instalments[0].due_date == datetime.date(2026, 6, 20)
    assert LoanEvent.objects.filter(
        loan=late_loan, to_status=LoanStatus.RESCHEDULED, note="Gagal panen"
    ).exists()
    assert "Gagal panen" in new.events.get().note

    # The portfolio counts the new loan only, and it starts current.
    loans_arrears_update(on=ON)
    new.refresh_from_db()
    assert new.collectibility == Collectibility.LANCAR
    figures = portfolio(Loan.objects.filter(cooperative=world.coop_a))
    assert (figures.loans, figures.outstanding) == (1, new.principal)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"tenor_months": 0}, "tenor_months"),
        ({"tenor_months": 25}, "tenor_months"),  # the product lends up to 24 months
        ({"grace_months": 3}, "grace_months"),  # the product has no grace
        ({"on": datetime.date(2026, 1, 1)}, "on"),
        ({"on": datetime.date(2099, 1, 1)}, "on"),
    ],
)
def test_bad_terms_are_refused_and_nothing_changes(world, late_loan, changes, field):
    arguments = {"tenor_months": 12, "on": ON, "reason": "Sakit", **changes}
    before = Loan.objects.count()
    with pytest.raises(ValidationError) as refused:
        loan_reschedule(loan=late_loan, by=world.henry, **arguments)
    assert field in refused.value.message_dict
    late_loan.refresh_from_db()
    assert late_loan.status == LoanStatus.ACTIVE and Loan.objects.count() == before


def test_only_an_active_loan_is_rescheduled(world, late_loan):
    loan_write_off(loan=late_loan, by=world.henry, reason="Pindah ke luar daerah")
    with pytest.raises(LoanTransitionError):
        loan_reschedule(loan=late_loan, by=world.henry, tenor_months=12, on=ON, reason="x")
    assert Cooperative.objects.get(pk=world.coop_a.pk).loans.count() == 1
