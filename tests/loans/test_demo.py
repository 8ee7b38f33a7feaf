"""The products seed_demo ships match the loan form's choices and the PMK 49/2025 limits."""

import pytest

from forms.defaults.loan import LOAN_FIELDS
from loans.demo import ensure_demo_products
from loans.models import LoanProduct

pytestmark = pytest.mark.django_db


def test_demo_products_are_created_once_and_keep_an_admins_edits():
    products = ensure_demo_products()
    assert len(products) == 3
    micro = LoanProduct.objects.get(code="mikro_anggota")
    micro.max_amount = 8_000_000
    micro.save()
    assert len(ensure_demo_products()) == 3
    assert LoanProduct.objects.count() == 3
    assert LoanProduct.objects.get(code="mikro_anggota").max_amount == 8_000_000


def test_every_choice_of_the_loan_form_has_its_product():
    ensure_demo_products()
    produk = next(block for block in LOAN_FIELDS if block.get("value", {}).get("code") == "produk")
    codes = {choice["code"] for choice in produk["value"]["choices"]}
    assert codes == {"mikro_anggota", "modal_usaha"}
    assert codes <= set(LoanProduct.objects.values_list("code", flat=True))


def test_the_himbara_financing_follows_pmk_49_2025():
    ensure_demo_products()
    pmk = LoanProduct.objects.get(code="pmk49_himbara")
    assert pmk.max_amount == 3_000_000_000
    assert pmk.monthly_rate * 12 * 100 == 6
    assert (pmk.max_tenor_months, pmk.min_grace_months, pmk.max_grace_months) == (72, 6, 8)
    assert pmk.terms_problems(amount=3_000_000_000, tenor_months=72, grace_months=8) == {}
    assert "amount" in pmk.terms_problems(amount=3_000_000_001, tenor_months=72, grace_months=8)
