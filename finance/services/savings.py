"""Members' savings (simpanan) into the books: every movement is a SavingsTransaction and the
journal entry it posts, written together or not at all.

- a deposit posts Dr 1-101 Kas / Cr 3-101 simpanan pokok, 3-102 simpanan wajib or 2-101
  simpanan sukarela; a withdrawal the other way round. The savings line names the member (the
  SHU's jasa modal and the national member lists read each member's savings from those lines).
  Source "savings", key "savings:<pk>" ("savings:<pk>:2"… when a corrected movement is posted
  again after its first entry was reversed).

The rules (`SavingsRules`), the same for the portal, the API and the savings-book import:

- a movement is a deposit or a withdrawal of one kind of savings, a whole Rupiah amount;
- the member is of this cooperative; the date is not in the future, not before the member
  joined, and not in a closed month;
- simpanan pokok and wajib are the member's share in the cooperative's capital: they cannot be
  withdrawn while the person is an ACTIVE member (UU 25/1992; the KDMP model AD/ART). Once the
  membership has ended they are paid back, up to the balance;
- nothing is withdrawn beyond the balance;
- simpanan pokok is paid once: the pokok deposits of a member may not exceed the cooperative's
  policy (`SavingsPolicy.pokok_amount`, in one payment or in parts); without a policy a second
  pokok deposit is refused once a pokok balance exists.

The reads (balances, the passbook, wajib arrears) are in finance.savings.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperatives.enums import MemberStatus
from cooperatives.models import Cooperative, Member
from website.templatetags.kopdes import rupiah

from .. import chart
from ..enums import LOCKED_WHILE_MEMBER, EntrySource, SavingsSource, SavingsType
from ..models import ClosedPeriod, JournalEntry, JournalLine, SavingsPolicy, SavingsTransaction
from ..selectors import chart_accounts
from .journal import ClosedPeriodError, EntryDraft, Line, journal_post_many, journal_reverse

# The account each kind of savings is kept on.
SAVINGS_ACCOUNTS = {
    SavingsType.POKOK: chart.PRINCIPAL_SAVINGS,
    SavingsType.WAJIB: chart.COMPULSORY_SAVINGS,
    SavingsType.SUKARELA: chart.VOLUNTARY_SAVINGS,
}
_TEXT_LIMITS = {"receipt_no": 40, "description": 255}


def savings_name(savings_type: str) -> str:
    """“simpanan wajib”, as written inside a sentence."""
    return str(SavingsType(savings_type).label).lower()


def _day(date: datetime.date) -> str:
    return date.strftime("%d-%m-%Y")


# --- The rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a movement cannot be written: `field` is the value at fault ("member", "date",
    "deposit", "withdrawal"), `code` the reason."""

    field: str
    code: str
    message: str


@dataclass(frozen=True)
class MemberFacts:
    name: str
    status: str
    join_date: datetime.date


