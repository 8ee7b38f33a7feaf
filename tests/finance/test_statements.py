"""The five statements against the hand-computed books of tests/finance/books_fixture.py."""

import datetime
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance import chart
from finance.services import Line, journal_post, journal_reverse
from finance.statement_exports import rat_sheets, statement_sheet
from finance.statements import (
    BALANCE_SHEET,
    KINDS,
    StatementError,
    balance_sheet,
    cash_flow,
    equity_changes,
    income_statement,
    statement_build,
    trial_balance,
)
from imports.xlsx import write_table
from tests.finance.books_fixture import EXPECTED, books_post

D = datetime.date
YEAR_2024 = {"start": D(2024, 1, 1), "end": D(2024, 12, 31)}
YEAR_2025 = {"start": D(2025, 1, 1), "end": D(2025, 12, 31)}

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def books(world):
    return books_post(world.coop_a, by=world.alice)


def figures(statement) -> dict:
    """Everything a statement says, to compare one with another."""
    return statement.as_dict()


# --- Trial balance ----------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["tb_2024", "tb_2025"])
def test_trial_balance_of_a_year_balances_with_the_hand_totals(world, books, year):
    period = YEAR_2024 if year == "tb_2024" else YEAR_2025
    statement = trial_balance(world.coop_a, **period)
    for key in ("opening_debit", "opening_credit", "debit", "credit"):
        assert statement.totals[key] == EXPECTED[year][key], key
    assert statement.totals["closing_debit"] == EXPECTED[year]["closing_debit"]
    assert statement.totals["closing_credit"] == EXPECTED[year]["closing_credit"]
    assert statement.balanced is True
    assert statement.summary[0].amounts == tuple(
        EXPECTED[year][key]
        for key in (
            "opening_debit",
            "opening_credit",
            "debit",
            "credit",
            "closing_debit",
            "closing_credit",
        )
    )


def test_trial_balance_rolls_sub_accounts_up_under_their_parent(world, books):
    statement = trial_balance(world.coop_a, **YEAR_2025)
    bank = statement.row(chart.BANK)
    assert bank.kind == "account"
    assert bank.amounts == EXPECTED["tb_2025"]["1-102"]
    assert statement.row("1-102.02").amounts == EXPECTED["tb_2025"]["1-102.02"]
    assert statement.row("1-102.02").kind == "sub"
    # BRI: 3.300 before, nothing in 2025
    assert statement.row("1-102.01").amounts == (3_300_000, 0, 0, 0, 3_300_000, 0)
    rows = statement.section("asset").rows
    codes = [(row.code, row.kind) for row in rows]
    at = codes.index(("1-102", "account"))
    # the parent, then what was posted to 1-102 itself, then each sub-account
    assert codes[at + 1 : at + 4] == [("1-102", "sub"), ("1-102.01", "sub"), ("1-102.02", "sub")]
    assert rows[at + 1].amounts == (20_000, 0, 0, 0, 20_000, 0)
    # the section's total counts the parent once, never its sub-accounts again
    assert (
        statement.section("asset").total.amounts[4] == 28_260_000 + 750_000 + 2_400_000 + 6_000_000
    )


def test_trial_balance_carries_earlier_years_in_shu_belum_dibagi(world, books):
    statement = trial_balance(world.coop_a, **YEAR_2025)
    assert statement.row(chart.RETAINED_SHU).amounts == EXPECTED["tb_2025"]["3-301"]
    # revenue starts again on 1 January: 4-101 opens at nothing in 2025
    assert statement.row("4-101").amounts == (0, 0, 0, 6_000_000, 0, 6_000_000)
    assert any("520.000" in note for note in statement.notes)


def test_trial_balance_of_a_month_opens_with_the_year_so_far(world, books):
    statement = trial_balance(world.coop_a, start=D(2025, 3, 1), end=D(2025, 3, 31))
    # 4-101 sold 6.000 in February: the March opening; 4-301 2.000 in March
    assert statement.row("4-101").amounts == (0, 6_000_000, 0, 0, 0, 6_000_000)
    assert statement.row("4-301").amounts == (0, 0, 0, 2_000_000, 0, 2_000_000)
    # March: F6 2.000 + F7 700 + F8 1.200
    assert statement.totals["debit"] == statement.totals["credit"] == 3_900_000
    assert statement.balanced is True


