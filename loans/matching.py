"""Repayments matched from the books a village imports: the Buku Kas Umum and the Daftar
Pinjaman. `repayment_candidates` proposes and never writes; `repayments_match_confirm` records
what the treasurer ticked, through `loans.services.repayment_record`, all or nothing.

The rules, in the order they apply:

Cash book (finance.CashBookEntry). A row is a proposal when it is money received (Debet, which
the cash-book import stores as `debit`), its description or account reads like a loan payment
(one of REPAYMENT_WORDS, as a whole word) and it names a member of the cooperative: by NIK (16
digits, spaces or dots between them allowed), otherwise by the member's full name as whole words,
case and spacing aside (the longest name wins: “Siti Aminah” is not also “Siti”). One member with
one active loan is a match; several members of that name, or a member with several active loans,
is listed with the loans to choose from, never picked for the treasurer. Money paid out and rows
that do not read like a loan payment are other entries of the book and are not listed.

Loan ledger (loans.LoanLedgerEntry). The ledger states what principal is still owed on its date
(`balance`, as of `as_of`). When the member has one active loan here, of the same principal, and
the ledger owes less principal than our books, the payment that brings our books down to the
ledger is proposed on the ledger's date: the principal difference plus the penalty, fees and
interest due before it on the instalments it covers (what `repayment_record` takes first), so
that after recording it the principal still owed here equals the ledger's.

Either book: a row already matched to a repayment that was not reversed is left out (a reversal
frees the row; a ledger row counts as matched for the import that last wrote it, so a later
ledger proposes the payments made since). A row dated in the future or before the loan's payout,
a ledger owing more than our books, or a row naming nobody or nobody with an active loan, is
listed as one that cannot be matched, with the reason.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cooperatives.models import Cooperative, Member
from finance.models import CashBookEntry
from imports.models import ImportRun

from .enums import LoanKind, LoanStatus
from .models import Instalment, Loan, LoanLedgerEntry, Repayment
from .selectors import may_handle_loans, with_outstanding
from .services import repayment_record

# Words (whole words, any case) that make a cash-book row read like a loan payment.
REPAYMENT_WORDS = (
    "angsuran",
    "angs",
    "cicilan",
    "pinjaman",
    "pelunasan",
    "bayar pinjaman",
    "piutang",
)
NIK_LENGTH = 16
_NOTE_LIMIT = 255


class Source(models.TextChoices):
    CASH_BOOK = "cashbook", gettext_lazy("Cash book (Buku Kas Umum)")
    LEDGER = "ledger", gettext_lazy("Loan ledger (Daftar Pinjaman)")


class Verdict(models.TextChoices):
    MATCHED = "matched", gettext_lazy("Matched")
    CHOOSE = "choose", gettext_lazy("Choose the loan")
    CANNOT = "cannot", gettext_lazy("Cannot be matched")


@dataclass(frozen=True)
class LoanChoice:
    """An active loan a row may be paid on, with what is still owed on it."""

    loan: Loan
    owed: int
    principal_left: int


@dataclass
class Candidate:
    """One row of a book proposed as a repayment, or listed as one that cannot be matched."""

    source: Source
    row_id: int
    file_name: str
    excel_row: int | None
    import_run_id: int | None
    date: datetime.date
    amount: int  # the payment proposed; the treasurer may lower it
    text: str
    verdict: Verdict
    reason: str
    choices: tuple[LoanChoice, ...] = ()
    warning: str = ""  # proposed, but worth a look before recording: not ticked by default

    @property
    def key(self) -> str:
        return row_key(self.source, self.row_id)

    @property
    def loan(self) -> Loan | None:
        """The loan of a match; None when the treasurer must choose, or nothing fits."""
        return self.choices[0].loan if self.verdict == Verdict.MATCHED else None

    @property
    def checked_by_default(self) -> bool:
        return self.verdict == Verdict.MATCHED and not self.warning


@dataclass(frozen=True)
class Pick:
    """The treasurer's choice for one candidate: the loan, and the amount (at most the row's)."""

    source: Source | str
    row_id: int
    loan_id: int
    amount: int

    @property
    def key(self) -> str:
        return row_key(self.source, self.row_id)


@dataclass
class MatchResult:
    """What `repayments_match_confirm` did: every repayment recorded, or none and the reasons
    per row (keyed like `Candidate.key`)."""

    recorded: list[Repayment] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def row_key(source: Source | str, row_id: int) -> str:
    return f"{Source(source).value}-{row_id}"


# --- Reading the books --------------------------------------------------------------------------


def _words(text: str) -> str:
    """Lower-case words separated by single spaces, with a space at each end, so that
    `" siti aminah " in _words(text)` asks for whole words."""
    return " " + " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split()) + " "


_WORDS = tuple(_words(word) for word in REPAYMENT_WORDS)
# Digit groups written together: "6402165708800002", "6402 1657 0880 0002", "64.02.16…".
_DIGIT_RUN = re.compile(r"\d+(?:[ .\-]\d+)*")
_DIGIT_GAP = re.compile(r"[ .\-]")


def repayment_word(text: str) -> str:
    """The first of REPAYMENT_WORDS in `text` as a whole word; empty when none is."""
    words = _words(text)
    for word, needle in zip(REPAYMENT_WORDS, _WORDS, strict=True):
        if needle in words:
            return word
    return ""


def _niks_in(text: str) -> set[str]:
    """Every 16 digits written as consecutive groups of one run, so that a NIK is found
    whether written whole or in groups, and also when an amount or account follows it."""
    found = set()
    for run in _DIGIT_RUN.findall(text):
        groups = _DIGIT_GAP.split(run)
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) >= NIK_LENGTH:
                    break
            if len(digits) == NIK_LENGTH:
                found.add(digits)
    return found


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "j F Y")


def _rupiah(amount: int) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


class _Books:
    """The cooperative's members and active member loans, read once for a whole list."""

    def __init__(self, cooperative: Cooperative) -> None:
        self.today = timezone.localdate()
        members = list(Member.objects.filter(cooperative=cooperative).only("id", "name", "nik"))
        self.by_nik = {member.nik: member for member in members}
        self.by_name: dict[str, list[Member]] = {}
        self.names_by_first_word: dict[str, list[str]] = {}
        for member in members:
            name = _words(member.name)
            if not name.strip():
                continue
            if name not in self.by_name:
                self.names_by_first_word.setdefault(name.split()[0], []).append(name)
            self.by_name.setdefault(name, []).append(member)
        self.loans_of: dict[int, list[LoanChoice]] = {}
        loans = with_outstanding(
            Loan.objects.filter(
                cooperative=cooperative,
                kind=LoanKind.MEMBER,
                status=LoanStatus.ACTIVE,
                member__cooperative=cooperative,
            )
        ).select_related("member")
        for loan in loans.order_by("disbursed_on", "pk"):
            assert loan.member_id is not None
            self.loans_of.setdefault(loan.member_id, []).append(
                LoanChoice(
                    loan=loan,
                    owed=int(loan.owed_total),  # type: ignore[attr-defined]
                    principal_left=int(loan.principal_left),  # type: ignore[attr-defined]
                )
            )

    def members_named(self, text: str) -> tuple[list[Member], str]:
        """The members `text` names, and how: "nik" or "name" ("" when nobody)."""
        by_nik = [self.by_nik[nik] for nik in sorted(_niks_in(text)) if nik in self.by_nik]
        if by_nik:
            return by_nik, "nik"
        remaining = _words(text)
        names = sorted(
            {name for word in remaining.split() for name in self.names_by_first_word.get(word, ())},
            key=lambda name: (-len(name), name),
        )
        found: list[Member] = []
        for name in names:
            if name in remaining:
                found.extend(self.by_name[name])
                # Taken: "Siti" must not be found again inside "Siti Aminah".
                remaining = remaining.replace(name, " | ")
        return found, "name" if found else ""

    # -- proposals -------------------------------------------------------------------------

    def cash_candidate(self, entry: CashBookEntry) -> Candidate | None:
        """The proposal a cash-book row makes; None for a row that is not a loan payment."""
        text = " · ".join(part for part in (entry.description, entry.account) if part)
        word = repayment_word(text)
        if entry.debit <= 0 or not word:
            return None
        run = entry.import_run
        candidate = Candidate(
            source=Source.CASH_BOOK,
            row_id=entry.pk,
            file_name=run.file_name if run else "",
            excel_row=entry.import_row,
            import_run_id=entry.import_run_id,
            date=entry.date,
            amount=entry.debit,
            text=text,
            verdict=Verdict.CANNOT,
            reason="",
        )
        members, how = self.members_named(text)
        if not members:
            candidate.reason = _(
                "Reads as a loan payment (“%(word)s”) but gives no member's NIK or full name."
            ) % {"word": word}
            return candidate
        names = ", ".join(sorted({member.name for member in members}))
        choices = [choice for member in members for choice in self.loans_of.get(member.pk, [])]
        if not choices:
            candidate.reason = ngettext(
                "%(names)s has no active loan.", "%(names)s have no active loan.", len(members)
            ) % {"names": names}
            return candidate
        if self._refused_date(candidate, choices):
            return candidate
        fitting = [choice for choice in choices if _paid_out_by(choice.loan, entry.date)]
        candidate.choices = tuple(fitting)
        candidate.verdict = Verdict.CHOOSE
        facts = {"word": word, "name": members[0].name, "names": names, "n": len(members)}
        if len(members) > 1 and len({member.name for member in members}) == 1:
            candidate.reason = (
                _(
                    "Reads as a loan payment (“%(word)s”) and names %(name)s, which fits %(n)s "
                    "members: choose the loan."
                )
                % facts
            )
        elif len(members) > 1:
            candidate.reason = (
                _(
                    "Reads as a loan payment (“%(word)s”) and names %(n)s members (%(names)s): "
                    "choose the loan."
                )
                % facts
            )
        elif len(choices) > 1:
            facts["n"] = len(choices)
            if how == "nik":
                message = _(
                    "Reads as a loan payment (“%(word)s”) and gives the NIK of %(name)s, who "
                    "has %(n)s active loans: choose one."
                )
            else:
                message = _(
                    "Reads as a loan payment (“%(word)s”) and names %(name)s, who has %(n)s "
                    "active loans: choose one."
                )
            candidate.reason = message % facts
        else:
            candidate.verdict = Verdict.MATCHED
            if how == "nik":
                message = _(
                    "Reads as a loan payment (“%(word)s”) and gives the NIK of %(name)s, who "
                    "has one active loan."
                )
            else:
                message = _(
                    "Reads as a loan payment (“%(word)s”) and names %(name)s, who has one "
                    "active loan."
                )
            candidate.reason = message % facts
            owed = fitting[0].owed
            if candidate.amount > owed:
                candidate.warning = _(
                    "%(amount)s is more than the %(owed)s still owed on this loan: lower the "
                    "amount to record it."
                ) % {"amount": _rupiah(candidate.amount), "owed": _rupiah(owed)}
        return candidate

    def ledger_candidate(self, entry: LoanLedgerEntry) -> Candidate | None:
        """The proposal a ledger row makes; None when the ledger and our books agree."""
        run = entry.import_run
        candidate = Candidate(
            source=Source.LEDGER,
            row_id=entry.pk,
            file_name=run.file_name if run else "",
            excel_row=entry.import_row,
            import_run_id=entry.import_run_id,
            date=entry.as_of,
            amount=0,
            text=_("%(name)s, loan %(number)s of %(principal)s: %(balance)s outstanding")
            % {
                "name": entry.member.name,
                "number": entry.loan_no or "–",
                "principal": _rupiah(entry.principal),
                "balance": _rupiah(entry.balance),
            },
            verdict=Verdict.CANNOT,
            reason="",
        )
        name = entry.member.name
        loans = self.loans_of.get(entry.member_id, [])
        if not loans:
            candidate.reason = _("%(name)s has no active loan here.") % {"name": name}
            return candidate
        same = [choice for choice in loans if choice.loan.principal == entry.principal]
        if len(same) != 1:
            if len(loans) > 1:
                candidate.reason = _(
                    "%(name)s has %(n)s active loans here and the ledger's principal "
                    "(%(principal)s) does not tell which: record the payment on the loan itself."
                ) % {"name": name, "n": len(loans), "principal": _rupiah(entry.principal)}
            else:
                candidate.reason = _(
                    "The ledger's loan of %(ledger)s is not %(name)s's loan here of %(ours)s."
                ) % {
                    "ledger": _rupiah(entry.principal),
                    "name": name,
                    "ours": _rupiah(loans[0].loan.principal),
                }
            return candidate
        if self._refused_date(candidate, same):
            return candidate
        loan = same[0].loan
        instalments = list(Instalment.objects.filter(loan=loan).order_by("number"))
        ours = sum(i.principal - i.paid_principal for i in instalments)
        if entry.balance == ours:
            return None
        if entry.balance > ours:
            candidate.reason = _(
                "The ledger says %(ledger)s is still owed on %(date)s, more than the %(ours)s "
                "our books say: check the payments recorded here."
            ) % {
                "ledger": _rupiah(entry.balance),
                "date": _day(entry.as_of),
                "ours": _rupiah(ours),
            }
            return candidate
        difference = ours - entry.balance
        candidate.amount = amount_for_principal(instalments, difference)
        candidate.choices = (same[0],)
        candidate.verdict = Verdict.MATCHED
        candidate.reason = _(
            "The ledger says %(ledger)s principal is still owed on %(date)s; our books say "
            "%(ours)s. The %(difference)s of principal paid since, with the interest, fees and "
            "penalty due before it, is %(amount)s."
        ) % {
            "ledger": _rupiah(entry.balance),
            "date": _day(entry.as_of),
            "ours": _rupiah(ours),
            "difference": _rupiah(difference),
            "amount": _rupiah(candidate.amount),
        }
        return candidate

    def _refused_date(self, candidate: Candidate, choices: Sequence[LoanChoice]) -> bool:
        """Make the candidate one that cannot be matched when its date is in the future or
        before the payout of every loan it could be paid on; say whether it did."""
        if candidate.date > self.today:
            candidate.reason = _("Dated %(date)s, in the future.") % {"date": _day(candidate.date)}
            return True
        if not any(_paid_out_by(choice.loan, candidate.date) for choice in choices):
            first = min(choice.loan.disbursed_on or candidate.date for choice in choices)
            candidate.reason = _("Dated %(date)s, before the loan was paid out (%(payout)s).") % {
                "date": _day(candidate.date),
                "payout": _day(first),
            }
            return True
        return False


