"""The imported cash book (Buku Kas Umum) into the journal, through the account-mapping table.

Each row of the cash book is money received (debit) or paid out (credit) under the village's own
account name (“Penjualan pulsa”, “Bayar listrik”). The operator maps each new name once onto the
chart (`cashbook_map_and_post`); from then on the name is remembered and the rows post by
themselves (`cashbook_post`, tried after every cash-book import):

- a receipt posts Dr 1-101 Kas / Cr the mapped account; a payment Dr the mapped account / Cr Kas;
- a row mapped to an account fed by a member-level book (savings, loans to members, bank loans:
  `Account.control`) is not posted from the cash book: it is counted through that book
  (SUBLEDGER), so that a deposit written in both the cash book and the savings book counts once;
- a row a loan repayment was matched from (`Repayment.cash_book_entry`) is posted by the loan
  (LOAN_REPAYMENT, see finance.services.loans);
- the pending rows post all together or none: one unknown account name, a row in a closed month
  or dated in the future, and nothing is posted.

The reads the portal page shows (what waits, the reconciliation) are in finance.cashbook.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperatives.models import Cooperative

from .. import chart
from ..cashbook import is_cash_book_account, live_repayments
from ..enums import CashBookStatus, EntrySource
from ..models import Account, AccountMapping, CashBookEntry, JournalEntry
from ..selectors import account_name_key, mapped_accounts
from .accounts import account_mapping_confirm
from .journal import EntryDraft, Line, closed_months, journal_post_many, journal_reverse

# --- Errors ---------------------------------------------------------------------------------


class UnknownAccountNamesError(ValidationError):
    """Some rows' account names are not mapped onto the chart yet; nothing was posted.
    `names` holds each unknown name (as first written; "" for rows without a name) and how many
    rows carry it."""

    def __init__(self, names: dict[str, int]) -> None:
        self.names = names
        shown = ", ".join(_name_with_rows(name, rows) for name, rows in names.items())
        message = ngettext(
            "%(n)s account name in the cash book is not mapped to the chart yet: %(names)s. "
            "Choose its account; nothing was posted.",
            "%(n)s account names in the cash book are not mapped to the chart yet: %(names)s. "
            "Choose their accounts; nothing was posted.",
            len(names),
        ) % {"n": len(names), "names": shown}
        super().__init__(message, code="unknown_account_names")


def _name_with_rows(name: str, rows: int) -> str:
    if not name:
        return ngettext("no account name (%(n)s row)", "no account name (%(n)s rows)", rows) % {
            "n": rows
        }
    return ngettext("“%(name)s” (%(n)s row)", "“%(name)s” (%(n)s rows)", rows) % {
        "name": name,
        "n": rows,
    }


def _refuse_cash(account: Account, name: str) -> None:
    if is_cash_book_account(account):
        raise ValidationError(
            _(
                "“%(name)s” cannot be mapped to %(account)s: the cash book is Kas itself. "
                "Choose what the money was received or paid for."
            )
            % {"name": name, "account": account},
            code="cash_account_mapping",
        )


# --- Posting ----------------------------------------------------------------------------------


@dataclass
class CashBookPosting:
    """What one `cashbook_post` did."""

    posted: list[CashBookEntry] = field(default_factory=list)
    subledger: list[CashBookEntry] = field(default_factory=list)
    loan_repayments: list[CashBookEntry] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.posted) + len(self.subledger) + len(self.loan_repayments)


def fresh_source_key(cooperative: Cooperative, base: str) -> str:
    """`base`, or `base:2`, `base:3`… when a row is posted again after its entry was reversed
    (a corrected amount, a repayment cancelled): posting under a used key would only find the
    earlier entry."""
    taken = set(
        JournalEntry.objects.filter(
            Q(source_key=base) | Q(source_key__startswith=f"{base}:"), cooperative=cooperative
        ).values_list("source_key", flat=True)
    )
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}:{number}"
    return key


def cash_book_draft(
    row: CashBookEntry, account: Account, *, amount: int | None = None
) -> EntryDraft:
    """The entry of one cash-book row against `account` (Kas on the other side); `amount`
    replaces the row's own (the rest of a row partly matched to a loan repayment)."""
    receipt = row.debit > 0
    value = amount if amount is not None else (row.debit if receipt else row.credit)
    memo = row.voucher_no
    if receipt:
        lines = [
            Line(account=chart.CASH, debit=value, memo=memo),
            Line(account=account, credit=value, memo=memo),
        ]
    else:
        lines = [
            Line(account=account, debit=value, memo=memo),
            Line(account=chart.CASH, credit=value, memo=memo),
        ]
    description = " · ".join(part for part in (row.voucher_no, row.description) if part)
    return EntryDraft(
        date=row.date,
        description=description,
        lines=lines,
        source=EntrySource.CASH_BOOK,
    )