class SavingsRules:
    """What the movements of one cooperative must respect, loaded once (a few aggregate
    queries, whatever the number of members) and kept up to date as movements are accepted:
    `refusals` says what is wrong with one movement, `record` counts an accepted one in (or,
    with `undo`, a stored one out, for a correction)."""

    def __init__(
        self,
        *,
        policy: SavingsPolicy | None,
        members: dict[int, MemberFacts],
        balances: dict[tuple[int, str], int] | None = None,
        pokok_paid: dict[int, int] | None = None,
        closed: Iterable[datetime.date] = (),
        today: datetime.date | None = None,
        unusable_accounts: Iterable[str] = (),
    ) -> None:
        self.policy = policy
        self.members = members
        self.balances = dict(balances or {})
        self.pokok_paid = dict(pokok_paid or {})
        self.closed = frozenset(closed)
        self.today = today or timezone.localdate()
        self.unusable_accounts = sorted(unusable_accounts)

    @classmethod
    def load(cls, cooperative: Cooperative, *, member: Member | None = None) -> "SavingsRules":
        """The rules of `cooperative` with its savings as stored now (of `member` only, when
        given)."""
        members = Member.objects.filter(cooperative=cooperative)
        movements = SavingsTransaction.objects.filter(cooperative=cooperative)
        if member is not None:
            members = members.filter(pk=member.pk)
            movements = movements.filter(member=member)
        facts = {
            pk: MemberFacts(name, status, join_date)
            for pk, name, status, join_date in members.values_list(
                "pk", "name", "status", "join_date"
            )
        }
        balances: dict[tuple[int, str], int] = {}
        pokok_paid: dict[int, int] = {}
        for row in (
            movements.values("member_id", "savings_type")
            .annotate(deposits=Sum("deposit"), withdrawals=Sum("withdrawal"))
            .order_by()
        ):
            deposits, withdrawals = int(row["deposits"] or 0), int(row["withdrawals"] or 0)
            balances[(row["member_id"], row["savings_type"])] = deposits - withdrawals
            if row["savings_type"] == SavingsType.POKOK:
                pokok_paid[row["member_id"]] = deposits
        usable = set(
            chart_accounts(cooperative)
            .filter(code__in=[chart.CASH, *SAVINGS_ACCOUNTS.values()], is_active=True)
            .values_list("code", flat=True)
        )
        return cls(
            policy=SavingsPolicy.objects.filter(cooperative=cooperative).first(),
            members=facts,
            balances=balances,
            pokok_paid=pokok_paid,
            closed=ClosedPeriod.objects.filter(cooperative=cooperative).values_list(
                "month", flat=True
            ),
            unusable_accounts={chart.CASH, *SAVINGS_ACCOUNTS.values()} - usable,
        )

    def balance(self, member_id: int, savings_type: str) -> int:
        return self.balances.get((member_id, savings_type), 0)

    def is_closed(self, date: datetime.date) -> bool:
        return date.replace(day=1) in self.closed

    def closed_message(self, date: datetime.date) -> str:
        return _(
            "The books of %(month)s are closed: no savings movement can be written into them. "
            "Ask the regency or province officer to reopen the month, or date the movement in "
            "an open month."
        ) % {"month": date.strftime("%m/%Y")}

    def refusals(
        self,
        *,
        member_id: int,
        savings_type: str,
        date: datetime.date,
        deposit: int = 0,
        withdrawal: int = 0,
    ) -> list[Refusal]:
        """Everything wrong with the movement, in the order a treasurer fixes them; empty
        when it may be written."""
        facts = self.members.get(member_id)
        if facts is None:
            return [
                Refusal(
                    "member",
                    "foreign_member",
                    _("This person is not a member of this cooperative."),
                )
            ]
        found: list[Refusal] = []
        if date > self.today:
            found.append(
                Refusal(
                    "date",
                    "date_future",
                    _("The date %(date)s is in the future.") % {"date": _day(date)},
                )
            )
        elif date < facts.join_date:
            found.append(
                Refusal(
                    "date",
                    "before_joining",
                    _(
                        "%(name)s joined on %(joined)s; a savings movement cannot be dated "
                        "before that (%(date)s)."
                    )
                    % {"name": facts.name, "joined": _day(facts.join_date), "date": _day(date)},
                )
            )
        if self.is_closed(date):
            found.append(Refusal("date", "period_closed", self.closed_message(date)))
        balance = self.balance(member_id, savings_type)
        if withdrawal:
            if savings_type in LOCKED_WHILE_MEMBER and facts.status == MemberStatus.ACTIVE:
                found.append(
                    Refusal(
                        "withdrawal",
                        "savings_locked",
                        _(
                            "%(savings)s cannot be withdrawn while %(name)s is a member: it is "
                            "paid back only when the membership ends. Only simpanan sukarela "
                            "can be withdrawn by a member."
                        )
                        % {"savings": SavingsType(savings_type).label, "name": facts.name},
                    )
                )
            elif withdrawal > balance:
                found.append(
                    Refusal(
                        "withdrawal",
                        "balance_exceeded",
                        _(
                            "%(name)s has %(balance)s of %(savings)s; %(amount)s cannot be "
                            "withdrawn."
                        )
                        % {
                            "name": facts.name,
                            "balance": rupiah(max(balance, 0)),
                            "savings": savings_name(savings_type),
                            "amount": rupiah(withdrawal),
                        },
                    )
                )
        if deposit and savings_type == SavingsType.POKOK:
            paid = self.pokok_paid.get(member_id, 0)
            if self.policy is not None and paid + deposit > self.policy.pokok_amount:
                found.append(
                    Refusal(
                        "deposit",
                        "pokok_exceeded",
                        _(
                            "Simpanan pokok is paid once: %(amount)s in all. %(name)s has paid "
                            "%(paid)s, so at most %(left)s more can be deposited, not "
                            "%(deposit)s."
                        )
                        % {
                            "amount": rupiah(self.policy.pokok_amount),
                            "name": facts.name,
                            "paid": rupiah(paid),
                            "left": rupiah(max(self.policy.pokok_amount - paid, 0)),
                            "deposit": rupiah(deposit),
                        },
                    )
                )
            elif self.policy is None and balance > 0:
                found.append(
                    Refusal(
                        "deposit",
                        "pokok_paid",
                        _(
                            "Simpanan pokok is paid once, and %(name)s has paid it already "
                            "(%(balance)s). Deposit simpanan wajib or sukarela instead."
                        )
                        % {"name": facts.name, "balance": rupiah(balance)},
                    )
                )
        return found

    def record(
        self,
        *,
        member_id: int,
        savings_type: str,
        deposit: int = 0,
        withdrawal: int = 0,
        undo: bool = False,
    ) -> None:
        """Count a movement in (or out, with `undo`) of the balances the next checks see."""
        sign = -1 if undo else 1
        key = (member_id, savings_type)
        self.balances[key] = self.balance(member_id, savings_type) + sign * (deposit - withdrawal)
        if savings_type == SavingsType.POKOK:
            self.pokok_paid[member_id] = self.pokok_paid.get(member_id, 0) + sign * deposit


