"""Reads of members' savings (the savings book, SavingsTransaction): balances, the passbook
(buku simpanan) and the simpanan wajib each member owes. Each read is one or two aggregate
queries whatever the number of members. The writers are in finance.services.savings.

The savings book and the journal agree movement by movement (each movement posts one entry);
the statements read the journal, these pages read the book, which knows the receipts.
"""

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from cooperatives.enums import MemberStatus
from cooperatives.models import Cooperative, Member
from imports.spec import Column, ValueType
from imports.xlsx import TableSheet

from .enums import SavingsType
from .models import SavingsPolicy, SavingsTransaction

TYPES: tuple[str, ...] = tuple(SavingsType.values)


def _by_type(queryset: QuerySet[SavingsTransaction]) -> dict[str, int]:
    """Deposits less withdrawals per kind of savings, in one query."""
    sums = queryset.aggregate(
        **{kind: Sum(F("deposit") - F("withdrawal"), filter=Q(savings_type=kind)) for kind in TYPES}
    )
    return {kind: int(sums[kind] or 0) for kind in TYPES}


def member_savings(member: Member, *, as_of: datetime.date | None = None) -> dict[str, int]:
    """The member's simpanan pokok, wajib and sukarela on `as_of` (included; None: everything
    recorded), from the savings book, in one query."""
    movements = SavingsTransaction.objects.filter(member=member)
    if as_of is not None:
        movements = movements.filter(date__lte=as_of)
    return _by_type(movements)


def savings_totals(
    cooperative: Cooperative, *, as_of: datetime.date | None = None
) -> dict[str, int]:
    """All members' savings per kind on `as_of` (None: everything recorded), in one query."""
    movements = SavingsTransaction.objects.filter(cooperative=cooperative)
    if as_of is not None:
        movements = movements.filter(date__lte=as_of)
    return _by_type(movements)


def waiting_movements(cooperative: Cooperative) -> QuerySet[SavingsTransaction]:
    """Movements not in the journal yet (savings books imported before the books were kept)."""
    return SavingsTransaction.objects.filter(cooperative=cooperative, journal_entry__isnull=True)


def recent_movements(cooperative: Cooperative, *, limit: int = 10) -> list[SavingsTransaction]:
    return list(
        SavingsTransaction.objects.filter(cooperative=cooperative)
        .select_related("member", "journal_entry")
        .order_by("-date", "-id")[:limit]
    )


# --- The passbook -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassbookRow:
    """One line of the buku simpanan, with the balances after it."""

    date: datetime.date
    savings_type: str
    receipt_no: str
    description: str
    deposit: int
    withdrawal: int
    balance: int  # of its own kind of savings, after the line
    balances: dict[str, int]  # of every kind, after the line
    source: str
    journal_entry_id: int | None

    @property
    def label(self) -> str:
        return str(SavingsType(self.savings_type).label)

    @property
    def total(self) -> int:
        return sum(self.balances.values())


@dataclass
class Passbook:
    member: Member
    start: datetime.date | None
    end: datetime.date | None
    opening: dict[str, int]  # balances before `start` (zeros without a start)
    rows: list[PassbookRow] = field(default_factory=list)

    @property
    def closing(self) -> dict[str, int]:
        return dict(self.rows[-1].balances) if self.rows else dict(self.opening)

    @property
    def opening_by_label(self) -> list[tuple[str, int]]:
        return [(str(SavingsType(kind).label), self.opening[kind]) for kind in TYPES]

    @property
    def opening_total(self) -> int:
        return sum(self.opening.values())

    @property
    def closing_total(self) -> int:
        return sum(self.closing.values())

    @property
    def deposits(self) -> int:
        return sum(row.deposit for row in self.rows)

    @property
    def withdrawals(self) -> int:
        return sum(row.withdrawal for row in self.rows)


