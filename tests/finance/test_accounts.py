"""The uniform chart and a cooperative's own sub-accounts: the migration seeds every shared
account; a cooperative adds sub-accounts under them (1-102.01, 1-102.02 …) that take their
parent's place in the statements, never under an account the savings and loan books keep, and
never changes a shared account."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from finance import chart
from finance.chart import STANDARD_CHART, chart_ensure_standard
from finance.enums import AccountControl, AccountType, CashFlowClass
from finance.models import Account
from finance.services import account_create_sub, account_update_sub

pytestmark = pytest.mark.django_db


def shared(code: str) -> Account:
    return Account.objects.get(cooperative=None, code=code)


def sub(cooperative, parent_code: str, name: str, **kw) -> Account:
    return account_create_sub(
        cooperative=cooperative, parent=shared(parent_code), name=name, by=None, **kw
    )


def code_of(error: ValidationError) -> str:
    """The refusal's code, of the one field it names or of the whole."""
    if hasattr(error, "error_dict"):
        [problems] = error.error_dict.values()
        return problems[0].code
    return error.code


def refused(call) -> ValidationError:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        call()
    return error.value


# --- the shared chart ----------------------------------------------------------------------------


def test_the_migration_seeded_every_account_of_the_standard_chart(db):
    seeded = {a.code: a for a in Account.objects.filter(cooperative=None).select_related("parent")}
    assert len(STANDARD_CHART) > 40
    assert set(seeded) >= {spec.code for spec in STANDARD_CHART}
    for spec in STANDARD_CHART:
        account = seeded[spec.code]
        assert (account.name, account.type, account.business_unit, account.control) == (
            spec.name,
            spec.type,
            spec.business_unit,
            spec.control,
        ), spec.code
        assert (account.is_cash, account.cash_flow, account.is_active, account.parent) == (
            spec.is_cash,
            spec.cash_flow,
            True,
            None,
        ), spec.code
    # Nothing is missing, so seeding again creates nothing.
    assert chart_ensure_standard() == 0


def test_the_codes_the_services_post_to_are_in_the_chart_with_their_books(db):
    expected = {
        chart.CASH: (AccountType.ASSET, ""),
        chart.BANK: (AccountType.ASSET, ""),
        chart.MEMBER_LOANS: (AccountType.ASSET, AccountControl.MEMBER_LOANS),
        chart.VOLUNTARY_SAVINGS: (AccountType.LIABILITY, AccountControl.SAVINGS_SUKARELA),
        chart.BANK_LOANS: (AccountType.LIABILITY, AccountControl.BANK_LOANS),
        chart.PRINCIPAL_SAVINGS: (AccountType.EQUITY, AccountControl.SAVINGS_POKOK),
        chart.COMPULSORY_SAVINGS: (AccountType.EQUITY, AccountControl.SAVINGS_WAJIB),
        chart.RETAINED_SHU: (AccountType.EQUITY, ""),
        chart.LOAN_INTEREST: (AccountType.REVENUE, ""),
        chart.BANK_INTEREST: (AccountType.EXPENSE, ""),
    }
    for code, (account_type, control) in expected.items():
        account = shared(code)
        assert (account.type, account.control) == (account_type, control), code
    assert shared(chart.CASH).is_cash and shared(chart.BANK).is_cash


def test_seeding_again_restores_a_missing_account_and_keeps_the_provinces_edits(db):
    shared("1-140").delete()
    Account.objects.filter(cooperative=None, code=chart.CASH).update(name="Kas tunai")
    assert chart_ensure_standard() == 1
    assert shared("1-140").name == "Biaya dibayar di muka"
    assert shared(chart.CASH).name == "Kas tunai"


# --- sub-accounts --------------------------------------------------------------------------------


