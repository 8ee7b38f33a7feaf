"""The books through /api/v1/: the chart with balances and sub-accounts, the journal (list,
posting, reversal), closed months, savings movements, statements and SHU — on the same services
and functions as the portal, so scope (404), who may act (403), bad input (400) and a state
already reached (409) hold on this path too, and a refused request writes nothing."""

import datetime
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.users.models import UserProfile

from cooperatives.enums import Role
from cooperatives.services import role_grant_create
from finance import api_urls, chart
from finance.enums import EntrySource, PeriodAction
from finance.models import Account, ClosedPeriod, JournalEntry, JournalLine, PeriodEvent
from finance.services import Line, account_create_sub, journal_post, period_close
from finance.services.journal import EntryDraft, journal_post_many
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _language_restored():
    """The portal's LanguageMiddleware activates the user's language for the thread and leaves
    it so; put the default back, or the tests after one in English would run in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def in_indonesian(message: str) -> str:
    with translation.override("id"):
        return translation.gettext(message)


def last_month() -> datetime.date:
    """A day of the month before this one: it has ended, so it may be closed."""
    return TODAY().replace(day=1) - datetime.timedelta(days=1)


def post(cooperative, by, date, description, *lines, source=EntrySource.MANUAL, key=""):
    return journal_post(
        cooperative=cooperative,
        date=date,
        description=description,
        lines=list(lines),
        source=source,
        source_key=key,
        by=by,
    )


def shared(code: str) -> Account:
    return Account.objects.get(cooperative=None, code=code)


def url(name: str, cooperative, *args) -> str:
    return reverse(name, args=[cooperative.pk, *args])


def entry_body(*lines, date=None, description="Bayar listrik kantor"):
    return {
        "date": str(date or TODAY()),
        "description": description,
        "lines": [
            {"account": account, "debit": debit, "credit": credit}
            for account, debit, credit in lines
        ],
    }


def books_size():
    return JournalEntry.objects.count(), JournalLine.objects.count()


# --- Who may reach what --------------------------------------------------------------------------


def test_every_route_refuses_anonymous_callers(world):
    for pattern in api_urls.urlpatterns:
        kwargs = {name: 1 for name in pattern.pattern.converters}  # type: ignore[attr-defined]
        kwargs.update(pattern.default_args, pk=world.coop_a.pk)
        address = reverse(pattern.name, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(APIClient(), method)(address, {}, format="json")
            assert response.status_code == 401, (method, address)


def test_a_cooperative_outside_the_scope_answers_404_on_every_route(world):
    entry = post(
        world.coop_a,
        world.alice,
        TODAY(),
        "Setor kas ke bank",
        Line(chart.BANK, debit=100_000),
        Line(chart.CASH, credit=100_000),
    )
    member = MemberFactory(cooperative=world.coop_a)
    for pattern in api_urls.urlpatterns:
        kwargs = {"pk": world.coop_a.pk, **pattern.default_args}
        names = pattern.pattern.converters  # type: ignore[attr-defined]
        if "entry_pk" in names:
            kwargs["entry_pk"] = entry.pk
        if "member_pk" in names:
            kwargs["member_pk"] = member.pk
        if "year" in names:
            kwargs["year"] = TODAY().year
        address = reverse(pattern.name, kwargs=kwargs)
        for user in (world.carol, world.ivan):
            method = "get" if "get" in pattern.callback.actions else "post"  # type: ignore[attr-defined]
            response = getattr(client_for(user), method)(address, {}, format="json")
            assert response.status_code == 404, (user, method, address)
            assert response.json() == {"detail": in_indonesian("Not found.")}
    assert books_size() == (1, 2)


# --- The chart -----------------------------------------------------------------------------------


def test_the_chart_shows_each_account_with_its_balance_as_of_a_day(world):
    a_year_ago = TODAY().replace(year=TODAY().year - 1, month=6, day=15)
    bri = account_create_sub(
        cooperative=world.coop_a, parent=shared(chart.BANK), name="Bank BRI", by=world.alice
    )
    account_create_sub(
        cooperative=world.coop_c, parent=shared(chart.BANK), name="Bank Kaltimtara", by=world.carol
    )
    post(
        world.coop_a,
        world.alice,
        a_year_ago,
        "Penjualan tahun lalu",
        Line(chart.CASH, debit=100_000),
        Line("4-101", credit=100_000),
    )
    post(
        world.coop_a,
        world.alice,
        TODAY(),
        "Hibah desa",
        Line(chart.CASH, debit=10_000_000),
        Line("3-202", credit=10_000_000),
    )
    post(
        world.coop_a,
        world.alice,
        TODAY(),
        "Setor ke BRI",
        Line(bri, debit=3_000_000),
        Line(chart.CASH, credit=3_000_000),
    )
    post(
        world.coop_a,
        world.alice,
        TODAY(),
        "Penjualan gerai",
        Line(chart.CASH, debit=250_000),
        Line("4-101", credit=250_000),
    )
    # The other cooperative's books never show.
    post(
        world.coop_c,
        world.carol,
        TODAY(),
        "Hibah",
        Line(chart.CASH, debit=7_000_000),
        Line("3-202", credit=7_000_000),
    )

    response = client_for(world.bob).get(url("api-books-accounts", world.coop_a))

    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert "1-102.02" not in rows and "1-102.01" in rows  # carol's sub-account is hers alone
    assert len(rows) == Account.objects.filter(cooperative=None).count() + 1
    # 100.000 + 10.000.000 − 3.000.000 + 250.000
    assert (rows[chart.CASH]["balance"], rows[chart.CASH]["total"]) == (7_350_000, 7_350_000)
    assert (rows[chart.BANK]["balance"], rows[chart.BANK]["total"]) == (0, 3_000_000)
    bank_bri = rows["1-102.01"]
    assert (bank_bri["name"], bank_bri["parent_code"], bank_bri["parent"]) == (
        "Bank BRI",
        chart.BANK,
        shared(chart.BANK).pk,
    )
    assert (bank_bri["is_shared"], bank_bri["type"], bank_bri["is_cash"]) == (False, "asset", True)
    assert bank_bri["balance"] == 3_000_000
    # Revenue restarts every 1 January: last year's sale is not in this year's figure.
    assert rows["4-101"]["balance"] == 250_000
    assert rows["3-202"]["balance"] == 10_000_000
    assert rows[chart.PRINCIPAL_SAVINGS]["control"] == "savings_pokok"

    last_year_end = datetime.date(TODAY().year - 1, 12, 31)
    earlier = client_for(world.erin).get(
        url("api-books-accounts", world.coop_a), {"as_of": str(last_year_end)}
    )
    rows = {row["code"]: row for row in earlier.json()}
    assert rows[chart.CASH]["balance"] == 100_000
    assert rows["4-101"]["balance"] == 100_000
    assert rows["1-102.01"]["total"] == 0

    bad = client_for(world.alice).get(url("api-books-accounts", world.coop_a), {"as_of": "kemarin"})
    assert bad.status_code == 400 and list(bad.json()) == ["as_of"]


def test_the_operator_adds_a_sub_account_and_nobody_else_does(world):
    body = {"parent": chart.BANK, "name": "Bank BRI Unit Tenggarong"}

    response = client_for(world.alice).post(
        url("api-books-accounts", world.coop_a), body, format="json"
    )

    assert response.status_code == 201, response.content
    row = response.json()
    assert (row["code"], row["name"], row["parent_code"]) == (
        "1-102.01",
        "Bank BRI Unit Tenggarong",
        chart.BANK,
    )
    assert (row["balance"], row["is_shared"], row["is_active"]) == (0, False, True)
    assert Account.objects.get(pk=row["id"]).cooperative == world.coop_a
    for user in (world.bob, world.henry, world.erin, world.frank):
        # Refused before the body is read: even a body with nothing in it.
        refused = client_for(user).post(url("api-books-accounts", world.coop_a), {}, format="json")
        assert refused.status_code == 403, user
        assert refused.json()["detail"] == in_indonesian(
            "Only the operator of %(cooperative)s keeps its books."
        ) % {"cooperative": world.coop_a.name}
    assert (
        client_for(world.carol)
        .post(url("api-books-accounts", world.coop_a), body, format="json")
        .status_code
        == 404
    )
    assert Account.objects.filter(cooperative__isnull=False).count() == 1


def test_a_sub_account_the_service_refuses_is_not_created(world):
    other = account_create_sub(
        cooperative=world.coop_c, parent=shared(chart.BANK), name="Bank Kaltimtara", by=world.carol
    )
    client = client_for(world.alice)
    address = url("api-books-accounts", world.coop_a)

    unknown = client.post(address, {"parent": "9-999", "name": "Kas kecil"}, format="json")
    foreign = client.post(address, {"parent": other.code, "name": "Kas kecil"}, format="json")
    ledger = client.post(
        address, {"parent": chart.PRINCIPAL_SAVINGS, "name": "Pokok RT 1"}, format="json"
    )
    nameless = client.post(address, {"parent": chart.CASH, "name": "  "}, format="json")

    assert unknown.status_code == foreign.status_code == 400
    assert unknown.json() == {
        "parent": [
            in_indonesian("There is no account %(code)s in this cooperative's chart.")
            % {"code": "9-999"}
        ]
    }
    assert list(foreign.json()) == ["parent"]
    assert ledger.status_code == 400
    assert ledger.json() == {
        "parent": [
            in_indonesian(
                "%(account)s is kept per member by the savings and loan books; it has no "
                "sub-accounts."
            )
            % {"account": shared(chart.PRINCIPAL_SAVINGS)}
        ]
    }
    assert nameless.status_code == 400
    assert nameless.json() == {"name": [in_indonesian("Give the sub-account a name.")]}
    assert list(Account.objects.filter(cooperative__isnull=False)) == [other]


# --- The journal ---------------------------------------------------------------------------------


@pytest.fixture
def journals(world):
    """Three entries of coop_a (one from the savings book, one last month) and two of coop_c."""
    member = MemberFactory(cooperative=world.coop_a)
    drafts = [
        EntryDraft(
            date=last_month(),
            description="Hibah desa",
            lines=[Line(chart.CASH, debit=5_000_000), Line("3-202", credit=5_000_000)],
        ),
        EntryDraft(
            date=TODAY(),
            description="Simpanan pokok",
            lines=[
                Line(chart.CASH, debit=100_000),
                Line(chart.PRINCIPAL_SAVINGS, credit=100_000, member=member),
            ],
            source=EntrySource.SAVINGS,
            source_key="savings:test-1",
        ),
        EntryDraft(
            date=TODAY(),
            description="Setor kas ke bank",
            lines=[Line(chart.BANK, debit=1_000_000), Line(chart.CASH, credit=1_000_000)],
        ),
    ]
    own = journal_post_many(cooperative=world.coop_a, drafts=drafts, by=world.alice)
    other = journal_post_many(
        cooperative=world.coop_c,
        drafts=[
            EntryDraft(
                date=TODAY(),
                description=f"Penjualan {n}",
                lines=[Line(chart.CASH, debit=10_000 * n), Line("4-101", credit=10_000 * n)],
            )
            for n in (1, 2)
        ],
        by=world.carol,
    )
    return own, other, member


def journal_ids(user, cooperative, **params) -> list[int]:
    response = client_for(user).get(url("api-books-journal", cooperative), params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return [row["id"] for row in body["results"]]


def test_the_journal_lists_the_cooperatives_entries_a_page_at_a_time(world, journals):
    (grant, deposit, transfer), (sale_1, sale_2), member = journals

    response = client_for(world.bob).get(url("api-books-journal", world.coop_a))

    assert response.status_code == 200
    body = response.json()
    # Only coop_a's three entries count, never the other cooperative's.
    assert body["count"] == 3 and {"next", "previous"} <= set(body)
    assert [row["id"] for row in body["results"]] == [transfer.pk, deposit.pk, grant.pk]
    row = body["results"][1]
    assert (row["reference"], row["number"], row["date"]) == ("JU-000002", 2, str(TODAY()))
    assert (row["source"], row["source_key"], row["total"]) == (
        "savings",
        "savings:test-1",
        100_000,
    )
    assert (row["reverses"], row["reversed_by"]) == (None, None)
    assert row["posted_by"]["username"] == "alice"
    assert row["lines"] == [
        {
            "account": chart.CASH,
            "account_name": "Kas",
            "debit": 100_000,
            "credit": 0,
            "business_unit": "",
            "member": None,
            "memo": "",
        },
        {
            "account": chart.PRINCIPAL_SAVINGS,
            "account_name": "Simpanan pokok",
            "debit": 0,
            "credit": 100_000,
            "business_unit": "",
            "member": member.pk,
            "memo": "",
        },
    ]
    assert journal_ids(world.carol, world.coop_c) == [sale_2.pk, sale_1.pk]
    assert journal_ids(world.frank, world.coop_c) == [sale_2.pk, sale_1.pk]


def test_the_journal_filters_by_date_account_and_source(world, journals):
    (grant, deposit, transfer), _other, _member = journals
    bri = account_create_sub(
        cooperative=world.coop_a, parent=shared(chart.BANK), name="Bank BRI", by=world.alice
    )
    to_bri = post(
        world.coop_a,
        world.alice,
        TODAY(),
        "Setor ke BRI",
        Line(bri, debit=50_000),
        Line(chart.CASH, credit=50_000),
    )

    assert journal_ids(world.erin, world.coop_a, date_to=str(last_month())) == [grant.pk]
    assert journal_ids(world.erin, world.coop_a, date_from=str(TODAY())) == [
        to_bri.pk,
        transfer.pk,
        deposit.pk,
    ]
    assert journal_ids(world.erin, world.coop_a, source="savings") == [deposit.pk]
    assert journal_ids(world.erin, world.coop_a, account="3-202") == [grant.pk]
    # A shared account takes its sub-accounts with it.
    assert journal_ids(world.erin, world.coop_a, account=chart.BANK) == [to_bri.pk, transfer.pk]
    assert journal_ids(world.erin, world.coop_a, account="1-102.01") == [to_bri.pk]
    for bad in (
        {"date_from": "kemarin"},
        {"source": "kas"},
        {"account": "9-999"},
        {"date_from": str(TODAY()), "date_to": str(last_month())},
    ):
        response = client_for(world.erin).get(url("api-books-journal", world.coop_a), bad)
        assert response.status_code == 400, bad
        assert list(response.json()) == [list(bad)[-1]], bad


def test_the_journal_pages_count_only_the_cooperatives_own_entries(world, settings):
    drafts = [
        EntryDraft(
            date=TODAY(),
            description=f"Penjualan {n}",
            lines=[Line(chart.CASH, debit=1_000), Line("4-101", credit=1_000)],
        )
        for n in range(52)
    ]
    journal_post_many(cooperative=world.coop_a, drafts=drafts, by=world.alice)
    journal_post_many(cooperative=world.coop_c, drafts=drafts[:30], by=world.carol)

    first = client_for(world.frank).get(url("api-books-journal", world.coop_a)).json()
    second = client_for(world.frank).get(url("api-books-journal", world.coop_a), {"page": 2}).json()
    elsewhere = client_for(world.frank).get(url("api-books-journal", world.coop_c)).json()

    assert (first["count"], len(first["results"]), first["previous"]) == (52, 50, None)
    assert first["next"] is not None
    assert (second["count"], len(second["results"]), second["next"]) == (52, 2, None)
    assert (elsewhere["count"], len(elsewhere["results"])) == (30, 30)
    numbers = {row["number"] for row in first["results"] + second["results"]}
    assert numbers == set(range(1, 53))


def test_the_operator_posts_a_balanced_entry(world):
    member = MemberFactory(cooperative=world.coop_a)
    body = entry_body(("5-902", 350_000, 0), (chart.CASH, 0, 350_000))
    body["lines"][0].update({"memo": "Token listrik", "member": member.pk})

    response = client_for(world.alice).post(
        url("api-books-journal", world.coop_a), body, format="json"
    )

    assert response.status_code == 201, response.content
    row = response.json()
    entry = JournalEntry.objects.get(pk=row["id"])
    assert (entry.cooperative, entry.source, entry.posted_by) == (
        world.coop_a,
        EntrySource.MANUAL,
        world.alice,
    )
    assert (row["reference"], row["description"], row["total"]) == (
        "JU-000001",
        "Bayar listrik kantor",
        350_000,
    )
    assert [(line["account"], line["debit"], line["credit"]) for line in row["lines"]] == [
        ("5-902", 350_000, 0),
        (chart.CASH, 0, 350_000),
    ]
    assert (row["lines"][0]["memo"], row["lines"][0]["member"]) == ("Token listrik", member.pk)
    assert row["lines"][0]["business_unit"] == "kantor"  # the account's own unit
    detail = client_for(world.dave).get(url("api-books-entry", world.coop_a, entry.pk))
    assert detail.status_code == 200 and detail.json() == row


def test_only_the_operator_posts_and_a_refused_post_writes_nothing(world):
    body = entry_body(("5-902", 350_000, 0), (chart.CASH, 0, 350_000))
    for user in (world.bob, world.henry, world.dave, world.erin, world.frank, world.grace):
        response = client_for(user).post(
            url("api-books-journal", world.coop_a), body, format="json"
        )
        assert response.status_code == 403, user
    for user in (world.carol, world.ivan):
        response = client_for(user).post(
            url("api-books-journal", world.coop_a), body, format="json"
        )
        assert response.status_code == 404, user
    # Refused before the body is read: bob's broken body answers 403, not 400.
    broken = client_for(world.bob).post(
        url("api-books-journal", world.coop_a), {"lines": "x"}, format="json"
    )
    assert broken.status_code == 403
    assert books_size() == (0, 0)


def test_an_unbalanced_entry_is_refused_with_the_services_words_and_nothing_is_posted(world):
    body = entry_body(("5-902", 350_000, 0), (chart.CASH, 0, 300_000))

    response = client_for(world.alice).post(
        url("api-books-journal", world.coop_a), body, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "lines": [
            in_indonesian(
                "“%(entry)s” does not balance: debits %(debit)s, credits %(credit)s "
                "(difference %(diff)s). Nothing was posted."
            )
            % {
                "entry": "Bayar listrik kantor",
                "debit": "Rp 350.000",
                "credit": "Rp 300.000",
                "diff": "Rp 50.000",
            }
        ]
    }
    assert books_size() == (0, 0)


def test_a_posting_into_a_closed_month_is_refused(world):
    period_close(cooperative=world.coop_a, month=last_month(), by=world.bob)
    body = entry_body(("5-902", 350_000, 0), (chart.CASH, 0, 350_000), date=last_month())

    response = client_for(world.alice).post(
        url("api-books-journal", world.coop_a), body, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "date": [
            in_indonesian(
                "The books of %(month)s are closed: “%(entry)s” cannot be posted into them. Ask "
                "the regency or province officer to reopen the month, or date the entry in an "
                "open month."
            )
            % {"month": last_month().strftime("%m/%Y"), "entry": "Bayar listrik kantor"}
        ]
    }
    assert books_size() == (0, 0)
    # The other cooperative's month is its own: still open.
    elsewhere = client_for(world.carol).post(
        url("api-books-journal", world.coop_c), body, format="json"
    )
    assert elsewhere.status_code == 201


@pytest.mark.parametrize(
    ("lines", "date", "field"),
    [
        ([("5-902", 1_000, 0)], None, "lines"),  # one line
        ([("5-902", 1_000, 0), ("9-999", 0, 1_000)], None, "lines"),  # unknown account
        ([("5-902", 1_000, 1_000), (chart.CASH, 0, 1_000)], None, "lines"),  # both sides
        ([("5-902", -1_000, 0), (chart.CASH, 0, -1_000)], None, "lines"),  # negative
        ([("5-902", 1_000, 0), (chart.CASH, 0, 1_000)], "tomorrow", "date"),
    ],
)
def test_a_wrong_entry_is_refused_by_field_and_nothing_is_posted(world, lines, date, field):
    day = TODAY() + datetime.timedelta(days=1) if date == "tomorrow" else None
    body = entry_body(*lines, date=day)

    response = client_for(world.alice).post(
        url("api-books-journal", world.coop_a), body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert books_size() == (0, 0)


def test_an_entry_cannot_use_another_cooperatives_account_or_member(world):
    theirs = account_create_sub(
        cooperative=world.coop_c, parent=shared(chart.BANK), name="Bank Kaltimtara", by=world.carol
    )
    ours = account_create_sub(
        cooperative=world.coop_a, parent=shared(chart.BANK), name="Bank BRI", by=world.alice
    )
    assert theirs.code == ours.code == "1-102.01"
    stranger = MemberFactory(cooperative=world.coop_c)
    member_line = entry_body(("5-902", 1_000, 0), (chart.CASH, 0, 1_000))
    member_line["lines"][0]["member"] = stranger.pk

    refused = client_for(world.alice).post(
        url("api-books-journal", world.coop_a), member_line, format="json"
    )
    # The same code names coop_a's own sub-account, never carol's.
    posted = client_for(world.alice).post(
        url("api-books-journal", world.coop_a),
        entry_body(("1-102.01", 1_000, 0), (chart.CASH, 0, 1_000)),
        format="json",
    )

    assert refused.status_code == 400
    assert refused.json() == {
        "lines": [
            in_indonesian("Line %(n)s: the member is not a member of this cooperative.") % {"n": 1}
        ]
    }
    assert posted.status_code == 201
    assert JournalLine.objects.filter(account=ours).count() == 1
    assert not JournalLine.objects.filter(account=theirs).exists()


def test_a_hand_written_entry_keeps_off_the_accounts_the_member_books_keep(world):
    member = MemberFactory(cooperative=world.coop_a)
    body = entry_body((chart.CASH, 100_000, 0), (chart.PRINCIPAL_SAVINGS, 0, 100_000))
    body["lines"][1]["member"] = member.pk

    response = client_for(world.alice).post(
        url("api-books-journal", world.coop_a), body, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "lines": [
            in_indonesian(
                "Line %(n)s: %(account)s is kept by the savings or loan book; record the "
                "movement there, not in a hand-written entry."
            )
            % {"n": 2, "account": shared(chart.PRINCIPAL_SAVINGS)}
        ]
    }
    assert books_size() == (0, 0)


def test_an_entry_of_another_cooperative_is_not_found_through_this_one(world, journals):
    (grant, _deposit, _transfer), (sale_1, _sale_2), _member = journals

    assert (
        client_for(world.frank).get(url("api-books-entry", world.coop_a, grant.pk)).status_code
        == 200
    )
    assert (
        client_for(world.frank).get(url("api-books-entry", world.coop_a, sale_1.pk)).status_code
        == 404
    )
    assert (
        client_for(world.carol).get(url("api-books-entry", world.coop_a, grant.pk)).status_code
        == 404
    )
    reversal = client_for(world.alice).post(
        url("api-books-entry-reverse", world.coop_a, sale_1.pk), {}, format="json"
    )
    assert reversal.status_code == 404
    assert not JournalEntry.objects.filter(reverses=sale_1).exists()


def test_the_operator_reverses_an_entry_once(world, journals):
    (_grant, _deposit, transfer), _other, _member = journals

    response = client_for(world.alice).post(
        url("api-books-entry-reverse", world.coop_a, transfer.pk),
        {"reason": "salah rekening"},
        format="json",
    )

    assert response.status_code == 201, response.content
    row = response.json()
    assert (row["reverses"], row["source"], row["date"]) == (transfer.pk, "reversal", str(TODAY()))
    assert row["description"] == in_indonesian("Reversal of %(ref)s") % {"ref": "JU-000003"} + (
        ": salah rekening"
    )
    assert [(line["account"], line["debit"], line["credit"]) for line in row["lines"]] == [
        (chart.BANK, 0, 1_000_000),
        (chart.CASH, 1_000_000, 0),
    ]
    original = client_for(world.alice).get(url("api-books-entry", world.coop_a, transfer.pk))
    assert original.json()["reversed_by"] == row["id"]

    again = client_for(world.alice).post(
        url("api-books-entry-reverse", world.coop_a, transfer.pk), {}, format="json"
    )
    assert again.status_code == 409
    assert again.json() == {
        "detail": in_indonesian("%(ref)s was already reversed.") % {"ref": "JU-000003"}
    }
    back = client_for(world.alice).post(
        url("api-books-entry-reverse", world.coop_a, row["id"]), {}, format="json"
    )
    assert back.status_code == 409
    assert JournalEntry.objects.filter(cooperative=world.coop_a).count() == 4


def test_a_reversal_is_for_the_operator_and_into_an_open_month(world, journals):
    (grant, _deposit, transfer), _other, _member = journals
    period_close(cooperative=world.coop_a, month=last_month(), by=world.bob)
    before = books_size()

    for user in (world.bob, world.erin):
        refused = client_for(user).post(
            url("api-books-entry-reverse", world.coop_a, transfer.pk), {}, format="json"
        )
        assert refused.status_code == 403, user
    into_closed = client_for(world.alice).post(
        url("api-books-entry-reverse", world.coop_a, grant.pk),
        {"date": str(last_month())},
        format="json",
    )

    assert into_closed.status_code == 400
    assert list(into_closed.json()) == ["date"]
    assert books_size() == before


# --- Periods -------------------------------------------------------------------------------------


def periods(user, cooperative):
    response = client_for(user).get(url("api-books-periods", cooperative))
    assert response.status_code == 200, response.content
    return response.json()


def test_the_pengawas_closes_a_month_and_the_regency_reopens_it(world):
    month = last_month().strftime("%Y-%m")
    assert periods(world.alice, world.coop_a) == {
        "may_close": False,
        "may_reopen": False,
        "closed": [],
        "events": [],
    }
    assert (
        periods(world.bob, world.coop_a)["may_close"],
        periods(world.bob, world.coop_a)["may_reopen"],
    ) == (True, False)

    closed = client_for(world.bob).post(
        url("api-books-period-close", world.coop_a), {"month": month}, format="json"
    )

    assert closed.status_code == 200, closed.content
    state = closed.json()
    assert [(row["month"], row["closed_by"]["username"]) for row in state["closed"]] == [
        (month, "bob")
    ]
    assert ClosedPeriod.objects.get().month == last_month().replace(day=1)
    twice = client_for(world.erin).post(
        url("api-books-period-close", world.coop_a), {"month": month}, format="json"
    )
    assert twice.status_code == 409
    assert twice.json() == {
        "detail": in_indonesian("The books of %(month)s are already closed.")
        % {"month": last_month().strftime("%m/%Y")}
    }

    for user in (world.alice, world.bob, world.dave):
        refused = client_for(user).post(
            url("api-books-period-reopen", world.coop_a),
            {"month": month, "reason": "salah input"},
            format="json",
        )
        assert refused.status_code == 403, user
    silent = client_for(world.erin).post(
        url("api-books-period-reopen", world.coop_a), {"month": month}, format="json"
    )
    assert silent.status_code == 400
    assert silent.json() == {
        "reason": [
            in_indonesian("Say why the month is reopened; the reason is kept in the audit trail.")
        ]
    }
    reopened = client_for(world.erin).post(
        url("api-books-period-reopen", world.coop_a),
        {"month": month, "reason": "Kuitansi listrik tertinggal"},
        format="json",
    )
    assert reopened.status_code == 200, reopened.content
    state = reopened.json()
    assert state["closed"] == [] and (state["may_close"], state["may_reopen"]) == (True, True)
    assert [
        (row["month"], row["action"], row["by"]["username"], row["reason"])
        for row in state["events"]
    ] == [
        (month, "reopen", "erin", "Kuitansi listrik tertinggal"),
        (month, "close", "bob", ""),
    ]
    assert list(PeriodEvent.objects.values_list("action", flat=True).order_by("id")) == [
        PeriodAction.CLOSE,
        PeriodAction.REOPEN,
    ]
    not_closed = client_for(world.erin).post(
        url("api-books-period-reopen", world.coop_a),
        {"month": month, "reason": "lagi"},
        format="json",
    )
    assert not_closed.status_code == 409


def test_a_month_is_closed_only_by_a_higher_role_after_it_ended(world):
    this_month = TODAY().strftime("%Y-%m")
    for user in (world.alice, world.henry, world.grace):
        refused = client_for(user).post(
            url("api-books-period-close", world.coop_a), {}, format="json"
        )
        assert refused.status_code == 403, user
        assert refused.json()["detail"] == in_indonesian(
            "Only the pengawas or an officer may close the books."
        )
    assert (
        client_for(world.carol)
        .post(url("api-books-period-close", world.coop_a), {"month": this_month}, format="json")
        .status_code
        == 404
    )

    early = client_for(world.bob).post(
        url("api-books-period-close", world.coop_a), {"month": this_month}, format="json"
    )
    badly_written = client_for(world.bob).post(
        url("api-books-period-close", world.coop_a), {"month": "2026-13"}, format="json"
    )

    assert early.status_code == 400
    assert early.json() == {
        "month": [
            in_indonesian("%(month)s has not ended yet; a month is closed after its last day.")
            % {"month": TODAY().strftime("%m/%Y")}
        ]
    }
    assert badly_written.status_code == 400
    assert badly_written.json() == {
        "month": [in_indonesian("Write the month as YYYY-MM, e.g. 2026-10.")]
    }
    assert not ClosedPeriod.objects.exists() and not PeriodEvent.objects.exists()


# --- Savings -------------------------------------------------------------------------------------


def imported_movement(member, date, savings_type, deposit=0, withdrawal=0, **fields):
    """A savings-book row as the savings import leaves it (imports/kinds/savings.py)."""
    from finance.models import SavingsTransaction

    return SavingsTransaction.objects.create(
        cooperative=member.cooperative,
        member=member,
        date=date,
        savings_type=savings_type,
        deposit=deposit,
        withdrawal=withdrawal,
        **fields,
    )


def test_the_savings_movements_of_the_cooperative_a_page_at_a_time(world):
    ani = MemberFactory(cooperative=world.coop_a, name="Ani")
    budi = MemberFactory(cooperative=world.coop_a, name="Budi")
    stranger = MemberFactory(cooperative=world.coop_c, name="Citra")
    early = last_month()
    pokok = imported_movement(ani, early, "pokok", 100_000, receipt_no="K-01")
    wajib = imported_movement(ani, TODAY(), "wajib", 50_000)
    taken = imported_movement(budi, TODAY(), "sukarela", 0, 20_000, description="Ambil tunai")
    imported_movement(stranger, TODAY(), "pokok", 100_000)

    def listed(user, **params):
        response = client_for(user).get(url("api-books-savings", world.coop_a), params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["results"])
        return [row["id"] for row in body["results"]]

    response = client_for(world.bob).get(url("api-books-savings", world.coop_a))

    body = response.json()
    assert body["count"] == 3  # never the other cooperative's
    assert [row["id"] for row in body["results"]] == [taken.pk, wajib.pk, pokok.pk]
    row = body["results"][0]
    assert (row["member"], row["member_name"], row["savings_type"]) == (
        budi.pk,
        "Budi",
        "sukarela",
    )
    assert (row["deposit"], row["withdrawal"], row["description"]) == (0, 20_000, "Ambil tunai")
    assert (row["source"], row["journal_entry"], row["recorded_by"]) == ("import", None, None)
    assert listed(world.erin, member=ani.pk) == [wajib.pk, pokok.pk]
    assert listed(world.erin, type="pokok") == [pokok.pk]
    assert listed(world.erin, date_to=str(early)) == [pokok.pk]
    assert listed(world.erin, date_from=str(TODAY()), type="sukarela") == [taken.pk]
    # A member of another cooperative is no way into its savings.
    assert listed(world.alice, member=stranger.pk) == []
    assert client_for(world.carol).get(url("api-books-savings", world.coop_a)).status_code == 404
    for bad in ({"type": "hari_raya"}, {"member": "x"}, {"date_from": "kemarin"}):
        refused = client_for(world.alice).get(url("api-books-savings", world.coop_a), bad)
        assert refused.status_code == 400 and list(refused.json()) == list(bad), bad


def record(world, member, savings_type, date, *, deposit=0, withdrawal=0, **fields):
    from finance.services import savings_record

    return savings_record(
        cooperative=member.cooperative,
        member=member,
        savings_type=savings_type,
        date=date,
        deposit=deposit,
        withdrawal=withdrawal,
        by=world.alice if member.cooperative == world.coop_a else world.carol,
        **fields,
    )


def savings_state():
    """Everything a refused movement must leave as it was."""
    from finance.models import SavingsTransaction

    return SavingsTransaction.objects.count(), *books_size()


@pytest.fixture
def siti(world):
    return MemberFactory(
        cooperative=world.coop_a, name="Siti", join_date=TODAY() - datetime.timedelta(days=400)
    )


def test_the_operator_records_a_deposit_and_it_posts_to_the_journal(world, siti):
    body = {
        "member": siti.pk,
        "savings_type": "pokok",
        "date": str(TODAY()),
        "deposit": 100_000,
        "receipt_no": "K-001",
    }

    response = client_for(world.alice).post(
        url("api-books-savings", world.coop_a), body, format="json"
    )

    assert response.status_code == 201, response.content
    row = response.json()
    assert (row["member"], row["savings_type"], row["deposit"], row["withdrawal"]) == (
        siti.pk,
        "pokok",
        100_000,
        0,
    )
    assert (row["source"], row["receipt_no"], row["recorded_by"]["username"]) == (
        "api",
        "K-001",
        "alice",
    )
    entry = client_for(world.bob).get(url("api-books-entry", world.coop_a, row["journal_entry"]))
    assert entry.status_code == 200
    assert entry.json()["source_key"] == f"savings:{row['id']}"
    assert [
        (line["account"], line["debit"], line["credit"], line["member"])
        for line in entry.json()["lines"]
    ] == [(chart.CASH, 100_000, 0, None), (chart.PRINCIPAL_SAVINGS, 0, 100_000, siti.pk)]
    for user in (world.bob, world.erin):
        refused = client_for(user).post(url("api-books-savings", world.coop_a), {}, format="json")
        assert refused.status_code == 403, user
    assert (
        client_for(world.carol)
        .post(url("api-books-savings", world.coop_a), body, format="json")
        .status_code
        == 404
    )
    assert savings_state() == (1, 1, 2)


def test_an_active_member_cannot_withdraw_pokok_and_nothing_is_written(world, siti):
    record(world, siti, "pokok", TODAY(), deposit=100_000)
    before = savings_state()

    response = client_for(world.alice).post(
        url("api-books-savings", world.coop_a),
        {"member": siti.pk, "savings_type": "pokok", "date": str(TODAY()), "withdrawal": 100_000},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "withdrawal": [
            in_indonesian(
                "%(savings)s cannot be withdrawn while %(name)s is a member: it is paid back "
                "only when the membership ends. Only simpanan sukarela can be withdrawn by a "
                "member."
            )
            % {"savings": in_indonesian("Simpanan pokok"), "name": "Siti"}
        ]
    }
    assert savings_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"savings_type": "sukarela", "withdrawal": 50_001}, "withdrawal"),  # balance 50.000
        ({"savings_type": "sukarela", "deposit": 1_000, "withdrawal": 1_000}, "non_field_errors"),
        ({"savings_type": "sukarela", "deposit": 0}, "non_field_errors"),
        ({"savings_type": "wajib", "deposit": 1_000, "days": 1}, "date"),  # tomorrow
        ({"savings_type": "wajib", "deposit": 1_000, "days": -500}, "date"),  # before joining
        ({"savings_type": "wajib", "deposit": 1_000, "receipt_no": "K-9"}, "receipt_no"),
        ({"savings_type": "hari_raya", "deposit": 1_000}, "savings_type"),
        ({"deposit": 1_000}, "savings_type"),
    ],
)
def test_a_movement_the_service_refuses_answers_400_by_field(world, siti, body, field):
    record(world, siti, "sukarela", TODAY(), deposit=50_000)
    record(world, siti, "wajib", TODAY(), deposit=25_000, receipt_no="K-9")
    before = savings_state()
    day = TODAY() + datetime.timedelta(days=body.pop("days", 0))

    response = client_for(world.alice).post(
        url("api-books-savings", world.coop_a),
        {"member": siti.pk, "date": str(day), **body},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert savings_state() == before


def test_a_movement_into_a_closed_month_or_for_a_stranger_is_refused(world, siti):
    period_close(cooperative=world.coop_a, month=last_month(), by=world.bob)
    stranger = MemberFactory(cooperative=world.coop_c)

    closed = client_for(world.alice).post(
        url("api-books-savings", world.coop_a),
        {"member": siti.pk, "savings_type": "wajib", "date": str(last_month()), "deposit": 25_000},
        format="json",
    )
    foreign = client_for(world.alice).post(
        url("api-books-savings", world.coop_a),
        {"member": stranger.pk, "savings_type": "wajib", "date": str(TODAY()), "deposit": 1},
        format="json",
    )

    assert closed.status_code == 400 and list(closed.json()) == ["date"]
    assert foreign.status_code == 400
    assert foreign.json() == {
        "member": [in_indonesian("This person is not a member of this cooperative.")]
    }
    assert savings_state() == (0, 0, 0)


def test_a_members_savings_are_the_balances_and_the_passbook(world, siti):
    from finance.savings import member_savings, passbook

    month_ago = TODAY() - datetime.timedelta(days=40)
    record(world, siti, "pokok", month_ago, deposit=100_000)
    record(world, siti, "wajib", month_ago, deposit=25_000)
    record(world, siti, "sukarela", TODAY(), deposit=80_000, receipt_no="S-1")
    record(world, siti, "sukarela", TODAY(), withdrawal=30_000, description="Ambil")
    other = MemberFactory(cooperative=world.coop_a)
    record(world, other, "pokok", TODAY(), deposit=100_000)

    response = client_for(world.bob).get(url("api-books-member-savings", world.coop_a, siti.pk))

    assert response.status_code == 200, response.content
    body = response.json()
    # pokok 100.000, wajib 25.000, sukarela 80.000 − 30.000 = 50.000; together 175.000
    assert body["balances"] == {
        "pokok": 100_000,
        "wajib": 25_000,
        "sukarela": 50_000,
        "total": 175_000,
    }
    assert body["balances"] == {
        **member_savings(siti),
        "total": sum(member_savings(siti).values()),
    }
    assert (body["member"], body["name"], body["start"], body["end"]) == (
        siti.pk,
        "Siti",
        None,
        None,
    )
    assert [
        (
            row["savings_type"],
            row["deposit"],
            row["withdrawal"],
            row["balance"],
            row["balances"]["total"],
        )
        for row in body["rows"]
    ] == [
        ("pokok", 100_000, 0, 100_000, 100_000),
        ("wajib", 25_000, 0, 25_000, 125_000),
        ("sukarela", 80_000, 0, 80_000, 205_000),
        ("sukarela", 0, 30_000, 50_000, 175_000),
    ]
    assert (body["deposits"], body["withdrawals"]) == (205_000, 30_000)
    assert len(body["rows"]) == len(passbook(siti).rows)

    recent = (
        client_for(world.erin)
        .get(url("api-books-member-savings", world.coop_a, siti.pk), {"start": str(TODAY())})
        .json()
    )
    assert recent["opening"] == {"pokok": 100_000, "wajib": 25_000, "sukarela": 0, "total": 125_000}
    assert [row["receipt_no"] for row in recent["rows"]] == ["S-1", ""]
    earlier = (
        client_for(world.erin)
        .get(url("api-books-member-savings", world.coop_a, siti.pk), {"end": str(month_ago)})
        .json()
    )
    assert earlier["balances"]["total"] == 125_000 and len(earlier["rows"]) == 2

    stranger = MemberFactory(cooperative=world.coop_c)
    for user, cooperative, member in (
        (world.carol, world.coop_a, siti),  # not carol's cooperative
        (world.alice, world.coop_a, stranger),  # not coop_a's member
        (world.frank, world.coop_a, stranger),  # not even for the province through coop_a
    ):
        refused = client_for(user).get(url("api-books-member-savings", cooperative, member.pk))
        assert refused.status_code == 404, (user, member)


# --- Statements --------------------------------------------------------------------------------


def statement(user, cooperative, kind, **params):
    address = reverse("api-books-statement", kwargs={"pk": cooperative.pk, "kind": kind})
    return client_for(user).get(address, params)


@pytest.fixture
def books(world):
    """The hand-computed books of tests/finance/books_fixture.py (2024 and 2025) in coop_a, and
    some books of coop_c that must never mix in."""
    from tests.finance.books_fixture import books_post

    posted = books_post(world.coop_a, by=world.alice)
    for day in (datetime.date(2024, 6, 1), datetime.date(2025, 6, 1)):
        post(
            world.coop_c,
            world.carol,
            day,
            "Penjualan",
            Line(chart.CASH, debit=9_000_000),
            Line("4-101", credit=9_000_000),
        )
    return posted


YEAR_2025 = {"start": "2025-01-01", "end": "2025-12-31"}


def test_each_statement_answers_the_portals_figures(world, books):
    from finance import statements
    from tests.finance.books_fixture import EXPECTED

    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    coop = world.coop_a
    expected = {
        "trial-balance": statements.trial_balance(coop, start=start, end=end),
        "balance-sheet": statements.balance_sheet(coop, as_of=end),
        "income-statement": statements.income_statement(coop, start=start, end=end),
        "cash-flow": statements.cash_flow(coop, start=start, end=end),
        "equity-changes": statements.equity_changes(coop, start=start, end=end),
    }

    answers = {}
    for kind in expected:
        params = {"as_of": "2025-12-31"} if kind == "balance-sheet" else YEAR_2025
        response = statement(world.bob, coop, kind, **params)
        assert response.status_code == 200, (kind, response.content)
        answers[kind] = response.json()
        assert answers[kind] == expected[kind].as_dict(), kind

    tb = answers["trial-balance"]
    assert tb["kind"] == "neraca-saldo" and tb["balanced"] is True
    assert (tb["start"], tb["end"]) == ("2025-01-01", "2025-12-31")
    assert {key: tb["totals"][key] for key in EXPECTED["tb_2025"] if key in tb["totals"]} == {
        key: value for key, value in EXPECTED["tb_2025"].items() if not key[0].isdigit()
    }
    bank = next(
        row
        for part in tb["parts"]
        for section in part["sections"]
        for row in section["rows"]
        if row["code"] == "1-102.02"
    )
    # Bank BPD Kaltim: nothing before, 20.000.000 in, 6.250.000 out, 13.750.000 at the end.
    assert bank["amounts"] == {
        "opening_debit": 0,
        "opening_credit": 0,
        "debit": 20_000_000,
        "credit": 6_250_000,
        "closing_debit": 13_750_000,
        "closing_credit": 0,
    }
    neraca = answers["balance-sheet"]
    assert (neraca["start"], neraca["end"], neraca["balanced"]) == (None, "2025-12-31", True)
    assert (
        neraca["totals"]["assets"],
        neraca["totals"]["liabilities"],
        neraca["totals"]["equity"],
        neraca["totals"]["shu_current_year"],
    ) == (36_210_000, 19_562_000, 16_648_000, 640_000)
    assert neraca["totals"]["previous_assets"] == 16_820_000  # 31 December 2024
    assert answers["income-statement"]["totals"] == {
        "revenue": 8_090_000,
        "expenses": 7_450_000,
        "shu": 640_000,
    }
    assert [part["key"] for part in answers["income-statement"]["parts"]] == list(
        EXPECTED["phu_2025"]["units"]
    )
    flow = answers["cash-flow"]["totals"]
    assert (flow["opening_cash"], flow["net_change"], flow["closing_cash"]) == (
        8_120_000,
        20_140_000,
        28_260_000,
    )
    assert (flow["operating"], flow["investing"], flow["financing"]) == (1_390_000, 0, 18_750_000)
    equity = answers["equity-changes"]["totals"]
    assert (equity["opening"], equity["increases"], equity["decreases"], equity["closing"]) == (
        16_120_000,
        1_048_000,
        520_000,
        16_648_000,
    )
    # The same figures for everyone who may read the books; nothing outside the scope.
    for user in (world.alice, world.henry, world.erin, world.frank):
        assert (
            statement(user, coop, "income-statement", **YEAR_2025).json()
            == answers["income-statement"]
        )
    assert statement(world.carol, coop, "balance-sheet").status_code == 404


def test_a_statement_of_one_business_unit(world, books):
    from finance import statements
    from tests.finance.books_fixture import EXPECTED

    tb = statement(
        world.erin, world.coop_a, "trial-balance", business_unit="gerai_sembako", **YEAR_2025
    )
    phu = statement(
        world.erin, world.coop_a, "income-statement", business_unit="klinik", **YEAR_2025
    )

    assert tb.status_code == 200
    assert (
        tb.json()
        == statements.trial_balance(
            world.coop_a,
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2025, 12, 31),
            business_unit="gerai_sembako",
        ).as_dict()
    )
    assert {key: tb.json()["totals"][key] for key in EXPECTED["tb_2025_gerai"]} == EXPECTED[
        "tb_2025_gerai"
    ]
    assert tb.json()["balanced"] is False  # 2024's cash lines had no unit
    assert tb.json()["business_unit"] == "gerai_sembako"
    # klinik 2025: 2.000.000 − 700.000
    assert phu.json()["totals"] == {"revenue": 2_000_000, "expenses": 700_000, "shu": 1_300_000}
    assert [part["key"] for part in phu.json()["parts"]] == ["klinik"]


def test_without_dates_a_statement_covers_this_year_to_today(world, books):
    today = TODAY()

    tb = statement(world.alice, world.coop_a, "trial-balance").json()
    neraca = statement(world.alice, world.coop_a, "balance-sheet").json()
    earlier = statement(world.alice, world.coop_a, "cash-flow", start="2024-01-01").json()
    late = statement(world.alice, world.coop_a, "equity-changes", end="2025-03-31").json()

    assert (tb["start"], tb["end"]) == (f"{today.year}-01-01", str(today))
    assert neraca["end"] == str(today) and neraca["balanced"] is True
    # Nothing was posted after 2025: today's neraca is the end of 2025's, SHU moved to 3-301.
    assert neraca["totals"]["assets"] == 36_210_000
    assert (earlier["start"], earlier["end"]) == ("2024-01-01", "2024-12-31")
    assert earlier["totals"]["closing_cash"] == 8_120_000
    assert (late["start"], late["end"]) == ("2025-01-01", "2025-03-31")


def test_a_period_the_statement_refuses_answers_400_by_field(world, books):
    over_two_years = statement(
        world.alice, world.coop_a, "trial-balance", start="2024-06-01", end="2025-05-31"
    )
    backwards = statement(
        world.alice, world.coop_a, "cash-flow", start="2025-06-01", end="2025-05-31"
    )
    unknown_unit = statement(world.alice, world.coop_a, "income-statement", business_unit="bengkel")
    not_a_date = statement(world.alice, world.coop_a, "balance-sheet", as_of="31-12-2025")

    assert over_two_years.status_code == 400
    assert list(over_two_years.json()) == ["end"]
    assert over_two_years.json()["end"] == [
        in_indonesian(
            "The %(what)s covers one financial year at most: revenue and expense accounts "
            "start again every 1 January. Choose dates within one year."
        )
        % {"what": in_indonesian("trial balance")}
    ]
    assert backwards.status_code == 400 and list(backwards.json()) == ["end"]
    assert unknown_unit.status_code == 400
    assert unknown_unit.json() == {
        "business_unit": [
            in_indonesian("There is no business unit “%(unit)s”.") % {"unit": "bengkel"}
        ]
    }
    assert not_a_date.status_code == 400 and list(not_a_date.json()) == ["as_of"]


# --- SHU ---------------------------------------------------------------------------------------


def shu_books(world):
    """Last year's books of coop_a, by hand:

    savings at 31 December   Ani pokok 100.000 + wajib 200.000 = 300.000; Budi pokok 100.000
    revenue                  sales to Ani 600.000, to Budi 200.000, to others 1.200.000
    expenses                 salaries 1.000.000        => SHU 1.000.000
    allocation               cadangan 40, JMA 20, JUA 25, pengurus 5, karyawan 5,
                             pendidikan 2,5, sosial 2,5
    JMA 200.000 by 300.000 : 100.000 -> Ani 150.000, Budi 50.000
    JUA 250.000 by 600.000 : 200.000 -> Ani 187.500, Budi 62.500
    """
    from finance.services import shu_policy_set

    year = TODAY().year - 1
    joined = datetime.date(year - 1, 1, 10)
    ani = MemberFactory(cooperative=world.coop_a, name="Ani", join_date=joined)
    budi = MemberFactory(cooperative=world.coop_a, name="Budi", join_date=joined)
    day = datetime.date(year, 3, 1)
    coop, alice = world.coop_a, world.alice
    post(
        coop,
        alice,
        day,
        "Pokok Ani",
        Line(chart.CASH, debit=100_000),
        Line(chart.PRINCIPAL_SAVINGS, credit=100_000, member=ani),
    )
    post(
        coop,
        alice,
        day,
        "Pokok Budi",
        Line(chart.CASH, debit=100_000),
        Line(chart.PRINCIPAL_SAVINGS, credit=100_000, member=budi),
    )
    post(
        coop,
        alice,
        day,
        "Wajib Ani",
        Line(chart.CASH, debit=200_000),
        Line(chart.COMPULSORY_SAVINGS, credit=200_000, member=ani),
    )
    post(
        coop,
        alice,
        day,
        "Jual ke Ani",
        Line(chart.CASH, debit=600_000),
        Line("4-101", credit=600_000, member=ani),
    )
    post(
        coop,
        alice,
        day,
        "Jual ke Budi",
        Line(chart.CASH, debit=200_000),
        Line("4-101", credit=200_000, member=budi),
    )
    post(
        coop,
        alice,
        day,
        "Jual umum",
        Line(chart.CASH, debit=1_200_000),
        Line("4-101", credit=1_200_000),
    )
    post(
        coop, alice, day, "Gaji", Line("5-901", debit=1_000_000), Line(chart.CASH, credit=1_000_000)
    )
    # The other cooperative's year never mixes in.
    post(
        world.coop_c,
        world.carol,
        day,
        "Jual",
        Line(chart.CASH, debit=9_000_000),
        Line("4-101", credit=9_000_000),
    )
    shu_policy_set(
        cooperative=coop,
        from_year=year,
        by=alice,
        reserve="40",
        member_capital="20",
        member_business="25",
        management="5",
        employees="5",
        education="2.5",
        social="2.5",
    )
    return year, ani, budi


def test_the_years_shu_is_the_portals_figures_shared_to_the_rupiah(world):
    from finance.shu import shu_compute

    year, ani, budi = shu_books(world)

    response = client_for(world.bob).get(url("api-books-shu", world.coop_a, year))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == shu_compute(world.coop_a, year=year).as_dict()
    assert (body["revenue"], body["expenses"], body["surplus"]) == (2_000_000, 1_000_000, 1_000_000)
    assert (body["provisional"], body["start"], body["end"]) == (
        False,
        f"{year}-01-01",
        f"{year}-12-31",
    )
    assert [(part["key"], part["percent"], part["amount"]) for part in body["parts"]] == [
        ("reserve", "40.00", 400_000),
        ("member_capital", "20.00", 200_000),
        ("member_business", "25.00", 250_000),
        ("management", "5.00", 50_000),
        ("employees", "5.00", 50_000),
        ("education", "2.50", 25_000),
        ("social", "2.50", 25_000),
        ("regional_development", "0.00", 0),
    ]
    assert [
        (row["member"], row["savings"], row["transactions"], row["jma"], row["jua"], row["total"])
        for row in body["members"]
    ] == [
        (ani.pk, 300_000, 600_000, 150_000, 187_500, 337_500),
        (budi.pk, 100_000, 200_000, 50_000, 62_500, 112_500),
    ]
    assert body["members_total"] == 450_000
    for user in (world.alice, world.erin, world.frank):
        assert client_for(user).get(url("api-books-shu", world.coop_a, year)).json() == body
    assert client_for(world.carol).get(url("api-books-shu", world.coop_a, year)).status_code == 404


def test_the_running_year_is_provisional_and_a_future_year_is_refused(world):
    shu_books(world)

    running = client_for(world.alice).get(url("api-books-shu", world.coop_a, TODAY().year))
    future = client_for(world.alice).get(url("api-books-shu", world.coop_a, TODAY().year + 1))
    nonsense = client_for(world.alice).get(url("api-books-shu", world.coop_a, 1999))

    assert running.status_code == 200
    assert (running.json()["provisional"], running.json()["end"]) == (True, str(TODAY()))
    assert running.json()["surplus"] == 0
    assert future.status_code == 400
    assert future.json() == {
        "year": [in_indonesian("%(year)s has not begun yet.") % {"year": TODAY().year + 1}]
    }
    assert nonsense.status_code == 400
    assert nonsense.json() == {
        "year": [in_indonesian("Give a financial year from %(first)s on.") % {"first": 2000}]
    }


# --- Language, tokens and the schema -------------------------------------------------------------


def test_messages_follow_the_users_language(world):
    profile = UserProfile.get_for_user(world.alice)
    profile.preferred_language = "en"
    profile.save(update_fields=["preferred_language"])
    session = APIClient()
    session.force_login(world.alice)

    english = session.post(url("api-books-journal", world.coop_a), {}, format="json")
    indonesian = client_for(world.carol).post(
        url("api-books-journal", world.coop_c), {}, format="json"
    )

    assert english.status_code == indonesian.status_code == 400
    assert english.headers["Content-Language"] == "en"
    assert english.json()["date"] == ["This field is required."]
    assert indonesian.headers["Content-Language"] == "id"
    assert indonesian.json()["date"] == [in_indonesian("This field is required.")]
    assert indonesian.json()["date"] != ["This field is required."]


def test_a_token_client_posts_an_entry(world):
    token = Token.objects.create(user=UserFactory(username="bendahara"))
    role_grant_create(user=token.user, role=Role.OPERATOR, cooperative=world.coop_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.post(
        url("api-books-journal", world.coop_a),
        entry_body(("5-902", 1_000, 0), (chart.CASH, 0, 1_000)),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["posted_by"]["username"] == "bendahara"


def test_the_openapi_schema_documents_every_books_route(tmp_path: Path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    paths = yaml.safe_load(out.read_text())["paths"]
    for pattern in api_urls.urlpatterns:
        route = "/api/v1/" + (
            str(pattern.pattern)
            .replace("<int:pk>", "{id}")
            .replace("<int:entry_pk>", "{entry_pk}")
            .replace("<int:member_pk>", "{member_pk}")
            .replace("<int:year>", "{year}")
        )
        assert route in paths, route
    journal = paths["/api/v1/cooperatives/{id}/journal/"]
    assert set(journal["post"]["responses"]) == {"201", "400", "403", "404"}
    assert "Paginated" in str(journal["get"]["responses"])
    assert "Paginated" not in str(paths["/api/v1/cooperatives/{id}/accounts/"]["get"]["responses"])
