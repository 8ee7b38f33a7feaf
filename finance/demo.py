"""The books of the demo cooperative (seed_demo): its savings rules and SHU allocation, every
member's savings since joining, and its store's trade and running costs since it began.
Everything is posted through the services a treasurer's work goes through, so the demo
statements, passbooks and the pre-filled monthly report show what real books would. Safe to run
again: each part is written once."""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cooperatives.demo import DEMO_COOPERATIVE_VILLAGE
from cooperatives.enums import MemberStatus
from cooperatives.models import Cooperative

from . import chart
from .enums import EntrySource, SavingsSource, SavingsType
from .models import JournalEntry, SavingsPolicy, SavingsTransaction, ShuPolicy
from .services.journal import EntryDraft, Line, journal_post_many
from .services.savings import savings_policy_set, savings_post_imported
from .services.shu import shu_policy_set

POKOK = 100_000
WAJIB = 25_000
WAJIB_FROM = datetime.date(2025, 8, 1)
STARTED = WAJIB_FROM  # the month the cooperative began trading


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _savings(cooperative: Cooperative, *, today: datetime.date, by: Any) -> int:
    """Pokok on joining, wajib each month with some months missed (so the arrears list has
    names), and sukarela deposits with an occasional withdrawal."""
    if SavingsTransaction.objects.filter(cooperative=cooperative).exists():
        return 0
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    movements: list[SavingsTransaction] = []
    receipt = 0

    def add(member, date, savings_type, deposit=0, withdrawal=0, description=""):  # type: ignore[no-untyped-def]
        nonlocal receipt
        receipt += 1
        movements.append(
            SavingsTransaction(
                cooperative=cooperative,
                member=member,
                date=date,
                savings_type=savings_type,
                deposit=deposit,
                withdrawal=withdrawal,
                receipt_no=f"BS-{receipt:05d}",
                description=description,
                source=SavingsSource.PORTAL,
                recorded_by=by,
            )
        )

    for member in cooperative.members.filter(status=MemberStatus.ACTIVE).order_by("id"):
        if member.join_date > last_month:
            continue
        add(member, member.join_date, SavingsType.POKOK, deposit=POKOK)
        keeps_up = rng.random() < 0.8
        balance = 0
        for month in _months(max(member.join_date, WAJIB_FROM), last_month):
            day = min(month.replace(day=10), last_month)
            if day < member.join_date:
                day = member.join_date
            if keeps_up or rng.random() < 0.5:
                add(member, day, SavingsType.WAJIB, deposit=WAJIB)
            if rng.random() < 0.15:
                amount = rng.choice([20_000, 50_000, 100_000, 200_000])
                add(member, day, SavingsType.SUKARELA, deposit=amount)
                balance += amount
            elif balance >= 100_000 and rng.random() < 0.1:
                add(
                    member, day, SavingsType.SUKARELA, withdrawal=100_000, description="Tarik tunai"
                )
                balance -= 100_000
    SavingsTransaction.objects.bulk_create(movements)
    saved = SavingsTransaction.objects.filter(cooperative=cooperative, journal_entry__isnull=True)
    savings_post_imported(transactions=saved, by=by)
    return len(movements)


def _trade(cooperative: Cooperative, *, today: datetime.date, by: Any) -> int:
    """A grant from the village fund to start with, then each month since the cooperative began:
    stock bought from the bank account and sold at the grocery store, the takings banked, wages,
    electricity and office costs paid from the cash box."""
    if JournalEntry.objects.filter(
        cooperative=cooperative, source_key__startswith="demo:"
    ).exists():
        return 0
    rng = random.Random(11)  # noqa: S311 - demo data, not security
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    months = _months(STARTED, last_month)
    store = "gerai_sembako"
    drafts = [
        EntryDraft(
            date=months[0],
            description="Hibah modal awal dari dana desa",
            lines=[Line(chart.BANK, debit=15_000_000), Line("3-202", credit=15_000_000)],
            source=EntrySource.MANUAL,
            source_key="demo:opening-bank",
        )
    ]
    for month in months:
        tag = month.strftime("%Y-%m")
        bought = rng.randrange(80, 120) * 100_000
        sold = rng.randrange(95, 140) * 100_000
        cost = sold * 75 // 100
        banked = sold * 80 // 100 // 1000 * 1000
        wages = 1_500_000
        power = rng.randrange(40, 70) * 10_000
        office = rng.randrange(15, 40) * 10_000
        for key, day, description, lines in (
            (
                "stock",
                5,
                "Pembelian stok sembako dari distributor",
                [Line("1-131", debit=bought), Line(chart.BANK, credit=bought)],
            ),
            (
                "sales",
                25,
                "Penjualan tunai gerai sembako bulan ini",
                [
                    Line(chart.CASH, debit=sold, business_unit=store),
                    Line("4-101", credit=sold),
                ],
            ),
            (
                "cogs",
                25,
                "Harga pokok barang yang terjual",
                [Line("5-101", debit=cost), Line("1-131", credit=cost)],
            ),
            (
                "banking",
                26,
                "Setoran hasil penjualan ke bank",
                [Line(chart.BANK, debit=banked), Line(chart.CASH, credit=banked)],
            ),
            (
                "wages",
                28,
                "Honor pengelola gerai dan kantor",
                [Line("5-901", debit=wages), Line(chart.CASH, credit=wages)],
            ),
            (
                "power",
                20,
                "Listrik, air dan pulsa",
                [Line("5-902", debit=power), Line(chart.CASH, credit=power)],
            ),
            (
                "office",
                15,
                "Alat tulis dan fotokopi",
                [Line("5-903", debit=office), Line(chart.CASH, credit=office)],
            ),
        ):
            drafts.append(
                EntryDraft(
                    date=month.replace(day=day),
                    description=description,
                    lines=lines,
                    source=EntrySource.MANUAL,
                    source_key=f"demo:{tag}:{key}",
                )
            )
    journal_post_many(cooperative=cooperative, drafts=drafts, by=by)
    return len(drafts)


@transaction.atomic
def ensure_demo_books() -> dict[str, int]:
    """The demo cooperative's books; each part only when it is missing."""
    chart.chart_ensure_standard()
    cooperative = Cooperative.objects.get(village_links__village_id=DEMO_COOPERATIVE_VILLAGE)
    by = get_user_model().objects.filter(username="operator").first()
    today = timezone.localdate()
    if not SavingsPolicy.objects.filter(cooperative=cooperative).exists():
        savings_policy_set(
            cooperative=cooperative,
            pokok_amount=POKOK,
            wajib_amount=WAJIB,
            wajib_from=WAJIB_FROM,
            by=by,
        )
    if not ShuPolicy.objects.filter(cooperative=cooperative).exists():
        shu_policy_set(
            cooperative=cooperative,
            from_year=2025,
            by=by,
            reserve=Decimal(30),
            member_capital=Decimal(20),
            member_business=Decimal(25),
            management=Decimal(5),
            employees=Decimal(5),
            education=Decimal(5),
            social=Decimal(5),
            regional_development=Decimal(5),
        )
    return {
        "savings": _savings(cooperative, today=today, by=by),
        "entries": _trade(cooperative, today=today, by=by),
    }
