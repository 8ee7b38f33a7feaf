"""Buku Simpanan: members' savings deposits and withdrawals, one movement per row.

Two layouts are read. The *narrow* one has a Jenis Simpanan column and Setoran / Penarikan
amounts: one movement per row. The *wide* one, common in village books, has a column per kind
of savings (Pokok, Wajib, Sukarela) holding deposits: each amount above zero is one deposit of
that kind, so one row may deposit several kinds at once. A wide sheet may also have a
Penarikan column; a withdrawal then needs the row's Jenis Simpanan and no deposit on that row.

A transaction is recognised again by its receipt number (No. Bukti, with the kind of savings:
one receipt may cover a pokok and a wajib deposit), so a corrected amount or date on a known
receipt updates it. Without a receipt number, a row is recognised by what it says (date,
member, kind, amounts, description) and by how many identical rows come before it in the file:
importing the same book again changes nothing, two identical deposits on one day stay two, and
a row whose amount was corrected becomes a new transaction (the old one stays; the row gets a
warning). An import never deletes a transaction.
"""

import datetime
import re
from collections.abc import Hashable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance.enums import SavingsType
from finance.models import SavingsTransaction
from finance.services.savings import SavingsRules, savings_post_imported

from ..enums import ImportKind, RowAction
from ..reader import WorkbookError
from ..spec import Column, ValueType
from ..values import parse_text
from .base import ApplyResult, Context, Kind, RowPlan, changed_fields
from .books import (
    MemberLookup,
    Occurrences,
    check_length,
    day,
    heading,
    missing_columns,
)

_TYPES = {
    **{kind.value: kind.value for kind in SavingsType},
    "sp": SavingsType.POKOK.value,
    "sw": SavingsType.WAJIB.value,
    "ss": SavingsType.SUKARELA.value,
}


def parse_savings_type(value: Any) -> str | None:
    """ "pokok", "wajib" or "sukarela" from Pokok, Simpanan Wajib, Simp. Sukarela, SP, SW, SS
    in any case and spacing. Otherwise ValidationError code "savings_type_invalid"."""
    text = parse_text(value)
    if not text:
        return None
    key = re.sub(r"[^a-z]", "", text.lower())
    for prefix in ("simpanan", "simp"):
        if key.startswith(prefix) and key[len(prefix) :] in _TYPES:
            key = key[len(prefix) :]
    found = _TYPES.get(key)
    if found is None:
        raise ValidationError(
            _("Write Pokok, Wajib or Sukarela (or SP, SW, SS)."), code="savings_type_invalid"
        )
    return found


WIDE = (SavingsType.POKOK.value, SavingsType.WAJIB.value, SavingsType.SUKARELA.value)
_TEXT_LIMITS = {"receipt_no": 40, "description": 255}

COLUMNS = (
    Column(
        "date",
        "Tanggal",
        ValueType.DATE,
        required=True,
        aliases=("Tgl", "Tgl.", "Tanggal Transaksi", "Tgl Transaksi"),
        help=gettext_lazy("The day of the deposit or withdrawal."),
        example=datetime.date(2026, 1, 5),
    ),
    Column(
        "nik",
        "NIK",
        ValueType.NIK,
        required=True,
        aliases=("No. KTP", "No KTP", "NIK Anggota", "Nomor Induk Kependudukan"),
        help=gettext_lazy("The member's NIK, as registered in the member list."),
        example="6402164708850003",
    ),
    Column(
        "name",
        "Nama",
        aliases=("Nama Anggota", "Nama Lengkap"),
        help=gettext_lazy("Optional, for people reading the book: the NIK decides who it is."),
        example="Siti Aminah",
        width=24,
    ),
    Column(
        "savings_type",
        "Jenis Simpanan",
        ValueType.CHOICE,
        aliases=("Jenis", "Jenis Setoran", "Jenis Simp."),
        help=gettext_lazy("Pokok, Wajib or Sukarela (SP, SW, SS also work)."),
        example="Wajib",
        choices=("Pokok", "Wajib", "Sukarela"),
        extra={"parser": parse_savings_type},
    ),
    Column(
        "deposit",
        "Setoran",
        ValueType.AMOUNT,
        aliases=("Setor", "Masuk", "Penyetoran", "Setoran (Rp)", "Jumlah Setoran"),
        help=gettext_lazy("Amount paid in. A row has either a deposit or a withdrawal."),
        example=20000,
    ),
    Column(
        "withdrawal",
        "Penarikan",
        ValueType.AMOUNT,
        aliases=("Tarik", "Keluar", "Pengambilan", "Penarikan (Rp)", "Jumlah Penarikan"),
        help=gettext_lazy("Amount taken out."),
        example=None,
    ),
    Column(
        "receipt_no",
        "No. Bukti",
        aliases=("No Bukti", "Bukti", "No. Kwitansi", "No Kwitansi", "Nomor Bukti", "No. Kuitansi"),
        help=gettext_lazy(
            "The receipt number. With it, a corrected amount or date updates the transaction "
            "instead of adding a new one."
        ),
        example="SW-2026-001",
    ),
    Column(
        "description",
        "Keterangan",
        aliases=("Ket", "Ket.", "Uraian", "Catatan"),
        help=gettext_lazy("Optional note."),
        example="Simpanan wajib Januari",
        width=28,
    ),
)

