"""SHU from hand-computed books: the year's surplus, the allocation in force, each member's
jasa modal (JMA) and jasa usaha (JUA), exact to the Rupiah, and the posting of the allocation.

The books of Koperasi Bukit Raya in year Y (last year) — see `shu_books`:

  simpanan pokok (3-101)   Ani 100.000   Budi 100.000   Citra 100.000
  simpanan wajib (3-102)   Ani 120.000   Budi  60.000   (Budi's 10.000 of 1 Jan Y+1 is too late)
  simpanan sukarela        Ani 500.000   (a liability: not a JMA base)
  => JMA base on 31 Dec    Ani 220.000   Budi 160.000   Citra 100.000   total 480.000

  revenue                  sales to Ani 2.000.000, to Budi 1.000.000, a refund to Budi −100.000,
                           sales to non-members 3.000.000, loan services paid by Citra 500.000
                           = 6.400.000
  => JUA base              Ani 2.000.000   Budi 900.000   Citra 500.000   total 3.400.000
  expenses                 cost of goods 3.000.000 + salaries 1.200.000 + electricity 200.001
                           = 4.400.001
  => SHU Y = 6.400.000 − 4.400.001 = 1.999.999

Allocation from Y: cadangan 40, JMA 20, JUA 25, pengurus 5, karyawan 5, pendidikan 2.5,
sosial 2.5 (= 100 %). Exact shares of 1.999.999 and their whole Rupiah:
  cadangan   799.999,600  -> 799.999  (.600)
  JMA        399.999,800  -> 399.999  (.800) +1 = 400.000
  JUA        499.999,750  -> 499.999  (.750) +1 = 500.000
  pengurus    99.999,950  ->  99.999  (.950) +1 = 100.000
  karyawan    99.999,950  ->  99.999  (.950) +1 = 100.000
  pendidikan  49.999,975  ->  49.999  (.975) +1 =  50.000
  sosial      49.999,975  ->  49.999  (.975) +1 =  50.000
  whole Rupiah 1.999.993; the 6 left go to the six largest fractions: cadangan keeps 799.999.

JMA 400.000 × base / 480.000: Ani 183.333,33 Budi 133.333,33 Citra 83.333,33 -> 399.999, the
  1 left to the first of the equal fractions (Ani): Ani 183.334, Budi 133.333, Citra 83.333.
JUA 500.000 × base / 3.400.000: Ani 294.117,647 Budi 132.352,941 Citra 73.529,412 -> 499.998,
  the 2 left to Budi (.941) and Ani (.647): Ani 294.118, Budi 132.353, Citra 73.529.
Totals: Ani 477.452, Budi 265.686, Citra 156.862, Dodi 0 (no savings, no purchases) = 900.000.

Year Y−1 closed with a loss: revenue 100.000 − expenses 250.000 = −150.000.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cooperatives.enums import Sex
from cooperatives.models import Cooperative, Member
from finance import chart
from finance.enums import EntrySource
from finance.models import JournalEntry, JournalLine, ShuPolicy
from finance.services import (
    Line,
    ShuError,
    annual_meeting_record,
    journal_post,
    journal_reverse,
    shu_distribute,
    shu_policy_set,
)
from finance.shu import policy_in_force, share_out, shu_compute
from tests.factories import MemberFactory

pytestmark = pytest.mark.usefixtures("english")

POLICY = {
    "reserve": "40",
    "member_capital": "20",
    "member_business": "25",
    "management": "5",
    "employees": "5",
    "education": "2.5",
    "social": "2.5",
}


def last_year() -> int:
    return timezone.localdate().year - 1


@dataclass
class Books:
    cooperative: Cooperative
    year: int
    ani: Member
    budi: Member
    citra: Member
    dodi: Member


def post(
    coop: Cooperative,
    day: datetime.date,
    text: str,
    *lines: Line,
    by=None,
    source: str = EntrySource.MANUAL,
) -> None:
    journal_post(
        cooperative=coop, date=day, description=text, lines=list(lines), by=by, source=source
    )


def deposit(coop: Cooperative, day: datetime.date, text: str, account: str, amount: int, member):
    """A savings movement as the savings book posts it: cash in, the member's savings up."""
    post(
        coop,
        day,
        text,
        Line(chart.CASH, debit=amount),
        Line(account, credit=amount, member=member),
        source=EntrySource.SAVINGS,
    )


