"""Balanced journal entries: the one way anything enters the books."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperatives.models import Cooperative, Member
from website.templatetags.kopdes import rupiah

from ..enums import EntrySource
from ..models import Account, ClosedPeriod, JournalEntry, JournalLine
from ..selectors import accounts_by_code


class JournalError(ValidationError):
    """An entry cannot be posted as asked; nothing was written."""


class UnbalancedEntryError(JournalError):
    """Debits and credits differ."""


class ClosedPeriodError(JournalError):
    """The entry's month is closed."""


@dataclass(frozen=True)
class Line:
    """One side of an entry to post: an account (code or Account) and a debit or a credit."""

    account: str | Account
    debit: int = 0
    credit: int = 0
    member: Member | int | None = None
    memo: str = ""
    # The business unit, when not the account's own (a shared cash account used by one unit).
    business_unit: str | None = None


@dataclass
class EntryDraft:
    date: datetime.date
    description: str
    lines: Sequence[Line]
    source: str = EntrySource.MANUAL
    source_key: str = ""
    reverses: JournalEntry | None = None
    # Filled in by checking.
    resolved: list[JournalLine] = field(default_factory=list)


def _month(date: datetime.date) -> datetime.date:
    return date.replace(day=1)


def closed_months(cooperative: Cooperative, dates: Sequence[datetime.date]) -> set[datetime.date]:
    months = {_month(d) for d in dates}
    return set(
        ClosedPeriod.objects.filter(cooperative=cooperative, month__in=months).values_list(
            "month", flat=True
        )
    )


def _member_id(member: Member | int | None) -> int | None:
    if member is None:
        return None
    return member if isinstance(member, int) else member.pk


def _check(
    cooperative: Cooperative,
    draft: EntryDraft,
    accounts: dict[str, Account],
    closed: set[datetime.date],
    members: set[int],
) -> None:
    """Resolve the draft's lines, or raise JournalError saying what is wrong."""
    label = draft.description or str(draft.date)
    if draft.date > timezone.localdate():
        raise JournalError(
            _("“%(entry)s” is dated %(date)s, in the future.")
            % {"entry": label, "date": draft.date.strftime("%d-%m-%Y")},
            code="future_date",
        )
    if _month(draft.date) in closed:
        raise ClosedPeriodError(
            _(
                "The books of %(month)s are closed: “%(entry)s” cannot be posted into them. Ask "
                "the regency or province officer to reopen the month, or date the entry in an "
                "open month."
            )
            % {"month": draft.date.strftime("%m/%Y"), "entry": label},
            code="period_closed",
        )
    if len(draft.lines) < 2:
        raise JournalError(
            _("An entry needs at least one debit and one credit line."), code="too_few_lines"
        )
    debit = credit = 0
    resolved: list[JournalLine] = []
    for number, line in enumerate(draft.lines, start=1):
        account = line.account
        if isinstance(account, str):
            found = accounts.get(account)
            if found is None:
                raise JournalError(
                    _("Line %(n)s: there is no account %(code)s in this cooperative's chart.")
                    % {"n": number, "code": account},
                    code="unknown_account",
                )
            account = found
        elif account.cooperative_id not in (None, cooperative.pk):
            raise JournalError(
                _("Line %(n)s: account %(code)s belongs to another cooperative.")
                % {"n": number, "code": account.code},
                code="foreign_account",
            )
        if not account.is_active:
            raise JournalError(
                _("Line %(n)s: account %(code)s is no longer in use.")
                % {"n": number, "code": account.code},
                code="inactive_account",
            )
        amounts = (line.debit, line.credit)
        if any(not isinstance(a, int) or isinstance(a, bool) or a < 0 for a in amounts) or (
            (line.debit > 0) == (line.credit > 0)
        ):
            raise JournalError(
                _("Line %(n)s: give either a debit or a credit, a whole Rupiah amount above zero.")
                % {"n": number},
                code="line_amount",
            )
        member_id = _member_id(line.member)
        if member_id is not None and member_id not in members:
            raise JournalError(
                _("Line %(n)s: the member is not a member of this cooperative.") % {"n": number},
                code="foreign_member",
            )
        debit += line.debit
        credit += line.credit
        resolved.append(
            JournalLine(
                cooperative=cooperative,
                date=draft.date,
                account=account,
                debit=line.debit,
                credit=line.credit,
                business_unit=account.business_unit
                if line.business_unit is None
                else line.business_unit,
                member_id=member_id,
                memo=line.memo[:255],
            )
        )
    if debit != credit:
        raise UnbalancedEntryError(
            _(
                "“%(entry)s” does not balance: debits %(debit)s, credits %(credit)s "
                "(difference %(diff)s). Nothing was posted."
            )
            % {
                "entry": label,
                "debit": rupiah(debit),
                "credit": rupiah(credit),
                "diff": rupiah(abs(debit - credit)),
            },
            code="unbalanced",
        )
    draft.resolved = resolved