def _paid_out_by(loan: Loan, date: datetime.date) -> bool:
    return loan.disbursed_on is not None and loan.disbursed_on <= date


def amount_for_principal(instalments: Iterable[Instalment], principal: int) -> int:
    """The payment whose share of principal is `principal` when split as `repayment_record`
    splits it: oldest instalment first, each one's penalty, fees and interest before its
    principal."""
    amount = 0
    left = principal
    for instalment in instalments:
        if left <= 0:
            break
        amount += (
            instalment.penalty
            - instalment.paid_penalty
            + instalment.fee
            - instalment.paid_fee
            + instalment.interest
            - instalment.paid_interest
        )
        share = min(left, instalment.principal - instalment.paid_principal)
        amount += share
        left -= share
    return amount


def _live(repayments: models.QuerySet[Repayment]) -> models.QuerySet[Repayment]:
    """Repayments that count: neither reversed nor themselves a reversal."""
    return repayments.filter(reverses__isnull=True, reversed_by__isnull=True)


def _matched_cash(cooperative: Cooperative) -> models.QuerySet[Repayment]:
    """The repayments matched from the cooperative's cash-book rows."""
    return _live(
        Repayment.objects.filter(loan__cooperative=cooperative, cash_book_entry__isnull=False)
    )


def _matched_ledger_rows(cooperative: Cooperative) -> set[tuple[int, int | None]]:
    """(ledger entry, import run) pairs already matched: a ledger row is matched for the import
    that wrote its figures; a later ledger updating the row frees it."""
    return set(
        _live(
            Repayment.objects.filter(loan__cooperative=cooperative, ledger_entry__isnull=False)
        ).values_list("ledger_entry_id", "import_run_id")
    )