def shu_books(coop: Cooperative, *, by=None) -> Books:
    """The books of the module's docstring, in `coop` (year Y = last year)."""
    y = last_year()
    join = datetime.date(y - 2, 1, 10)
    ani = MemberFactory(cooperative=coop, name="Ani", sex=Sex.FEMALE, join_date=join)
    budi = MemberFactory(cooperative=coop, name="Budi", sex=Sex.MALE, join_date=join)
    citra = MemberFactory(cooperative=coop, name="Citra", sex=Sex.FEMALE, join_date=join)
    dodi = MemberFactory(cooperative=coop, name="Dodi", sex=Sex.MALE, join_date=join)
    cash, pokok, wajib = chart.CASH, chart.PRINCIPAL_SAVINGS, chart.COMPULSORY_SAVINGS
    for member in (ani, budi, citra):
        deposit(coop, datetime.date(y, 1, 15), "Simpanan pokok", pokok, 100_000, member)
    deposit(coop, datetime.date(y, 12, 20), "Simpanan wajib Ani setahun", wajib, 120_000, ani)
    deposit(coop, datetime.date(y, 6, 30), "Simpanan wajib Budi", wajib, 60_000, budi)
    deposit(
        coop, datetime.date(y + 1, 1, 1), "Simpanan wajib Budi (tahun berikut)", wajib, 10_000, budi
    )
    deposit(
        coop, datetime.date(y, 3, 1), "Simpanan sukarela Ani", chart.VOLUNTARY_SAVINGS, 500_000, ani
    )
    sales = "4-101"
    post(
        coop,
        datetime.date(y, 4, 1),
        "Penjualan ke anggota",
        Line(cash, debit=3_000_000),
        Line(sales, credit=2_000_000, member=ani),
        Line(sales, credit=1_000_000, member=budi),
    )
    post(
        coop,
        datetime.date(y, 4, 2),
        "Retur Budi",
        Line(sales, debit=100_000, member=budi),
        Line(cash, credit=100_000),
    )
    post(
        coop,
        datetime.date(y, 5, 1),
        "Penjualan umum",
        Line(cash, debit=3_000_000),
        Line(sales, credit=3_000_000),
    )
    post(
        coop,
        datetime.date(y, 7, 1),
        "Jasa pinjaman Citra",
        Line(cash, debit=500_000),
        Line(chart.LOAN_INTEREST, credit=500_000, member=citra),
    )
    post(
        coop,
        datetime.date(y, 8, 1),
        "Beban tahun ini",
        Line("5-101", debit=3_000_000),
        Line("5-901", debit=1_200_000),
        Line("5-902", debit=200_001),
        Line(cash, credit=4_400_001),
    )
    # Next year's sale to Ani does not count in Y.
    post(
        coop,
        datetime.date(y + 1, 1, 1),
        "Penjualan Ani tahun berikut",
        Line(cash, debit=700_000),
        Line(sales, credit=700_000, member=ani),
    )
    # Y−1: a loss of 150.000.
    post(
        coop,
        datetime.date(y - 1, 6, 1),
        "Penjualan Y-1",
        Line(cash, debit=100_000),
        Line(sales, credit=100_000),
    )
    post(
        coop,
        datetime.date(y - 1, 6, 2),
        "Beban Y-1",
        Line("5-903", debit=250_000),
        Line(cash, credit=250_000),
    )
    return Books(coop, y, ani, budi, citra, dodi)


@pytest.fixture
def books(world) -> Books:
    result = shu_books(world.coop_a, by=world.alice)
    shu_policy_set(cooperative=world.coop_a, from_year=result.year, by=world.alice, **POLICY)
    return result