def _members_named(cooperative: Cooperative, drafts: Sequence[EntryDraft]) -> set[int]:
    ids = {_member_id(line.member) for d in drafts for line in d.lines} - {None}
    if not ids:
        return set()
    return set(
        Member.objects.filter(cooperative=cooperative, pk__in=ids).values_list("pk", flat=True)
    )


@transaction.atomic
def journal_post_many(
    *, cooperative: Cooperative, drafts: Sequence[EntryDraft], by: Any = None
) -> list[JournalEntry]:
    """Post several entries all together or none: every draft is checked first (balanced,
    accounts of this chart, open months, no future dates), then numbered and written.

    A draft whose `source_key` was posted before is not posted again: its earlier entry is
    returned in its place. Raises JournalError (or a subclass) naming the first problem."""
    # Serialise numbering per cooperative: two posts at once must not take the same number.
    Cooperative.objects.select_for_update().filter(pk=cooperative.pk).first()
    keys = [d.source_key for d in drafts if d.source_key]
    earlier = {
        e.source_key: e
        for e in JournalEntry.objects.filter(cooperative=cooperative, source_key__in=keys)
    }
    # A key repeated within `drafts` is posted once too: the first draft with it wins.
    first: dict[str, EntryDraft] = {}
    fresh = []
    for draft in drafts:
        if draft.source_key:
            if draft.source_key in earlier or draft.source_key in first:
                continue
            first[draft.source_key] = draft
        fresh.append(draft)
    if fresh:
        accounts = accounts_by_code(cooperative)
        closed = closed_months(cooperative, [d.date for d in fresh])
        members = _members_named(cooperative, fresh)
        for draft in fresh:
            _check(cooperative, draft, accounts, closed, members)
        last = (
            JournalEntry.objects.filter(cooperative=cooperative).aggregate(n=Max("number"))["n"]
            or 0
        )
        entries = [
            JournalEntry(
                cooperative=cooperative,
                number=last + index,
                date=draft.date,
                description=draft.description[:255],
                source=draft.source,
                source_key=draft.source_key,
                reverses=draft.reverses,
                posted_by=by if getattr(by, "pk", None) else None,
            )
            for index, draft in enumerate(fresh, start=1)
        ]
        JournalEntry.objects.bulk_create(entries, batch_size=500)
        lines = []
        for entry, draft in zip(entries, fresh, strict=True):
            for line in draft.resolved:
                line.entry = entry
                lines.append(line)
        JournalLine.objects.bulk_create(lines, batch_size=500)
        created = {id(d): e for d, e in zip(fresh, entries, strict=True)}
    else:
        created = {}
    return [
        created[id(d)]
        if id(d) in created
        else earlier.get(d.source_key) or created[id(first[d.source_key])]
        for d in drafts
    ]


def journal_post(
    *,
    cooperative: Cooperative,
    date: datetime.date,
    description: str,
    lines: Sequence[Line],
    source: str = EntrySource.MANUAL,
    source_key: str = "",
    by: Any = None,
) -> JournalEntry:
    """Post one balanced entry. Raises UnbalancedEntryError when debits and credits differ,
    ClosedPeriodError when its month is closed, JournalError for any other wrong line."""
    draft = EntryDraft(
        date=date, description=description, lines=lines, source=source, source_key=source_key
    )
    return journal_post_many(cooperative=cooperative, drafts=[draft], by=by)[0]


@transaction.atomic
def journal_reverse(
    *, entry: JournalEntry, by: Any, date: datetime.date | None = None, reason: str = ""
) -> JournalEntry:
    """Post the mirror image of `entry` (each debit a credit and back), dated `date` or today.
    Raises JournalError when the entry was already reversed or is itself a reversal."""
    locked = JournalEntry.objects.select_for_update().get(pk=entry.pk)
    if JournalEntry.objects.filter(reverses=locked).exists():
        raise JournalError(
            _("%(ref)s was already reversed.") % {"ref": locked.reference}, code="reversed"
        )
    if locked.reverses_id is not None:
        raise JournalError(
            _("%(ref)s is itself a reversal; post a new entry instead.")
            % {"ref": locked.reference},
            code="reversal_of_reversal",
        )
    lines = [
        Line(
            account=line.account,
            debit=line.credit,
            credit=line.debit,
            member=line.member_id,
            memo=line.memo,
            business_unit=line.business_unit,
        )
        for line in locked.lines.select_related("account")
    ]
    description = _("Reversal of %(ref)s") % {"ref": locked.reference}
    if reason:
        description = f"{description}: {reason}"
    draft = EntryDraft(
        date=date or timezone.localdate(),
        description=description,
        lines=lines,
        source=EntrySource.REVERSAL,
        source_key=f"reversal:{locked.pk}",
        reverses=locked,
    )
    return journal_post_many(cooperative=locked.cooperative, drafts=[draft], by=by)[0]