_ORDER = {Verdict.MATCHED: 0, Verdict.CHOOSE: 0, Verdict.CANNOT: 1}


def repayment_candidates(
    *, cooperative: Cooperative, import_run: ImportRun | int | None = None
) -> list[Candidate]:
    """The rows of the cooperative's imported cash book and loan ledger that look like loan
    repayments not recorded yet (only those last written by `import_run`, when given): first
    the proposals, then the rows that cannot be matched, each by date and sheet row. Reads
    only; see the module's docstring for the rules."""
    books = _Books(cooperative)
    run_id = getattr(import_run, "pk", import_run)
    cash_rows = CashBookEntry.objects.filter(cooperative=cooperative, debit__gt=0).select_related(
        "import_run"
    )
    ledger_rows = LoanLedgerEntry.objects.filter(cooperative=cooperative).select_related(
        "import_run", "member"
    )
    if run_id is not None:
        cash_rows = cash_rows.filter(import_run_id=run_id)
        ledger_rows = ledger_rows.filter(import_run_id=run_id)
    candidates: list[Candidate] = []
    # A subquery, however many rows were matched (SQLite takes 999 parameters at most).
    matched_cash = _matched_cash(cooperative).values("cash_book_entry_id")
    for entry in cash_rows.exclude(pk__in=matched_cash).order_by("date", "import_row", "pk"):
        candidate = books.cash_candidate(entry)
        if candidate is not None:
            candidates.append(candidate)
    matched_ledger = _matched_ledger_rows(cooperative)
    for ledger_entry in ledger_rows.order_by("as_of", "import_row", "pk"):
        if (ledger_entry.pk, ledger_entry.import_run_id) in matched_ledger:
            continue
        candidate = books.ledger_candidate(ledger_entry)
        if candidate is not None:
            candidates.append(candidate)
    _warn_of_overlap(candidates)
    candidates.sort(
        key=lambda c: (_ORDER[c.verdict], c.date, c.source != Source.CASH_BOOK, c.excel_row or 0)
    )
    return candidates


