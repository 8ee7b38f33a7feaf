"""Loan products: their limits refuse bad terms in plain words; their schedule follows them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from loans.enums import GraceKind, InterestMethod, RatePeriod
from loans.models import LoanProduct
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def himbara(**changes) -> LoanProduct:
    """PMK 49/2025 financing: up to Rp 3 miliar, 6 % a year, up to 72 months, 6-8 months grace."""
    fields = {
        "code": "pmk-49",
        "name": "Pembiayaan Himbara",
        "min_amount": 100_000_000,
        "max_amount": 3_000_000_000,
        "min_tenor_months": 12,
        "max_tenor_months": 72,
        "rate_percent": Decimal(6),
        "rate_period": RatePeriod.YEAR,
        "interest_method": InterestMethod.ANNUITY,
        "grace_kind": GraceKind.INTEREST_ONLY,
        "min_grace_months": 6,
        "max_grace_months": 8,
        **changes,
    }
    product = LoanProduct(**fields)
    product.full_clean()
    product.save()
    return product


def test_terms_outside_the_product_are_refused_in_bahasa_indonesia():
    product = himbara()
    problems = product.terms_problems(amount=3_500_000_000, tenor_months=84, grace_months=9)
    assert (
        problems["amount"]
        == "Pembiayaan Himbara meminjamkan Rp 100.000.000 sampai Rp 3.000.000.000."
    )
    assert problems["tenor_months"] == "Jangka waktu Pembiayaan Himbara 12 sampai 72 bulan."
    assert problems["grace_months"] == "Masa tenggang Pembiayaan Himbara 6 sampai 8 bulan."
    assert (
        product.terms_problems(amount=0, tenor_months=24)["amount"] == "Jumlah harus lebih dari 0."
    )
    assert product.terms_problems(amount=500_000_000, tenor_months=60, grace_months=6) == {}
    with pytest.raises(ValidationError):
        product.schedule(
            amount=4_000_000_000, tenor_months=60, disbursed_on=datetime.date(2026, 1, 1)
        )


def test_the_schedule_uses_the_products_rate_method_and_grace():
    product = himbara()
    schedule = product.schedule(
        amount=1_200_000_000,
        tenor_months=60,
        grace_months=6,
        disbursed_on=datetime.date(2026, 1, 10),
    )
    assert product.monthly_rate == Decimal("0.005")
    assert len(schedule) == 60
    assert {i.principal for i in schedule[:6]} == {0}
    assert schedule[0].interest == 6_000_000  # 0,5 % of Rp 1,2 miliar
    assert sum(i.principal for i in schedule) == 1_200_000_000
    assert len({i.total for i in schedule[6:-1]}) == 1  # annuity: equal instalments


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"min_amount": 5_000_000_000}, "max_amount"),
        ({"min_tenor_months": 80}, "max_tenor_months"),
        ({"grace_kind": GraceKind.NONE}, "grace_kind"),
        ({"max_grace_months": 72}, "max_grace_months"),
    ],
)
def test_a_product_that_contradicts_itself_cannot_be_saved(changes, field):
    with pytest.raises(ValidationError) as refused:
        himbara(**changes)
    assert field in refused.value.message_dict


def test_an_admin_edits_products_in_the_wagtail_admin(client):
    product = himbara()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    listing = client.get(reverse("loan_products:index"))
    assert listing.status_code == 200 and "Pembiayaan Himbara" in listing.content.decode()
    edit = client.get(reverse("loan_products:edit", args=[product.pk]))
    assert edit.status_code == 200
    # Who borrows is the admin's choice too: a member, or the cooperative from a bank.
    assert 'name="kind"' in edit.content.decode()