def test_trial_balance_of_one_unit_shows_its_lines_only(world, books):
    statement = trial_balance(world.coop_a, **YEAR_2025, business_unit="gerai_sembako")
    for key, value in EXPECTED["tb_2025_gerai"].items():
        assert statement.totals[key] == value, key
    # the 2024 cash lines of the grocery store had no unit: honest, not balanced
    assert statement.balanced is False
    assert {row.code for row in statement.rows() if row.kind == "account"} == {
        "1-101",
        "1-102",
        "1-131",
        "3-301",
        "4-101",
        "5-101",
    }


def test_trial_balance_refuses_a_period_over_two_years(world, books):
    with pytest.raises(StatementError) as refused:
        trial_balance(world.coop_a, start=D(2024, 7, 1), end=D(2025, 6, 30))
    assert refused.value.code == "spans_years"


# --- Neraca -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(D(2024, 12, 31), "neraca_2024"), (D(2025, 12, 31), "neraca_2025")],
)
def test_neraca_at_year_end_matches_the_hand_figures(world, books, as_of, expected):
    statement = balance_sheet(world.coop_a, as_of=as_of)
    figures = EXPECTED[expected]
    for key in ("assets", "liabilities", "equity", "shu_current_year"):
        assert statement.totals[key] == figures[key], key
    assert statement.totals["liabilities_and_equity"] == figures["assets"]
    assert statement.balanced is True
    for code, amount in figures.items():
        if code[0].isdigit():
            assert statement.row(code).amount(0) == amount, code
    for key in ("current_assets", "fixed_assets", "short_term_liabilities"):
        if key in figures:
            assert statement.section(key).total.amount(0) == figures[key], key
    shu_line = next(row for row in statement.section("equity").rows if row.kind == "line")
    assert shu_line.amount(0) == figures["shu_current_year"]


def test_neraca_compares_with_the_end_of_the_year_before(world, books):
    statement = balance_sheet(world.coop_a, as_of=D(2025, 12, 31))
    assert [column.key for column in statement.columns] == ["as_of", "previous"]
    assert statement.totals["previous_assets"] == EXPECTED["neraca_2024"]["assets"]
    assert statement.totals["previous_equity"] == EXPECTED["neraca_2024"]["equity"]
    assert statement.totals["previous_shu_current_year"] == 520_000
    assert statement.row("1-101").amounts == (11_190_000, 4_800_000)
    # SHU 2024 stood as SHU tahun berjalan at 31 Dec 2024, and in 3-301 in 2025 until F13
    assert statement.row(chart.RETAINED_SHU).amounts == (0, 0)
    assert statement.summary[0].amounts == (36_210_000, 16_820_000)


def test_neraca_during_the_year_holds_last_years_shu_in_shu_belum_dibagi(world, books):
    statement = balance_sheet(world.coop_a, as_of=D(2025, 3, 31))
    figures = EXPECTED["neraca_2025_03_31"]
    assert statement.totals["assets"] == figures["assets"]
    assert statement.totals["liabilities"] == figures["liabilities"]
    assert statement.totals["equity"] == figures["equity"]
    assert statement.row(chart.RETAINED_SHU).amounts == (520_000, 0)
    assert statement.totals["shu_current_year"] == figures["shu_current_year"]
    assert statement.balanced is True


def test_neraca_shows_bank_sub_accounts_under_bank(world, books):
    statement = balance_sheet(world.coop_a, as_of=D(2025, 12, 31))
    assert statement.row("1-102").amounts == (17_070_000, 3_320_000)
    assert statement.row("1-102.01").amounts == (3_300_000, 3_300_000)
    assert statement.row("1-102.02").amounts == (13_750_000, 0)
    # counted once in the current assets
    assert statement.section("current_assets").total.amounts == (31_410_000, 11_420_000)


def test_neraca_of_a_cooperative_without_books_is_empty_and_balanced(world):
    statement = balance_sheet(world.coop_b, as_of=D(2025, 12, 31))
    assert statement.totals["assets"] == statement.totals["equity"] == 0
    assert statement.balanced is True