# --- share_out -----------------------------------------------------------------------------------


def test_share_out_gives_the_left_over_rupiah_to_the_largest_fractions():
    # 10 over 1:1:1 -> 3,33 each -> 3+3+3, the 1 left to the first of the equal fractions.
    assert share_out(10, [1, 1, 1]) == [4, 3, 3]
    # 100 over 1:2:3 -> 16,67 / 33,33 / 50 -> 16+33+50 = 99, the 1 left to 16,67.
    assert share_out(100, [1, 2, 3]) == [17, 33, 50]
    # Decimal and Fraction weights: 7 over 12,5 % and 87,5 % -> 0,875 / 6,125 -> 0+6, left 1 to .875.
    assert share_out(7, [Decimal("12.5"), Fraction(175, 2)]) == [1, 6]


def test_share_out_gives_nothing_to_weights_of_zero_or_below_and_always_adds_up():
    assert share_out(1_000, [0, -5, 3, 1]) == [0, 0, 750, 250]
    for total in (0, 1, 2, 999, 1_000_001):
        assert sum(share_out(total, [3, 7, 11, 0, 13])) == total
    assert share_out(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError):
        share_out(5, [0, 0])
    with pytest.raises(ValueError):
        share_out(-1, [1])


# --- the year's SHU and its allocation -----------------------------------------------------------


def test_shu_of_the_year_is_revenue_minus_expenses_of_that_year(books):
    result = shu_compute(books.cooperative, year=books.year)
    assert result.revenue == 6_400_000
    assert result.expenses == 4_400_001
    assert result.surplus == 1_999_999
    assert result.provisional is False
    assert result.end == datetime.date(books.year, 12, 31)


def test_each_part_of_the_allocation_in_whole_rupiah_adds_up_to_the_shu(books):
    result = shu_compute(books.cooperative, year=books.year)
    amounts = {part.key: part.amount for part in result.parts}
    assert amounts == {
        "reserve": 799_999,
        "member_capital": 400_000,
        "member_business": 500_000,
        "management": 100_000,
        "employees": 100_000,
        "education": 50_000,
        "social": 50_000,
        "regional_development": 0,
    }
    assert result.parts_total == result.surplus == 1_999_999
    reserve = result.part("reserve")
    assert reserve is not None and reserve.account == chart.RESERVE
    assert reserve.percent == Decimal("40")
    assert {p.account for p in result.parts if p.key != "reserve"} == {chart.SHU_PAYABLE}


def test_each_members_jma_and_jua_exact_to_the_rupiah(books):
    result = shu_compute(books.cooperative, year=books.year)
    shares = {share.name: share for share in result.members}
    assert [s.name for s in result.members] == ["Ani", "Budi", "Citra", "Dodi"]
    assert (shares["Ani"].savings, shares["Budi"].savings, shares["Citra"].savings) == (
        220_000,
        160_000,
        100_000,
    )
    assert result.savings_total == 480_000
    assert (
        shares["Ani"].transactions,
        shares["Budi"].transactions,
        shares["Citra"].transactions,
    ) == (2_000_000, 900_000, 500_000)
    assert result.transactions_total == 3_400_000
    assert [(s.jma, s.jua, s.total) for s in result.members] == [
        (183_334, 294_118, 477_452),
        (133_333, 132_353, 265_686),
        (83_333, 73_529, 156_862),
        (0, 0, 0),
    ]
    assert sum(s.jma for s in result.members) == result.jma_pool == 400_000
    assert sum(s.jua for s in result.members) == result.jua_pool == 500_000
    assert result.members_total == 900_000


def test_as_dict_is_json_ready(books):
    import json

    data = shu_compute(books.cooperative, year=books.year).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["surplus"] == 1_999_999
    assert data["parts"][0] == {
        "key": "reserve",
        "label": "Cadangan",
        "percent": "40.00",
        "amount": 799_999,
        "account": chart.RESERVE,
    }
    assert data["members"][0]["jma"] == 183_334
    assert data["start"] == f"{books.year}-01-01"


