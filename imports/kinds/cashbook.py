"""Buku Kas Umum: the general cash book, one receipt (Debet) or payment (Kredit) per row.

An entry is recognised again by its voucher number (No. Bukti) within the year of its date, so
a corrected amount, account or description on a known voucher updates it. Without a voucher
number, a row is recognised by what it says (date, description, account, amounts) and by how
many identical rows come before it in the file, as in the savings book: importing the same book
again changes nothing, and a row whose amount was corrected becomes a new entry.

The opening balance (“Saldo awal”, “Saldo lalu”, “Saldo bulan lalu” without a voucher) is not
an entry: it is skipped. A running balance column (Saldo) is read only to check the book: where
its figure differs from the rows above, the row gets a warning.

Once written, the import's rows are posted to the journal when all their account names are
mapped (finance.services.cashbook); a corrected row that was posted is reversed and posted again.
"""

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance.models import CashBookEntry

from ..enums import ImportKind, RowAction
from ..spec import Column, ValueType
from ..values import parse_amount
from .base import ApplyResult, Context, Kind, RowPlan, changed_fields
from .books import Occurrences, check_length, day, heading, rupiah

_TEXT_LIMITS = {"voucher_no": 40, "description": 255, "account": 100}
_FIELDS = ("date", "voucher_no", "description", "account", "debit", "credit")
# "Saldo awal", "Saldo Awal Bulan", "Saldo lalu", "Saldo bulan lalu", "Saldo sebelumnya".
_OPENING = re.compile(
    r"^saldo\s+(?:awal|lalu|sebelumnya|(?:bulan|tahun|periode|minggu)\s+lalu)\b", re.IGNORECASE
)
# "Saldo akhir", "Saldo dibawa ke bulan berikut": the closing figure, not an entry either.
_CLOSING = re.compile(r"^saldo\s+(?:akhir|dibawa|di\s+bawa)\b", re.IGNORECASE)


class _Unreadable:
    """A Saldo cell that is not an amount: worth a warning, not a wrong row."""


UNREADABLE = _Unreadable()


def parse_running_balance(value: Any) -> Any:
    try:
        return parse_amount(value)
    except ValidationError:
        return UNREADABLE


def balance_line(description: str) -> str:
    """ "opening", "closing" or "" for a row that states the balance rather than an entry."""
    text = " ".join(re.sub(r"[^\w\s]", " ", description).split())
    if _OPENING.match(text):
        return "opening"
    if _CLOSING.match(text):
        return "closing"
    return ""


COLUMNS = (
    Column(
        "date",
        "Tanggal",
        ValueType.DATE,
        required=True,
        aliases=("Tgl", "Tgl.", "Tanggal Transaksi", "Tgl Transaksi"),
        help=gettext_lazy("The day of the receipt or payment."),
        example=datetime.date(2026, 1, 6),
    ),
    Column(
        "voucher_no",
        "No. Bukti",
        aliases=(
            "No Bukti",
            "No. Voucher",
            "No Voucher",
            "Bukti",
            "No. BKU",
            "No BKU",
            "Kode Bukti",
            "Nomor Bukti",
        ),
        help=gettext_lazy(
            "The voucher number, once per year. With it, a corrected row updates the entry "
            "instead of adding a new one."
        ),
        example="BKM-001",
    ),
    Column(
        "description",
        "Uraian",
        required=True,
        aliases=("Keterangan", "Uraian Transaksi", "Ket", "Ket."),
        help=gettext_lazy("What the money was received or paid for."),
        example="Penerimaan simpanan wajib Januari",
        width=36,
    ),
    Column(
        "account",
        "Akun",
        aliases=(
            "Kode Akun",
            "Rekening",
            "Kode Rekening",
            "Perkiraan",
            "Kode Perkiraan",
            "No. Akun",
        ),
        help=gettext_lazy("The account (code or name), as in the cooperative's chart of accounts."),
        example="1101",
    ),
    Column(
        "debit",
        "Debet",
        ValueType.AMOUNT,
        aliases=("Debit", "Penerimaan", "Masuk", "Debet (Rp)", "Kas Masuk"),
        help=gettext_lazy("Money received. A row has either Debet or Kredit."),
        example=1500000,
    ),
    Column(
        "credit",
        "Kredit",
        ValueType.AMOUNT,
        aliases=("Credit", "Pengeluaran", "Keluar", "Kredit (Rp)", "Kas Keluar"),
        help=gettext_lazy("Money paid out."),
        example=None,
    ),
    Column(
        "balance",
        "Saldo",
        ValueType.AMOUNT,
        aliases=("Saldo (Rp)", "Saldo Kas", "Sisa Saldo"),
        help=gettext_lazy("Optional running balance: only checked, not stored."),
        example=None,
        extra={"parser": parse_running_balance},
    ),
)


