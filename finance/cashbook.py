"""Reads of the imported cash book for the portal: the rows not in the journal yet, grouped by
account name with a suggested account for each new name, and the reconciliation of the rows
counted through a savings or loan book against what that book posted. The writers are in
finance.services.cashbook."""

import datetime
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from cooperatives.models import Cooperative

from . import chart
from .enums import AccountControl, CashBookStatus, EntrySource
from .models import Account, CashBookEntry, ClosedPeriod, JournalLine
from .selectors import account_name_key, chart_accounts, mapped_accounts


def is_cash_book_account(account: Account) -> bool:
    """Kas itself (or one of its sub-accounts): the cash book's own side, never a counter-account."""
    return account.code == chart.CASH or (
        account.parent_id is not None and account.code.startswith(f"{chart.CASH}.")
    )


def live_repayments() -> QuerySet[Any]:
    """Loan repayments that count: neither reversed nor themselves a reversal."""
    # Imported here: the loans app builds on finance, not the other way round.
    from loans.models import Repayment

    return Repayment.objects.filter(reverses__isnull=True, reversed_by__isnull=True)


# --- Reading what waits -----------------------------------------------------------------------

# Words in a cash book's account name → the account to propose. A proposal only: the operator
# confirms every name. The first whole-word match wins, so longer phrases come first.
SUGGESTIONS: tuple[tuple[str, str], ...] = (
    ("simpanan pokok", chart.PRINCIPAL_SAVINGS),
    ("simpanan wajib", chart.COMPULSORY_SAVINGS),
    ("simpanan sukarela", chart.VOLUNTARY_SAVINGS),
    ("jasa pinjaman", chart.LOAN_INTEREST),
    ("bunga pinjaman", chart.LOAN_INTEREST),
    ("denda", chart.LOAN_PENALTIES),
    ("administrasi pinjaman", chart.LOAN_FEES),
    ("provisi", chart.LOAN_FEES),
    ("bunga bank", chart.BANK_INTEREST),
    ("utang bank", chart.BANK_LOANS),
    ("angsuran", chart.MEMBER_LOANS),
    ("pinjaman", chart.MEMBER_LOANS),
    ("bank", chart.BANK),
    ("penjualan", "4-101"),
    ("jual", "4-101"),
    ("listrik", "5-902"),
    ("pdam", "5-902"),
    ("telepon", "5-902"),
    ("internet", "5-902"),
    ("gaji", "5-901"),
    ("honor", "5-901"),
    ("upah", "5-901"),
    ("atk", "5-903"),
    ("alat tulis", "5-903"),
    ("rapat", "5-904"),
    ("rat", "5-904"),
    ("hibah", "3-202"),
    ("donasi", "3-202"),
    ("pajak", "2-103"),
)


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split()) + " "


def suggest_account(name: str, accounts: Sequence[Account]) -> Account | None:
    """The likely account for a cash-book name: of the active accounts whose name the text
    contains and the SUGGESTIONS keywords it contains (whole words), the longest phrase wins
    (“Bunga bank” is 5-906, not 1-102 Bank; “Penjualan apotek desa” is 4-401, not 4-101)."""
    words = _words(name)
    if not words.strip():
        return None
    usable = [a for a in accounts if a.is_active and not is_cash_book_account(a)]
    by_code = {a.code: a for a in usable}
    found: list[tuple[int, int, Account]] = []
    for account in usable:
        phrase = _words(account.name)
        if phrase.strip() and phrase in words:
            found.append((len(phrase), 1 if account.cooperative_id else 0, account))
    for keyword, code in SUGGESTIONS:
        if f" {keyword} " in words and code in by_code:
            found.append((len(keyword) + 2, 0, by_code[code]))
    if not found:
        return None
    return max(found, key=lambda item: (item[0], item[1]))[2]


@dataclass
class PendingName:
    """The pending rows under one account name."""

    name: str
    key: str
    rows: int = 0
    received: int = 0
    paid: int = 0
    account: Account | None = None  # the remembered account; None when the name is new
    suggestion: Account | None = None

    @property
    def subledger(self) -> bool:
        return bool(self.account and self.account.control)


@dataclass
class PendingBook:
    """The cash-book rows not in the journal yet, by account name."""

    known: list[PendingName] = field(default_factory=list)
    unknown: list[PendingName] = field(default_factory=list)
    unnamed: PendingName | None = None  # rows without any account name
    first_date: datetime.date | None = None
    last_date: datetime.date | None = None
    # Rows the journal will refuse whatever their names: in a closed month, or in the future.
    in_closed_months: list[datetime.date] = field(default_factory=list)
    future_rows: int = 0

    @property
    def rows(self) -> int:
        every = [*self.known, *self.unknown, *([self.unnamed] if self.unnamed else [])]
        return sum(name.rows for name in every)

    @property
    def received(self) -> int:
        every = [*self.known, *self.unknown, *([self.unnamed] if self.unnamed else [])]
        return sum(name.received for name in every)

    @property
    def paid(self) -> int:
        every = [*self.known, *self.unknown, *([self.unnamed] if self.unnamed else [])]
        return sum(name.paid for name in every)

    @property
    def unknown_count(self) -> int:
        return len(self.unknown) + (1 if self.unnamed else 0)


