"""The statements in the portal: who reads them, the periods, the .xlsx, and bad requests."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from finance.statements import KINDS
from tests.finance.books_fixture import books_post

pytestmark = pytest.mark.django_db
YEAR_2025 = {"period": "year", "year": "2025"}


@pytest.fixture
def books(world):
    return books_post(world.coop_a, by=world.alice)


def page(client, user, cooperative, kind=None, **query):
    client.force_login(user)
    if kind is None:
        url = reverse("finance:statements", kwargs={"pk": cooperative.pk})
    else:
        url = reverse("finance:statement", kwargs={"pk": cooperative.pk, "kind": kind})
    return client.get(url, query)


@pytest.mark.parametrize("name", ["alice", "bob", "henry", "erin", "frank"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_anyone_whose_scope_covers_the_cooperative_reads_every_statement(
    client, world, books, name, kind
):
    response = page(client, getattr(world, name), world.coop_a, kind, **YEAR_2025)
    assert response.status_code == 200
    statement = response.context["statement"]
    assert statement.kind == kind
    assert statement.end == datetime.date(2025, 12, 31)


def test_the_neraca_page_shows_the_hand_figures_and_balances(client, world, books):
    response = page(client, world.alice, world.coop_a, "neraca", **YEAR_2025)
    html = response.content.decode()
    assert "Rp 36.210.000" in html  # total assets, and liabilities + equity
    assert "Rp 16.820.000" in html  # the year before
    assert "Rp 640.000" in html  # SHU tahun berjalan
    assert '<p class="badge st-active" id="balance-check">' in html
    # sub-accounts sit under Bank
    assert html.index("1-102.01") > html.index("1-102</span>")


def test_a_month_and_a_quarter_of_the_phu(client, world, books):
    month = page(client, world.bob, world.coop_a, "phu", period="month", month="2025-03")
    assert month.context["statement"].totals["shu"] == 100_000
    assert month.context["statement"].start == datetime.date(2025, 3, 1)
    quarter = page(
        client, world.bob, world.coop_a, "phu", period="quarter", quarter="1", year="2025"
    )
    assert quarter.context["statement"].totals == {
        "revenue": 8_000_000,
        "expenses": 6_300_000,
        "shu": 1_700_000,
    }
    assert quarter.context["statement"].end == datetime.date(2025, 3, 31)


def test_the_phu_of_one_unit(client, world, books):
    response = page(client, world.erin, world.coop_a, "phu", **YEAR_2025, unit="klinik")
    assert response.status_code == 200
    assert response.context["statement"].totals["shu"] == 1_300_000
    assert "Rp 1.300.000" in response.content.decode()


def test_from_to_dates(client, world, books):
    response = page(
        client,
        world.alice,
        world.coop_a,
        "arus-kas",
        period="range",
        start="2024-01-01",
        end="31-12-2025",
    )
    statement = response.context["statement"]
    assert statement.totals["opening_cash"] == 0
    assert statement.totals["closing_cash"] == 28_260_000


def test_without_a_period_the_statement_is_this_year_so_far(client, world, books):
    response = page(client, world.alice, world.coop_a, "neraca-saldo")
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["statement"].start == datetime.date(today.year, 1, 1)
    assert response.context["statement"].end == today


def test_outside_the_scope_is_404_whatever_the_parameters(client, world, books):
    for query in (YEAR_2025, {"period": "range", "start": "2025-02-01", "end": "2025-01-01"}):
        assert page(client, world.carol, world.coop_a, "neraca", **query).status_code == 404
    assert page(client, world.carol, world.coop_a).status_code == 404
    assert page(client, world.ivan, world.coop_a, "phu").status_code == 404
    assert page(client, world.dave, world.coop_c, "phu").status_code == 404
    url = reverse("finance:statement_xlsx", kwargs={"pk": world.coop_a.pk, "kind": "neraca"})
    client.force_login(world.carol)
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    url = reverse("finance:statement", kwargs={"pk": world.coop_a.pk, "kind": "neraca"})
    response = client.get(url)
    assert response.status_code == 302
    assert "/masuk/" in response["Location"]


@pytest.mark.parametrize(
    ("kind", "query", "says"),
    [
        ("phu", {"period": "range", "start": "2025-02-01", "end": "2025-01-01"}, "before"),
        ("laba-rugi", YEAR_2025, "laba-rugi"),
        ("phu", {**YEAR_2025, "unit": "kebun"}, "kebun"),
        ("neraca", {"period": "range", "start": "2025-13-45", "end": "kemarin"}, "date"),
        ("neraca", {"period": "year", "year": "abc"}, "number"),
        ("neraca", {"period": "year", "year": "99999"}, "2100"),
        ("phu", {"period": "month", "month": "2025-13"}, "2025-03"),
        ("phu", {"period": "month"}, "month"),
        ("phu", {"period": "quarter", "quarter": "5", "year": "2025"}, "5"),
        ("phu", {"period": "decade"}, "decade"),
        (
            "neraca-saldo",
            {"period": "range", "start": "2024-07-01", "end": "2025-06-30"},
            "1 January",
        ),
        ("neraca", {**YEAR_2025, "format": "pdf"}, ".xlsx"),
    ],
)
def test_bad_parameters_answer_400_with_the_reason(client, world, books, kind, query, says):
    with_english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    client.force_login(world.alice)
    client.cookies["kopdes_language"] = "en"
    url = reverse("finance:statement", kwargs={"pk": world.coop_a.pk, "kind": kind})
    response = client.get(url, query, **with_english)
    assert response.status_code == 400
    assert response.context["statement"] is None
    html = response.content.decode()
    assert 'role="alert"' in html
    assert says in html


def test_bad_parameters_on_the_xlsx_route_answer_400_too(client, world, books):
    client.force_login(world.alice)
    url = reverse("finance:statement_xlsx", kwargs={"pk": world.coop_a.pk, "kind": "phu"})
    assert (
        client.get(url, {"period": "range", "start": "2025-02-01", "end": "2025-01-01"}).status_code
        == 400
    )
    bad = reverse("finance:statement_xlsx", kwargs={"pk": world.coop_a.pk, "kind": "nope"})
    assert client.get(bad).status_code == 400


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    return openpyxl.load_workbook(io.BytesIO(response.content))


@pytest.mark.parametrize("name", ["alice", "bob", "erin"])
def test_the_xlsx_holds_the_page_figures(client, world, books, name):
    client.force_login(getattr(world, name))
    url = reverse("finance:statement_xlsx", kwargs={"pk": world.coop_a.pk, "kind": "phu"})
    rows = list(_workbook(client.get(url, YEAR_2025)).worksheets[0].iter_rows(values_only=True))
    assert rows[-1][2] == 640_000  # SHU before tax
    by_code = {row[0]: row[2] for row in rows[1:] if row[0]}
    assert by_code["4-101"] == 6_000_000
    assert by_code["5-905"] == 600_000


def test_format_xlsx_on_the_page_gives_the_same_workbook(client, world, books):
    response = page(client, world.bob, world.coop_a, "neraca-saldo", **YEAR_2025, format="xlsx")
    rows = list(_workbook(response).worksheets[0].iter_rows(values_only=True))
    totals = [row for row in rows if row[0] is None and row[2] == 17_420_000]
    assert totals and totals[-1][2:] == (
        17_420_000,
        17_420_000,
        43_460_000,
        43_460_000,
        44_860_000,
        44_860_000,
    )
    assert "neraca-saldo" in response["Content-Disposition"]


def test_the_choice_page_goes_to_the_chosen_statement(client, world, books):
    response = page(client, world.alice, world.coop_a)
    assert response.status_code == 200
    assert 'id="statement-kinds"' in response.content.decode()
    url = reverse("finance:statements", kwargs={"pk": world.coop_a.pk})
    chosen = client.get(url, {"kind": "arus-kas", **YEAR_2025})
    assert chosen.status_code == 302
    target = reverse("finance:statement", kwargs={"pk": world.coop_a.pk, "kind": "arus-kas"})
    assert chosen["Location"].startswith(f"{target}?")
    assert "kind=" not in chosen["Location"]
    assert "year=2025" in chosen["Location"]
    bad = client.get(url, {"kind": "laba-rugi"})
    assert bad.status_code == 400


def test_the_page_is_plain_html_for_a_phone_and_paper(client, world, books):
    html = page(client, world.alice, world.coop_a, "neraca-saldo", **YEAR_2025).content.decode()
    assert "<script" not in html and "style=" not in html  # the CSP forbids inline code
    # Six columns: on a phone each account becomes a block, each figure beside its label.
    assert '<table class="statement stack-narrow">' in html
    assert re.search(r'<td class="num" data-label="[^"]+">Rp 43.460.000</td>', html)
    assert "no-print" in html
