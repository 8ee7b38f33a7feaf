"""Schedules against tables worked out by hand, and properties every schedule keeps."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loans.enums import InterestMethod
from loans.schedules import ScheduleError, add_months, loan_schedule, monthly_rate

JAN_15 = datetime.date(2026, 1, 15)


def rows(schedule):
    return [(i.principal, i.interest, i.balance) for i in schedule]


def test_flat_interest_is_on_the_amount_lent_every_month():
    # 1.200.000 at 1,5 % a month over 12 months: 100.000 principal + 18.000 interest a month.
    schedule = loan_schedule(
        principal=1_200_000,
        rate=Decimal("0.015"),
        tenor_months=12,
        method=InterestMethod.FLAT,
        disbursed_on=JAN_15,
    )
    assert len(schedule) == 12
    assert {(i.principal, i.interest, i.total) for i in schedule} == {(100_000, 18_000, 118_000)}
    assert [i.balance for i in schedule][:3] == [1_100_000, 1_000_000, 900_000]
    assert schedule[-1].balance == 0


def test_the_last_instalment_absorbs_the_rounding():
    # 1.000.000 over 3 months: 333.333 + 333.333 + 333.334.
    schedule = loan_schedule(
        principal=1_000_000,
        rate=Decimal("0.01"),
        tenor_months=3,
        method=InterestMethod.FLAT,
        disbursed_on=JAN_15,
    )
    assert rows(schedule) == [
        (333_333, 10_000, 666_667),
        (333_333, 10_000, 333_334),
        (333_334, 10_000, 0),
    ]


def test_declining_balance_with_equal_principal():
    # 1.200.000 at 2 %: interest on what is still owed: 24.000, 16.000, 8.000.
    schedule = loan_schedule(
        principal=1_200_000,
        rate=Decimal("0.02"),
        tenor_months=3,
        method=InterestMethod.DECLINING_PRINCIPAL,
        disbursed_on=JAN_15,
    )
    assert rows(schedule) == [
        (400_000, 24_000, 800_000),
        (400_000, 16_000, 400_000),
        (400_000, 8_000, 0),
    ]


def test_annuity_instalments_are_equal_but_the_last():
    # 1.000.000 at 1 % a month over 12 months: A = P·r / (1 − (1+r)^−12) = 88.848,79 → 88.849.
    schedule = loan_schedule(
        principal=1_000_000,
        rate=Decimal("0.01"),
        tenor_months=12,
        method=InterestMethod.ANNUITY,
        disbursed_on=JAN_15,
    )
    assert rows(schedule)[:3] == [
        (78_849, 10_000, 921_151),
        (79_637, 9_212, 841_514),  # 9.211,51 → 9.212
        (80_434, 8_415, 761_080),  # 8.415,14 → 8.415
    ]
    assert {i.total for i in schedule[:-1]} == {88_849}
    last = schedule[-1]
    assert last.balance == 0
    assert abs(last.total - 88_849) <= 12  # the rounding of eleven months, no more
    assert sum(i.principal for i in schedule) == 1_000_000


def test_grace_months_pay_interest_only_and_count_in_the_tenor():
    # PMK 49/2025 style: 6 % a year, 12 months of which 6 interest-only.
    rate = monthly_rate(Decimal(6), per_year=True)
    schedule = loan_schedule(
        principal=600_000_000,
        rate=rate,
        tenor_months=12,
        grace_months=6,
        method=InterestMethod.DECLINING_PRINCIPAL,
        disbursed_on=JAN_15,
    )
    assert [i.principal for i in schedule[:6]] == [0] * 6
    assert [i.interest for i in schedule[:6]] == [3_000_000] * 6
    assert [i.principal for i in schedule[6:]] == [100_000_000] * 6
    assert schedule[6].interest == 3_000_000 and schedule[7].interest == 2_500_000


def test_due_dates_are_monthly_and_keep_to_the_end_of_short_months():
    schedule = loan_schedule(
        principal=300_000,
        rate=Decimal(0),
        tenor_months=3,
        method=InterestMethod.ANNUITY,
        disbursed_on=datetime.date(2027, 12, 31),
    )
    assert [i.due_date for i in schedule] == [
        datetime.date(2028, 1, 31),
        datetime.date(2028, 2, 29),
        datetime.date(2028, 3, 31),
    ]
    assert rows(schedule) == [(100_000, 0, 200_000), (100_000, 0, 100_000), (100_000, 0, 0)]


@pytest.mark.parametrize(
    ("terms", "reason"),
    [
        ({"principal": 0}, "amount"),
        ({"rate": Decimal("-0.01")}, "rate"),
        ({"tenor_months": 6, "grace_months": 6}, "tenor"),
        ({"grace_months": -1}, "tenor"),
    ],
)
def test_terms_that_cannot_be_scheduled_are_refused(terms, reason):
    base = {
        "principal": 1_000_000,
        "rate": Decimal("0.01"),
        "tenor_months": 12,
        "method": InterestMethod.FLAT,
        "disbursed_on": JAN_15,
    }
    with pytest.raises(ScheduleError, match=reason):
        loan_schedule(**{**base, **terms})


terms = st.fixed_dictionaries(
    {
        "principal": st.integers(1, 3_000_000_000),
        "rate": st.decimals(min_value=0, max_value=Decimal("0.1"), places=4),
        "tenor_months": st.integers(1, 72),
        "method": st.sampled_from(list(InterestMethod)),
        "disbursed_on": st.dates(datetime.date(2020, 1, 1), datetime.date(2035, 12, 31)),
        "grace": st.integers(0, 8),
    }
)


@given(terms)
def test_every_schedule_repays_exactly_the_amount_and_never_goes_negative(terms):
    grace = min(terms.pop("grace"), terms["tenor_months"] - 1)
    schedule = loan_schedule(grace_months=grace, **terms)
    assert len(schedule) == terms["tenor_months"]
    assert sum(i.principal for i in schedule) == terms["principal"]
    balances = [i.balance for i in schedule]
    assert all(b >= 0 for b in balances)
    assert balances == sorted(balances, reverse=True)
    assert balances[-1] == 0
    assert all(i.principal == 0 for i in schedule[:grace])
    assert all(i.principal >= 0 and i.interest >= 0 for i in schedule)
    assert [i.due_date for i in schedule] == [
        add_months(terms["disbursed_on"], n) for n in range(1, len(schedule) + 1)
    ]
    assert all(
        later > earlier
        for earlier, later in zip(
            [terms["disbursed_on"]] + [i.due_date for i in schedule],
            [i.due_date for i in schedule],
            strict=False,
        )
    )
