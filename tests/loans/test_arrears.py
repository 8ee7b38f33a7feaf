"""Days past due, collectibility classes and the NPL ratio, recomputed by the nightly job."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule

from cooperatives.models import Cooperative
from loans.arrears import collectibility_for, loans_arrears_update, portfolio
from loans.enums import Collectibility
from loans.models import Loan
from loans.services import loan_payout_confirm, loan_payout_record, repayment_record
from loans.tasks import arrears_nightly
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAID_OUT = datetime.date(2026, 1, 15)  # instalments due on the 15th from February


@pytest.fixture
def late_loan(world, loan) -> Loan:
    Loan.objects.filter(pk=loan.pk).update(
        approved_at=datetime.datetime(2026, 1, 10, tzinfo=datetime.UTC)
    )
    loan.refresh_from_db()
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=PAID_OUT)
    return loan_payout_confirm(loan=loan, by=UserFactory(username="kasir"))


@pytest.mark.parametrize(
    ("days", "klass"),
    [
        (0, Collectibility.LANCAR),
        (1, Collectibility.DPK),
        (90, Collectibility.DPK),
        (91, Collectibility.KURANG_LANCAR),
        (120, Collectibility.KURANG_LANCAR),
        (121, Collectibility.DIRAGUKAN),
        (180, Collectibility.DIRAGUKAN),
        (181, Collectibility.MACET),
    ],
)
def test_the_class_boundaries(days, klass):
    assert collectibility_for(days) == klass


def test_days_past_due_count_from_the_oldest_unpaid_instalment(world, late_loan):
    loans_arrears_update(on=datetime.date(2026, 2, 15))
    late_loan.refresh_from_db()
    assert (late_loan.days_past_due, late_loan.collectibility) == (0, Collectibility.LANCAR)

    loans_arrears_update(on=datetime.date(2026, 5, 20))  # Feb 15 unpaid: 94 days
    late_loan.refresh_from_db()
    assert late_loan.days_past_due == 94
    assert late_loan.collectibility == Collectibility.KURANG_LANCAR
    assert late_loan.overdue_amount == 4 * 590_000  # February to May

    # A late payment covering February and March: April 15 is now the oldest unpaid.
    repayment_record(
        loan=late_loan, by=world.henry, amount=2 * 590_000, paid_on=datetime.date(2026, 5, 20)
    )
    loans_arrears_update(on=datetime.date(2026, 5, 20))
    late_loan.refresh_from_db()
    assert (late_loan.days_past_due, late_loan.collectibility) == (35, Collectibility.DPK)
    assert late_loan.arrears_as_of == datetime.date(2026, 5, 20)


def test_the_job_is_idempotent_and_its_queries_do_not_grow_with_the_loans(world, late_loan):
    assert loans_arrears_update(on=datetime.date(2026, 9, 1)) == 1
    assert loans_arrears_update(on=datetime.date(2026, 9, 1)) == 0  # a second run changes nothing
    with CaptureQueriesContext(connection) as queries:
        loans_arrears_update(on=datetime.date(2026, 9, 2))
    assert len(queries) <= 6
    assert arrears_nightly() == 1  # today
    assert Schedule.objects.filter(func="loans.tasks.arrears_nightly", schedule_type="D").exists()


def test_the_npl_ratio_counts_kurang_lancar_diragukan_and_macet(world, late_loan):
    loans_arrears_update(on=datetime.date(2026, 3, 1))
    figures = portfolio(Loan.objects.filter(cooperative=world.coop_a))
    assert figures.outstanding == 6_000_000 and figures.non_performing == 0
    assert figures.npl_ratio == 0
    loans_arrears_update(on=datetime.date(2026, 8, 1))  # Feb 15 unpaid: 167 days, Diragukan
    figures = portfolio(Loan.objects.filter(cooperative__in=Cooperative.objects.all()))
    assert (figures.non_performing, figures.npl_ratio) == (6_000_000, 1)
    assert portfolio(Loan.objects.filter(cooperative=world.coop_c)).npl_ratio is None


def test_late_penalties_accrue_per_day_once_and_catch_up_after_downtime(world, late_loan):
    """2 % a month (÷ 30 a day) of what is unpaid, after 3 free days; accrued to a date."""
    from decimal import Decimal

    from loans.models import Instalment, LoanProduct

    LoanProduct.objects.filter(pk=late_loan.product_id).update(
        penalty_percent_per_month=Decimal(2), penalty_free_days=3
    )
    first = Instalment.objects.get(loan=late_loan, number=1)  # Rp 590.000 due 15 Feb
    loans_arrears_update(on=datetime.date(2026, 2, 18))  # within the free days
    first.refresh_from_db()
    assert first.penalty == 0
    loans_arrears_update(on=datetime.date(2026, 2, 28))  # 10 days: 590.000 × 2 % × 10/30
    first.refresh_from_db()
    assert (first.penalty, first.penalty_accrued_to) == (3_933, datetime.date(2026, 2, 28))
    loans_arrears_update(on=datetime.date(2026, 2, 28))  # the same night again: nothing more
    first.refresh_from_db()
    assert first.penalty == 3_933
    # Down for 30 days: the missed days are added once, on what is still unpaid.
    loans_arrears_update(on=datetime.date(2026, 3, 30))
    first.refresh_from_db()
    assert first.penalty == 3_933 + 11_800
    late_loan.refresh_from_db()
    second = Instalment.objects.get(loan=late_loan, number=2)  # due 15 Mar: 12 days → 4.720
    second.refresh_from_db()
    assert second.penalty == 4_720
    assert late_loan.overdue_amount == 2 * 590_000 + 3_933 + 11_800 + 4_720
    # A payment covers the penalty first.
    repayment = repayment_record(
        loan=late_loan, by=world.henry, amount=20_000, paid_on=datetime.date(2026, 3, 30)
    )
    assert (repayment.penalty, repayment.principal + repayment.interest) == (15_733, 4_267)


def test_on_demand_for_one_cooperative_leaves_the_others(world, late_loan):
    loans_arrears_update(on=datetime.date(2026, 5, 20), cooperative_ids=[world.coop_c.pk])
    late_loan.refresh_from_db()
    assert late_loan.arrears_as_of is None
    loans_arrears_update(on=datetime.date(2026, 5, 20), cooperative_ids=[world.coop_a.pk])
    late_loan.refresh_from_db()
    assert late_loan.days_past_due == 94