def test_sub_accounts_are_numbered_under_their_parent_and_take_its_place(world):
    bri = sub(world.coop_a, chart.BANK, "Bank BRI Unit Tenggarong")
    bpd = sub(world.coop_a, chart.BANK, "  Bankaltimtara  ")
    gerai = sub(world.coop_a, "4-101", "Penjualan gerai 2")
    theirs = sub(world.coop_c, chart.BANK, "Bank BRI Tanjung Redeb")

    assert [bri.code, bpd.code, gerai.code, theirs.code] == [
        "1-102.01",
        "1-102.02",
        "4-101.01",
        "1-102.01",
    ]
    assert bpd.name == "Bankaltimtara"
    bank = shared(chart.BANK)
    assert (bri.cooperative, bri.parent, bri.type, bri.is_cash, bri.cash_flow, bri.control) == (
        world.coop_a,
        bank,
        AccountType.ASSET,
        True,
        CashFlowClass.OPERATING,
        "",
    )
    assert (gerai.type, gerai.business_unit, gerai.is_cash) == (
        AccountType.REVENUE,
        "gerai_sembako",
        False,
    )
    # A unit of its own when asked; the rest still from the parent.
    klinik = sub(world.coop_a, chart.CASH, "Kas klinik", business_unit="klinik")
    assert (klinik.code, klinik.business_unit, klinik.is_cash) == ("1-101.01", "klinik", True)


def test_a_retired_number_is_not_given_again(world):
    first = sub(world.coop_a, chart.BANK, "Bank BRI")
    account_update_sub(account=first, by=world.alice, is_active=False)
    assert sub(world.coop_a, chart.BANK, "Bank Mandiri").code == "1-102.02"


@pytest.mark.parametrize(
    "code",
    [
        chart.PRINCIPAL_SAVINGS,
        chart.COMPULSORY_SAVINGS,
        chart.VOLUNTARY_SAVINGS,
        chart.MEMBER_LOANS,
        chart.BANK_LOANS,
    ],
)
def test_no_sub_account_under_an_account_the_savings_or_loan_books_keep(world, code):
    error = refused(lambda: sub(world.coop_a, code, "Per RT"))
    assert code_of(error) == "parent_is_subledger"
    assert list(error.message_dict) == ["parent"]
    assert str(shared(code)) in error.message_dict["parent"][0]
    assert not Account.objects.filter(cooperative__isnull=False).exists()


def test_no_sub_account_under_a_sub_account(world):
    bri = sub(world.coop_a, chart.BANK, "Bank BRI")
    error = refused(
        lambda: account_create_sub(cooperative=world.coop_a, parent=bri, name="Giro", by=None)
    )
    assert error.message_dict == {
        "parent": ["Sub-accounts go under an account of the shared chart."]
    }
    assert Account.objects.filter(cooperative=world.coop_a).count() == 1


def test_a_name_is_used_once_under_a_parent(world):
    sub(world.coop_a, chart.BANK, "Bank BRI")
    error = refused(lambda: sub(world.coop_a, chart.BANK, "bank bri "))
    assert code_of(error) == "duplicate_name"
    assert error.message_dict == {
        "name": [f"{shared(chart.BANK)} already has a sub-account “bank bri”."]
    }
    # The same name elsewhere is another account.
    assert sub(world.coop_a, chart.CASH, "Bank BRI").code == "1-101.01"
    assert sub(world.coop_c, chart.BANK, "Bank BRI").code == "1-102.01"
    assert Account.objects.filter(cooperative__isnull=False).count() == 3


@pytest.mark.parametrize("name", ["", "   "])
def test_a_sub_account_needs_a_name(world, name):
    error = refused(lambda: sub(world.coop_a, chart.BANK, name))
    assert code_of(error) == "name_required"
    assert error.message_dict == {"name": ["Give the sub-account a name."]}
    assert not Account.objects.filter(cooperative__isnull=False).exists()


def test_a_sub_account_is_renamed_or_retired_but_a_shared_one_never(world):
    bri = sub(world.coop_a, chart.BANK, "Bank BRI")
    account_update_sub(account=bri, by=world.alice, name=" Bank BRI Unit Loa Janan ")
    account_update_sub(account=bri, by=world.alice, is_active=False)
    bri.refresh_from_db()
    assert (bri.name, bri.is_active, bri.code) == ("Bank BRI Unit Loa Janan", False, "1-102.01")

    bank = shared(chart.BANK)
    for change in ({"name": "Bank desa"}, {"is_active": False}):
        error = refused(
            lambda change=change: account_update_sub(account=bank, by=world.alice, **change)
        )
        assert code_of(error) == "shared_account"
    bank.refresh_from_db()
    assert (bank.name, bank.is_active) == ("Bank", True)
    blank = refused(lambda: account_update_sub(account=bri, by=world.alice, name=" "))
    assert code_of(blank) == "name_required"