class CashBookKind(Kind):
    code = ImportKind.CASHBOOK
    sheet_title = "Buku Kas Umum"
    columns = COLUMNS
    notes = (
        gettext_lazy(
            "One row per receipt (Debet) or payment (Kredit); a dash (-) in the other column "
            "counts as empty."
        ),
        gettext_lazy(
            "Give voucher numbers (No. Bukti), each once per year: an entry with a known "
            "voucher number is corrected, not added again. Without one, importing the same "
            "book again changes nothing, but a row whose amount was changed is added as a new "
            "entry."
        ),
        gettext_lazy(
            "The opening balance row (Saldo awal, Saldo bulan lalu) is skipped. The Saldo "
            "column is checked against the rows but not stored."
        ),
        gettext_lazy(
            "Rows such as JUMLAH or TOTAL and the signatures below the table are skipped."
        ),
    )

    def start(self, ctx: Context) -> None:
        state = ctx.state
        state["compared"] = [
            name
            for name in ("description", "account", "debit", "credit")
            if name in ctx.letters or name == "description"
        ]
        by_voucher: dict[tuple[str, int], dict[str, Any]] = {}
        contents = []
        for row in (
            CashBookEntry.objects.filter(cooperative=ctx.cooperative)
            .order_by("id")
            .values("id", *_FIELDS)
        ):
            if row["voucher_no"]:
                by_voucher.setdefault((row["voucher_no"], row["date"].year), row)
            else:
                contents.append((self._content(ctx, row), row["id"]))
        state["by_voucher"] = by_voucher
        state["occurrences"] = Occurrences(contents)
        state["vouchers_seen"] = {}
        state["balance"] = None  # the running balance after the row above, when known

    @staticmethod
    def _content(ctx: Context, record: dict[str, Any]) -> tuple[Any, ...]:
        return (record["date"], *(record[name] for name in ctx.state["compared"]))

    def check_row(self, ctx: Context, plan: RowPlan, values: dict[str, Any]) -> None:
        state = ctx.state
        date = values.get("date")
        voucher = values.get("voucher_no") or ""
        description = values.get("description") or ""
        account = values.get("account") or ""
        plan.label = voucher or ", ".join(part for part in (day(date), description[:60]) if part)
        line = "" if voucher else balance_line(description)
        if line:
            # Not an entry, and often without a date: neither imported nor wrong.
            plan.action = RowAction.SKIPPED
            plan.problems.clear()
            if line == "closing":
                return
            opening = values.get("balance")
            if isinstance(opening, int):
                state["balance"] = opening
            elif isinstance(values.get("debit"), int):
                state["balance"] = (values.get("debit") or 0) - (values.get("credit") or 0)
            return
        for key, text in (
            ("voucher_no", voucher),
            ("description", description),
            ("account", account),
        ):
            check_length(ctx, plan, key, text, _TEXT_LIMITS[key])
        debit, credit, readable = self._amounts(ctx, plan, values)
        self._check_balance(ctx, plan, values, debit - credit if readable else None)
        if voucher and date is not None:
            first = state["vouchers_seen"].setdefault((voucher, date.year), plan.number)
            if first != plan.number:
                ctx.problem(
                    plan,
                    "voucher_no",
                    "voucher_duplicate",
                    _(
                        "This voucher number already appears in row %(row)s for the same year; "
                        "the first row counts. Give each entry its own number."
                    )
                    % {"row": first},
                )
        if plan.action == RowAction.INVALID or date is None:
            plan.action = RowAction.INVALID
            return
        record = {
            "date": date,
            "voucher_no": voucher,
            "description": description,
            "account": account,
            "debit": debit,
            "credit": credit,
        }
        plan.key = (voucher, date.year) if voucher else None
        plan.values = {name: record[name] for name in _FIELDS if name in ctx.letters}
        stored = state["by_voucher"].get((voucher, date.year)) if voucher else None
        if stored is not None:
            plan.existing = stored["id"]
            plan.before = changed_fields(
                stored, {name: record[name] for name in ("date", *state["compared"])}
            )
            plan.values = {name: record[name] for name in plan.before}
            plan.action = RowAction.UPDATE if plan.before else RowAction.UNCHANGED
            return
        if not voucher:
            found = state["occurrences"].match(self._content(ctx, record))
            if found is not None:
                plan.existing = found
                plan.action = RowAction.UNCHANGED
                return
        plan.action = RowAction.CREATE
        plan.extra["record"] = record

    def _amounts(
        self, ctx: Context, plan: RowPlan, values: dict[str, Any]
    ) -> tuple[int, int, bool]:
        """(debit, credit, whether both cells could be read), after the checks of one row."""
        amounts = {}
        readable = True
        for key in ("debit", "credit"):
            if key in ctx.letters and key not in values:
                readable = False  # the engine already said what is wrong with the cell
                continue
            amount = values.get(key) or 0
            if amount < 0:
                readable = False
                ctx.problem(
                    plan,
                    key,
                    "amount_negative",
                    _(
                        "An amount cannot be negative: write money received in “%(debit)s” and "
                        "money paid out in “%(credit)s”."
                    )
                    % {
                        "debit": heading(ctx, "debit", "Debet"),
                        "credit": heading(ctx, "credit", "Kredit"),
                    },
                )
            amounts[key] = max(amount, 0)
        debit, credit = amounts.get("debit", 0), amounts.get("credit", 0)
        names = {
            "debit": heading(ctx, "debit", "Debet"),
            "credit": heading(ctx, "credit", "Kredit"),
        }
        if debit and credit:
            ctx.problem(
                plan,
                "credit",
                "debit_and_credit",
                _(
                    "A row is either money received (“%(debit)s”) or money paid out "
                    "(“%(credit)s”), not both: write it as two rows."
                )
                % names,
            )
        elif not debit and not credit and readable:
            ctx.problem(
                plan,
                "debit" if "debit" in ctx.letters else "credit",
                "amount_missing",
                _("Fill in “%(debit)s” or “%(credit)s”.") % names,
            )
        return debit, credit, readable

    def _check_balance(
        self, ctx: Context, plan: RowPlan, values: dict[str, Any], movement: int | None
    ) -> None:
        """Compare the row's Saldo with the one above plus this row; then carry the sheet's own
        figure on, so that one slip is reported once, not on every row below it."""
        state = ctx.state
        above = state["balance"]
        expected = above + movement if above is not None and movement is not None else None
        written = values.get("balance")
        if written is UNREADABLE:
            ctx.warn(
                plan,
                "balance",
                "balance_unreadable",
                _("The balance is not an amount; it is not checked."),
            )
            state["balance"] = None
            return
        if written is None:
            state["balance"] = expected
            return
        if expected is not None and written != expected:
            ctx.warn(
                plan,
                "balance",
                "balance_mismatch",
                _(
                    "By the rows above the balance should be %(expected)s, but the book says "
                    "%(written)s. The entry is imported; check the book."
                )
                % {"expected": rupiah(expected), "written": rupiah(written)},
            )
        state["balance"] = written

    def apply(self, ctx: Context, plans: list[RowPlan]) -> ApplyResult:
        run, cooperative = ctx.run, ctx.cooperative
        new = [
            CashBookEntry(
                cooperative=cooperative,
                import_run=run,
                import_row=plan.number,
                **plan.extra["record"],
            )
            for plan in plans
            if plan.action == RowAction.CREATE
        ]
        CashBookEntry.objects.bulk_create(new, batch_size=1000)
        by_fields: dict[tuple[str, ...], list[CashBookEntry]] = {}
        changed = [plan for plan in plans if plan.action == RowAction.UPDATE and plan.values]
        for plan in changed:
            entry = CashBookEntry(pk=plan.existing, import_run=run, import_row=plan.number)
            for name, value in plan.values.items():
                setattr(entry, name, value)
            by_fields.setdefault(tuple(sorted(plan.values)), []).append(entry)
        for fields, entries in by_fields.items():
            CashBookEntry.objects.bulk_update(
                entries, [*fields, "import_run", "import_row"], batch_size=500
            )
        # Into the journal when every account name is known; otherwise the rows wait on the
        # cash-book page of the books, and the import stands.
        from finance.services.cashbook import cashbook_import_applied

        cashbook_import_applied(
            run=run, changed=[entry for group in by_fields.values() for entry in group]
        )
        return ApplyResult(created=len(new), updated=len(changed))
