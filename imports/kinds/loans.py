"""Daftar Pinjaman: the cooperative's own loan ledger, each loan as it stands on the list's date.

A loan is recognised again by its number (No. Pinjaman); without one, by its member,
disbursement date and principal. Importing the same ledger again changes nothing; a later
ledger updates exactly the figures that moved (balance, instalments paid, days overdue,
collectibility), and the loans' date becomes the new ledger's. A loan first imported without a
number takes the number a later ledger gives it. An import never deletes a loan.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loans.enums import Collectibility
from loans.models import LoanLedgerEntry

from ..enums import ImportKind, RowAction
from ..spec import Column, ValueType
from ..values import parse_collectibility
from .base import ApplyResult, Context, Kind, RowPlan, changed_fields
from .books import MemberLookup, check_length, day, rupiah

MAX_TENOR = 360
MAX_RATE = Decimal(10)  # % a month; more is a rate per year
_RATE_PLACES = Decimal("0.001")
# Shown in the preview and in messages as villages write them.
COLLECTIBILITY_NAMES = {
    Collectibility.LANCAR: "Lancar",
    Collectibility.DPK: "DPK",
    Collectibility.KURANG_LANCAR: "Kurang Lancar",
    Collectibility.DIRAGUKAN: "Diragukan",
    Collectibility.MACET: "Macet",
}
_FIGURES = (
    "tenor_months",
    "rate_percent",
    "instalment",
    "instalments_paid",
    "balance",
    "days_overdue",
    "collectibility",
)
_FIELDS = ("loan_no", "member_id", "disbursed_on", "principal", *_FIGURES)
_OPTIONAL = {"disbursed_on": None, "instalments_paid": 0, "days_overdue": 0}


def percent(rate: Decimal) -> str:
    """Decimal("1.500") → "1,5", as a treasurer writes a rate."""
    text = format(rate.normalize(), "f") if rate else "0"
    return text.replace(".", ",")


COLUMNS = (
    Column(
        "loan_no",
        "No. Pinjaman",
        aliases=(
            "No Pinjaman",
            "No. Rekening Pinjaman",
            "No Rekening Pinjaman",
            "No. Akad",
            "No Akad",
            "Nomor Pinjaman",
        ),
        help=gettext_lazy(
            "The loan's number. Without it a loan is recognised by member, disbursement date "
            "and principal."
        ),
        example="PJ-2025-014",
    ),
    Column(
        "nik",
        "NIK",
        ValueType.NIK,
        required=True,
        aliases=("No. KTP", "No KTP", "NIK Anggota", "NIK Peminjam", "Nomor Induk Kependudukan"),
        help=gettext_lazy("The borrower's NIK, as registered in the member list."),
        example="6402164708850003",
    ),
    Column(
        "name",
        "Nama",
        aliases=("Nama Anggota", "Nama Peminjam", "Nama Lengkap"),
        help=gettext_lazy("Optional, for people reading the list: the NIK decides who it is."),
        example="Siti Aminah",
        width=24,
    ),
    Column(
        "disbursed_on",
        "Tanggal Pencairan",
        ValueType.DATE,
        aliases=(
            "Tgl Cair",
            "Tgl. Cair",
            "Tanggal Cair",
            "Tanggal Realisasi",
            "Tgl Realisasi",
            "Tgl Pinjam",
            "Tanggal Pinjam",
        ),
        help=gettext_lazy("The day the loan was paid out."),
        example=datetime.date(2025, 9, 15),
    ),
    Column(
        "principal",
        "Pokok Pinjaman",
        ValueType.AMOUNT,
        required=True,
        aliases=("Plafon", "Plafond", "Jumlah Pinjaman", "Pinjaman", "Pokok Pinjaman (Rp)"),
        help=gettext_lazy("The amount lent, in rupiah."),
        example=5000000,
    ),
    Column(
        "tenor_months",
        "Jangka Waktu",
        ValueType.INTEGER,
        required=True,
        aliases=("Tenor", "Lama (bulan)", "Jangka Waktu (Bulan)", "Lama Pinjaman", "JW"),
        help=gettext_lazy("The term in months, 1 to 360."),
        example=12,
    ),
    Column(
        "rate_percent",
        "Bunga",
        ValueType.DECIMAL,
        required=True,
        aliases=(
            "Bunga (%)",
            "Bunga per Bulan",
            "Bunga (% per bulan)",
            "Bunga/Bulan",
            "Jasa",
            "Jasa (%)",
        ),
        help=gettext_lazy("Interest per month, in percent, e.g. 1,5 (not per year)."),
        example=Decimal("1.5"),
    ),
    Column(
        "instalment",
        "Angsuran",
        ValueType.AMOUNT,
        required=True,
        aliases=("Angsuran per Bulan", "Angsuran/Bulan", "Angsuran (Rp)", "Besar Angsuran"),
        help=gettext_lazy("The monthly instalment, in rupiah."),
        example=491667,
    ),
    Column(
        "instalments_paid",
        "Angsuran Ke",
        ValueType.INTEGER,
        aliases=(
            "Sudah Diangsur",
            "Angsuran Dibayar",
            "Jumlah Angsuran Dibayar",
            "Angsuran ke-",
            "Cicilan Ke",
        ),
        help=gettext_lazy("How many instalments have been paid."),
        example=2,
    ),
    Column(
        "balance",
        "Sisa Pinjaman",
        ValueType.AMOUNT,
        required=True,
        aliases=("Saldo Pinjaman", "Sisa Pokok", "Outstanding", "Baki Debet", "Sisa Pinjaman (Rp)"),
        help=gettext_lazy("The principal still owed on the list's date."),
        example=4166666,
    ),
    Column(
        "days_overdue",
        "Hari Tunggakan",
        ValueType.INTEGER,
        aliases=("Tunggakan (hari)", "Hari Terlambat", "DPD", "Lama Tunggakan (hari)"),
        help=gettext_lazy("Days the oldest unpaid instalment is late; 0 when none is."),
        example=0,
    ),
    Column(
        "collectibility",
        "Kolektibilitas",
        ValueType.CHOICE,
        required=True,
        aliases=("Kol", "Kol.", "Kolektabilitas", "Kualitas Pinjaman"),
        help=gettext_lazy("Lancar, DPK, Kurang Lancar, Diragukan or Macet (or 1 to 5)."),
        example="Lancar",
        choices=tuple(COLLECTIBILITY_NAMES.values()),
        extra={"parser": parse_collectibility},
    ),
)


class LoanLedgerKind(Kind):
    code = ImportKind.LOANS
    sheet_title = "Daftar Pinjaman"
    columns = COLUMNS
    notes = (
        gettext_lazy(
            "One row per loan, as it stands on the list's date: write “Per 31 Oktober 2026” "
            "above the table, otherwise the import date is used."
        ),
        gettext_lazy(
            "The borrower must already be in the member list (same NIK). Give loan numbers if "
            "you have them: a loan is then updated by its number."
        ),
        gettext_lazy(
            "Interest is per month: 1,5 means 1,5 percent a month (18 percent a year). "
            "Importing a later list updates the balances and collectibility; importing the "
            "same list again changes nothing."
        ),
        gettext_lazy(
            "Rows such as JUMLAH or TOTAL and the signatures below the table are skipped."
        ),
    )

    def start(self, ctx: Context) -> None:
        state = ctx.state
        state["members"] = MemberLookup(ctx.cooperative)
        state["as_of"] = ctx.title_date or timezone.localdate()
        by_number: dict[str, dict[str, Any]] = {}
        by_content: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in (
            LoanLedgerEntry.objects.filter(cooperative=ctx.cooperative)
            .order_by("id")
            .values("id", "as_of", *_FIELDS)
        ):
            if row["loan_no"]:
                by_number.setdefault(row["loan_no"], row)
            else:
                by_content.setdefault(self._content(row), row)
        state["by_number"] = by_number
        state["by_content"] = by_content  # loans without a number, until a row claims them
        state["seen"] = {}

    @staticmethod
    def _content(record: dict[str, Any]) -> tuple[Any, ...]:
        return (record["member_id"], record["disbursed_on"], record["principal"])

    def check_row(self, ctx: Context, plan: RowPlan, values: dict[str, Any]) -> None:
        state = ctx.state
        member = state["members"].resolve(ctx, plan, values)
        loan_no = values.get("loan_no") or ""
        check_length(ctx, plan, "loan_no", loan_no, 40)
        principal = values.get("principal")
        plan.label = loan_no or ", ".join(
            part
            for part in (
                member[1] if member else values.get("name") or values.get("nik"),
                rupiah(principal) if isinstance(principal, int) else "",
            )
            if part
        )
        record = self._figures(ctx, plan, values)
        if loan_no or member is not None:
            key: tuple[Any, ...] = (
                ("number", loan_no)
                if loan_no
                else (
                    "content",
                    member[0] if member else None,
                    values.get("disbursed_on"),
                    principal,
                )
            )
            first = state["seen"].setdefault(key, plan.number)
            if first != plan.number:
                if loan_no:
                    ctx.problem(
                        plan,
                        "loan_no",
                        "loan_duplicate",
                        _("This loan number already appears in row %(row)s; the first row counts.")
                        % {"row": first},
                    )
                else:
                    ctx.problem(
                        plan,
                        "principal",
                        "loan_duplicate",
                        _(
                            "Row %(row)s has a loan of the same member with the same date and "
                            "principal; the first row counts. Give loan numbers to tell them "
                            "apart."
                        )
                        % {"row": first},
                    )
        if plan.action == RowAction.INVALID or member is None:
            plan.action = RowAction.INVALID
            return
        record |= {"loan_no": loan_no, "member_id": member[0]}
        plan.key = loan_no or self._content(record)
        self._plan(ctx, plan, record)

    def _figures(self, ctx: Context, plan: RowPlan, values: dict[str, Any]) -> dict[str, Any]:
        """The row's figures, checked one by one and against each other."""
        # Optional columns the sheet lacks keep their defaults on a new loan and are left alone
        # on a known one.
        record: dict[str, Any] = {
            name: default if values.get(name) is None else values[name]
            for name, default in _OPTIONAL.items()
        }
        principal = values.get("principal")
        if principal is not None and principal <= 0:
            ctx.problem(
                plan, "principal", "principal_not_positive", _("The principal must be above 0.")
            )
        tenor = values.get("tenor_months")
        if tenor is not None and not 1 <= tenor <= MAX_TENOR:
            ctx.problem(
                plan,
                "tenor_months",
                "tenor_range",
                _("The term is in months, from 1 to %(max)s.") % {"max": MAX_TENOR},
            )
            tenor = None
        rate = values.get("rate_percent")
        if rate is not None:
            rate = self._rate(ctx, plan, rate)
        for key in ("instalment", "balance", "instalments_paid", "days_overdue"):
            if (values.get(key) or 0) < 0:
                ctx.problem(plan, key, "negative", _("This cannot be negative."))
        paid = values.get("instalments_paid")
        if paid is not None and tenor is not None and paid > tenor:
            ctx.problem(
                plan,
                "instalments_paid",
                "instalments_over_tenor",
                _("%(paid)s instalments paid, but the term is %(tenor)s months.")
                % {"paid": paid, "tenor": tenor},
            )
        balance = values.get("balance")
        if balance is not None and principal and principal > 0 and balance > principal:
            ctx.problem(
                plan,
                "balance",
                "balance_over_principal",
                _(
                    "The outstanding balance (%(balance)s) is more than the principal (%(principal)s)."
                )
                % {"balance": rupiah(balance), "principal": rupiah(principal)},
            )
        collectibility = values.get("collectibility")
        if collectibility is not None:
            # The engine may have read the cell with the column's choices ("Kurang Lancar").
            try:
                collectibility = parse_collectibility(collectibility)
            except ValidationError as error:
                ctx.problem(plan, "collectibility", error.code or "invalid", error.messages[0])
        return record | {
            "principal": principal,
            "tenor_months": tenor,
            "rate_percent": rate,
            "instalment": values.get("instalment"),
            "balance": balance,
            "collectibility": collectibility,
        }

    @staticmethod
    def _rate(ctx: Context, plan: RowPlan, rate: Decimal) -> Decimal | None:
        if rate < 0:
            ctx.problem(plan, "rate_percent", "rate_negative", _("The rate cannot be negative."))
            return None
        if rate > MAX_RATE:
            ctx.problem(
                plan,
                "rate_percent",
                "rate_per_year",
                _(
                    "%(rate)s %% a month is too high: it looks like a rate per year. Write the "
                    "rate per month (%(rate)s %% a year is %(monthly)s %% a month)."
                )
                % {
                    "rate": percent(rate),
                    "monthly": percent((rate / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)),
                },
            )
            return None
        if 0 < rate < Decimal("0.1"):
            # 1,5 % typed in a cell formatted as a percentage is stored as 0,015.
            ctx.problem(
                plan,
                "rate_percent",
                "rate_fraction",
                _(
                    "%(rate)s %% a month is too low. If the cell is formatted as a percentage, "
                    "Excel keeps 1,5 %% as 0,015: write the rate as a plain number, e.g. 1,5."
                )
                % {"rate": percent(rate)},
            )
            return None
        return rate.quantize(_RATE_PLACES, ROUND_HALF_UP)

    def _plan(self, ctx: Context, plan: RowPlan, record: dict[str, Any]) -> None:
        state = ctx.state
        loan_no = record["loan_no"]
        stored = state["by_number"].get(loan_no) if loan_no else None
        compared = [name for name in _FIGURES if name not in _OPTIONAL or name in ctx.letters]
        if stored is not None:
            compared += ["member_id", "principal"]
            if "disbursed_on" in ctx.letters:
                compared.append("disbursed_on")
        else:
            # A loan without a number is its member, date and principal; a number given later
            # is added to it.
            stored = state["by_content"].pop(self._content(record), None)
            if loan_no and stored is not None:
                compared.append("loan_no")
        plan.values = self._shown(ctx, record)
        if stored is None:
            plan.action = RowAction.CREATE
            plan.extra["record"] = record
            return
        plan.existing = stored["id"]
        changed = changed_fields(stored, {name: record[name] for name in compared})
        if not changed:
            plan.action = RowAction.UNCHANGED
            return
        if stored["as_of"] > state["as_of"]:
            ctx.warn(
                plan,
                "balance",
                "older_ledger",
                _(
                    "This loan's figures recorded so far are as of %(stored)s, later than this "
                    "list (%(as_of)s): they are replaced by older ones."
                )
                % {"stored": day(stored["as_of"]), "as_of": day(state["as_of"])},
            )
        plan.action = RowAction.UPDATE
        plan.extra["fields"] = {name: record[name] for name in changed}
        old = self._shown(ctx, stored)
        plan.before = {_shown_key(name): old[_shown_key(name)] for name in changed}
        plan.values = {key: plan.values[key] for key in plan.before}

    @staticmethod
    def _shown(ctx: Context, record: dict[str, Any]) -> dict[str, Any]:
        """A record as the preview shows it: NIK for the member, a rate as 1,5, a class by its
        name, under the sheet's column keys."""
        nik_of = ctx.state["members"].nik_of
        shown = {_shown_key(name): value for name, value in record.items() if name in _FIELDS}
        shown["nik"] = nik_of.get(record["member_id"], "")
        if record.get("rate_percent") is not None:
            shown["rate_percent"] = percent(record["rate_percent"])
        if record.get("collectibility"):
            shown["collectibility"] = COLLECTIBILITY_NAMES.get(
                record["collectibility"], record["collectibility"]
            )
        return shown

    def apply(self, ctx: Context, plans: list[RowPlan]) -> ApplyResult:
        run, cooperative = ctx.run, ctx.cooperative
        as_of = ctx.state["as_of"]
        now = timezone.now()
        new = [
            LoanLedgerEntry(
                cooperative=cooperative,
                as_of=as_of,
                import_run=run,
                import_row=plan.number,
                **plan.extra["record"],
            )
            for plan in plans
            if plan.action == RowAction.CREATE
        ]
        LoanLedgerEntry.objects.bulk_create(new, batch_size=1000)
        by_fields: dict[tuple[str, ...], list[LoanLedgerEntry]] = {}
        changed = [plan for plan in plans if plan.action == RowAction.UPDATE]
        for plan in changed:
            entry = LoanLedgerEntry(
                pk=plan.existing,
                as_of=as_of,
                import_run=run,
                import_row=plan.number,
                updated_at=now,
            )
            for name, value in plan.extra["fields"].items():
                setattr(entry, name, value)
            by_fields.setdefault(tuple(sorted(plan.extra["fields"])), []).append(entry)
        for fields, entries in by_fields.items():
            LoanLedgerEntry.objects.bulk_update(
                entries,
                [*fields, "as_of", "import_run", "import_row", "updated_at"],
                batch_size=500,
            )
        return ApplyResult(created=len(new), updated=len(changed))


def _shown_key(name: str) -> str:
    return "nik" if name == "member_id" else name
