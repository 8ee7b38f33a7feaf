"""The shared chart of accounts in the Wagtail admin: the provincial admin (grace, form admin)
and superusers keep it; a cooperative's sub-accounts never show there; an account the books
use keeps its code and type and is never deleted."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from finance import chart
from finance.models import Account
from finance.services import (
    JournalError,
    Line,
    account_create_sub,
    account_mapping_confirm,
    journal_post,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEX, ADD = "chart_accounts:index", "chart_accounts:add"


def edit(account: Account) -> str:
    return reverse("chart_accounts:edit", args=[account.pk])


def delete(account: Account) -> str:
    return reverse("chart_accounts:delete", args=[account.pk])


def shared(code: str) -> Account:
    return Account.objects.get(cooperative=None, code=code)


def form_data(account: Account | None = None, **changes) -> dict:
    fields = {
        "code": "4-701",
        "name": "Pendapatan wisata desa",
        "name_en": "Village tourism income",
        "type": "revenue",
        "business_unit": "kantor",
        "cash_flow": "operating",
        "control": "",
        "is_active": "on",
    }
    if account is not None:
        fields.update(
            code=account.code,
            name=account.name,
            name_en=account.name_en,
            type=account.type,
            business_unit=account.business_unit,
            cash_flow=account.cash_flow,
            control=account.control,
        )
        if account.is_cash:
            fields["is_cash"] = "on"
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def posted(world):
    """Bukit Raya's BRI sub-account and an entry on Kas and on it."""
    bri = account_create_sub(
        cooperative=world.coop_a, parent=shared(chart.BANK), name="Bank BRI Tenggarong", by=None
    )
    journal_post(
        cooperative=world.coop_a,
        date=timezone.localdate(),
        description="Setor kas ke bank",
        lines=[Line(bri, debit=500_000), Line(chart.CASH, credit=500_000)],
        by=world.alice,
    )
    return bri


def test_the_form_admin_lists_the_shared_chart_without_any_cooperatives_sub_accounts(
    client, world, posted
):
    client.force_login(world.grace)
    listing = client.get(reverse(INDEX))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Penjualan gerai sembako" in page and "1-101" in page
    assert "Bank BRI Tenggarong" not in page
    shown = list(listing.context["object_list"])
    assert len(shown) == Account.objects.filter(cooperative=None).count()
    posted_to = {a.code for a in shown if a.posted}
    assert posted_to == {chart.CASH}  # the sub-account's lines are not the parent's
    # Filters: the revenue accounts only.
    revenue = client.get(reverse(INDEX), {"type": "revenue"})
    assert {a.type for a in revenue.context["object_list"]} == {"revenue"}
    assert client.get(reverse(INDEX), {"q": "sembako"}).status_code == 200
    # The admin's menu leads here.
    assert reverse(INDEX) in client.get(reverse("wagtailadmin_home")).content.decode()
    # A cooperative's sub-account has no admin page.
    assert client.get(edit(posted)).status_code == 404
    assert client.get(delete(posted)).status_code == 404


@pytest.mark.parametrize("name", ["alice", "frank", "ivan"])
def test_nobody_else_keeps_the_chart_in_the_admin(client, world, name):
    client.force_login(getattr(world, name))
    for address in (reverse(INDEX), reverse(ADD), edit(shared(chart.CASH))):
        response = client.get(address)
        assert response.status_code in (302, 403), address
    assert client.post(reverse(ADD), form_data()).status_code in (302, 403)
    assert not Account.objects.filter(code="4-701").exists()


def test_a_shared_account_is_created_and_refused_when_its_code_is_taken(client, world, posted):
    client.force_login(world.grace)
    created = client.post(reverse(ADD), form_data())
    assert created.status_code == 302, created.content.decode()[:3000]
    account = Account.objects.get(code="4-701")
    assert (account.cooperative, account.parent, account.type, account.business_unit) == (
        None,
        None,
        "revenue",
        "kantor",
    )
    client.cookies["kopdes_language"] = "en"
    with translation.override("en"):
        for code, message in [
            ("4-701", "Another account has the code 4-701."),
            ("1-102.01", "Codes with a dot belong to the cooperatives' sub-accounts (1-102.01)."),
        ]:
            refused = client.post(reverse(ADD), form_data(code=code, name="Lagi"))
            assert refused.status_code == 200
            assert refused.context["form"].errors["code"] == [message]
    assert Account.objects.filter(name="Lagi").count() == 0


def test_an_account_in_use_keeps_its_code_and_type_but_may_be_renamed(client, root, posted):
    client.force_login(root)
    cash = shared(chart.CASH)
    form = client.get(edit(cash)).context["form"]
    assert form.fields["code"].disabled and form.fields["type"].disabled
    saved = client.post(edit(cash), form_data(cash, code="1-199", type="expense", name="Kas tunai"))
    assert saved.status_code == 302
    cash.refresh_from_db()
    assert (cash.code, cash.type, cash.name) == (chart.CASH, "asset", "Kas tunai")
    # A parent of sub-accounts is in use too, though nothing is posted to it directly.
    bank = shared(chart.BANK)
    assert client.get(edit(bank)).context["form"].fields["code"].disabled
    # An account nothing uses may still be renumbered.
    unused = shared("1-140")
    assert not client.get(edit(unused)).context["form"].fields["code"].disabled
    assert client.post(edit(unused), form_data(unused, code="1-141")).status_code == 302
    unused.refresh_from_db()
    assert unused.code == "1-141"


def test_an_account_the_books_use_is_never_deleted(client, world, root, posted):
    client.force_login(root)
    cash, bank = shared(chart.CASH), shared(chart.BANK)
    retail = shared("1-120")
    account_mapping_confirm(cooperative=world.coop_a, name="Piutang", account=retail, by=None)
    for account in (cash, bank, retail):
        answer = client.get(delete(account))
        assert answer.status_code == 302 and answer["Location"] == edit(account)
        assert client.post(delete(account)).status_code == 302
        assert Account.objects.filter(pk=account.pk).exists()
    listing = client.get(reverse(INDEX)).content.decode()
    assert delete(cash) not in listing
    unused = shared("1-140")
    assert delete(unused) in listing
    assert client.post(delete(unused)).status_code == 302
    assert not Account.objects.filter(pk=unused.pk).exists()
    # Retiring is how an account in use leaves the chart.
    assert client.post(edit(cash), form_data(cash, is_active=None)).status_code == 302
    cash.refresh_from_db()
    assert not cash.is_active
    with pytest.raises(JournalError) as refused:
        journal_post(
            cooperative=world.coop_a,
            date=timezone.localdate(),
            description="Kas",
            lines=[Line(chart.CASH, debit=1_000), Line("4-101", credit=1_000)],
            by=world.alice,
        )
    assert refused.value.code == "inactive_account"