# The wide layout: a column per kind of savings, holding deposits. Read, not in the template.
WIDE_COLUMNS = (
    Column(
        "pokok",
        "Pokok",
        ValueType.AMOUNT,
        aliases=("Simpanan Pokok", "Simp. Pokok", "Setoran Pokok", "SP"),
        help=gettext_lazy("Deposit of simpanan pokok on that day."),
    ),
    Column(
        "wajib",
        "Wajib",
        ValueType.AMOUNT,
        aliases=("Simpanan Wajib", "Simp. Wajib", "Setoran Wajib", "SW"),
        help=gettext_lazy("Deposit of simpanan wajib on that day."),
    ),
    Column(
        "sukarela",
        "Sukarela",
        ValueType.AMOUNT,
        aliases=("Simpanan Sukarela", "Simp. Sukarela", "Setoran Sukarela", "SS"),
        help=gettext_lazy("Deposit of simpanan sukarela on that day."),
    ),
)

_FIELDS = (
    "member_id",
    "date",
    "savings_type",
    "deposit",
    "withdrawal",
    "receipt_no",
    "description",
)


class SavingsKind(Kind):
    code = ImportKind.SAVINGS
    sheet_title = "Buku Simpanan"
    columns = COLUMNS
    notes = (
        gettext_lazy(
            "One row per deposit or withdrawal. The member must already be in the member list "
            "(same NIK)."
        ),
        gettext_lazy(
            "Books with the columns Pokok, Wajib and Sukarela instead of Jenis Simpanan and "
            "Setoran are read too: each amount is a deposit of that kind of savings."
        ),
        gettext_lazy(
            "Give receipt numbers (No. Bukti): a transaction with a known receipt number is "
            "corrected, not added again. Without one, importing the same book again changes "
            "nothing, but a row whose amount was changed is added as a new transaction."
        ),
        gettext_lazy(
            "Simpanan pokok and wajib cannot be withdrawn while the person is a member, and no "
            "withdrawal may be larger than the member's balance. Every movement is posted to "
            "the journal: rows in a closed month are refused."
        ),
        gettext_lazy(
            "Rows such as JUMLAH or TOTAL and the signatures below the table are skipped."
        ),
    )

    def columns_for(self, run: Any) -> tuple[Column, ...]:
        return COLUMNS + WIDE_COLUMNS

    def start(self, ctx: Context) -> None:
        letters = ctx.letters
        wide = [key for key in WIDE if key in letters]
        if wide and "deposit" in letters:
            raise WorkbookError(
                "mixed_layout",
                _(
                    "Use either “Jenis Simpanan” with “Setoran” and “Penarikan”, or the columns "
                    "“Pokok”, “Wajib” and “Sukarela”, not both."
                ),
            )
        if wide and "withdrawal" in letters and "savings_type" not in letters:
            raise missing_columns(["Jenis Simpanan"])
        if not wide:
            missing = [] if "savings_type" in letters else ["Jenis Simpanan"]
            if "deposit" not in letters and "withdrawal" not in letters:
                missing.append("Setoran")
            if missing:
                raise missing_columns(missing)
        state = ctx.state
        state["wide"] = wide
        state["members"] = MemberLookup(ctx.cooperative)
        state["with_description"] = "description" in letters
        by_receipt: dict[tuple[str, str], dict[str, Any]] = {}
        contents: list[tuple[Hashable, int]] = []
        amounts_on: dict[tuple[Any, ...], set[tuple[int, int]]] = {}
        for row in (
            SavingsTransaction.objects.filter(cooperative=ctx.cooperative)
            .order_by("id")
            .values("id", *_FIELDS)
        ):
            if row["receipt_no"]:
                by_receipt.setdefault((row["receipt_no"], row["savings_type"]), row)
            else:
                contents.append((self._content(ctx, row), row["id"]))
            amounts_on.setdefault((row["date"], row["member_id"], row["savings_type"]), set()).add(
                (row["deposit"], row["withdrawal"])
            )
        state["by_receipt"] = by_receipt
        state["occurrences"] = Occurrences(contents)
        state["amounts_on"] = amounts_on
        state["receipts_seen"] = {}
        rules = SavingsRules.load(ctx.cooperative)
        if rules.unusable_accounts:
            raise WorkbookError(
                "accounts_unusable",
                _(
                    "The savings cannot be posted: account %(codes)s of the chart is not in use. "
                    "Ask the province's administrator."
                )
                % {"codes": ", ".join(rules.unusable_accounts)},
            )
        state["rules"] = rules

    @staticmethod
    def _content(ctx: Context, record: dict[str, Any]) -> tuple[Any, ...]:
        # The description counts only when the sheet has the column.
        content: tuple[Any, ...] = (
            record["date"],
            record["member_id"],
            record["savings_type"],
            record["deposit"],
            record["withdrawal"],
        )
        if ctx.state["with_description"]:
            content += (record["description"],)
        return content

    def _movements(
        self, ctx: Context, plan: RowPlan, values: dict[str, Any]
    ) -> list[tuple[str | None, int, int, str]]:
        """(kind, deposit, withdrawal, the amount's column) for each movement of the row."""
        letters, state = ctx.letters, ctx.state
        amounts: dict[str, int] = {}
        unreadable = False  # an amount cell already blamed: do not also say it is missing
        for key in ("deposit", "withdrawal", *state["wide"]):
            if key not in letters:
                continue
            if key not in values:
                unreadable = True
                continue
            amount = values[key] or 0
            if amount < 0:
                unreadable = True
                ctx.problem(plan, key, "amount_negative", _("An amount cannot be negative."))
            amounts[key] = max(amount, 0)
        kind = self._kind(ctx, plan, values)
        type_empty = "savings_type" in values and values["savings_type"] is None
        withdrawal = amounts.get("withdrawal", 0)
        if not state["wide"]:
            deposit = amounts.get("deposit", 0)
            if deposit and withdrawal:
                ctx.problem(
                    plan,
                    "withdrawal",
                    "two_movements",
                    _("A row is one movement: write the deposit and the withdrawal on two rows."),
                )
            elif not deposit and not withdrawal and not unreadable:
                ctx.problem(
                    plan,
                    "deposit" if "deposit" in letters else "withdrawal",
                    "amount_missing",
                    _("Fill in “%(deposit)s” or “%(withdrawal)s”.")
                    % {
                        "deposit": heading(ctx, "deposit", "Setoran"),
                        "withdrawal": heading(ctx, "withdrawal", "Penarikan"),
                    },
                )
            if type_empty:
                ctx.problem(
                    plan,
                    "savings_type",
                    "required",
                    _("“%(heading)s” must be filled in.")
                    % {"heading": heading(ctx, "savings_type", "Jenis Simpanan")},
                )
            column = "withdrawal" if withdrawal else "deposit"
            return [(kind, deposit, withdrawal, column)]
        movements: list[tuple[str | None, int, int, str]] = [
            (key, amounts[key], 0, key) for key in state["wide"] if amounts.get(key)
        ]
        if withdrawal:
            if movements:
                ctx.problem(
                    plan,
                    "withdrawal",
                    "two_movements",
                    _("A row either deposits or withdraws: write the withdrawal on its own row."),
                )
            if type_empty:
                ctx.problem(
                    plan,
                    "savings_type",
                    "savings_type_missing",
                    _("Say in “%(heading)s” which savings the withdrawal is taken from.")
                    % {"heading": heading(ctx, "savings_type", "Jenis Simpanan")},
                )
            movements.append((kind, 0, withdrawal, "withdrawal"))
        if not movements and not unreadable:
            keys = [*state["wide"], *(["withdrawal"] if "withdrawal" in letters else [])]
            ctx.problem(
                plan,
                keys[0],
                "amount_missing",
                _("Fill in at least one amount (%(columns)s).")
                % {"columns": ", ".join(f"“{heading(ctx, key, key)}”" for key in keys)},
            )
        return movements

    @staticmethod
    def _kind(ctx: Context, plan: RowPlan, values: dict[str, Any]) -> str | None:
        # The engine may have read the cell with the column's choices ("Wajib"): normalise.
        raw = values.get("savings_type")
        if raw is None:
            return None
        try:
            return parse_savings_type(raw)
        except ValidationError as error:
            ctx.problem(plan, "savings_type", error.code or "invalid", error.messages[0])
            return None

    def check_row(self, ctx: Context, plan: RowPlan, values: dict[str, Any]) -> None:
        state = ctx.state
        member = state["members"].resolve(ctx, plan, values)
        date = values.get("date")
        receipt = values.get("receipt_no") or ""
        description = values.get("description") or ""
        plan.label = ", ".join(
            part
            for part in (
                member[1] if member else values.get("name") or values.get("nik"),
                day(date),
                receipt,
            )
            if part
        )
        for key, text in (("receipt_no", receipt), ("description", description)):
            check_length(ctx, plan, key, text, _TEXT_LIMITS[key])
        movements = self._movements(ctx, plan, values)
        if receipt:
            for kind, *_rest in movements:
                if kind is None:
                    continue
                first = state["receipts_seen"].setdefault((receipt, kind), plan.number)
                if first != plan.number:
                    ctx.problem(
                        plan,
                        "receipt_no",
                        "receipt_duplicate",
                        _(
                            "This receipt number already appears in row %(row)s for the same "
                            "savings; the first row counts."
                        )
                        % {"row": first},
                    )
        if plan.action == RowAction.INVALID or member is None or date is None:
            plan.action = RowAction.INVALID
            return
        plan.key = receipt or None
        self._plan(ctx, plan, member, date, receipt, description, movements)

    def _plan(
        self,
        ctx: Context,
        plan: RowPlan,
        member: tuple[int, str],
        date: datetime.date,
        receipt: str,
        description: str,
        movements: list[tuple[str | None, int, int, str]],
    ) -> None:
        state = ctx.state
        nik_of = state["members"].nik_of
        rules: SavingsRules = state["rules"]
        # What this row counted into the rules' balances: taken back if the row is wrong.
        counted: list[dict[str, Any]] = []
        planned: list[dict[str, Any]] = []
        for kind, deposit, withdrawal, column in movements:
            assert kind is not None
            record = {
                "member_id": member[0],
                "date": date,
                "savings_type": kind,
                "deposit": deposit,
                "withdrawal": withdrawal,
                "receipt_no": receipt,
                "description": description,
            }
            # What the preview shows, under the sheet's own columns.
            shown_as = {
                "member_id": "nik",
                "date": "date",
                "deposit": column if state["wide"] else "deposit",
                "withdrawal": "withdrawal",
                "description": "description",
            }
            shown = {"member_id": nik_of[member[0]], "date": date, "description": description}
            shown |= {"deposit": deposit, "withdrawal": withdrawal}
            for name, key in shown_as.items():
                if key in ctx.letters:
                    plan.values[key] = shown[name]
            stored = state["by_receipt"].get((receipt, kind)) if receipt else None
            if stored is not None:
                compared = {
                    name: record[name] for name in ("member_id", "date", "deposit", "withdrawal")
                }
                if state["with_description"]:
                    compared["description"] = description
                changed = changed_fields(stored, compared)
                if not changed:
                    planned.append({"action": RowAction.UNCHANGED, "id": stored["id"]})
                    continue
                if set(changed) != {"description"}:  # the books see all but the description
                    self._check_rules(ctx, plan, rules, record, column, counted, stored=stored)
                planned.append(
                    {
                        "action": RowAction.UPDATE,
                        "id": stored["id"],
                        "fields": {name: record[name] for name in changed},
                    }
                )
                for name, old in changed.items():
                    plan.before[shown_as[name]] = (
                        nik_of.get(old, "") if name == "member_id" else old
                    )
                continue
            if not receipt:
                found = state["occurrences"].match(self._content(ctx, record))
                if found is not None:
                    planned.append({"action": RowAction.UNCHANGED, "id": found})
                    continue
                similar = state["amounts_on"].get((date, member[0], kind), set())
                if similar - {(deposit, withdrawal)}:
                    ctx.warn(
                        plan,
                        column,
                        "similar_transaction",
                        _(
                            "A transaction of this member on this day with another amount is "
                            "already recorded; this row is added as a new one. To correct a "
                            "transaction, give receipt numbers (No. Bukti)."
                        ),
                    )
            self._check_rules(ctx, plan, rules, record, column, counted)
            planned.append({"action": RowAction.CREATE, "fields": record})
            plan.before[column] = 0
        if plan.problems:
            for movement in reversed(counted):
                rules.record(**movement, undo=True)
            plan.action = RowAction.INVALID
            plan.before = {}
            return
        actions = {movement["action"] for movement in planned}
        plan.extra["movements"] = planned
        if actions == {RowAction.CREATE}:
            plan.action = RowAction.CREATE
            plan.before = {}
        elif actions == {RowAction.UNCHANGED}:
            plan.action = RowAction.UNCHANGED
            plan.before = {}
        else:
            plan.action = RowAction.UPDATE
            plan.values = {key: plan.values.get(key) for key in plan.before}
            if len(planned) == 1:
                plan.existing = planned[0]["id"]

    @staticmethod
    def _check_rules(
        ctx: Context,
        plan: RowPlan,
        rules: SavingsRules,
        record: dict[str, Any],
        column: str,
        counted: list[dict[str, Any]],
        *,
        stored: dict[str, Any] | None = None,
    ) -> None:
        """The savings rules for one new movement (or a stored one corrected to `record`):
        problems under the column at fault; the movement counted into the balances the rows
        below see (the stored one counted out first)."""
        old_closed = stored is not None and rules.is_closed(stored["date"])
        if stored is not None:
            if old_closed:
                ctx.problem(
                    plan,
                    "date",
                    "period_closed",
                    _(
                        "This receipt was recorded on %(date)s, in a month whose books are "
                        "closed: it can no longer be corrected. Ask the regency or province "
                        "officer to reopen the month."
                    )
                    % {"date": day(stored["date"])},
                )
            old = {
                "member_id": stored["member_id"],
                "savings_type": record["savings_type"],
                "deposit": stored["deposit"],
                "withdrawal": stored["withdrawal"],
            }
            rules.record(**old, undo=True)
            counted.append({**old, "deposit": -old["deposit"], "withdrawal": -old["withdrawal"]})
        columns = {"member": "nik", "date": "date", "deposit": column, "withdrawal": "withdrawal"}
        movement = {
            name: record[name] for name in ("member_id", "savings_type", "deposit", "withdrawal")
        }
        refusals = rules.refusals(date=record["date"], **movement)
        for refusal in refusals:
            if refusal.code == "period_closed" and old_closed:
                continue  # said once: the receipt cannot be corrected
            if refusal.code == "before_joining":
                ctx.warn(plan, "date", refusal.code, refusal.message)
            else:
                ctx.problem(plan, columns[refusal.field], refusal.code, refusal.message)
        if not plan.problems:
            rules.record(**movement)
            counted.append(movement)

    def apply(self, ctx: Context, plans: list[RowPlan]) -> ApplyResult:
        run, cooperative = ctx.run, ctx.cooperative
        created: list[SavingsTransaction] = []
        by_fields: dict[tuple[str, ...], list[SavingsTransaction]] = {}
        for plan in plans:
            for movement in plan.extra.get("movements", ()):
                if movement["action"] == RowAction.CREATE:
                    created.append(
                        SavingsTransaction(
                            cooperative=cooperative,
                            import_run=run,
                            import_row=plan.number,
                            **movement["fields"],
                        )
                    )
                elif movement["action"] == RowAction.UPDATE:
                    record = SavingsTransaction(
                        pk=movement["id"], import_run=run, import_row=plan.number
                    )
                    for name, value in movement["fields"].items():
                        setattr(record, name, value)
                    by_fields.setdefault(tuple(sorted(movement["fields"])), []).append(record)
        SavingsTransaction.objects.bulk_create(created, batch_size=1000)
        for fields, records in by_fields.items():
            SavingsTransaction.objects.bulk_update(
                records, [*fields, "import_run", "import_row"], batch_size=500
            )
        # Into the journal in this same transaction: if the journal refuses, nothing stays.
        savings_post_imported(import_run=run, by=run.confirmed_by or run.uploaded_by)
        return ApplyResult(
            created=sum(1 for plan in plans if plan.action == RowAction.CREATE),
            updated=sum(1 for plan in plans if plan.action == RowAction.UPDATE),
        )
