"""The books' core pages in the portal, through the test client as the world's named users.

alice keeps the books of Bukit Raya (coop_a, operator), bob is its pengawas (reads, closes
months, never posts), erin its regency officer (reopens months); carol keeps the books of
Merabu – Panaan (coop_c) and sees nothing of Bukit Raya.

The books used here, by hand: a grocery sale of Rp 750.000 in cash, Rp 1.000.000 of cash put
in the BRI account (a sub-account of 1-102 Bank) and Rp 250.000 of electricity paid from cash:
Kas 750.000 − 1.000.000 − 250.000 = −500.000 … so the opening capital of Rp 2.000.000 (hibah)
comes first: Kas 1.500.000, Bank BRI 1.000.000, assets 2.500.000; equity 2.000.000; revenue
750.000; expenses 250.000.
"""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from finance import chart
from finance.enums import EntrySource, PeriodAction
from finance.models import Account, ClosedPeriod, JournalEntry, JournalLine, PeriodEvent
from finance.services import (
    Line,
    account_create_sub,
    journal_post,
    journal_reverse,
    period_close,
)
from tests.factories import MemberFactory
from tests.website.test_portal import PAGE_BUDGET_BYTES, assert_csp_clean, html, page_weight

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
GRANTS, SALES, ELECTRICITY = "3-202", "4-101", "5-902"
REASON = "Nota listrik tertukar dengan nota gerai."


def last_month(day: int = 10) -> datetime.date:
    return (TODAY().replace(day=1) - datetime.timedelta(days=1)).replace(day=day)


def shared(code: str) -> Account:
    return Account.objects.get(cooperative=None, code=code)


def url(name: str, cooperative, *args) -> str:
    return reverse(f"finance:{name}", args=[cooperative.pk, *args])


def books_size() -> tuple[int, int]:
    return JournalEntry.objects.count(), JournalLine.objects.count()


@pytest.fixture
def books(world):
    """Bukit Raya's small books (see the module docstring), and one entry of Merabu – Panaan."""
    bri = account_create_sub(
        cooperative=world.coop_a, parent=shared(chart.BANK), name="Bank BRI", by=world.alice
    )
    day = TODAY() - datetime.timedelta(days=2)
    entries = [
        journal_post(
            cooperative=world.coop_a,
            date=last_month(3),
            description="Hibah modal awal dari desa",
            lines=[Line(chart.CASH, debit=2_000_000), Line(GRANTS, credit=2_000_000)],
            by=world.alice,
        ),
        journal_post(
            cooperative=world.coop_a,
            date=day,
            description="Penjualan sembako",
            lines=[Line(chart.CASH, debit=750_000), Line(SALES, credit=750_000)],
            by=world.alice,
        ),
        journal_post(
            cooperative=world.coop_a,
            date=day,
            description="Setor kas ke BRI",
            lines=[Line(bri, debit=1_000_000), Line(chart.CASH, credit=1_000_000)],
            by=world.alice,
        ),
        journal_post(
            cooperative=world.coop_a,
            date=TODAY(),
            description="Bayar listrik kantor",
            lines=[Line(ELECTRICITY, debit=250_000), Line(chart.CASH, credit=250_000)],
            by=world.alice,
        ),
    ]
    theirs = journal_post(
        cooperative=world.coop_c,
        date=TODAY(),
        description="Penjualan sembako Merabu",
        lines=[Line(chart.CASH, debit=99_000), Line(SALES, credit=99_000)],
        by=world.carol,
    )
    return entries, bri, theirs


def entry_post(*rows, date=None, description="Beli alat tulis kantor", total=None, **extra):
    """The new-entry form as a browser sends it: rows of (account pk, debit, credit, NIK, memo),
    padded to `total` rows with empty ones."""
    data = {
        "date": f"{date or TODAY():%Y-%m-%d}",
        "description": description,
        "lines-INITIAL_FORMS": "4",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "40",
    }
    rows = list(rows)
    count = max(total or 4, len(rows))
    data["lines-TOTAL_FORMS"] = str(count)
    for index in range(count):
        account, debit, credit, nik, memo = (
            (rows[index] + ("",) * 5)[:5] if index < len(rows) else ("",) * 5
        )
        data.update(
            {
                f"lines-{index}-account": str(account),
                f"lines-{index}-debit": debit,
                f"lines-{index}-credit": credit,
                f"lines-{index}-member": nik,
                f"lines-{index}-memo": memo,
            }
        )
    data.update(extra)
    return data