def _available(member: Member, savings_type: str, date: datetime.date) -> int:
    """What may be withdrawn on `date`: the balance that day, and never more than the lowest
    balance after it (a withdrawal dated back must not take a later balance below zero)."""
    balance = on_date = 0
    lowest_after: int | None = None
    for day, deposit, withdrawal in (
        SavingsTransaction.objects.filter(member=member, savings_type=savings_type)
        .order_by("date", "id")
        .values_list("date", "deposit", "withdrawal")
    ):
        balance += deposit - withdrawal
        if day <= date:
            on_date = balance
        else:
            lowest_after = balance if lowest_after is None else min(lowest_after, balance)
    return on_date if lowest_after is None else min(on_date, lowest_after)


def _refuse(refusal: Refusal) -> ValidationError:
    error_class = ClosedPeriodError if refusal.code == "period_closed" else ValidationError
    return error_class(refusal.message, code=refusal.code)


def _check_shape(
    *,
    savings_type: str,
    deposit: Any,
    withdrawal: Any,
    receipt_no: str,
    description: str,
) -> None:
    if savings_type not in SavingsType.values:
        raise ValidationError(
            _("Choose simpanan pokok, wajib or sukarela."), code="savings_type_invalid"
        )
    amounts = (deposit, withdrawal)
    if any(not isinstance(a, int) or isinstance(a, bool) or a < 0 for a in amounts) or (
        (deposit > 0) == (withdrawal > 0)
    ):
        raise ValidationError(
            _(
                "A savings movement is either a deposit or a withdrawal: give one of them, a "
                "whole Rupiah amount above zero."
            ),
            code="amount_invalid",
        )
    for name, text in (("receipt_no", receipt_no), ("description", description)):
        if len(text) > _TEXT_LIMITS[name]:
            raise ValidationError(
                _("At most %(n)s characters (this one has %(count)s).")
                % {"n": _TEXT_LIMITS[name], "count": len(text)},
                code="too_long",
            )