def passbook(
    member: Member,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Passbook:
    """The member's savings book between `start` and `end` (both included, None open-ended):
    the balances before `start`, then each movement in date order with the running balance of
    its kind and of every kind. Two queries."""
    if start is not None:
        opening = member_savings(member, as_of=start - datetime.timedelta(days=1))
    else:
        opening = dict.fromkeys(TYPES, 0)
    movements = SavingsTransaction.objects.filter(member=member)
    if start is not None:
        movements = movements.filter(date__gte=start)
    if end is not None:
        movements = movements.filter(date__lte=end)
    book = Passbook(member=member, start=start, end=end, opening=opening)
    balances = dict(opening)
    for movement in movements.order_by("date", "id"):
        kind = movement.savings_type
        balances[kind] += movement.deposit - movement.withdrawal
        book.rows.append(
            PassbookRow(
                date=movement.date,
                savings_type=kind,
                receipt_no=movement.receipt_no,
                description=movement.description,
                deposit=movement.deposit,
                withdrawal=movement.withdrawal,
                balance=balances[kind],
                balances=dict(balances),
                source=movement.source,
                journal_entry_id=movement.journal_entry_id,
            )
        )
    return book


def passbook_sheet(book: Passbook, *, title: str = "") -> TableSheet:
    """The passbook as a statement sheet: the opening balances (with a start date), then one
    row per movement with the balance of each kind after it."""
    columns = [
        Column("date", _("Date"), ValueType.DATE),
        Column("savings_type", _("Savings"), width=18),
        Column("receipt_no", _("Receipt no."), width=14),
        Column("description", _("Description"), width=28),
        Column("deposit", _("Deposit (Rp)"), ValueType.AMOUNT),
        Column("withdrawal", _("Withdrawal (Rp)"), ValueType.AMOUNT),
        Column("pokok", _("Balance simpanan pokok (Rp)"), ValueType.AMOUNT),
        Column("wajib", _("Balance simpanan wajib (Rp)"), ValueType.AMOUNT),
        Column("sukarela", _("Balance simpanan sukarela (Rp)"), ValueType.AMOUNT),
        Column("total", _("Total savings (Rp)"), ValueType.AMOUNT),
    ]

    def rows() -> Iterator[Sequence[Any]]:
        if book.start is not None:
            yield [
                book.start,
                "",
                "",
                _("Opening balance"),
                None,
                None,
                *(book.opening[kind] for kind in TYPES),
                book.opening_total,
            ]
        for row in book.rows:
            yield [
                row.date,
                row.label,
                row.receipt_no,
                row.description,
                row.deposit or None,
                row.withdrawal or None,
                *(row.balances[kind] for kind in TYPES),
                row.total,
            ]

    return TableSheet(name=_("Savings book"), columns=columns, rows=rows(), title=title)


# --- Simpanan wajib billed and owed -------------------------------------------------------------


@dataclass(frozen=True)
class WajibBill:
    """What one member was billed in simpanan wajib up to a day, and paid."""

    member_id: int
    name: str
    nik: str
    join_date: datetime.date
    months: int  # billed, from the later of `wajib_from` and joining to the day's month
    due: int  # months × the monthly amount
    paid: int  # simpanan wajib deposited up to the day
    monthly: int

    @property
    def arrears(self) -> int:
        """What is still owed; never below zero (paying ahead is not negative arrears)."""
        return max(self.due - self.paid, 0)

    @property
    def months_behind(self) -> int:
        """The months the arrears make, a month partly paid counting as one."""
        if not self.arrears or not self.monthly:
            return 0
        return -(-self.arrears // self.monthly)


def _months_between(first: datetime.date, last: datetime.date) -> int:
    """Months from `first`'s month to `last`'s month, both included (0 when last is before)."""
    return max((last.year - first.year) * 12 + last.month - first.month + 1, 0)


def wajib_billing(cooperative: Cooperative, *, as_of: datetime.date) -> list[WajibBill]:
    """Every active member who joined by `as_of`, with the simpanan wajib billed from the later
    of the policy's `wajib_from` and their join month to `as_of`'s month (both included) and
    what they deposited up to `as_of`. Without a savings policy nobody is billed. Two queries
    (the policy and the members with their deposits summed), whatever the number of members.

    Only members who are active now are billed: a member who left owes nothing more, and the
    member list does not keep the day they left."""
    policy = SavingsPolicy.objects.filter(cooperative=cooperative).first()
    if policy is None:
        return []
    members = (
        Member.objects.filter(
            cooperative=cooperative, status=MemberStatus.ACTIVE, join_date__lte=as_of
        )
        .annotate(
            paid=Sum(
                "savings_transactions__deposit",
                filter=Q(
                    savings_transactions__savings_type=SavingsType.WAJIB,
                    savings_transactions__date__lte=as_of,
                ),
            )
        )
        .order_by("name", "id")
        .values_list("pk", "name", "nik", "join_date", "paid")
    )
    bills = []
    for pk, name, nik, join_date, paid in members:
        months = _months_between(max(policy.wajib_from, join_date.replace(day=1)), as_of)
        bills.append(
            WajibBill(
                member_id=pk,
                name=name,
                nik=nik,
                join_date=join_date,
                months=months,
                due=months * policy.wajib_amount,
                paid=int(paid or 0),
                monthly=policy.wajib_amount,
            )
        )
    return bills


def wajib_arrears(cooperative: Cooperative, *, as_of: datetime.date) -> list[WajibBill]:
    """The members of `wajib_billing` who owe simpanan wajib on `as_of` (arrears above zero),
    by name."""
    return [bill for bill in wajib_billing(cooperative, as_of=as_of) if bill.arrears > 0]


def arrears_sheet(bills: Sequence[WajibBill], *, title: str = "") -> TableSheet:
    columns = [
        Column("nik", "NIK", ValueType.NIK),
        Column("name", _("Name"), width=28),
        Column("join_date", _("Joined"), ValueType.DATE),
        Column("months", _("Months billed"), ValueType.INTEGER),
        Column("due", _("Simpanan wajib billed (Rp)"), ValueType.AMOUNT),
        Column("paid", _("Paid (Rp)"), ValueType.AMOUNT),
        Column("arrears", _("Arrears (Rp)"), ValueType.AMOUNT),
        Column("months_behind", _("Months behind"), ValueType.INTEGER),
    ]
    rows = (
        [
            bill.nik,
            bill.name,
            bill.join_date,
            bill.months,
            bill.due,
            bill.paid,
            bill.arrears,
            bill.months_behind,
        ]
        for bill in bills
    )
    return TableSheet(name=_("Wajib arrears"), columns=columns, rows=rows, title=title)
