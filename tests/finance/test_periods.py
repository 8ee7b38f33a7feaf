"""Closing a month's books and reopening it: the pengawas (or an officer above) closes an ended
month; only the regency or province reopens it, saying why; every step is in the audit trail.

Who is who (tests/conftest.py): alice operator and bob pengawas of Bukit Raya (coop_a), dave its
district officer, erin its regency officer, frank the province officer; carol keeps the books
of Merabu – Panaan (coop_c, Berau), outside dave's and erin's scope.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from finance import chart
from finance.enums import PeriodAction
from finance.models import ClosedPeriod, PeriodEvent
from finance.selectors import is_closed
from finance.services import ClosedPeriodError, Line, journal_post, period_close, period_reopen
from finance.services.periods import may_close, may_reopen

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
REASON = "Nota pembelian Maret tertinggal, dicatat ulang."


def months_ago(count: int, day: int = 1) -> datetime.date:
    month = TODAY().replace(day=1)
    for _ in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month.replace(day=day)


def events(cooperative) -> list[tuple]:
    return list(
        PeriodEvent.objects.filter(cooperative=cooperative)
        .order_by("id")
        .values_list("month", "action", "by__username", "reason")
    )


def post_cash(cooperative, by, date):
    return journal_post(
        cooperative=cooperative,
        date=date,
        description="Pendapatan lain-lain",
        lines=[Line(chart.CASH, debit=10_000), Line("4-901", credit=10_000)],
        by=by,
    )


@pytest.mark.parametrize("name", ["alice", "henry", "grace", "ivan", "carol"])
def test_those_below_the_pengawas_or_outside_the_scope_cannot_close(world, name):
    user = getattr(world, name)
    assert not may_close(user, world.coop_a)
    with pytest.raises(PermissionDenied):
        period_close(cooperative=world.coop_a, month=months_ago(1), by=user)
    assert not ClosedPeriod.objects.exists()
    assert not PeriodEvent.objects.exists()


@pytest.mark.parametrize("name", ["bob", "dave", "erin", "frank"])
def test_the_pengawas_and_officers_above_close_an_ended_month(world, name):
    user = getattr(world, name)
    closed = period_close(cooperative=world.coop_a, month=months_ago(1, day=17), by=user)
    assert (closed.month, closed.closed_by) == (months_ago(1), user)
    assert is_closed(world.coop_a, months_ago(1))
    assert not is_closed(world.coop_c, months_ago(1))
    assert events(world.coop_a) == [(months_ago(1), PeriodAction.CLOSE, name, "")]


def test_an_officer_closes_only_in_their_own_scope(world):
    # Berau is outside the Kutai Kartanegara regency and its district.
    for user in (world.dave, world.erin, world.bob):
        with pytest.raises(PermissionDenied):
            period_close(cooperative=world.coop_c, month=months_ago(1), by=user)
    assert period_close(cooperative=world.coop_c, month=months_ago(1), by=world.frank)


@pytest.mark.parametrize("month", [0, -1])
def test_a_month_that_has_not_ended_cannot_be_closed(world, month):
    day = months_ago(0) if month == 0 else (months_ago(0) + datetime.timedelta(days=40))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        period_close(cooperative=world.coop_a, month=day, by=world.bob)
    assert refused.value.code == "month_not_ended"
    assert refused.value.messages == [
        f"{day:%m/%Y} has not ended yet; a month is closed after its last day."
    ]
    assert not ClosedPeriod.objects.exists() and not PeriodEvent.objects.exists()


def test_a_closed_month_cannot_be_closed_again(world):
    period_close(cooperative=world.coop_a, month=months_ago(2), by=world.bob)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        period_close(cooperative=world.coop_a, month=months_ago(2, day=9), by=world.erin)
    assert refused.value.code == "already_closed"
    assert refused.value.messages == [f"The books of {months_ago(2):%m/%Y} are already closed."]
    assert ClosedPeriod.objects.get().closed_by == world.bob
    assert len(events(world.coop_a)) == 1


@pytest.mark.parametrize("name", ["alice", "bob", "dave", "henry", "grace"])
def test_only_the_regency_or_province_reopens(world, name):
    period_close(cooperative=world.coop_a, month=months_ago(1), by=world.bob)
    user = getattr(world, name)
    assert not may_reopen(user, world.coop_a)
    with pytest.raises(PermissionDenied):
        period_reopen(cooperative=world.coop_a, month=months_ago(1), by=user, reason=REASON)
    assert is_closed(world.coop_a, months_ago(1))
    assert len(events(world.coop_a)) == 1


@pytest.mark.parametrize("name", ["erin", "frank"])
def test_the_regency_or_province_reopens_with_a_reason_and_the_month_takes_entries_again(
    world, name
):
    period_close(cooperative=world.coop_a, month=months_ago(1), by=world.bob)
    with pytest.raises(ClosedPeriodError):
        post_cash(world.coop_a, world.alice, months_ago(1, day=20))
    user = getattr(world, name)
    period_reopen(cooperative=world.coop_a, month=months_ago(1, day=3), by=user, reason=REASON)
    assert not is_closed(world.coop_a, months_ago(1))
    assert post_cash(world.coop_a, world.alice, months_ago(1, day=20)).reference == "JU-000001"
    assert events(world.coop_a) == [
        (months_ago(1), PeriodAction.CLOSE, "bob", ""),
        (months_ago(1), PeriodAction.REOPEN, name, REASON),
    ]


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_reopening_needs_a_reason(world, reason):
    period_close(cooperative=world.coop_a, month=months_ago(1), by=world.bob)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        period_reopen(cooperative=world.coop_a, month=months_ago(1), by=world.erin, reason=reason)
    assert refused.value.message_dict == {
        "reason": ["Say why the month is reopened; the reason is kept in the audit trail."]
    }
    assert refused.value.error_dict["reason"][0].code == "reason_required"
    assert is_closed(world.coop_a, months_ago(1))
    assert len(events(world.coop_a)) == 1


def test_reopening_an_open_month_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        period_reopen(cooperative=world.coop_a, month=months_ago(3), by=world.erin, reason=REASON)
    assert refused.value.code == "not_closed"
    assert not PeriodEvent.objects.exists()


def test_every_close_and_reopen_is_recorded_in_order(world):
    period_close(cooperative=world.coop_a, month=months_ago(2), by=world.bob)
    period_close(cooperative=world.coop_a, month=months_ago(1), by=world.dave)
    period_reopen(cooperative=world.coop_a, month=months_ago(2), by=world.frank, reason=REASON)
    period_close(cooperative=world.coop_a, month=months_ago(2), by=world.bob)
    period_close(cooperative=world.coop_c, month=months_ago(1), by=world.frank)
    assert events(world.coop_a) == [
        (months_ago(2), PeriodAction.CLOSE, "bob", ""),
        (months_ago(1), PeriodAction.CLOSE, "dave", ""),
        (months_ago(2), PeriodAction.REOPEN, "frank", REASON),
        (months_ago(2), PeriodAction.CLOSE, "bob", ""),
    ]
    assert events(world.coop_c) == [(months_ago(1), PeriodAction.CLOSE, "frank", "")]
    assert sorted(
        ClosedPeriod.objects.filter(cooperative=world.coop_a).values_list("month", flat=True)
    ) == [months_ago(2), months_ago(1)]