def test_the_running_year_is_counted_to_today_and_provisional(books):
    result = shu_compute(books.cooperative, year=books.year + 1)
    assert result.provisional is True
    assert result.end == timezone.localdate()
    # Only next year's sale of 700.000; the policy of Y still applies.
    assert (result.revenue, result.expenses, result.surplus) == (700_000, 0, 700_000)
    assert result.policy is not None and result.policy.from_year == books.year
    assert any("provisional" in message for message in result.messages)
    # Ani's base now includes nothing new; Budi's wajib of 1 January counts to today.
    shares = {share.name: share for share in result.members}
    assert shares["Budi"].savings == 170_000
    assert shares["Ani"].transactions == 700_000
    assert result.distributable is False


def test_the_allocation_in_force_is_the_latest_set_from_that_year_or_before(books, world):
    y = books.year
    shu_policy_set(
        cooperative=world.coop_a,
        from_year=y - 1,
        by=world.alice,
        reserve=50,
        member_capital=50,
    )
    shu_policy_set(
        cooperative=world.coop_a,
        from_year=y + 1,
        by=world.alice,
        reserve=30,
        member_capital=30,
        member_business=30,
        other=10,
        other_label="Dana kesehatan anggota",
    )
    assert policy_in_force(world.coop_a, year=y - 2) is None
    assert policy_in_force(world.coop_a, year=y - 1).from_year == y - 1
    assert policy_in_force(world.coop_a, year=y).from_year == y
    assert policy_in_force(world.coop_a, year=y + 5).from_year == y + 1
    running = shu_compute(world.coop_a, year=y + 1)
    # 700.000: cadangan 30 % = 210.000, JMA 210.000, JUA 210.000, the named other part 70.000.
    assert [(p.label, p.amount) for p in running.parts if p.amount] == [
        ("Cadangan", 210_000),
        ("Jasa modal anggota (JMA)", 210_000),
        ("Jasa usaha anggota (JUA)", 210_000),
        ("Dana kesehatan anggota", 70_000),
    ]
    # Y keeps its own allocation.
    assert shu_compute(world.coop_a, year=y).part("reserve").amount == 799_999


def test_without_an_allocation_the_result_says_what_to_set(world):
    books = shu_books(world.coop_a)
    result = shu_compute(world.coop_a, year=books.year)
    assert result.surplus == 1_999_999
    assert result.policy is None
    assert result.parts == [] and result.members == []
    assert len(result.messages) == 1
    assert f"No SHU allocation is set for {books.year}" in result.messages[0]
    assert "100 %" in result.messages[0]


def test_a_loss_year_gives_no_member_shares(books, world):
    shu_policy_set(cooperative=world.coop_a, from_year=books.year - 1, by=world.alice, **POLICY)
    result = shu_compute(world.coop_a, year=books.year - 1)
    assert result.surplus == -150_000
    assert result.is_loss
    assert result.members == []
    assert all(part.amount == 0 for part in result.parts)
    assert any("loss of Rp 150.000" in message for message in result.messages)


def test_a_year_not_begun_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        shu_compute(world.coop_a, year=timezone.localdate().year + 1)
    assert caught.value.code == "future_year"


def test_members_shares_are_summed_by_aggregate_queries_not_per_member(world):
    def queries(coop: Cooperative) -> int:
        with CaptureQueriesContext(connection) as captured:
            shu_compute(coop, year=last_year())
        return len(captured)

    few = shu_books(world.coop_a)
    shu_policy_set(cooperative=few.cooperative, from_year=few.year, by=None, **POLICY)
    many = shu_books(world.coop_c)
    shu_policy_set(cooperative=many.cooperative, from_year=many.year, by=None, **POLICY)
    for number in range(12):
        member = MemberFactory(cooperative=world.coop_c, name=f"Extra {number}")
        deposit(
            world.coop_c,
            datetime.date(last_year(), 9, 1),
            "Pokok",
            chart.PRINCIPAL_SAVINGS,
            50_000,
            member,
        )
    assert len(shu_compute(world.coop_c, year=last_year()).members) == 16
    assert queries(world.coop_c) == queries(world.coop_a)