# --- Posting ------------------------------------------------------------------------------------


def _lines(movement: SavingsTransaction) -> list[Line]:
    account = SAVINGS_ACCOUNTS[SavingsType(movement.savings_type)]
    memo = movement.receipt_no
    member = movement.member_id
    if movement.deposit:
        amount = movement.deposit
        return [
            Line(account=chart.CASH, debit=amount, memo=memo),
            Line(account=account, credit=amount, member=member, memo=memo),
        ]
    amount = movement.withdrawal
    return [
        Line(account=account, debit=amount, member=member, memo=memo),
        Line(account=chart.CASH, credit=amount, memo=memo),
    ]


def savings_draft(movement: SavingsTransaction, *, member_name: str = "") -> EntryDraft:
    """The journal entry of one savings movement (key "savings:<pk>")."""
    name = member_name or movement.member.name
    label = SavingsType(movement.savings_type).label
    if movement.deposit:
        description = _("%(savings)s deposited by %(name)s") % {"savings": label, "name": name}
    else:
        description = _("%(savings)s withdrawn by %(name)s") % {"savings": label, "name": name}
    parts = [description, movement.receipt_no, movement.description]
    return EntryDraft(
        date=movement.date,
        description=" · ".join(part for part in parts if part),
        lines=_lines(movement),
        source=EntrySource.SAVINGS,
        source_key=f"savings:{movement.pk}",
    )


def _signature(movement: SavingsTransaction) -> tuple[Any, ...]:
    """What the movement's entry must say: its date and its lines."""
    lines = _lines(movement)
    return (
        movement.date,
        frozenset((str(line.account), line.debit, line.credit, line.member) for line in lines),
    )


def _fresh_keys(cooperative: Cooperative, drafts: list[EntryDraft]) -> None:
    """A movement posted again after its first entry was reversed gets "savings:<pk>:2"…:
    under its used key the journal would only find the first entry."""
    for draft in drafts:
        base = draft.source_key
        taken = set(
            JournalEntry.objects.filter(
                Q(source_key=base) | Q(source_key__startswith=f"{base}:"), cooperative=cooperative
            ).values_list("source_key", flat=True)
        )
        key, number = base, 1
        while key in taken:
            number += 1
            key = f"{base}:{number}"
        draft.source_key = key


