"""The cash-book page: what waits, by name, with the likely account chosen; one button maps and
posts (the operator only: the pengawas reads, another cooperative's operator gets 404); the
remembered names, each changeable for the postings to come; the import's result page says
how many names are new and links here."""

import pytest
from django.urls import reverse

from finance import chart
from finance.balances import balances_by_code
from finance.enums import CashBookStatus
from finance.models import Account, AccountMapping, CashBookEntry, JournalEntry
from tests.finance.test_cashbook import FIRST, SECOND, cash_book, day, first_month_rows, run_import

pytestmark = pytest.mark.django_db


def url(world, name="finance:cashbook"):
    return reverse(name, kwargs={"pk": world.coop_a.pk})


def account(code):
    return Account.objects.get(cooperative__isnull=True, code=code)


@pytest.fixture
def imported(world):
    return run_import(world, cash_book(first_month_rows()))


def mapping_post(**accounts):
    data = {}
    for index, (name, code) in enumerate(accounts.items()):
        data[f"name-{index}"] = name
        data[f"account-{index}"] = str(account(code).pk) if code else ""
    return data


def test_the_page_lists_the_new_names_with_the_likely_account_chosen(client, world, imported):
    client.force_login(world.alice)
    response = client.get(url(world))
    assert response.status_code == 200
    form = response.context["form"]
    shown = [(item.name, account_field.value()) for item, _name, account_field in form.rows]
    assert shown == [
        ("Listrik", str(account("5-902").pk)),
        ("Penjualan Toko", str(account("4-101").pk)),
        ("Simpanan Wajib", str(account(chart.COMPULSORY_SAVINGS).pk)),
    ]
    page = response.content.decode()
    assert "“Penjualan Toko”" in page and "“Listrik”" in page
    assert 'name="account-0"' in page
    assert f'<option value="{account(chart.CASH).pk}"' not in page  # Kas is never offered


def test_the_import_result_says_how_many_names_are_new_and_links_here(client, world, imported):
    client.force_login(world.alice)
    client.cookies["kopdes_language"] = "en"
    response = client.get(reverse("import_run_detail", args=[imported.pk]))
    page = response.content.decode()
    assert 'id="cashbook-waiting"' in page
    assert url(world) in page
    notice = page.split('<div class="msg msg-warning" role="status" id="cashbook-waiting">')[1]
    assert notice.split("</div>")[0].lstrip().startswith("3 ")


def test_the_operator_maps_and_posts_in_one_click(client, world, imported):
    client.force_login(world.alice)
    response = client.post(
        url(world),
        mapping_post(**{"Listrik": "5-902", "Penjualan Toko": "4-101", "Simpanan Wajib": "3-102"}),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url(world)
    assert dict(CashBookEntry.objects.values_list("voucher_no", "book_status")) == {
        "BKM-001": CashBookStatus.POSTED,
        "BKK-001": CashBookStatus.POSTED,
        "BKM-002": CashBookStatus.POSTED,
        "BKM-003": CashBookStatus.SUBLEDGER,
    }
    assert balances_by_code(world.coop_a) == {
        chart.CASH: 1_750_000,
        "4-101": 2_000_000,
        "5-902": 250_000,
    }
    assert AccountMapping.objects.filter(cooperative=world.coop_a).count() == 3
    followed = client.get(url(world))
    assert followed.context["book"].rows == 0
    result = client.get(reverse("import_run_detail", args=[imported.pk])).content.decode()
    assert '<p class="muted" id="cashbook-waiting">' in result  # in the journal, no warning


def test_a_name_left_without_an_account_posts_nothing(client, world, imported):
    client.force_login(world.alice)
    response = client.post(
        url(world),
        mapping_post(**{"Listrik": "5-902", "Penjualan Toko": "", "Simpanan Wajib": "3-102"}),
    )
    assert response.status_code == 400
    assert response.context["problems"]
    assert not JournalEntry.objects.exists()
    assert not AccountMapping.objects.exists()


def test_a_name_missing_from_the_form_is_refused_by_name(client, world, imported):
    """An import added a name after the page was opened: it is never mapped blind."""
    client.force_login(world.alice)
    response = client.post(url(world), mapping_post(**{"Listrik": "5-902"}))
    assert response.status_code == 400
    problems = " ".join(response.context["problems"])
    assert "Penjualan Toko" in problems and "Simpanan Wajib" in problems
    assert not JournalEntry.objects.exists()
    assert not AccountMapping.objects.exists()


def test_the_pengawas_reads_but_may_not_post(client, world, imported):
    client.force_login(world.bob)
    assert client.get(url(world)).status_code == 200
    response = client.post(
        url(world),
        mapping_post(**{"Listrik": "5-902", "Penjualan Toko": "4-101", "Simpanan Wajib": "3-102"}),
    )
    assert response.status_code == 403
    assert not JournalEntry.objects.exists()
    assert not AccountMapping.objects.exists()


def test_another_cooperatives_operator_gets_404(client, world, imported):
    client.force_login(world.carol)
    assert client.get(url(world)).status_code == 404
    assert client.post(url(world), mapping_post(**{"Listrik": "5-902"})).status_code == 404
    assert client.get(url(world, "finance:cashbook_mappings")).status_code == 404
    assert not AccountMapping.objects.exists()


def test_changing_a_remembered_name_affects_future_postings_only(client, world):
    run_import(
        world, cash_book([[day(FIRST, 2), "BKK-001", "Listrik", "Listrik", "", 250_000, ""]])
    )
    client.force_login(world.alice)
    client.post(url(world), mapping_post(**{"Listrik": "5-902"}))
    mapping = AccountMapping.objects.get(cooperative=world.coop_a)

    page = client.get(url(world, "finance:cashbook_mappings"))
    assert page.status_code == 200 and "“Listrik”" in page.content.decode()
    client.force_login(world.bob)
    refused = client.post(
        url(world, "finance:cashbook_mappings"),
        {"mapping": mapping.pk, f"m{mapping.pk}-account": account("5-903").pk},
    )
    assert refused.status_code == 403
    client.force_login(world.alice)
    kas = client.post(
        url(world, "finance:cashbook_mappings"),
        {"mapping": mapping.pk, f"m{mapping.pk}-account": account(chart.CASH).pk},
    )
    assert kas.status_code == 400
    changed = client.post(
        url(world, "finance:cashbook_mappings"),
        {"mapping": mapping.pk, f"m{mapping.pk}-account": account("5-903").pk},
    )
    assert changed.status_code == 302
    mapping.refresh_from_db()
    assert mapping.account.code == "5-903"

    run_import(
        world,
        cash_book(
            [[day(SECOND, 2), "BKK-002", "Listrik", "Listrik", "", 300_000, ""]], month=SECOND
        ),
    )
    assert balances_by_code(world.coop_a) == {
        chart.CASH: -550_000,
        "5-902": 250_000,  # the old row keeps its entry
        "5-903": 300_000,
    }