# --- PHU --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("period", "expected"), [(YEAR_2024, "phu_2024"), (YEAR_2025, "phu_2025")])
def test_phu_per_unit_matches_the_hand_figures(world, books, period, expected):
    statement = income_statement(world.coop_a, **period)
    figures = EXPECTED[expected]
    assert statement.totals == {
        "revenue": figures["revenue"],
        "expenses": figures["expenses"],
        "shu": figures["shu"],
    }
    assert [part.key for part in statement.parts] == list(figures["units"])
    for unit, (revenue, expenses, result) in figures["units"].items():
        part = statement.part(unit)
        assert part.sections[0].total.amount() == revenue, unit
        assert part.sections[1].total.amount() == expenses, unit
        assert part.total.amount() == result, unit
    assert statement.summary[-1].amount() == figures["shu"]


def test_phu_of_one_unit(world, books):
    statement = income_statement(world.coop_a, **YEAR_2025, business_unit="klinik")
    assert statement.totals == {"revenue": 2_000_000, "expenses": 700_000, "shu": 1_300_000}
    assert [part.key for part in statement.parts] == ["klinik"]
    assert statement.row("4-301").amount() == 2_000_000
    assert statement.row("5-301").amount() == 700_000


def test_phu_of_a_unit_without_lines_shows_it_empty(world, books):
    statement = income_statement(world.coop_a, **YEAR_2025, business_unit="logistik")
    assert statement.totals == {"revenue": 0, "expenses": 0, "shu": 0}
    assert [part.key for part in statement.parts] == ["logistik"]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 1, 1), D(2025, 3, 31), "phu_2025_q1"),
        (D(2025, 3, 1), D(2025, 3, 31), "phu_2025_03"),
    ],
)
def test_phu_of_a_quarter_and_a_month(world, books, start, end, expected):
    statement = income_statement(world.coop_a, start=start, end=end)
    assert statement.totals == EXPECTED[expected]


def test_phu_over_two_years_adds_them_up(world, books):
    statement = income_statement(world.coop_a, start=D(2024, 1, 1), end=D(2025, 12, 31))
    assert statement.totals["shu"] == 520_000 + 640_000


def test_phu_of_the_year_is_the_neraca_shu_tahun_berjalan(world, books):
    phu = income_statement(world.coop_a, **YEAR_2025)
    neraca = balance_sheet(world.coop_a, as_of=D(2025, 12, 31))
    assert phu.totals["shu"] == neraca.totals["shu_current_year"]


# --- Arus kas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "expected"), [(YEAR_2024, "arus_kas_2024"), (YEAR_2025, "arus_kas_2025")]
)
def test_cash_flow_matches_the_hand_figures(world, books, period, expected):
    statement = cash_flow(world.coop_a, **period)
    figures = EXPECTED[expected]
    for flow in ("operating", "investing", "financing"):
        assert statement.section(flow).total.amounts == figures[flow], flow
        assert statement.totals[flow] == figures[flow][2]
    for key in ("opening_cash", "net_change", "closing_cash"):
        assert statement.totals[key] == figures[key], key
    # the identity: the end minus the start is the net change of the three classes
    assert statement.totals["closing_cash"] - statement.totals["opening_cash"] == sum(
        statement.totals[flow] for flow in ("operating", "investing", "financing")
    )
    assert statement.balanced is True


def test_cash_flow_ignores_money_moved_between_cash_accounts(world, books):
    # January 2024: E1 + E2 received 600 for savings, E3 15.000 grant, E4 moved 300 to the bank
    statement = cash_flow(world.coop_a, start=D(2024, 1, 1), end=D(2024, 1, 31))
    assert statement.section("financing").total.amounts == (15_600_000, 0, 15_600_000)
    assert statement.totals["operating"] == 0
    assert statement.totals["closing_cash"] == 15_600_000


def test_cash_flow_lists_each_counter_account(world, books):
    statement = cash_flow(world.coop_a, **YEAR_2025)
    assert statement.row(chart.BANK_LOANS).amounts == (20_000_000, 1_000_000, 19_000_000)
    assert statement.row(chart.MEMBER_LOANS).amounts == (750_000, 0, 750_000)
    # non-cash entries (cost of goods, depreciation, the SHU shared) move no cash
    codes = {row.code for row in statement.rows()}
    assert not codes & {"5-101", "5-905", "1-209", chart.RETAINED_SHU, chart.RESERVE}