# --- who sees what -------------------------------------------------------------------------------


READ_PAGES = ["books", "accounts", "journal", "periods"]


def test_every_page_answers_the_operator_the_pengawas_and_nobody_outside(client, world, books):
    entries, bri, theirs = books
    pages = [(name, []) for name in READ_PAGES] + [
        ("entry", [entries[1].pk]),
        ("account_edit", [bri.pk]),
        ("journal_new", []),
    ]
    for name, args in pages:
        address = url(name, world.coop_a, *args)
        client.force_login(world.alice)
        response = client.get(address)
        assert response.status_code == 200, name
        assert page_weight(response) < PAGE_BUDGET_BYTES, name
        assert_csp_clean(html(response))
        client.force_login(world.bob)
        assert client.get(address).status_code == (403 if name == "journal_new" else 200), name
        client.force_login(world.carol)
        assert client.get(address).status_code == 404, name
    client.force_login(world.alice)
    # Another cooperative's entry or sub-account under Bukit Raya's address: not found.
    assert client.get(url("entry", world.coop_a, theirs.pk)).status_code == 404
    other_sub = account_create_sub(
        cooperative=world.coop_c, parent=shared(chart.BANK), name="Bank BRI", by=world.carol
    )
    assert client.get(url("account_edit", world.coop_a, other_sub.pk)).status_code == 404
    # Shared accounts are the province's: no page to edit them here.
    assert client.get(url("account_edit", world.coop_a, shared(chart.BANK).pk)).status_code == 404
    client.logout()
    assert client.get(url("books", world.coop_a)).status_code == 302


def test_the_hub_shows_where_the_books_stand_and_the_way_to_each_page(client, world, books):
    period_close(cooperative=world.coop_a, month=last_month(), by=world.bob)
    client.force_login(world.alice)
    response = client.get(url("books", world.coop_a))
    page = html(response)
    assert response.context["entry_count"] == 4
    assert response.context["last_entry"] == books[0][3]
    assert response.context["last_closed"].month == last_month(1)
    # Eleven of the twelve ended months are still open.
    assert len(response.context["open_months"]) == 11
    for name in ("accounts", "journal", "journal_new", "periods"):
        assert f'href="{url(name, world.coop_a)}"' in page, name
    client.force_login(world.bob)
    assert f'href="{url("journal_new", world.coop_a)}"' not in html(
        client.get(url("books", world.coop_a))
    )
    # The cooperative's page leads here.
    detail = html(client.get(reverse("cooperative_detail", args=[world.coop_a.pk])))
    assert f'href="{url("books", world.coop_a)}"' in detail


# --- the chart -----------------------------------------------------------------------------------


def test_the_chart_shows_sub_accounts_under_their_parent_with_balances(client, world, books):
    client.force_login(world.bob)
    response = client.get(url("accounts", world.coop_a))
    page = html(response)
    groups = {group.type: group for group in response.context["groups"]}
    assert list(groups) == ["asset", "liability", "equity", "revenue", "expense"]
    balances = {row.account.code: row.balance for g in groups.values() for row in g.rows}
    assert balances[chart.CASH] == 1_500_000  # 2.000.000 + 750.000 − 1.000.000 − 250.000
    assert balances[chart.BANK] == 0
    assert balances["1-102.01"] == 1_000_000
    assert balances[GRANTS] == 2_000_000 and balances[SALES] == 750_000
    assert (groups["asset"].total, groups["equity"].total) == (2_500_000, 2_000_000)
    assert (groups["revenue"].total, groups["expense"].total) == (750_000, 250_000)
    # Bank, then its sub-account, then the next shared account.
    codes = [row.account.code for row in groups["asset"].rows]
    assert codes[codes.index(chart.BANK) + 1] == "1-102.01"
    assert page.index("Bank BRI") < page.index("Piutang pinjaman anggota")
    assert "Rp 1.500.000" in page and "Rp 2.500.000" in page
    # Merabu – Panaan's books are not in these figures, nor its sub-accounts in the chart.
    theirs = account_create_sub(
        cooperative=world.coop_c, parent=shared(chart.BANK), name="Bank Kaltimtara", by=world.carol
    )
    assert theirs.name not in html(client.get(url("accounts", world.coop_a)))
    # The pengawas reads; only the operator gets the form to add a sub-account.
    assert response.context["add_form"] is None
    client.force_login(world.alice)
    assert client.get(url("accounts", world.coop_a)).context["add_form"] is not None