@transaction.atomic
def savings_record(
    *,
    cooperative: Cooperative,
    member: Member,
    savings_type: str,
    date: datetime.date,
    deposit: int = 0,
    withdrawal: int = 0,
    by: Any,
    source: str = SavingsSource.PORTAL,
    receipt_no: str = "",
    description: str = "",
) -> SavingsTransaction:
    """Write one deposit or withdrawal of `member`'s savings and post its journal entry, in
    one transaction (see the module's docstring for the entry and the rules).

    Raises ValidationError with a code, and writes nothing, when the movement breaks a rule:
    "amount_invalid", "savings_type_invalid", "too_long", "foreign_member", "date_future",
    "before_joining", "savings_locked" (pokok or wajib of an active member),
    "balance_exceeded", "pokok_exceeded" / "pokok_paid", "receipt_duplicate"; ClosedPeriodError
    ("period_closed") for a closed month, and what the journal raises."""
    receipt_no, description = (receipt_no or "").strip(), (description or "").strip()
    _check_shape(
        savings_type=savings_type,
        deposit=deposit,
        withdrawal=withdrawal,
        receipt_no=receipt_no,
        description=description,
    )
    if member.cooperative_id != cooperative.pk:
        raise ValidationError(
            _("This person is not a member of this cooperative."), code="foreign_member"
        )
    # Lock the cooperative (as the journal and the savings import do): two withdrawals at once
    # must not both find the balance that covers only one of them.
    Cooperative.objects.select_for_update().filter(pk=cooperative.pk).first()
    rules = SavingsRules.load(cooperative, member=member)
    if withdrawal:
        rules.balances[(member.pk, savings_type)] = _available(member, savings_type, date)
    refusals = rules.refusals(
        member_id=member.pk,
        savings_type=savings_type,
        date=date,
        deposit=deposit,
        withdrawal=withdrawal,
    )
    if refusals:
        raise _refuse(refusals[0])
    if (
        receipt_no
        and SavingsTransaction.objects.filter(
            cooperative=cooperative, receipt_no=receipt_no, savings_type=savings_type
        ).exists()
    ):
        raise ValidationError(
            _("Receipt no. %(receipt)s is already recorded for %(savings)s.")
            % {"receipt": receipt_no, "savings": savings_name(savings_type)},
            code="receipt_duplicate",
        )
    movement = SavingsTransaction.objects.create(
        cooperative=cooperative,
        member=member,
        date=date,
        savings_type=savings_type,
        deposit=deposit,
        withdrawal=withdrawal,
        receipt_no=receipt_no,
        description=description,
        source=source,
        recorded_by=by if getattr(by, "pk", None) else None,
    )
    entry = journal_post_many(
        cooperative=cooperative,
        drafts=[savings_draft(movement, member_name=member.name)],
        by=by,
    )[0]
    movement.journal_entry = entry
    movement.save(update_fields=["journal_entry"])
    return movement


@transaction.atomic
def savings_policy_set(
    *,
    cooperative: Cooperative,
    pokok_amount: int,
    wajib_amount: int,
    wajib_from: datetime.date,
    by: Any,
) -> SavingsPolicy:
    """Set the savings the cooperative's AD/ART asks of each member: simpanan pokok (once),
    simpanan wajib per month, billed from the month of `wajib_from` (stored as its first day).
    Raises ValidationError for an amount that is not a whole Rupiah amount of at least zero."""
    for name, amount in (("pokok_amount", pokok_amount), ("wajib_amount", wajib_amount)):
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise ValidationError(
                {
                    name: ValidationError(
                        _("Give a whole Rupiah amount, 0 or more."), code="amount_invalid"
                    )
                }
            )
    # Two keepers saving at once: the second waits and then replaces the first.
    policy = SavingsPolicy.objects.select_for_update().filter(cooperative=cooperative).first()
    policy = policy or SavingsPolicy(cooperative=cooperative)
    policy.pokok_amount = pokok_amount
    policy.wajib_amount = wajib_amount
    policy.wajib_from = wajib_from.replace(day=1)
    policy.full_clean()
    policy.save()
    return policy


@dataclass
class SavingsPosting:
    """What one `savings_post_imported` did."""

    posted: list[SavingsTransaction] = field(default_factory=list)  # first entries
    reposted: list[SavingsTransaction] = field(default_factory=list)  # corrected: reversed, new

    @property
    def count(self) -> int:
        return len(self.posted) + len(self.reposted)


def _locked_movements(
    import_run: Any, transactions: Iterable[SavingsTransaction] | None
) -> list[SavingsTransaction]:
    # of=self: PostgreSQL cannot lock the nullable side of the join to the entry.
    rows = SavingsTransaction.objects.select_for_update(of=("self",)).select_related(
        "member", "journal_entry"
    )
    if import_run is not None:
        return list(rows.filter(import_run=import_run).order_by("date", "id"))
    assert transactions is not None
    if isinstance(transactions, QuerySet):
        return list(rows.filter(pk__in=transactions.values("pk")).order_by("date", "id"))
    ids = [movement.pk for movement in transactions]
    found: list[SavingsTransaction] = []
    for start in range(0, len(ids), 500):  # SQLite's older builds take 999 parameters at most
        found.extend(rows.filter(pk__in=ids[start : start + 500]))
    return sorted(found, key=lambda movement: (movement.date, movement.pk))