@transaction.atomic
def cashbook_post(
    *,
    cooperative: Cooperative,
    entries: Iterable[CashBookEntry] | None = None,
    import_run: Any = None,
    by: Any,
) -> CashBookPosting:
    """Post the cooperative's pending cash-book rows — the given `entries`, or those of
    `import_run`, or all — all together or none (see the module's docstring for what each row
    becomes).

    Raises UnknownAccountNamesError (code "unknown_account_names") listing every name not
    mapped yet with its number of rows; ValidationError "cash_account_mapping" for a name mapped
    to Kas itself; ClosedPeriodError for a row in a closed month and JournalError for a row
    dated in the future or an account no longer in use. Nothing is written when it raises."""
    # Lock the rows: two confirmations at once (or an import's posting racing the page) must
    # not both find a row pending and post it twice.
    rows_qs = CashBookEntry.objects.select_for_update().filter(
        cooperative=cooperative, book_status=CashBookStatus.PENDING
    )
    if entries is not None:
        rows_qs = rows_qs.filter(pk__in=[entry.pk for entry in entries])
    elif import_run is not None:
        rows_qs = rows_qs.filter(import_run=import_run)
    rows = list(rows_qs.order_by("date", "id"))
    result = CashBookPosting()
    if not rows:
        return result
    pending_ids = CashBookEntry.objects.filter(
        cooperative=cooperative, book_status=CashBookStatus.PENDING
    ).values("pk")
    # A subquery, not a list of ids: SQLite takes 999 parameters at most.
    repaid = set(
        live_repayments()
        .filter(cash_book_entry__in=pending_ids)
        .values_list("cash_book_entry_id", flat=True)
    )
    mapped = mapped_accounts(cooperative)
    unknown: Counter[str] = Counter()
    first_written: dict[str, str] = {}
    to_post: list[tuple[CashBookEntry, Account]] = []
    for row in rows:
        if row.pk in repaid:
            row.book_status = CashBookStatus.LOAN_REPAYMENT
            result.loan_repayments.append(row)
            continue
        key = account_name_key(row.account)
        account = mapped.get(key) if key else None
        if account is None:
            name = first_written.setdefault(key, row.account.strip() if key else "")
            unknown[name] += 1
            continue
        _refuse_cash(account, row.account)
        if account.control:
            row.book_status = CashBookStatus.SUBLEDGER
            result.subledger.append(row)
        else:
            to_post.append((row, account))
    if unknown:
        raise UnknownAccountNamesError(dict(sorted(unknown.items(), key=lambda i: i[0].casefold())))
    drafts = []
    for row, account in to_post:
        draft = cash_book_draft(row, account)
        draft.source_key = f"cashbook:{row.pk}"
        drafts.append(draft)
    _fresh_keys(cooperative, drafts)
    posted = journal_post_many(cooperative=cooperative, drafts=drafts, by=by)
    for (row, _account), entry in zip(to_post, posted, strict=True):
        row.book_status = CashBookStatus.POSTED
        row.journal_entry = entry
        result.posted.append(row)
    CashBookEntry.objects.bulk_update(rows, ["book_status", "journal_entry"], batch_size=500)
    return result


def _fresh_keys(cooperative: Cooperative, drafts: Sequence[EntryDraft]) -> None:
    """Give a new key to the few drafts whose row was posted before (and reversed since)."""
    keys = [draft.source_key for draft in drafts]
    used: set[str] = set()
    for start in range(0, len(keys), 500):  # SQLite's older builds take 999 parameters at most
        used.update(
            JournalEntry.objects.filter(
                cooperative=cooperative, source_key__in=keys[start : start + 500]
            ).values_list("source_key", flat=True)
        )
    for draft in drafts:
        if draft.source_key in used:
            draft.source_key = fresh_source_key(cooperative, draft.source_key)


@transaction.atomic
def cashbook_map_and_post(
    *,
    cooperative: Cooperative,
    mappings: dict[str, Account],
    by: Any,
    import_run: Any = None,
) -> CashBookPosting:
    """Remember each cash-book account name in `mappings` as its account (see
    `account_mapping_confirm`), then post the pending rows (of `import_run`, or all) with
    `cashbook_post`: one transaction, so a refused posting forgets the new names too.

    Raises what `cashbook_post` raises, and ValidationError for a name mapped to Kas itself or
    to an account outside the cooperative's chart."""
    for name, account in mappings.items():
        _refuse_cash(account, name)
        account_mapping_confirm(cooperative=cooperative, name=name, account=account, by=by)
    return cashbook_post(cooperative=cooperative, import_run=import_run, by=by)