# --- the allocation's rules ----------------------------------------------------------------------


def test_an_allocation_must_make_100_percent(world):
    with pytest.raises(ValidationError) as caught:
        shu_policy_set(
            cooperative=world.coop_a, from_year=2025, by=world.alice, reserve=40, member_capital=50
        )
    assert "The parts add up to 90" in " ".join(caught.value.messages)
    assert "must make 100" in " ".join(caught.value.messages)
    assert not ShuPolicy.objects.exists()


def test_an_other_part_needs_a_name_and_setting_a_year_again_replaces_it(world):
    with pytest.raises(ValidationError) as caught:
        shu_policy_set(
            cooperative=world.coop_a, from_year=2025, by=world.alice, reserve=90, other=10
        )
    assert "other_label" in caught.value.message_dict
    shu_policy_set(cooperative=world.coop_a, from_year=2025, by=world.alice, **POLICY)
    shu_policy_set(
        cooperative=world.coop_a, from_year=2025, by=world.alice, reserve=60, member_capital=40
    )
    policy = ShuPolicy.objects.get()
    assert (policy.reserve, policy.member_capital, policy.member_business) == (60, 40, 0)
    assert policy.updated_by == world.alice


# --- the RAT and the distribution ----------------------------------------------------------------


def test_distribute_posts_the_allocation_and_posting_again_doubles_nothing(books, world):
    entry = shu_distribute(cooperative=world.coop_a, year=books.year, by=world.alice)
    assert entry.source == EntrySource.SHU
    assert entry.source_key == f"shu:{books.year}"
    assert entry.date == datetime.date(books.year, 12, 31)  # no RAT recorded
    lines = sorted(
        (line.account.code, line.debit, line.credit)
        for line in entry.lines.select_related("account")
    )
    assert lines == sorted(
        [
            (chart.RETAINED_SHU, 1_999_999, 0),
            (chart.RESERVE, 0, 799_999),
            (chart.SHU_PAYABLE, 0, 400_000),
            (chart.SHU_PAYABLE, 0, 500_000),
            (chart.SHU_PAYABLE, 0, 100_000),
            (chart.SHU_PAYABLE, 0, 100_000),
            (chart.SHU_PAYABLE, 0, 50_000),
            (chart.SHU_PAYABLE, 0, 50_000),
        ]
    )
    again = shu_distribute(cooperative=world.coop_a, year=books.year, by=world.alice)
    assert again.pk == entry.pk
    assert JournalEntry.objects.filter(source=EntrySource.SHU).count() == 1
    result = shu_compute(world.coop_a, year=books.year)
    assert result.distribution == entry
    assert result.distributed_amount == 1_999_999
    assert result.distributable is False
    # The distribution does not change the year's SHU: 3-301 and 2-104 are not revenue.
    assert result.surplus == 1_999_999
    assert not any("changed after" in m for m in result.messages)


def test_distribute_is_dated_the_rat_and_the_rat_is_recorded_with_its_counts(books, world):
    y = books.year
    meeting = annual_meeting_record(
        cooperative=world.coop_a,
        year=y,
        held_on=datetime.date(y + 1, 1, 1),
        members_present=3,
        pengurus=3,
        pengawas=2,
        employees=4,
        by=world.alice,
        notes="RAT tahun buku",
    )
    assert meeting.managers == 5
    entry = shu_distribute(cooperative=world.coop_a, year=y, by=world.alice)
    assert entry.date == datetime.date(y + 1, 1, 1)
    again = annual_meeting_record(
        cooperative=world.coop_a,
        year=y,
        held_on=datetime.date(y + 1, 1, 1),
        members_present=4,
        pengurus=3,
        pengawas=3,
        employees=4,
        by=world.alice,
    )
    assert again.pk == meeting.pk and again.members_present == 4