def _posted_signatures(entry_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    lines: dict[int, set[tuple[Any, ...]]] = {}
    dates: dict[int, datetime.date] = {}
    for start in range(0, len(entry_ids), 500):
        for entry_id, date, code, debit, credit, member_id in JournalLine.objects.filter(
            entry_id__in=entry_ids[start : start + 500]
        ).values_list("entry_id", "date", "account__code", "debit", "credit", "member_id"):
            lines.setdefault(entry_id, set()).add((code, debit, credit, member_id))
            dates[entry_id] = date
    return {entry_id: (dates[entry_id], frozenset(found)) for entry_id, found in lines.items()}


@transaction.atomic
def savings_post_imported(
    *,
    import_run: Any = None,
    transactions: Iterable[SavingsTransaction] | None = None,
    by: Any,
) -> SavingsPosting:
    """Post the savings movements of `import_run` (or the given `transactions`, all of one
    cooperative) that are not in the journal as they read now, all together or none:

    - a movement without an entry gets its first one;
    - a movement whose entry no longer says what it does (a corrected amount, date or member
      of a known receipt) has that entry reversed, dated as it was, and a new one posted;
    - a movement whose entry matches is left alone, so that posting again posts nothing twice.

    Raises ClosedPeriodError when an entry falls in (or a reversal must go into) a closed
    month, JournalError for anything else the journal refuses; nothing is written then."""
    if (import_run is None) == (transactions is None):
        raise TypeError("give either import_run or transactions")
    movements = _locked_movements(import_run, transactions)
    result = SavingsPosting()
    if not movements:
        return result
    cooperatives = {movement.cooperative_id for movement in movements}
    if len(cooperatives) != 1:
        raise ValueError("savings movements of several cooperatives")
    cooperative = movements[0].cooperative
    posted_ids = [m.journal_entry_id for m in movements if m.journal_entry_id is not None]
    signatures = _posted_signatures(posted_ids)
    reversed_ids = set(
        JournalEntry.objects.filter(reverses_id__in=posted_ids).values_list(
            "reverses_id", flat=True
        )
        if posted_ids
        else ()
    )
    fresh: list[SavingsTransaction] = []
    again: list[SavingsTransaction] = []
    for movement in movements:
        entry_id = movement.journal_entry_id
        if entry_id is None:
            fresh.append(movement)
        elif entry_id in reversed_ids:
            again.append(movement)  # reversed in the journal meanwhile: post it anew
        elif signatures.get(entry_id) != _signature(movement):
            entry = movement.journal_entry
            assert entry is not None
            journal_reverse(
                entry=entry,
                by=by,
                date=entry.date,
                reason=_("the savings movement was corrected"),
            )
            again.append(movement)
    drafts = [savings_draft(movement) for movement in fresh]
    repost_drafts = [savings_draft(movement) for movement in again]
    _fresh_keys(cooperative, repost_drafts)
    entries = journal_post_many(cooperative=cooperative, drafts=drafts + repost_drafts, by=by)
    for movement, entry in zip(fresh + again, entries, strict=True):
        movement.journal_entry = entry
    SavingsTransaction.objects.bulk_update(fresh + again, ["journal_entry"], batch_size=500)
    result.posted, result.reposted = fresh, again
    return result


def savings_post_waiting(*, cooperative: Cooperative, by: Any) -> SavingsPosting:
    """Post every movement of the cooperative that has no journal entry yet (savings books
    imported before the books were kept), all together or none. Raises what
    `savings_post_imported` raises."""
    waiting = SavingsTransaction.objects.filter(cooperative=cooperative, journal_entry__isnull=True)
    return savings_post_imported(transactions=waiting, by=by)


__all__ = [
    "SAVINGS_ACCOUNTS",
    "Refusal",
    "SavingsPosting",
    "SavingsRules",
    "savings_draft",
    "savings_policy_set",
    "savings_post_imported",
    "savings_post_waiting",
    "savings_record",
]