@transaction.atomic
def cashbook_mapping_change(
    *, cooperative: Cooperative, mapping: AccountMapping, account: Account, by: Any
) -> AccountMapping:
    """Point a remembered cash-book name at another account. Rows already posted keep their
    entries (posted entries never change); only rows posted from now on use the new account.
    Raises ValidationError for Kas itself or an account outside the cooperative's chart."""
    if mapping.cooperative_id != cooperative.pk:
        raise ValidationError(_("This name is not one of this cooperative's."), code="foreign")
    _refuse_cash(account, mapping.name)
    return account_mapping_confirm(
        cooperative=cooperative, name=mapping.name, account=account, by=by
    )


@transaction.atomic
def cashbook_rows_changed(
    *, cooperative: Cooperative, entries: Iterable[CashBookEntry], by: Any
) -> int:
    """Rows an import corrected (amount, account or description of a known voucher): the
    entry a posted row made is reversed — dated as it was, or today when that month is closed —
    and the row waits to be posted again as it reads now; a row counted through a sub-ledger is
    looked at again. Rows posted as loan repayments stay as they are (the repayment is the
    record). Returns how many rows wait again."""
    ids = [entry.pk for entry in entries]
    if not ids:
        return 0
    rows = list(
        # of=self: PostgreSQL cannot lock the nullable side of the join to the entry.
        CashBookEntry.objects.select_for_update(of=("self",))
        .filter(
            cooperative=cooperative,
            pk__in=ids,
            book_status__in=[CashBookStatus.POSTED, CashBookStatus.SUBLEDGER],
        )
        .select_related("journal_entry")
    )
    for row in rows:
        _reverse_once(row.journal_entry, by=by, reason=_("the cash book row was corrected"))
        row.book_status = CashBookStatus.PENDING
        row.journal_entry = None
    CashBookEntry.objects.bulk_update(rows, ["book_status", "journal_entry"])
    return len(rows)


def _reverse_once(entry: JournalEntry | None, *, by: Any, reason: str) -> None:
    """Reverse `entry` unless it is None or reversed already: dated as it was, so that its
    month nets to nothing, or today when that month is closed."""
    if entry is None or JournalEntry.objects.filter(reverses=entry).exists():
        return
    closed = closed_months(entry.cooperative, [entry.date])
    journal_reverse(entry=entry, by=by, date=None if closed else entry.date, reason=reason)


@transaction.atomic
def cashbook_row_settle(*, row: CashBookEntry, by: Any) -> CashBookEntry:
    """Put a cash-book row in line with the loan repayments matched from it (called by the
    loans' posting when a repayment is recorded or cancelled; the caller locked the row).

    With live repayments the row is a LOAN_REPAYMENT: the loan posts the money, so the entry
    the row had made on its own is reversed — the money counts once. When the repayments
    cover less than the row received, the rest is posted as the row's own account says (Dr
    Kas / Cr that account) when its name is mapped to an account outside the sub-ledgers;
    otherwise the rest stays out of the journal (the reconciliation shows it). Without live
    repayments any more (the last one was cancelled) the row waits again as PENDING, to be
    posted from the cash book or matched again. Raises ClosedPeriodError when the rest falls
    in a closed month."""
    _reverse_once(row.journal_entry, by=by, reason=_("the row is a loan repayment"))
    row.journal_entry = None
    repaid = int(
        live_repayments().filter(cash_book_entry=row).aggregate(total=Sum("amount"))["total"] or 0
    )
    if not repaid:
        row.book_status = CashBookStatus.PENDING
    else:
        row.book_status = CashBookStatus.LOAN_REPAYMENT
        rest = row.debit - repaid
        account = mapped_accounts(row.cooperative).get(account_name_key(row.account))
        if (
            rest > 0
            and account is not None
            and not account.control
            and not is_cash_book_account(account)
        ):
            draft = cash_book_draft(row, account, amount=rest)
            draft.source_key = fresh_source_key(row.cooperative, f"cashbook:{row.pk}")
            row.journal_entry = journal_post_many(
                cooperative=row.cooperative, drafts=[draft], by=by
            )[0]
    row.save(update_fields=["book_status", "journal_entry"])
    return row


def cashbook_import_applied(
    *, run: Any, changed: Sequence[CashBookEntry] = (), by: Any = None
) -> CashBookPosting | None:
    """After a cash-book import is written: put the corrected rows back in line, then try to
    post the import's rows. A posting that is refused (new account names, a closed month)
    leaves the rows pending for the portal's cash-book page, and the import stands. Returns
    what was posted, or None when it was refused."""
    cooperative = run.cooperative
    by = by or run.confirmed_by or run.uploaded_by
    cashbook_rows_changed(cooperative=cooperative, entries=changed, by=by)
    try:
        with transaction.atomic():
            return cashbook_post(cooperative=cooperative, import_run=run, by=by)
    except ValidationError:
        return None


__all__ = [
    "CashBookPosting",
    "UnknownAccountNamesError",
    "cashbook_import_applied",
    "cashbook_map_and_post",
    "cashbook_mapping_change",
    "cashbook_post",
    "cashbook_row_settle",
    "cashbook_rows_changed",
]
