"""The demo cooperative's books (seed_demo): posted through the services, balanced, and written
once however often the seed runs."""

import datetime

import pytest
from django.utils import timezone

from cooperatives.demo import DEMO_COOPERATIVE_VILLAGE, seed_members
from cooperatives.enums import CooperativeStatus
from cooperatives.models import Region
from finance.demo import ensure_demo_books
from finance.enums import SavingsType
from finance.models import JournalEntry, SavingsTransaction
from finance.savings import savings_totals, wajib_arrears
from finance.statements import balance_sheet, income_statement, trial_balance
from tests.factories import CooperativeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_coop(regions):
    cooperative = CooperativeFactory(
        home_village=Region.objects.get(code=DEMO_COOPERATIVE_VILLAGE),
        status=CooperativeStatus.ACTIVE,
    )
    seed_members(cooperative, 40, 100)
    UserFactory(username="operator")
    return cooperative


def test_demo_books_balance_and_are_written_once(demo_coop):
    counts = ensure_demo_books()
    assert counts["savings"] > 40 and counts["entries"] > 30
    # Every savings movement reached the journal.
    assert not SavingsTransaction.objects.filter(journal_entry__isnull=True).exists()
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    year_start = datetime.date(last_month_end.year, 1, 1)
    assert trial_balance(demo_coop, start=year_start, end=last_month_end).balanced
    neraca = balance_sheet(demo_coop, as_of=last_month_end)
    assert neraca.balanced
    phu = income_statement(demo_coop, start=year_start, end=last_month_end)
    assert phu.rows  # the store traded
    totals = savings_totals(demo_coop)
    assert totals[SavingsType.POKOK] > 0 and totals[SavingsType.WAJIB] > 0
    # Some members fell behind with their wajib, so the arrears list is not empty.
    assert wajib_arrears(demo_coop, as_of=today)

    entries = JournalEntry.objects.count()
    assert ensure_demo_books() == {"savings": 0, "entries": 0}
    assert JournalEntry.objects.count() == entries