def _warn_of_overlap(candidates: list[Candidate]) -> None:
    """A ledger's difference already contains the cash-book payments up to its date: when both
    are proposed for one loan, recording both would count the money twice."""
    cash_loans: dict[int, datetime.date] = {}
    for candidate in candidates:
        if candidate.source == Source.CASH_BOOK and candidate.verdict != Verdict.CANNOT:
            for choice in candidate.choices:
                first = cash_loans.get(choice.loan.pk, candidate.date)
                cash_loans[choice.loan.pk] = min(first, candidate.date)
    for candidate in candidates:
        loan = candidate.loan
        if candidate.source != Source.LEDGER or loan is None:
            continue
        since = cash_loans.get(loan.pk)
        if since is not None and since <= candidate.date:
            candidate.warning = _(
                "Cash-book payments on this loan are proposed too, and the ledger's difference "
                "already contains them: record those first; the ledger then proposes only what "
                "is left."
            )


# --- Recording -----------------------------------------------------------------------------


class _Refused(Exception):
    """Leaves the transaction of a confirmation that cannot record every pick."""


def repayments_match_confirm(
    *, cooperative: Cooperative, by: Any, picks: Sequence[Pick]
) -> MatchResult:
    """Record the chosen rows as repayments, each on the loan chosen and for the amount chosen
    (at most the row's), through `repayment_record`, with the row and its import as the
    repayment's provenance. All in one transaction: when any pick fails (a row already matched,
    a loan that is not one of the row's, an overpayment, a loan no longer active…), nothing is
    recorded and the result holds the reasons per row, in the user's language.

    Raises PermissionDenied when `by` may not handle the cooperative's loans."""
    if not may_handle_loans(user=by, cooperative=cooperative):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    unique: list[Pick] = []
    for pick in picks:
        if pick.key in seen:
            errors.setdefault(pick.key, []).append(_("This row was chosen twice."))
        seen.add(pick.key)
        unique.append(pick)
    if errors:
        return MatchResult(errors=errors)
    try:
        with transaction.atomic():
            recorded = _record(cooperative, by, unique, errors)
            if errors:
                raise _Refused
    except _Refused:
        return MatchResult(errors=errors)
    return MatchResult(recorded=recorded)