def test_a_rat_before_the_year_ended_or_in_the_future_is_refused(world):
    y = last_year()
    for held_on in (datetime.date(y, 12, 31), timezone.localdate() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as caught:
            annual_meeting_record(
                cooperative=world.coop_a,
                year=y,
                held_on=held_on,
                members_present=1,
                pengurus=3,
                pengawas=1,
                employees=0,
                by=world.alice,
            )
        assert "held_on" in caught.value.message_dict


def test_distribute_refuses_a_running_year_a_loss_and_a_missing_allocation(books, world):
    y = books.year
    refusals = {}
    shu_policy_set(cooperative=world.coop_a, from_year=y - 1, by=world.alice, **POLICY)
    for year in (y + 1, y - 1, y - 2):
        with pytest.raises(ShuError) as caught:
            shu_distribute(cooperative=world.coop_a, year=year, by=world.alice)
        refusals[year] = caught.value
    assert refusals[y + 1].code == "year_not_ended"
    assert "has not ended yet" in refusals[y + 1].messages[0]
    assert refusals[y - 1].code == "no_surplus"
    assert "loss of Rp 150.000" in refusals[y - 1].messages[0]
    # Y−2 is before the first allocation (from Y−1).
    assert refusals[y - 2].code == "no_policy"
    assert not JournalEntry.objects.filter(source=EntrySource.SHU).exists()


def test_after_the_distribution_its_allocation_cannot_change(books, world):
    shu_distribute(cooperative=world.coop_a, year=books.year, by=world.alice)
    with pytest.raises(ValidationError) as caught:
        shu_policy_set(cooperative=world.coop_a, from_year=books.year, by=world.alice, reserve=100)
    assert caught.value.error_dict["from_year"][0].code == "shu_already_distributed"
    assert f"from {books.year + 1} on" in " ".join(caught.value.messages)
    shu_policy_set(cooperative=world.coop_a, from_year=books.year + 1, by=world.alice, reserve=100)


def test_a_late_entry_after_the_distribution_is_flagged_and_a_reversal_allows_again(books, world):
    entry = shu_distribute(cooperative=world.coop_a, year=books.year, by=world.alice)
    post(
        world.coop_a,
        datetime.date(books.year, 12, 30),
        "Beban terlambat",
        Line("5-909", debit=1),
        Line(chart.CASH, credit=1),
    )
    result = shu_compute(world.coop_a, year=books.year)
    assert result.surplus == 1_999_998
    assert any("changed after the SHU was distributed" in m for m in result.messages)
    journal_reverse(entry=entry, by=world.alice, reason="SHU berubah")
    assert shu_compute(world.coop_a, year=books.year).distribution is None
    second = shu_distribute(cooperative=world.coop_a, year=books.year, by=world.alice)
    assert second.pk != entry.pk
    assert second.source_key == f"shu:{books.year}:2"
    debit = JournalLine.objects.get(entry=second, account__code=chart.RETAINED_SHU).debit
    assert debit == 1_999_998


def test_pools_nobody_can_share_are_said_and_every_share_stays_zero(world):
    y = last_year()
    eka = MemberFactory(cooperative=world.coop_c, name="Eka", join_date=datetime.date(y, 1, 2))
    # Sales of 1.000.000 to nobody in particular; no savings at all.
    post(
        world.coop_c,
        datetime.date(y, 5, 1),
        "Penjualan umum",
        Line(chart.CASH, debit=1_000_000),
        Line("4-101", credit=1_000_000),
    )
    shu_policy_set(cooperative=world.coop_c, from_year=y, by=world.carol, **POLICY)
    result = shu_compute(world.coop_c, year=y)
    # JMA 20 % = 200.000 and JUA 25 % = 250.000 have nobody to go to.
    assert (result.jma_pool, result.jua_pool) == (200_000, 250_000)
    assert [(s.member_id, s.jma, s.jua) for s in result.members] == [(eka.pk, 0, 0)]
    assert result.members_total == 0
    text = " ".join(result.messages)
    assert "No member had simpanan pokok or wajib" in text and "Rp 200.000" in text
    assert f"No revenue line of {y} names a member" in text and "Rp 250.000" in text
