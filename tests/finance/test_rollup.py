"""The province's monthly roll-up (finance/rollup.py) against hand-computed books of three
cooperatives, the naive cooperative-by-cooperative version, and the statements.

The books, Dr / Cr (Rupiah); the roll-up is for March 2025.

coop_a — Bukit Raya (64.02.16), a sub-account 1-102.01 Bank BRI under 1-102 Bank:
  A1  10 Jun 2024  Kas 600.000 / 3-101 pokok (Siti 300.000, Budi 300.000)
  A2  10 Jun 2024  Kas 100.000 / 3-102 wajib (Siti 50.000, Budi 50.000)
  A3   1 Jul 2024  BRI 10.000.000 / 3-202 hibah
  A4   1 Aug 2024  1-110 pinjaman (Siti) 2.000.000 / BRI
  A5  15 Sep 2024  Kas 1.500.000 / 4-101 penjualan gerai
  A6  15 Sep 2024  5-101 HPP gerai 900.000 / Kas                 2024: SHU 600.000
  A7  20 Jan 2025  Kas 100.000 / 3-102 wajib (Siti, Budi 50.000)
  A8  10 Feb 2025  Kas 330.000 / 1-110 (Siti) 300.000 + 4-201 jasa (Siti) 30.000
  A9  28 Feb 2025  5-901 gaji 200.000 / Kas
  A10  5 Mar 2025  Kas 250.000 / 2-101 sukarela (Budi)
  A11 12 Mar 2025  Kas 2.000.000 / 4-101 penjualan gerai
  A12 12 Mar 2025  5-101 HPP gerai 1.200.000 / BRI
  A13 20 Mar 2025  BRI 500.000 / Kas 500.000 (cash into the bank)
  A14 31 Mar 2025  5-902 listrik 150.000 / 1-102 Bank (the shared account itself)
  A15 31 Mar 2025  Kas 660.000 / 1-110 (Siti) 600.000 + 4-201 jasa (Siti) 60.000
  A16  2 Apr 2025  Kas 999.000 / 4-101 (after the month: never counted)

  At 31 March 2025:
    Kas   600+100+1.500−900+100+330−200+250+2.000−500+660     = 3.940.000
    Bank  10.000−2.000−1.200+500−150 (thousands)              = 7.150.000
    kas + bank                                                = 11.090.000
    pinjaman 2.000.000 − 300.000 − 600.000                    = 1.100.000
    assets 11.090.000 + 1.100.000                             = 12.190.000
    pokok 600.000, wajib 200.000, sukarela 250.000
    liabilities (sukarela)                                    = 250.000
    SHU 2024: 1.500.000 − 900.000                             = 600.000
    SHU 2025 to March: (30.000+2.000.000+60.000) − (200.000+1.200.000+150.000) = 540.000
    equity 600.000 + 200.000 + 10.000.000 + 600.000 + 540.000 = 11.940.000 (= 12.190.000 − 250.000)
    March: revenue 2.000.000 + 60.000 = 2.060.000, expenses 1.200.000 + 150.000 = 1.350.000,
    SHU of the month 710.000; SHU year to date 540.000.

coop_b — Embalut (64.02.16):
  B1 20 Dec 2024  Kas 400.000 / 3-101 pokok (Rudi)
  B2 15 Jan 2025  1-203 kendaraan 5.000.000 / 2-201 utang bank
  B3 10 Mar 2025  Kas 300.000 / 4-501 sewa gudang
  B4 25 Mar 2025  5-501 beban gudang 80.000 / Kas
  At 31 March: kas 620.000; assets 5.620.000; liabilities 5.000.000; pokok 400.000;
  equity 400.000 + 220.000 = 620.000; March revenue 300.000, expenses 80.000, SHU 220.000;
  year to date 220.000.

coop_c — Merabu (64.03.01), nothing posted in March:
  C1  5 Jan 2025  Kas 1.000.000 / 3-202 hibah
  C2 14 Feb 2025  5-909 beban lain 100.000 / Kas
  C3 20 Feb 2025  Kas 50.000 / 3-102 wajib (Tini)
  At 31 March: kas 950.000 = assets; wajib 50.000; equity 1.000.000 + 50.000 − 100.000 =
  950.000; March nothing; year to date −100.000.

coop_k — Bukit Raya (Tenggarong, 64.02.13): no books at all, every figure 0.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperatives.enums import CooperativeStatus
from cooperatives.models import Cooperative
from cooperatives.scoping import user_scope, visible_cooperatives
from finance import chart
from finance.enums import EntrySource
from finance.models import Account
from finance.rollup import (
    FIGURES,
    Figures,
    province_rollup,
    region_rollup,
    rollup_naive,
)
from finance.services import Line, account_create_sub, journal_post
from finance.statements import balance_sheet, income_statement
from tests.factories import CooperativeFactory, MemberFactory

D = datetime.date
MARCH = D(2025, 3, 14)  # any day of the month

pytestmark = pytest.mark.django_db

EXPECTED_MARCH = {
    "coop_a": Figures(
        cash_bank=11_090_000,
        loans_outstanding=1_100_000,
        savings_pokok=600_000,
        savings_wajib=200_000,
        savings_sukarela=250_000,
        total_assets=12_190_000,
        total_liabilities=250_000,
        total_equity=11_940_000,
        revenue=2_060_000,
        expenses=1_350_000,
        shu_month=710_000,
        shu_year_to_date=540_000,
    ),
    "coop_b": Figures(
        cash_bank=620_000,
        savings_pokok=400_000,
        total_assets=5_620_000,
        total_liabilities=5_000_000,
        total_equity=620_000,
        revenue=300_000,
        expenses=80_000,
        shu_month=220_000,
        shu_year_to_date=220_000,
    ),
    "coop_c": Figures(
        cash_bank=950_000,
        savings_wajib=50_000,
        total_assets=950_000,
        total_equity=950_000,
        shu_year_to_date=-100_000,
    ),
    "coop_k": Figures(),
}
# The four added up, by hand.
EXPECTED_TOTALS = Figures(
    cash_bank=12_660_000,
    loans_outstanding=1_100_000,
    savings_pokok=1_000_000,
    savings_wajib=250_000,
    savings_sukarela=250_000,
    total_assets=18_760_000,
    total_liabilities=5_250_000,
    total_equity=13_510_000,
    revenue=2_360_000,
    expenses=1_430_000,
    shu_month=930_000,
    shu_year_to_date=660_000,
)


def _post(cooperative, by, date, *lines, description="Jurnal"):
    return journal_post(
        cooperative=cooperative,
        date=date,
        description=description,
        lines=list(lines),
        source=EntrySource.MANUAL,
        by=by,
    )


@pytest.fixture
def books(world):
    a, b, c = world.coop_a, world.coop_b, world.coop_c
    by = world.alice
    siti = MemberFactory(cooperative=a, name="Siti", join_date=D(2024, 6, 1))
    budi = MemberFactory(cooperative=a, name="Budi", join_date=D(2024, 6, 1))
    bank = Account.objects.get(code=chart.BANK, cooperative__isnull=True)
    bri = account_create_sub(cooperative=a, parent=bank, name="Bank BRI", by=by)
    cash = chart.CASH
    _post(
        a,
        by,
        D(2024, 6, 10),
        Line(cash, debit=600_000),
        Line(chart.PRINCIPAL_SAVINGS, credit=300_000, member=siti),
        Line(chart.PRINCIPAL_SAVINGS, credit=300_000, member=budi),
    )
    _post(
        a,
        by,
        D(2024, 6, 10),
        Line(cash, debit=100_000),
        Line(chart.COMPULSORY_SAVINGS, credit=50_000, member=siti),
        Line(chart.COMPULSORY_SAVINGS, credit=50_000, member=budi),
    )
    _post(a, by, D(2024, 7, 1), Line(bri, debit=10_000_000), Line("3-202", credit=10_000_000))
    _post(
        a,
        by,
        D(2024, 8, 1),
        Line(chart.MEMBER_LOANS, debit=2_000_000, member=siti),
        Line(bri, credit=2_000_000),
    )
    _post(a, by, D(2024, 9, 15), Line(cash, debit=1_500_000), Line("4-101", credit=1_500_000))
    _post(a, by, D(2024, 9, 15), Line("5-101", debit=900_000), Line(cash, credit=900_000))
    _post(
        a,
        by,
        D(2025, 1, 20),
        Line(cash, debit=100_000),
        Line(chart.COMPULSORY_SAVINGS, credit=50_000, member=siti),
        Line(chart.COMPULSORY_SAVINGS, credit=50_000, member=budi),
    )
    _post(
        a,
        by,
        D(2025, 2, 10),
        Line(cash, debit=330_000),
        Line(chart.MEMBER_LOANS, credit=300_000, member=siti),
        Line(chart.LOAN_INTEREST, credit=30_000, member=siti),
    )
    _post(a, by, D(2025, 2, 28), Line("5-901", debit=200_000), Line(cash, credit=200_000))
    _post(
        a,
        by,
        D(2025, 3, 5),
        Line(cash, debit=250_000),
        Line(chart.VOLUNTARY_SAVINGS, credit=250_000, member=budi),
    )
    _post(a, by, D(2025, 3, 12), Line(cash, debit=2_000_000), Line("4-101", credit=2_000_000))
    _post(a, by, D(2025, 3, 12), Line("5-101", debit=1_200_000), Line(bri, credit=1_200_000))
    _post(a, by, D(2025, 3, 20), Line(bri, debit=500_000), Line(cash, credit=500_000))
    _post(a, by, D(2025, 3, 31), Line("5-902", debit=150_000), Line(chart.BANK, credit=150_000))
    _post(
        a,
        by,
        D(2025, 3, 31),
        Line(cash, debit=660_000),
        Line(chart.MEMBER_LOANS, credit=600_000, member=siti),
        Line(chart.LOAN_INTEREST, credit=60_000, member=siti),
    )
    _post(a, by, D(2025, 4, 2), Line(cash, debit=999_000), Line("4-101", credit=999_000))

    rudi = MemberFactory(cooperative=b, name="Rudi", join_date=D(2024, 12, 1))
    _post(
        b,
        by,
        D(2024, 12, 20),
        Line(cash, debit=400_000),
        Line(chart.PRINCIPAL_SAVINGS, credit=400_000, member=rudi),
    )
    _post(
        b,
        by,
        D(2025, 1, 15),
        Line("1-203", debit=5_000_000),
        Line(chart.BANK_LOANS, credit=5_000_000),
    )
    _post(b, by, D(2025, 3, 10), Line(cash, debit=300_000), Line("4-501", credit=300_000))
    _post(b, by, D(2025, 3, 25), Line("5-501", debit=80_000), Line(cash, credit=80_000))

    tini = MemberFactory(cooperative=c, name="Tini", join_date=D(2025, 1, 1))
    _post(c, by, D(2025, 1, 5), Line(cash, debit=1_000_000), Line("3-202", credit=1_000_000))
    _post(c, by, D(2025, 2, 14), Line("5-909", debit=100_000), Line(cash, credit=100_000))
    _post(
        c,
        by,
        D(2025, 2, 20),
        Line(cash, debit=50_000),
        Line(chart.COMPULSORY_SAVINGS, credit=50_000, member=tini),
    )
    return world


def _names(world):
    return {getattr(world, name).pk: name for name in ("coop_a", "coop_b", "coop_c", "coop_k")}


# --- The hand-computed figures ----------------------------------------------------------------


def test_march_figures_of_each_cooperative_match_the_hand_figures(books):
    rollup = province_rollup(month=MARCH)

    names = _names(books)
    assert {names[row.cooperative_id]: row.figures for row in rollup.cooperatives} == (
        EXPECTED_MARCH
    )
    assert rollup.month == D(2025, 3, 1)
    assert rollup.end == D(2025, 3, 31)


def test_province_totals_add_up_every_cooperative(books):
    rollup = province_rollup(month=MARCH)

    assert rollup.totals == EXPECTED_TOTALS
    assert rollup.totals.balanced
    assert rollup.totals.savings_total == 1_500_000


def test_every_cooperative_is_listed_and_booked_says_who_posted_in_the_month(books):
    rollup = province_rollup(month=MARCH)

    booked = {_names(books)[row.cooperative_id]: row.booked for row in rollup.cooperatives}
    assert booked == {"coop_a": True, "coop_b": True, "coop_c": False, "coop_k": False}
    assert rollup.booked == 2
    # Ordered by regency, district and name: 64.02.13 (k), 64.02.16 (a, b: Bukit Raya before
    # Embalut), 64.03.01 (c).
    assert [_names(books)[row.cooperative_id] for row in rollup.cooperatives] == [
        "coop_k",
        "coop_a",
        "coop_b",
        "coop_c",
    ]
    row = rollup.of(books.coop_a.pk)
    assert (row.regency_code, row.district_code) == ("64.02", "64.02.16")


def test_a_year_end_month_counts_the_year_and_nothing_after(books):
    rollup = province_rollup(month=D(2024, 12, 1))

    # coop_a at 31 Dec 2024: kas 600+100+1.500−900 = 1.300.000, bank 10.000.000 − 2.000.000,
    # loans 2.000.000; equity 600.000 + 100.000 + 10.000.000 + SHU 2024 600.000; nothing
    # posted in December.
    a = rollup.of(books.coop_a.pk)
    assert a.figures == Figures(
        cash_bank=9_300_000,
        loans_outstanding=2_000_000,
        savings_pokok=600_000,
        savings_wajib=100_000,
        total_assets=11_300_000,
        total_equity=11_300_000,
        shu_year_to_date=600_000,
    )
    assert a.booked is False
    b = rollup.of(books.coop_b.pk)
    assert b.booked is True
    assert b.figures == Figures(
        cash_bank=400_000, savings_pokok=400_000, total_assets=400_000, total_equity=400_000
    )
    # coop_c had not started yet.
    assert rollup.of(books.coop_c.pk).figures == Figures()


def test_the_new_year_starts_the_year_to_date_again(books):
    rollup = province_rollup(month=D(2025, 1, 31))

    a = rollup.of(books.coop_a.pk).figures
    # January 2025: only the wajib deposit; the 2024 SHU stays in equity.
    assert (a.revenue, a.expenses, a.shu_month, a.shu_year_to_date) == (0, 0, 0, 0)
    assert a.total_equity == 600_000 + 200_000 + 10_000_000 + 600_000
    c = rollup.of(books.coop_c.pk)
    assert c.booked is True
    assert c.figures.cash_bank == 1_000_000


def test_the_figures_are_the_statements_figures(books):
    """The roll-up and the neraca and PHU of each cooperative say the same."""
    rollup = province_rollup(month=MARCH)

    for row in rollup.cooperatives:
        cooperative = Cooperative.objects.get(pk=row.cooperative_id)
        neraca = balance_sheet(cooperative, as_of=rollup.end)
        assert (
            row.figures.total_assets,
            row.figures.total_liabilities,
            row.figures.total_equity,
            row.figures.shu_year_to_date,
        ) == (
            neraca.totals["assets"],
            neraca.totals["liabilities"],
            neraca.totals["equity"],
            neraca.totals["shu_current_year"],
        )
        phu = income_statement(cooperative, start=rollup.month, end=rollup.end)
        assert (row.figures.revenue, row.figures.expenses, row.figures.shu_month) == (
            phu.totals["revenue"],
            phu.totals["expenses"],
            phu.totals["shu"],
        )


# --- The same as the naive loop ---------------------------------------------------------------


@pytest.mark.parametrize(
    "month",
    [D(2024, 6, 1), D(2024, 12, 1), D(2025, 1, 1), D(2025, 2, 1), MARCH, D(2025, 4, 1)],
)
def test_the_aggregate_gives_the_naive_loops_figures(books, month):
    aggregate = province_rollup(month=month)
    naive = rollup_naive(month=month)

    assert aggregate == naive
    assert aggregate.as_dict() == naive.as_dict()


def test_march_by_the_naive_loop_matches_the_hand_figures_too(books):
    naive = rollup_naive(month=MARCH)

    names = _names(books)
    assert {names[row.cooperative_id]: row.figures for row in naive.cooperatives} == (
        EXPECTED_MARCH
    )
    assert naive.totals == EXPECTED_TOTALS


# --- Whose cooperatives -----------------------------------------------------------------------


def test_a_scope_a_queryset_or_ids_limit_the_cooperatives(books):
    w = books
    # erin: the regency of Kutai Kartanegara (a, b, k); dave: the district (a, b).
    by_scope = province_rollup(month=MARCH, cooperative_ids=user_scope(w.erin))
    by_queryset = province_rollup(month=MARCH, cooperative_ids=visible_cooperatives(w.dave))
    by_ids = province_rollup(month=MARCH, cooperative_ids=[w.coop_c.pk])
    everything = province_rollup(month=MARCH, cooperative_ids=user_scope(w.frank))

    assert {row.cooperative_id for row in by_scope.cooperatives} == {
        w.coop_a.pk,
        w.coop_b.pk,
        w.coop_k.pk,
    }
    assert by_scope.totals == EXPECTED_MARCH["coop_a"] + EXPECTED_MARCH["coop_b"]
    assert {row.cooperative_id for row in by_queryset.cooperatives} == {w.coop_a.pk, w.coop_b.pk}
    assert by_queryset.totals == by_scope.totals
    assert by_ids.totals == EXPECTED_MARCH["coop_c"]
    assert everything.totals == EXPECTED_TOTALS
    assert len(everything.cooperatives) == 4
    assert province_rollup(month=MARCH, cooperative_ids=user_scope(w.ivan)).cooperatives == ()
    assert rollup_naive(month=MARCH, cooperative_ids=user_scope(w.erin)) == by_scope


def test_per_regency_and_per_district(books):
    rollup = province_rollup(month=MARCH)

    regencies = {r.code: r for r in region_rollup(rollup, level="regency")}
    districts = {r.code: r for r in region_rollup(rollup, level="district")}

    a, b, c = (EXPECTED_MARCH[name] for name in ("coop_a", "coop_b", "coop_c"))
    assert list(regencies) == ["64.02", "64.03"]
    assert regencies["64.02"].name == "Kabupaten Kutai Kartanegara"
    assert (regencies["64.02"].cooperatives, regencies["64.02"].booked) == (3, 2)
    assert regencies["64.02"].figures == a + b
    assert regencies["64.03"].figures == c
    assert list(districts) == ["64.02.13", "64.02.16", "64.03.01"]
    assert districts["64.02.16"].figures == a + b
    assert districts["64.02.16"].figures.total_assets == 17_810_000
    assert districts["64.02.13"].figures == Figures()
    assert (districts["64.02.13"].cooperatives, districts["64.02.13"].booked) == (1, 0)
    assert sum((r.figures for r in regencies.values()), Figures()) == rollup.totals
    with pytest.raises(ValueError, match="level"):
        region_rollup(rollup, level="village")  # type: ignore[arg-type]


def test_as_dict_is_json_ready(books):
    data = json.loads(json.dumps(province_rollup(month=MARCH).as_dict()))

    assert data["month"] == "2025-03-01"
    assert data["end"] == "2025-03-31"
    assert data["totals"]["total_assets"] == 18_760_000
    assert data["booked"] == 2
    row = next(r for r in data["cooperatives"] if r["cooperative_id"] == books.coop_a.pk)
    assert row["cash_bank"] == 11_090_000
    assert row["regency_code"] == "64.02"
    assert set(FIGURES) <= set(row)


def test_a_month_must_be_a_date(books):
    with pytest.raises(TypeError):
        province_rollup(month="2025-03")  # type: ignore[arg-type]


# --- A fixed number of queries ----------------------------------------------------------------


def _cooperatives_with_books(world, count):
    """`count` more cooperatives, each with a sale in March 2025 and a pokok deposit before."""
    made = []
    for number in range(count):
        cooperative = CooperativeFactory(status=CooperativeStatus.ACTIVE)
        _post(
            cooperative,
            world.alice,
            D(2025, 2, 1),
            Line(chart.CASH, debit=100_000 * (number + 1)),
            Line(chart.PRINCIPAL_SAVINGS, credit=100_000 * (number + 1)),
        )
        _post(
            cooperative,
            world.alice,
            D(2025, 3, 3),
            Line(chart.CASH, debit=10_000),
            Line("4-101", credit=10_000),
        )
        made.append(cooperative)
    return made


def _queries(function, ids):
    with CaptureQueriesContext(connection) as captured:
        result = function(month=MARCH, cooperative_ids=ids)
    return len(captured.captured_queries), result


def test_the_query_count_is_the_same_for_2_and_6_cooperatives(books):
    more = _cooperatives_with_books(books, 4)
    two = [books.coop_a.pk, books.coop_b.pk]
    six = [*two, *(c.pk for c in more)]

    small, small_rollup = _queries(province_rollup, two)
    large, large_rollup = _queries(province_rollup, six)
    everything, all_rollup = _queries(province_rollup, None)

    assert small == large == everything == 2
    assert len(large_rollup.cooperatives) == 6
    assert len(all_rollup.cooperatives) == 8
    # The four new cooperatives: pokok 100.000 + 200.000 + 300.000 + 400.000, 10.000 sold each.
    assert large_rollup.totals.savings_pokok - small_rollup.totals.savings_pokok == 1_000_000
    assert large_rollup.totals.revenue - small_rollup.totals.revenue == 40_000
    # The naive loop's count grows with the cooperatives: 6 queries for each.
    naive_small, naive_two = _queries(rollup_naive, two)
    naive_large, naive_six = _queries(rollup_naive, six)
    assert naive_large - naive_small == 4 * 6
    assert (naive_two, naive_six) == (small_rollup, large_rollup)