def test_the_operator_adds_a_sub_account_and_bad_input_writes_nothing(client, world):
    client.force_login(world.alice)
    address = url("account_add", world.coop_a)
    added = client.post(
        address,
        {"parent": shared(chart.CASH).pk, "name": "Kas gerai", "business_unit": "gerai_sembako"},
    )
    assert added.status_code == 302 and added["Location"] == url("accounts", world.coop_a)
    account = Account.objects.get(cooperative=world.coop_a)
    assert (account.code, account.name, account.business_unit) == (
        "1-101.01",
        "Kas gerai",
        "gerai_sembako",
    )
    with translation.override("en"):
        cases = {
            "no name": (
                {"parent": shared(chart.CASH).pk, "name": ""},
                "name",
                "This field is required.",
            ),
            "twice": (
                {"parent": shared(chart.CASH).pk, "name": "kas gerai"},
                "name",
                f"{shared(chart.CASH)} already has a sub-account “kas gerai”.",
            ),
            # Not offered in the list, sent anyway.
            "savings": (
                {"parent": shared(chart.PRINCIPAL_SAVINGS).pk, "name": "Pokok RT 1"},
                "parent",
                "Choose an account of the list.",
            ),
            "nonsense": ({"parent": "abc", "name": "X"}, "parent", None),
        }
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for case, (data, field, message) in cases.items():
            response = client.post(address, data)
            assert response.status_code == 400, case
            errors = response.context["add_form"].errors
            assert field in errors, case
            if message:
                assert errors[field] == [message], case
                assert escape(message) in html(response), case
    assert Account.objects.filter(cooperative__isnull=False).count() == 1
    client.force_login(world.bob)
    assert (
        client.post(address, {"parent": shared(chart.CASH).pk, "name": "Kas 2"}).status_code == 403
    )
    assert Account.objects.filter(cooperative__isnull=False).count() == 1


def test_the_operator_renames_or_retires_a_sub_account(client, world, books):
    _entries, bri, _theirs = books
    address = url("account_edit", world.coop_a, bri.pk)
    client.force_login(world.bob)
    page = client.get(address)
    assert page.context["form"] is None and page.context["balance"] == 1_000_000
    assert "Setor kas ke BRI" in html(page)
    assert (
        client.post(address, {"name": "Bank BRI Loa Janan", "is_active": "on"}).status_code == 403
    )

    client.force_login(world.alice)
    assert client.post(address, {"name": " ", "is_active": "on"}).status_code == 400
    assert client.post(address, {"name": "Bank BRI Loa Janan"}).status_code == 302
    bri.refresh_from_db()
    assert (bri.name, bri.is_active, bri.code) == ("Bank BRI Loa Janan", False, "1-102.01")
    # Retired: no longer offered for a new entry.
    form = client.get(url("journal_new", world.coop_a)).context["lines"].forms[0]
    offered = {pk for _label, group in form.fields["account"].choices[1:] for pk, _name in group}
    assert bri.pk not in offered and shared(chart.CASH).pk in offered
    assert shared(chart.PRINCIPAL_SAVINGS).pk not in offered


# --- the journal ---------------------------------------------------------------------------------


def test_the_journal_lists_entries_newest_first_with_their_lines_and_filters(client, world, books):
    entries, bri, _theirs = books
    client.force_login(world.bob)
    address = url("journal", world.coop_a)
    listed = client.get(address)
    assert [e.reference for e in listed.context["page_obj"]] == [
        "JU-000004",
        "JU-000003",
        "JU-000002",
        "JU-000001",
    ]
    page = html(listed)
    assert "Penjualan sembako Merabu" not in page
    assert "Rp 2.000.000" in page and "1-102.01 Bank BRI" in page

    def refs(**query):
        response = client.get(address, query)
        assert response.status_code == 200, query
        return [e.reference for e in response.context["page_obj"]]

    day = TODAY() - datetime.timedelta(days=2)
    assert refs(start=f"{day:%Y-%m-%d}") == ["JU-000004", "JU-000003", "JU-000002"]
    assert refs(end=f"{day:%d-%m-%Y}") == ["JU-000003", "JU-000002", "JU-000001"]
    assert refs(start=f"{day:%Y-%m-%d}", end=f"{day:%Y-%m-%d}") == ["JU-000003", "JU-000002"]
    # An account with sub-accounts brings their entries too.
    assert refs(account=shared(chart.BANK).pk) == ["JU-000003"]
    assert refs(account=bri.pk) == ["JU-000003"]
    assert refs(account=shared(ELECTRICITY).pk) == ["JU-000004"]
    assert refs(source=EntrySource.REVERSAL) == []
    journal_reverse(entry=entries[3], by=world.alice, reason=REASON)
    assert refs(source=EntrySource.REVERSAL) == ["JU-000005"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "31-02-2026"}, "start"),
        ({"start": "2026-03-10", "end": "2026-03-01"}, "end"),
        ({"account": "999999"}, "account"),
        ({"source": "gossip"}, "source"),
    ],
)
def test_a_bad_filter_says_so_with_400(client, world, books, query, field):
    client.force_login(world.alice)
    response = client.get(url("journal", world.coop_a), query)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert client.get(url("journal_xlsx", world.coop_a), query).status_code == 400