def test_cash_flow_is_a_few_aggregate_queries_whatever_the_number_of_entries(world, books):
    with CaptureQueriesContext(connection) as queries:
        cash_flow(world.coop_a, **YEAR_2025)
    assert len(queries) <= 3
    assert "EXISTS" in queries.captured_queries[0]["sql"].upper()


# --- Perubahan ekuitas ------------------------------------------------------------------------


def test_equity_changes_match_the_hand_figures(world, books):
    statement = equity_changes(world.coop_a, **YEAR_2025)
    figures = EXPECTED["ekuitas_2025"]
    for code in ("3-101", "3-102", "3-201", "3-202", "3-301"):
        assert statement.row(code).amounts == figures[code], code
    shu = next(row for row in statement.section("equity").rows if row.kind == "line")
    assert shu.amounts == figures["shu"]
    assert statement.section("equity").total.amounts == figures["total"]
    assert statement.totals["shu"] == 640_000


@pytest.mark.parametrize(("year", "expected"), [(2024, "ekuitas_2024"), (2025, "ekuitas_2025")])
def test_equity_changes_tie_out_to_the_neraca(world, books, year, expected):
    start, end = D(year, 1, 1), D(year, 12, 31)
    statement = equity_changes(world.coop_a, start=start, end=end)
    closing = balance_sheet(world.coop_a, as_of=end)
    assert statement.totals["closing"] == closing.totals["equity"]
    assert statement.totals["opening"] == closing.totals["previous_equity"]
    assert statement.section("equity").total.amounts == EXPECTED[expected]["total"]


def test_equity_changes_from_mid_year_open_with_the_neraca_the_day_before(world, books):
    statement = equity_changes(world.coop_a, start=D(2025, 4, 1), end=D(2025, 12, 31))
    before = balance_sheet(world.coop_a, as_of=D(2025, 3, 31))
    assert statement.totals["opening"] == before.totals["equity"] == 18_020_000
    assert statement.totals["closing"] == 16_648_000
    # SHU tahun berjalan: 1.700 by 31 March, 640 for the year: −1.060 from April
    shu = next(row for row in statement.section("equity").rows if row.kind == "line")
    assert shu.amounts == (1_700_000, 0, 1_060_000, 640_000)


# --- Corrections ------------------------------------------------------------------------------


def test_a_reversed_entry_leaves_every_balance_as_before(world, books):
    before = {
        "neraca": balance_sheet(world.coop_a, as_of=D(2025, 12, 31)).as_dict(),
        "phu": income_statement(world.coop_a, **YEAR_2025).as_dict(),
        "ekuitas": equity_changes(world.coop_a, **YEAR_2025).as_dict(),
        "tb": trial_balance(world.coop_a, **YEAR_2025).totals,
        "kas": cash_flow(world.coop_a, **YEAR_2025).totals,
    }
    wrong = journal_post(
        cooperative=world.coop_a,
        date=D(2025, 5, 5),
        description="Listrik April (dobel)",
        lines=[Line("5-902", debit=300_000), Line(chart.CASH, credit=300_000)],
        by=world.alice,
    )
    assert income_statement(world.coop_a, **YEAR_2025).totals["shu"] == 340_000  # it counts...
    journal_reverse(entry=wrong, by=world.alice, date=D(2025, 5, 6), reason="dobel")
    assert balance_sheet(world.coop_a, as_of=D(2025, 12, 31)).as_dict() == before["neraca"]
    assert income_statement(world.coop_a, **YEAR_2025).as_dict() == before["phu"]
    assert equity_changes(world.coop_a, **YEAR_2025).as_dict() == before["ekuitas"]
    tb = trial_balance(world.coop_a, **YEAR_2025).totals
    # ...until reversed: the balances are as before; the movements hold both entries
    for key in ("opening_debit", "opening_credit", "closing_debit", "closing_credit"):
        assert tb[key] == before["tb"][key]
    assert tb["debit"] == tb["credit"] == before["tb"]["debit"] + 600_000
    kas = cash_flow(world.coop_a, **YEAR_2025).totals
    for key in ("opening_cash", "closing_cash", "operating", "investing", "financing"):
        assert kas[key] == before["kas"][key]
    assert kas["receipts"] == before["kas"]["receipts"] + 300_000
    assert kas["payments"] == before["kas"]["payments"] + 300_000


