"""A member micro-loan of Rp 6.000.000 over 12 months at 1,5 % a month, flat."""

from decimal import Decimal

import pytest
from django.utils import timezone

from loans.enums import InterestMethod
from loans.models import Loan, LoanProduct
from loans.services import loan_create_from_application, loan_payout_confirm, loan_payout_record
from tests.factories import MemberFactory, UserFactory
from tests.workflows.builders import loan_application, loan_form


@pytest.fixture
def micro():
    return LoanProduct.objects.create(
        code="mikro",
        name="Pinjaman Mikro",
        min_amount=500_000,
        max_amount=20_000_000,
        min_tenor_months=3,
        max_tenor_months=24,
        rate_percent=Decimal("1.5"),
        interest_method=InterestMethod.FLAT,
    )


@pytest.fixture
def loan(world, micro) -> Loan:
    member = MemberFactory(cooperative=world.coop_a)
    application = loan_application(loan_form(None), world, 6_000_000, member=member)
    return loan_create_from_application(
        application=application,
        member=member,
        product_code="mikro",
        principal=6_000_000,
        tenor_months=12,
        approved_by=world.henry,
    )


@pytest.fixture
def active_loan(world, loan) -> Loan:
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=timezone.localdate())
    return loan_payout_confirm(loan=loan, by=UserFactory(username="kasir"))