def test_the_journal_pages_by_25(client, world):
    for number in range(30):
        journal_post(
            cooperative=world.coop_a,
            date=TODAY(),
            description=f"Penjualan {number}",
            lines=[Line(chart.CASH, debit=1_000 + number), Line(SALES, credit=1_000 + number)],
            by=world.alice,
        )
    client.force_login(world.alice)
    first = client.get(url("journal", world.coop_a))
    second = client.get(url("journal", world.coop_a), {"page": 2})
    assert len(first.context["page_obj"]) == 25 and len(second.context["page_obj"]) == 5
    assert first.context["page_obj"][0].reference == "JU-000030"
    assert second.context["page_obj"][4].reference == "JU-000001"


def test_the_journal_downloads_as_xlsx_one_row_per_line(client, world, books):
    client.force_login(world.bob)
    day = TODAY() - datetime.timedelta(days=2)
    response = client.get(url("journal_xlsx", world.coop_a), {"start": f"{day:%Y-%m-%d}"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 6  # heading, then three entries of two lines
    body = [(r[1], r[4], r[8], r[9]) for r in rows[1:]]
    assert body == [
        ("JU-000002", chart.CASH, 750_000, None),
        ("JU-000002", SALES, None, 750_000),
        ("JU-000003", "1-102.01", 1_000_000, None),
        ("JU-000003", chart.CASH, None, 1_000_000),
        ("JU-000004", ELECTRICITY, 250_000, None),
        ("JU-000004", chart.CASH, None, 250_000),
    ]
    assert rows[1][0].date() == day
    assert sum(r[8] or 0 for r in rows[1:]) == sum(r[9] or 0 for r in rows[1:]) == 2_000_000


# --- a hand-written entry ------------------------------------------------------------------------


def test_the_operator_posts_an_entry_through_the_form(client, world, books):
    member = MemberFactory(cooperative=world.coop_a)
    client.force_login(world.alice)
    form = client.get(url("journal_new", world.coop_a))
    assert len(form.context["lines"].forms) == 4
    response = client.post(
        url("journal_new", world.coop_a),
        entry_post(
            (shared(ELECTRICITY).pk, "Rp 125.500", "", "", "Token listrik"),
            ("", "", "", "", ""),
            (shared(chart.CASH).pk, "", "125.500", member.nik, ""),
            description="Beli token listrik",
        ),
    )
    entry = JournalEntry.objects.get(description="Beli token listrik")
    assert response.status_code == 302
    assert response["Location"] == url("entry", world.coop_a, entry.pk)
    assert (entry.reference, entry.posted_by, entry.source) == (
        "JU-000005",
        world.alice,
        EntrySource.MANUAL,
    )
    assert sorted(
        entry.lines.values_list("account__code", "debit", "credit", "member", "memo")
    ) == [
        (chart.CASH, 0, 125_500, member.pk, ""),
        (ELECTRICITY, 125_500, 0, None, "Token listrik"),
    ]
    page = html(client.get(response["Location"]))
    assert "Rp 125.500" in page and member.name in page and "Token listrik" in page


def _bad_entry(case: str, world, member_elsewhere) -> tuple[dict, str | None, str]:
    """A bad form for `case`, the field its message goes beside (None: above the form) and
    the message's msgid."""
    cash, power = shared(chart.CASH).pk, shared(ELECTRICITY).pk
    if case == "unbalanced":
        data = entry_post((power, "100.000"), (cash, "", "90.000"))
        return (
            data,
            None,
            (
                "“%(entry)s” does not balance: debits %(debit)s, credits %(credit)s (difference "
                "%(diff)s). Nothing was posted."
            ),
        )
    if case == "closed":
        data = entry_post((power, "100.000"), (cash, "", "100.000"), date=last_month(20))
        return (
            data,
            "date",
            (
                "The books of %(month)s are closed: “%(entry)s” cannot be posted into them. Ask the "
                "regency or province officer to reopen the month, or date the entry in an open month."
            ),
        )
    if case == "future":
        tomorrow = TODAY() + datetime.timedelta(days=1)
        data = entry_post((power, "100.000"), (cash, "", "100.000"), date=tomorrow)
        return data, "date", "“%(entry)s” is dated %(date)s, in the future."
    if case == "both sides":
        return (
            entry_post((power, "100.000", "100.000"), (cash, "", "100.000")),
            "row",
            "Write either a debit or a credit on one line, not both.",
        )
    if case == "no amount":
        return (
            entry_post((power, "", ""), (cash, "", "100.000")),
            "row",
            ("Write the amount as a debit or as a credit."),
        )
    if case == "words":
        return (
            entry_post((power, "seratus ribu"), (cash, "", "100.000")),
            "debit",
            ("Write an amount in Rupiah, e.g. 1.500.000 (dots between thousands)."),
        )
    if case == "stranger":
        data = entry_post((power, "100.000", "", member_elsewhere.nik), (cash, "", "100.000"))
        return data, "member", "No member of this cooperative has the NIK %(nik)s."
    if case == "savings account":
        pokok = shared(chart.PRINCIPAL_SAVINGS).pk
        return (
            entry_post((pokok, "", "100.000"), (cash, "100.000")),
            "account",
            ("Choose an account of the list."),
        )
    if case == "nothing":
        return entry_post(), None, "An entry needs at least one debit and one credit line."
    raise AssertionError(case)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(
    "case",
    [
        "unbalanced",
        "closed",
        "future",
        "both sides",
        "no amount",
        "words",
        "stranger",
        "savings account",
        "nothing",
    ],
)
def test_a_bad_entry_is_refused_beside_the_form_and_nothing_is_written(
    client, world, books, case, language
):
    period_close(cooperative=world.coop_a, month=last_month(), by=world.bob)
    before = books_size()
    stranger = MemberFactory(cooperative=world.coop_c)
    data, field, msgid = _bad_entry(case, world, stranger)
    client.force_login(world.alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        response = client.post(url("journal_new", world.coop_a), data)
        expected = gettext(msgid) % {
            "entry": "Beli alat tulis kantor",
            "debit": "Rp 100.000",
            "credit": "Rp 90.000",
            "diff": "Rp 10.000",
            "month": f"{last_month():%m/%Y}",
            "date": (TODAY() + datetime.timedelta(days=1)).strftime("%d-%m-%Y"),
            "nik": stranger.nik,
        }
        first = response.context["lines"].forms[0]
        if field is None:
            shown = response.context["refused"]
        elif field == "date":
            shown = response.context["entry_form"].errors["date"]
        elif field == "row":
            shown = first.non_field_errors()
        else:
            shown = first.errors[field]
        shown = [str(message) for message in shown]
    assert response.status_code == 400
    assert books_size() == before
    assert shown == [expected]
    assert escape(expected) in html(response)
    # What was typed is still there to correct.
    assert 'value="Beli alat tulis kantor"' in html(response)


def test_add_a_line_keeps_what_was_typed_and_writes_nothing(client, world):
    client.force_login(world.alice)
    cash = shared(chart.CASH).pk
    data = entry_post(
        (cash, "1.000"), ("", "", "", "", "ongkos"), add_line="1", description="Ongkos"
    )
    response = client.post(url("journal_new", world.coop_a), data)
    assert response.status_code == 200
    lines = response.context["lines"]
    assert len(lines.forms) == 5
    page = html(response)
    assert 'name="lines-4-account"' in page and 'value="1.000"' in page
    assert 'value="ongkos"' in page and 'value="Ongkos"' in page
    assert f'<option value="{cash}" selected>' in page
    assert "error" not in "".join(str(form.errors) for form in lines.forms)
    assert books_size() == (0, 0)


def test_the_pengawas_cannot_write_an_entry(client, world):
    client.force_login(world.bob)
    cash, power = shared(chart.CASH).pk, shared(ELECTRICITY).pk
    response = client.post(
        url("journal_new", world.coop_a), entry_post((power, "1.000"), (cash, "", "1.000"))
    )
    assert response.status_code == 403
    assert books_size() == (0, 0)


def test_a_cut_off_form_writes_nothing_and_asks_for_the_lines_again(client, world):
    client.force_login(world.alice)
    response = client.post(url("journal_new", world.coop_a), {"date": "x", "lines-0-debit": "5"})
    assert response.status_code == 400
    assert len(response.context["lines"].forms) == 4
    assert books_size() == (0, 0)


# --- one entry and its reversal ------------------------------------------------------------------


def test_the_operator_reverses_an_entry_through_its_page(client, world, books):
    entries, _bri, _theirs = books
    sale = entries[1]
    address = url("entry_reverse", world.coop_a, sale.pk)
    client.force_login(world.bob)
    page = client.get(url("entry", world.coop_a, sale.pk))
    assert page.context["reverse_form"] is None and f'action="{address}"' not in html(page)
    assert client.post(address, {"reason": REASON}).status_code == 403

    client.force_login(world.alice)
    page = client.get(url("entry", world.coop_a, sale.pk))
    poster = world.alice.get_full_name() or world.alice.get_username()
    assert f'action="{address}"' in html(page) and escape(poster) in html(page)
    # A reason is needed.
    assert client.post(address, {"reason": "  "}).status_code == 400
    assert books_size() == (5, 10)

    response = client.post(address, {"reason": REASON})
    reversal = JournalEntry.objects.get(reverses=sale)
    assert response.status_code == 302
    assert response["Location"] == url("entry", world.coop_a, reversal.pk)
    assert reversal.date == TODAY() and reversal.description.endswith(REASON)
    assert sorted(reversal.lines.values_list("account__code", "debit", "credit")) == [
        (chart.CASH, 0, 750_000),
        (SALES, 750_000, 0),
    ]
    shown = client.get(url("entry", world.coop_a, sale.pk))
    assert shown.context["reversal"] == reversal and shown.context["reverse_form"] is None
    assert reversal.reference in html(shown)
    assert sale.reference in html(client.get(response["Location"]))
    # Twice is refused with the service's words; the reversal is never reversed.
    with translation.override("en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        again = client.post(address, {"reason": REASON})
        assert again.status_code == 400
        assert "JU-000002 was already reversed." in html(again)
        assert (
            client.post(
                url("entry_reverse", world.coop_a, reversal.pk), {"reason": REASON}
            ).status_code
            == 400
        )
    assert books_size() == (6, 12)
    # Another cooperative's entry cannot be reached through this one.
    client.force_login(world.carol)
    assert client.post(address, {"reason": REASON}).status_code == 404


# --- months --------------------------------------------------------------------------------------


def test_the_pengawas_closes_and_the_regency_reopens_through_the_page(client, world, books):
    month = f"{last_month():%Y-%m}"
    close, reopen = url("period_close", world.coop_a), url("period_reopen", world.coop_a)

    client.force_login(world.alice)
    listed = client.get(url("periods", world.coop_a))
    assert len(listed.context["rows"]) == 24
    assert not any(row.close_form for row in listed.context["rows"])
    assert client.post(close, {"month": month}).status_code == 403

    client.force_login(world.bob)
    rows = client.get(url("periods", world.coop_a)).context["rows"]
    assert rows[0].close_form is None  # this month has not ended
    assert rows[1].close_form is not None and rows[1].entries == 1
    assert client.post(close, {"month": f"{TODAY():%Y-%m}"}).status_code == 400
    assert client.post(close, {"month": "2026-13"}).status_code == 400
    assert not ClosedPeriod.objects.exists()
    assert client.post(close, {"month": month}).status_code == 302
    assert ClosedPeriod.objects.get().month == last_month(1)
    with translation.override("en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        twice = client.post(close, {"month": month})
        assert twice.status_code == 400
        assert f"The books of {last_month():%m/%Y} are already closed." in html(twice)
    assert client.post(reopen, {"month": month, "reason": REASON}).status_code == 403

    client.force_login(world.erin)
    with translation.override("en"):
        no_reason = client.post(reopen, {"month": month, "reason": " "})
    assert no_reason.status_code == 400
    assert ClosedPeriod.objects.exists()
    row = next(r for r in no_reason.context["rows"] if r.key == month)
    assert "reason" in row.reopen_form.errors
    assert client.post(reopen, {"month": month, "reason": REASON}).status_code == 302
    assert not ClosedPeriod.objects.exists()

    page = client.get(url("periods", world.coop_a))
    assert [(e.action, e.by, e.reason) for e in page.context["page_obj"]] == [
        (PeriodAction.REOPEN, world.erin, REASON),
        (PeriodAction.CLOSE, world.bob, ""),
    ]
    assert REASON in html(page)
    assert PeriodEvent.objects.count() == 2