def _record(
    cooperative: Cooperative, by: Any, picks: list[Pick], errors: dict[str, list[str]]
) -> list[Repayment]:
    cash_ids = sorted(p.row_id for p in picks if Source(p.source) == Source.CASH_BOOK)
    ledger_ids = sorted(p.row_id for p in picks if Source(p.source) == Source.LEDGER)
    # Lock the rows, then their loans, always in that order: two clicks on "record" (or two
    # treasurers on the same list) must not both find a row unmatched and record it twice.
    # of=self: PostgreSQL cannot lock the nullable side of the join to the import run.
    cash = {
        entry.pk: entry
        for entry in CashBookEntry.objects.select_for_update(of=("self",))
        .filter(cooperative=cooperative, pk__in=cash_ids)
        .select_related("import_run")
        .order_by("pk")
    }
    ledger = {
        entry.pk: entry
        for entry in LoanLedgerEntry.objects.select_for_update(of=("self",))
        .filter(cooperative=cooperative, pk__in=ledger_ids)
        .select_related("import_run", "member")
        .order_by("pk")
    }
    list(
        Loan.objects.select_for_update()
        .filter(cooperative=cooperative, pk__in=sorted({p.loan_id for p in picks}))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Read after the locks, so that a confirmation that waited sees what the other recorded.
    matched_cash = set(
        _matched_cash(cooperative)
        .filter(cash_book_entry__in=cash_ids)
        .values_list("cash_book_entry_id", flat=True)
    )
    matched_ledger = _matched_ledger_rows(cooperative)
    books = _Books(cooperative)
    rows: dict[str, CashBookEntry | LoanLedgerEntry] = {}
    for pick in picks:
        row = (cash if Source(pick.source) == Source.CASH_BOOK else ledger).get(pick.row_id)
        if row is None:
            errors[pick.key] = [_("This row is not in the cooperative's books.")]
        elif (
            row.pk in matched_cash
            if isinstance(row, CashBookEntry)
            else (row.pk, row.import_run_id) in matched_ledger
        ):
            errors[pick.key] = [_("This row was already recorded as a payment.")]
        else:
            rows[pick.key] = row

    def order(pick: Pick) -> tuple[datetime.date, bool, int]:
        row = rows[pick.key]
        day = row.date if isinstance(row, CashBookEntry) else row.as_of
        return (day, isinstance(row, LoanLedgerEntry), row.pk)

    recorded = []
    # Oldest payment first, as the treasurer received them; the cash book before a ledger of
    # the same day, whose difference is read again after the cash rows are recorded.
    for pick in sorted((p for p in picks if p.key in rows), key=order):
        row = rows[pick.key]
        candidate = (
            books.cash_candidate(row)
            if isinstance(row, CashBookEntry)
            else books.ledger_candidate(row)
        )
        problem = _pick_problem(pick, candidate)
        if problem:
            errors[pick.key] = [problem]
            continue
        assert candidate is not None
        choice = next(c for c in candidate.choices if c.loan.pk == pick.loan_id)
        try:
            repayment = repayment_record(
                loan=choice.loan,
                by=by,
                amount=pick.amount,
                paid_on=candidate.date,
                note=_note(candidate),
                import_run=row.import_run,
                import_row=row.import_row,
                cash_book_entry=row if isinstance(row, CashBookEntry) else None,
                ledger_entry=row if isinstance(row, LoanLedgerEntry) else None,
            )
        except ValidationError as error:
            errors[pick.key] = list(error.messages)
            continue
        recorded.append(repayment)
    return recorded


def _pick_problem(pick: Pick, candidate: Candidate | None) -> str:
    """What forbids recording `pick` as its row reads now; empty when nothing does."""
    if candidate is None:
        return _("The loan ledger and the loan's payments agree now: there is nothing to record.")
    if candidate.verdict == Verdict.CANNOT:
        return candidate.reason
    if pick.loan_id not in {choice.loan.pk for choice in candidate.choices}:
        return _("Choose one of the loans proposed for this row.")
    if pick.amount > candidate.amount:
        if candidate.source == Source.LEDGER:
            return _("At most %(amount)s: what the ledger's difference comes to now.") % {
                "amount": _rupiah(candidate.amount)
            }
        return _("At most %(amount)s: the amount in the book.") % {
            "amount": _rupiah(candidate.amount)
        }
    return ""


def _note(candidate: Candidate) -> str:
    where = _("%(file)s, row %(row)s") % {
        "file": candidate.file_name or candidate.source.label,
        "row": candidate.excel_row or "–",
    }
    return f"{where}: {candidate.text}"[:_NOTE_LIMIT]