def cashbook_pending(
    cooperative: Cooperative, *, import_run: Any = None, suggest: bool = True
) -> PendingBook:
    """The pending rows (of `import_run`, or all) grouped by account name — one aggregate
    query, however many rows — each name known (with its remembered account) or new (with a
    suggested account). Rows a loan repayment was matched from are left out: they wait for
    nothing but the next posting."""
    rows = CashBookEntry.objects.filter(
        cooperative=cooperative, book_status=CashBookStatus.PENDING
    ).exclude(Exists(live_repayments().filter(cash_book_entry=OuterRef("pk"))))
    if import_run is not None:
        rows = rows.filter(import_run=import_run)
    grouped = (
        rows.values("account")
        .annotate(
            n=Count("id"),
            received=Sum("debit"),
            paid=Sum("credit"),
            first=Min("date"),
            last=Max("date"),
        )
        .order_by()
    )
    mapped = mapped_accounts(cooperative)
    names: dict[str, PendingName] = {}
    book = PendingBook()
    for group in grouped:
        key = account_name_key(group["account"])
        item = names.get(key)
        if item is None:
            item = names[key] = PendingName(name=group["account"].strip(), key=key)
        item.rows += group["n"]
        item.received += int(group["received"] or 0)
        item.paid += int(group["paid"] or 0)
        book.first_date = min(filter(None, (book.first_date, group["first"])), default=None)
        book.last_date = max(filter(None, (book.last_date, group["last"])), default=None)
    accounts = list(chart_accounts(cooperative).filter(is_active=True)) if suggest else []
    for key, item in sorted(names.items(), key=lambda pair: pair[1].name.casefold()):
        if not key:
            book.unnamed = item
            continue
        item.account = mapped.get(key)
        if item.account is not None:
            book.known.append(item)
        else:
            item.suggestion = suggest_account(item.name, accounts) if suggest else None
            book.unknown.append(item)
    if suggest and book.first_date is not None:
        _blocked(cooperative, rows, book)
    return book


def _blocked(cooperative: Cooperative, rows: QuerySet[CashBookEntry], book: PendingBook) -> None:
    """Say which closed months hold pending rows, and how many rows are dated in the future."""
    assert book.first_date is not None and book.last_date is not None
    closed = ClosedPeriod.objects.filter(
        cooperative=cooperative,
        month__gte=book.first_date.replace(day=1),
        month__lte=book.last_date,
    ).values_list("month", flat=True)
    book.in_closed_months = [
        month
        for month in closed
        if rows.filter(date__gte=month, date__lte=_month_end(month)).exists()
    ]
    book.future_rows = rows.filter(date__gt=timezone.localdate()).count()


@dataclass(frozen=True)
class Reconciliation:
    """For one account fed by a member-level book, in one month: what the cash book says went
    through it (rows counted through the sub-ledger, receipts less payments) against the money
    the savings or loan book moved for it in the journal (its entries' Kas and Bank lines)."""

    control: str
    label: str
    cash_book: int
    books: int

    @property
    def difference(self) -> int:
        return self.cash_book - self.books


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def cashbook_reconciliation(
    cooperative: Cooperative, *, month: datetime.date
) -> list[Reconciliation]:
    """Per control account (savings pokok, wajib, sukarela, loans to members, bank loans) for
    the month of `month`: the cash-book rows counted through its sub-ledger against what the
    savings and loan books posted. A difference means a movement written in one book and not
    the other. Three aggregate queries, however many rows and lines."""
    start = month.replace(day=1)
    end = _month_end(start)
    mapped = mapped_accounts(cooperative)
    cash_side: Counter[str] = Counter()
    grouped = (
        CashBookEntry.objects.filter(
            cooperative=cooperative,
            book_status=CashBookStatus.SUBLEDGER,
            date__gte=start,
            date__lte=end,
        )
        .values("account")
        .annotate(received=Sum("debit"), paid=Sum("credit"))
        .order_by()
    )
    for group in grouped:
        account = mapped.get(account_name_key(group["account"]))
        if account is not None and account.control:
            cash_side[account.control] += int(group["received"] or 0) - int(group["paid"] or 0)
    # Money received on member loans through matched repayments: those rows are posted by
    # the loan, not counted through the sub-ledger, but they are the same money.
    matched = live_repayments().filter(
        cash_book_entry__cooperative=cooperative,
        cash_book_entry__book_status=CashBookStatus.LOAN_REPAYMENT,
        cash_book_entry__date__gte=start,
        cash_book_entry__date__lte=end,
    )
    cash_side[AccountControl.MEMBER_LOANS.value] += int(
        matched.aggregate(total=Sum("amount"))["total"] or 0
    )
    # The cash lines of every entry (not from the cash book) that touches a control account:
    # what the sub-ledger's own movements brought in or paid out. Summed here, not in
    # finance.balances, because it asks per entry which control it touched.
    controls = [control.value for control in AccountControl if control.value]
    sums: dict[str, Any] = {}
    for control in controls:
        touching = Exists(
            JournalLine.objects.filter(entry=OuterRef("entry"), account__control=control)
        )
        sums[f"{control}_debit"] = Sum("debit", filter=Q(touching))
        sums[f"{control}_credit"] = Sum("credit", filter=Q(touching))
    totals = (
        JournalLine.objects.filter(
            cooperative=cooperative, date__gte=start, date__lte=end, account__is_cash=True
        )
        .exclude(entry__source=EntrySource.CASH_BOOK)
        .aggregate(**sums)
    )
    books_side = {
        control: int(totals[f"{control}_debit"] or 0) - int(totals[f"{control}_credit"] or 0)
        for control in controls
    }
    return [
        Reconciliation(
            control=control.value,
            label=str(control.label),
            cash_book=cash_side[control.value],
            books=books_side[control.value],
        )
        for control in AccountControl
        if control.value
    ]


def cashbook_unknown_names(cooperative: Cooperative, *, import_run: Any = None) -> int:
    """How many account names among the pending rows (of `import_run`) are not mapped yet,
    rows without a name counting as one."""
    return cashbook_pending(cooperative, import_run=import_run, suggest=False).unknown_count