def test_another_cooperatives_books_stay_out(world, books):
    journal_post(
        cooperative=world.coop_c,
        date=D(2025, 2, 1),
        description="Penjualan",
        lines=[Line(chart.CASH, debit=999_000), Line("4-101", credit=999_000)],
        by=world.carol,
    )
    assert income_statement(world.coop_a, **YEAR_2025).totals["revenue"] == 8_090_000
    assert income_statement(world.coop_c, **YEAR_2025).totals["revenue"] == 999_000


# --- Bad requests, the shape of as_dict -------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda c: income_statement(c, start=D(2025, 2, 1), end=D(2025, 1, 1)), "end_before_start"),
        (lambda c: cash_flow(c, start=D(2025, 2, 1), end=D(2025, 1, 31)), "end_before_start"),
        (lambda c: income_statement(c, **YEAR_2025, business_unit="kebun"), "unknown_unit"),
        (lambda c: equity_changes(c, start=D(2024, 1, 1), end=D(2025, 1, 1)), "spans_years"),
        (lambda c: trial_balance(c, start="2025-01-01", end=D(2025, 1, 1)), "bad_date"),
        (lambda c: statement_build(c, kind="laba-rugi", **YEAR_2025), "unknown_kind"),
    ],
)
def test_bad_requests_are_refused_with_a_code(world, call, code):
    with pytest.raises(StatementError) as refused:
        call(world.coop_a)
    assert refused.value.code == code
    assert refused.value.messages[0]


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_statement_serialises_to_json(world, books, kind):
    statement = statement_build(world.coop_a, kind=kind, **YEAR_2025)
    data = json.loads(json.dumps(statement.as_dict()))
    assert data["kind"] == kind
    assert data["cooperative"]["id"] == world.coop_a.pk
    assert data["end"] == "2025-12-31"
    assert data["start"] == (None if kind == BALANCE_SHEET else "2025-01-01")
    keys = [column["key"] for column in data["columns"]]
    for part in data["parts"]:
        for section in part["sections"]:
            for row in section["rows"]:
                assert list(row["amounts"]) == keys
                assert all(v is None or isinstance(v, int) for v in row["amounts"].values())


# --- .xlsx ------------------------------------------------------------------------------------


def _read(sheets):
    output = io.BytesIO()
    write_table(output, sheets)
    output.seek(0)
    return openpyxl.load_workbook(output)


def test_a_statement_as_xlsx_holds_the_same_numbers(world, books):
    statement = balance_sheet(world.coop_a, as_of=D(2025, 12, 31))
    sheet = _read([statement_sheet(statement)]).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    by_code = {row[0]: row for row in rows[1:] if row[0]}
    assert by_code["1-101"][2:4] == (11_190_000, 4_800_000)
    assert by_code["1-102.02"][2:4] == (13_750_000, 0)
    totals = {row[1]: row[2:4] for row in rows if row[0] is None and row[2] is not None}
    assert totals[statement.part("assets").total.label] == (36_210_000, 16_820_000)
    assert totals[statement.summary[0].label] == (36_210_000, 16_820_000)
    assert all(isinstance(v, int) for row in rows[1:] for v in row[2:] if v is not None)


def test_rat_workbook_has_the_five_statements_of_the_year(world, books):
    sheets = rat_sheets(world.coop_a, year=2025)
    workbook = _read(sheets)
    assert len(workbook.worksheets) == 5
    tb, neraca, phu, kas, ekuitas = (
        list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets
    )
    labels = trial_balance(world.coop_a, **YEAR_2025).summary[0].label
    tb_total = next(row for row in tb if row[1] == labels)
    assert tb_total[2:] == (17_420_000, 17_420_000, 43_460_000, 43_460_000, 44_860_000, 44_860_000)
    assert neraca[-2][2:4] == (36_210_000, 16_820_000)  # then the note
    assert phu[-1][2] == 640_000
    assert kas[-1][4] == 28_260_000  # cash and bank at the end
    equity = equity_changes(world.coop_a, **YEAR_2025).section("equity").total.label
    equity_total = next(row for row in ekuitas if row[1] == equity)
    assert equity_total[2:6] == (16_120_000, 1_048_000, 520_000, 16_648_000)
    # sheet names, in the order of the RAT
    assert len({ws.title for ws in workbook.worksheets}) == 5
