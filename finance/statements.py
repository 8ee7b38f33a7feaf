"""The five statements of a cooperative's books, read from the journal through `balances`:

- `trial_balance` (neraca saldo): per account the balance before the period, its debits and
  credits, and the balance after;
- `balance_sheet` (neraca) on a date, beside the end of the year before;
- `income_statement` (laporan/perhitungan hasil usaha, PHU): revenue and expenses per
  business unit, each unit's result and the SHU before tax;
- `cash_flow` (arus kas), direct method: what came in and went out of the cash and bank
  accounts, by the class of the account on the other side;
- `equity_changes` (perubahan ekuitas): each equity account's opening, increases, decreases and
  closing, with the period's SHU.

The books keep no closing entries: revenue and expense accounts start again every 1 January.
A statement closes them in thought only: "SHU tahun berjalan" is this year's revenue − expenses
up to the date, and 3-301 "SHU belum dibagi" is its posted balance plus the revenue − expenses
of every earlier year (until a SHU distribution posts Dr 3-301).

A sub-account is shown under its shared parent, whose row holds both its own lines and its
sub-accounts'; totals count the parent rows only. Every statement is a few aggregate queries,
whatever the number of lines.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperatives.enums import BusinessUnitCode
from cooperatives.models import BusinessUnit, Cooperative
from website.templatetags.kopdes import rupiah

from . import chart
from .balances import (
    Movement,
    account_movements_windows,
    account_unit_movements,
    cash_counterpart_movements,
)
from .enums import RESULT_TYPES, AccountType, CashFlowClass
from .models import Account
from .selectors import chart_accounts

ONE_DAY = datetime.timedelta(days=1)

# The statements by the slug of their page (finance:statement).
TRIAL_BALANCE = "neraca-saldo"
BALANCE_SHEET = "neraca"
INCOME_STATEMENT = "phu"
CASH_FLOW = "arus-kas"
EQUITY_CHANGES = "perubahan-ekuitas"


@dataclass(frozen=True)
class StatementKind:
    slug: str
    title: Promise
    short: Promise  # a sheet name: at most 31 characters
    # Whether the statement can be read for one business unit.
    per_unit: bool = False
    # A balance on the period's last day rather than the movements of a period.
    point_in_time: bool = False


KINDS: dict[str, StatementKind] = {
    kind.slug: kind
    for kind in (
        StatementKind(
            TRIAL_BALANCE, gettext_lazy("Trial balance"), gettext_lazy("Trial balance"), True
        ),
        StatementKind(
            BALANCE_SHEET,
            gettext_lazy("Balance sheet"),
            gettext_lazy("Balance sheet"),
            point_in_time=True,
        ),
        StatementKind(
            INCOME_STATEMENT,
            gettext_lazy("Statement of operating results (PHU)"),
            gettext_lazy("PHU"),
            True,
        ),
        StatementKind(CASH_FLOW, gettext_lazy("Cash flow statement"), gettext_lazy("Cash flow")),
        StatementKind(
            EQUITY_CHANGES,
            gettext_lazy("Statement of changes in equity"),
            gettext_lazy("Changes in equity"),
        ),
    )
}


class StatementError(ValidationError):
    """A statement cannot be drawn up as asked (a period that ends before it starts, an unknown
    business unit…); the message says what to change."""


# --- What a statement is made of --------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Row:
    """One line of a statement. `amounts` follow the statement's columns (None: no figure).
    `kind`: "account" (a shared account, its sub-accounts included), "sub" (a sub-account,
    already counted in the account above it), "line" (a computed line such as SHU tahun
    berjalan) or "total"."""

    label: str
    amounts: tuple[int | None, ...]
    code: str = ""
    level: int = 0
    kind: str = "account"

    def amount(self, index: int = 0) -> int:
        value = self.amounts[index]
        return 0 if value is None else value

    def as_dict(self, columns: Iterable[Column]) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": str(self.label),
            "level": self.level,
            "kind": self.kind,
            "amounts": {
                column.key: value for column, value in zip(columns, self.amounts, strict=True)
            },
        }


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: tuple[Row, ...]
    total: Row | None = None


@dataclass(frozen=True)
class Part:
    """A group of sections with its own total: the assets of a neraca, one business unit of
    the PHU."""

    key: str
    title: str
    sections: tuple[Section, ...]
    total: Row | None = None


@dataclass(frozen=True)
class Statement:
    kind: str
    title: str
    cooperative_id: int
    cooperative_name: str
    start: datetime.date | None  # None for a balance on one date (the neraca)
    end: datetime.date
    columns: tuple[Column, ...]
    parts: tuple[Part, ...]
    summary: tuple[Row, ...] = ()
    totals: dict[str, int] = field(default_factory=dict)
    balanced: bool | None = None
    business_unit: str | None = None
    business_unit_label: str = ""
    notes: tuple[str, ...] = ()

    @property
    def as_of(self) -> datetime.date:
        return self.end

    @property
    def period_label(self) -> str:
        end = date_format(self.end, "j F Y")
        if self.start is None:
            return _("as of %(date)s") % {"date": end}
        return _("%(start)s to %(end)s") % {"start": date_format(self.start, "j F Y"), "end": end}

    @property
    def sections(self) -> list[Section]:
        return [section for part in self.parts for section in part.sections]

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def part(self, key: str) -> Part:
        for part in self.parts:
            if part.key == key:
                return part
        raise KeyError(key)

    def rows(self) -> list[Row]:
        """Every row of every section, sub-accounts included, totals left out."""
        return [row for section in self.sections for row in section.rows]

    def row(self, code: str) -> Row:
        """The row of account `code`: a shared account's own row (the first, when it appears in
        several parts), or a sub-account's row."""
        rows = [row for row in self.rows() if row.code == code]
        for row in rows:
            if row.kind != "sub" or "." in code:
                return row
        raise KeyError(code)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ints, ISO dates and strings only."""

        def row(value: Row | None) -> dict[str, Any] | None:
            return None if value is None else value.as_dict(self.columns)

        return {
            "kind": self.kind,
            "title": str(self.title),
            "cooperative": {"id": self.cooperative_id, "name": self.cooperative_name},
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat(),
            "period_label": self.period_label,
            "business_unit": self.business_unit or None,
            "business_unit_label": self.business_unit_label or None,
            "columns": [{"key": c.key, "label": str(c.label)} for c in self.columns],
            "parts": [
                {
                    "key": part.key,
                    "title": str(part.title),
                    "sections": [
                        {
                            "key": section.key,
                            "title": str(section.title),
                            "rows": [r.as_dict(self.columns) for r in section.rows],
                            "total": row(section.total),
                        }
                        for section in part.sections
                    ],
                    "total": row(part.total),
                }
                for part in self.parts
            ],
            "summary": [r.as_dict(self.columns) for r in self.summary],
            "totals": {key: int(value) for key, value in self.totals.items()},
            "balanced": self.balanced,
            "notes": [str(note) for note in self.notes],
        }


# --- Checks -----------------------------------------------------------------------------------


def unit_names() -> dict[str, str]:
    """Business unit code → name: the seven KDMP units, then any unit an admin added."""
    names = {code: str(label) for code, label in BusinessUnitCode.choices}
    names.update(BusinessUnit.objects.values_list("code", "name"))
    return names


def _unit_label(unit: str, names: dict[str, str]) -> str:
    if not unit:
        return _("No business unit")
    return names.get(unit, unit)


def check_period(start: Any, end: Any) -> None:
    """Raise StatementError unless `start` and `end` are dates and `end` is not before
    `start`."""
    for value in (start, end):
        if not isinstance(value, datetime.date):
            raise StatementError(_("Give the period as two dates."), code="bad_date")
    if end < start:
        raise StatementError(
            _("The period ends on %(end)s, before it starts on %(start)s.")
            % {"start": date_format(start, "j F Y"), "end": date_format(end, "j F Y")},
            code="end_before_start",
        )


def _check_one_year(start: datetime.date, end: datetime.date, what: str) -> None:
    if start.year != end.year:
        raise StatementError(
            _(
                "The %(what)s covers one financial year at most: revenue and expense accounts "
                "start again every 1 January. Choose dates within one year."
            )
            % {"what": what},
            code="spans_years",
        )


def check_unit(business_unit: str | None, names: dict[str, str] | None = None) -> dict[str, str]:
    """The units by code (see `unit_names`); raises StatementError for an unknown unit."""
    names = unit_names() if names is None else names
    if business_unit and business_unit not in names:
        raise StatementError(
            _("There is no business unit “%(unit)s”.") % {"unit": business_unit},
            code="unknown_unit",
        )
    return names


# --- Rows from sums ---------------------------------------------------------------------------

Vector = tuple[int, ...]


def _add(a: Vector, b: Vector) -> Vector:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _chart(cooperative: Cooperative) -> dict[int, Account]:
    return {account.pk: account for account in chart_accounts(cooperative)}


def _top(account: Account, accounts: dict[int, Account]) -> Account:
    """The shared account a sub-account is shown under (itself for a shared account)."""
    parent = accounts.get(account.parent_id) if account.parent_id else None
    return parent or account


def _by_section(
    values: dict[int, Vector], accounts: dict[int, Account], key: Callable[[Account], str]
) -> dict[str, dict[int, Vector]]:
    """`values` split by the section `key` gives each account's top account."""
    split: dict[str, dict[int, Vector]] = defaultdict(dict)
    for pk, vector in values.items():
        split[key(_top(accounts[pk], accounts))][pk] = vector
    return split


def _account_rows(
    values: dict[int, Vector],
    accounts: dict[int, Account],
    width: int,
    present: Callable[[Vector], tuple[int | None, ...]] = lambda v: v,
    keep: Collection[int] = (),
) -> tuple[list[Row], Vector]:
    """Rows for the accounts in `values`, each sub-account listed below its shared parent, whose
    row sums its own figures and its sub-accounts'. Figures are summed as given, then shown by
    `present`; an account whose figures are all nothing is left out unless its id is in
    `keep`. Returns the rows and the sum of the parent rows (as summed, before `present`)."""
    zero: Vector = (0,) * width
    tops: dict[int, Vector] = {}
    subs: dict[int, list[Account]] = defaultdict(list)
    for pk, vector in values.items():
        account = accounts[pk]
        top = _top(account, accounts)
        tops[top.pk] = _add(tops.get(top.pk, zero), vector)
        if top.pk != pk:
            subs[top.pk].append(account)
    rows: list[Row] = []
    total = zero
    for top_pk in sorted(tops, key=lambda pk: accounts[pk].code):
        account = accounts[top_pk]
        vector = tops[top_pk]
        children = sorted(
            (sub for sub in subs.get(top_pk, []) if any(values[sub.pk])), key=lambda a: a.code
        )
        if not any(vector) and not children and top_pk not in keep:
            continue
        rows.append(Row(account.name, present(vector), code=account.code))
        total = _add(total, vector)
        if children:
            own = values.get(top_pk, zero)
            if any(own):
                rows.append(
                    Row(
                        _("%(account)s (not in a sub-account)") % {"account": account.name},
                        present(own),
                        code=account.code,
                        level=1,
                        kind="sub",
                    )
                )
            rows.extend(
                Row(sub.name, present(values[sub.pk]), code=sub.code, level=1, kind="sub")
                for sub in children
            )
    return rows, total


def _sides(net_debit: int) -> tuple[int, int]:
    """A balance as (debit, credit): the side it sits on."""
    return (net_debit, 0) if net_debit >= 0 else (0, -net_debit)


def _net(movements: Iterable[Movement]) -> int:
    """Debits − credits."""
    return sum(m.debit - m.credit for m in movements)


def _statement(kind: str, cooperative: Cooperative, **fields: Any) -> Statement:
    return Statement(
        kind=kind,
        title=str(KINDS[kind].title),
        cooperative_id=cooperative.pk,
        cooperative_name=cooperative.name,
        **fields,
    )


def _retained(accounts: dict[int, Account]) -> Account:
    return next(a for a in accounts.values() if a.code == chart.RETAINED_SHU and a.is_shared)


_TYPE_TOTALS = {
    AccountType.ASSET: gettext_lazy("Total assets"),
    AccountType.LIABILITY: gettext_lazy("Total liabilities"),
    AccountType.EQUITY: gettext_lazy("Total equity"),
    AccountType.REVENUE: gettext_lazy("Total revenue"),
    AccountType.EXPENSE: gettext_lazy("Total expenses"),
}
TYPE_ORDER = (
    AccountType.ASSET,
    AccountType.LIABILITY,
    AccountType.EQUITY,
    AccountType.REVENUE,
    AccountType.EXPENSE,
)


# --- Trial balance (neraca saldo) -------------------------------------------------------------


def trial_balance(
    cooperative: Cooperative,
    *,
    start: datetime.date,
    end: datetime.date,
    business_unit: str | None = None,
) -> Statement:
    """Per account: the balance before `start`, the debits and credits from `start` to `end`,
    and the balance at `end`, each balance on the side it sits (debit or credit). Revenue and
    expense accounts count from 1 January; what they added up to in earlier years stands in
    3-301 SHU belum dibagi. `balanced`: debits equal credits before, during and after.

    With `business_unit` only the lines posted for that unit: an entry shared with other units
    (a sale whose cash line was left without a unit) makes its debits and credits differ.
    Raises StatementError for a bad period, one over more than one year, or an unknown unit."""
    check_period(start, end)
    _check_one_year(start, end, _("trial balance"))
    names = check_unit(business_unit) if business_unit else {}
    year_start = datetime.date(start.year, 1, 1)
    movements = account_movements_windows(
        cooperative,
        windows=[(None, year_start - ONE_DAY), (year_start, start - ONE_DAY), (start, end)],
        business_unit=business_unit,
    )
    accounts = _chart(cooperative)
    # (opening debit − credit, period debit, period credit, closing debit − credit)
    values: dict[int, Vector] = {}
    earlier_years = 0
    for pk, (before_year, this_year, period) in movements.items():
        if accounts[pk].type in RESULT_TYPES:
            earlier_years -= _net([before_year])
            opening = _net([this_year])
        else:
            opening = _net([before_year, this_year])
        values[pk] = (opening, period.debit, period.credit, opening + _net([period]))
    if earlier_years:
        retained = _retained(accounts)
        values[retained.pk] = _add(
            values.get(retained.pk, (0, 0, 0, 0)), (-earlier_years, 0, 0, -earlier_years)
        )

    def present(vector: Vector) -> tuple[int, ...]:
        opening, debit, credit, closing = vector
        return (*_sides(opening), debit, credit, *_sides(closing))

    by_type = _by_section(values, accounts, lambda account: account.type)
    sections = []
    grand: Vector = (0,) * 6
    for account_type in TYPE_ORDER:
        rows, _total = _account_rows(by_type.get(account_type, {}), accounts, 4, present)
        if not rows:
            continue
        total = tuple(sum(row.amount(i) for row in rows if row.kind == "account") for i in range(6))
        grand = _add(grand, total)
        sections.append(
            Section(
                account_type,
                str(AccountType(account_type).label),
                tuple(rows),
                Row(str(_TYPE_TOTALS[account_type]), total, kind="total"),
            )
        )
    keys = ("opening_debit", "opening_credit", "debit", "credit", "closing_debit", "closing_credit")
    totals = dict(zip(keys, grand, strict=True))
    notes = []
    if earlier_years:
        notes.append(
            _(
                "3-301 SHU belum dibagi includes the SHU of the years before %(year)s not yet "
                "distributed: %(amount)s."
            )
            % {"year": start.year, "amount": rupiah(earlier_years)}
        )
    if business_unit:
        notes.append(
            _(
                "Only the lines posted for this unit. Debits and credits differ when an entry "
                "has lines of other units or without a unit (a cash line, for instance)."
            )
        )
    return _statement(
        TRIAL_BALANCE,
        cooperative,
        start=start,
        end=end,
        business_unit=business_unit or None,
        business_unit_label=_unit_label(business_unit, names) if business_unit else "",
        columns=(
            Column("opening_debit", _("Opening debit")),
            Column("opening_credit", _("Opening credit")),
            Column("debit", _("Debit")),
            Column("credit", _("Credit")),
            Column("closing_debit", _("Closing debit")),
            Column("closing_credit", _("Closing credit")),
        ),
        parts=(Part("accounts", "", tuple(sections)),),
        summary=(Row(_("Total"), grand, kind="total"),),
        totals=totals,
        balanced=(
            totals["opening_debit"] == totals["opening_credit"]
            and totals["debit"] == totals["credit"]
            and totals["closing_debit"] == totals["closing_credit"]
        ),
        notes=tuple(notes),
    )


# --- Balance sheet (neraca) -------------------------------------------------------------------

# (key, title, total's label)
_ASSET_SECTIONS = (
    ("current_assets", gettext_lazy("Current assets"), gettext_lazy("Total current assets")),
    ("fixed_assets", gettext_lazy("Fixed assets"), gettext_lazy("Total fixed assets")),
    ("other_assets", gettext_lazy("Other assets"), gettext_lazy("Total other assets")),
)
_LIABILITY_SECTIONS = (
    (
        "short_term_liabilities",
        gettext_lazy("Short-term liabilities"),
        gettext_lazy("Total short-term liabilities"),
    ),
    (
        "long_term_liabilities",
        gettext_lazy("Long-term liabilities"),
        gettext_lazy("Total long-term liabilities"),
    ),
)
_EQUITY_SECTIONS = (("equity", gettext_lazy("Equity"), gettext_lazy("Total equity")),)


def _balance_sheet_section(account: Account) -> str:
    """Where an account stands in the neraca, by the chart's codes: 1-1… current assets,
    1-2… fixed assets, 2-2… long-term liabilities."""
    if account.type == AccountType.ASSET:
        if account.code.startswith("1-1"):
            return "current_assets"
        if account.code.startswith("1-2"):
            return "fixed_assets"
        return "other_assets"
    if account.type == AccountType.LIABILITY:
        return (
            "long_term_liabilities" if account.code.startswith("2-2") else "short_term_liabilities"
        )
    return "equity"


def balance_sheet(cooperative: Cooperative, *, as_of: datetime.date) -> Statement:
    """The neraca at the end of `as_of`, beside the end of the year before: assets (current,
    fixed), liabilities (short-term, long-term) and equity, with 3-301 SHU belum dibagi holding
    the SHU of earlier years and "SHU tahun berjalan" this year's revenue − expenses up to
    `as_of`. `balanced`: assets equal liabilities plus equity, in both columns."""
    if not isinstance(as_of, datetime.date):
        raise StatementError(_("Give the date of the balance sheet."), code="bad_date")
    year_start = datetime.date(as_of.year, 1, 1)
    last_year_start = datetime.date(as_of.year - 1, 1, 1)
    previous_end = year_start - ONE_DAY
    movements = account_movements_windows(
        cooperative,
        windows=[
            (None, last_year_start - ONE_DAY),
            (last_year_start, previous_end),
            (year_start, as_of),
        ],
    )
    accounts = _chart(cooperative)
    values: dict[int, Vector] = {}
    # Revenue − expenses: (before last year, last year, this year)
    results = [0, 0, 0]
    for pk, windows in movements.items():
        account = accounts[pk]
        if account.type in RESULT_TYPES:
            for index, movement in enumerate(windows):
                results[index] -= _net([movement])
            continue
        sign = 1 if account.debit_normal else -1
        values[pk] = (sign * _net(windows), sign * _net(windows[:2]))
    earlier_now, earlier_then = results[0] + results[1], results[0]
    retained = _retained(accounts)
    values[retained.pk] = _add(values.get(retained.pk, (0, 0)), (earlier_now, earlier_then))
    split = _by_section(values, accounts, _balance_sheet_section)

    def part(
        key: str, title: str, section_names: Iterable[tuple[str, Any, Any]], total_label: str
    ) -> tuple[Part, Vector]:
        sections = []
        total: Vector = (0, 0)
        for section_key, section_title, section_total_label in section_names:
            rows, section_total = _account_rows(
                split.get(section_key, {}), accounts, 2, keep={retained.pk}
            )
            if section_key == "equity":
                rows.append(Row(_("SHU tahun berjalan"), (results[2], results[1]), kind="line"))
                section_total = _add(section_total, (results[2], results[1]))
            if not rows and section_key.startswith("other"):
                continue
            sections.append(
                Section(
                    section_key,
                    str(section_title),
                    tuple(rows),
                    Row(str(section_total_label), section_total, kind="total"),
                )
            )
            total = _add(total, section_total)
        if len(sections) == 1:  # the equity: one section, shown under the part's own title
            sections = [Section(sections[0].key, "", sections[0].rows)]
        return Part(key, title, tuple(sections), Row(total_label, total, kind="total")), total

    assets, total_assets = part("assets", _("Assets"), _ASSET_SECTIONS, _("Total assets"))
    liabilities, total_liabilities = part(
        "liabilities", _("Liabilities"), _LIABILITY_SECTIONS, _("Total liabilities")
    )
    equity, total_equity = part("equity", _("Equity"), _EQUITY_SECTIONS, _("Total equity"))
    both = _add(total_liabilities, total_equity)
    totals = {
        "assets": total_assets[0],
        "liabilities": total_liabilities[0],
        "equity": total_equity[0],
        "liabilities_and_equity": both[0],
        "shu_current_year": results[2],
        "previous_assets": total_assets[1],
        "previous_liabilities": total_liabilities[1],
        "previous_equity": total_equity[1],
        "previous_liabilities_and_equity": both[1],
        "previous_shu_current_year": results[1],
    }
    notes = [
        _(
            "SHU tahun berjalan: revenue − expenses from 1 January to the date. 3-301 SHU belum "
            "dibagi: the SHU of earlier years not yet distributed."
        )
    ]
    return _statement(
        BALANCE_SHEET,
        cooperative,
        start=None,
        end=as_of,
        columns=(
            Column("as_of", date_format(as_of, "j F Y")),
            Column("previous", date_format(previous_end, "j F Y")),
        ),
        parts=(assets, liabilities, equity),
        summary=(Row(_("Total liabilities and equity"), both, kind="total"),),
        totals=totals,
        balanced=total_assets == both,
        notes=tuple(notes),
    )


# --- Laporan hasil usaha (PHU) ----------------------------------------------------------------


# The units in the PHU: the trading and service units first, then the office (kantor), whose
# costs are shared by all, then lines of units not in the list, then lines without a unit.
_UNIT_ORDER = [u for u in BusinessUnitCode.values if u != BusinessUnitCode.KANTOR] + [
    BusinessUnitCode.KANTOR
]


def _unit_order(unit: str) -> tuple[int, str]:
    if unit in _UNIT_ORDER:
        return (_UNIT_ORDER.index(unit), unit)
    return (len(_UNIT_ORDER) + (1 if not unit else 0), unit)


def income_statement(
    cooperative: Cooperative,
    *,
    start: datetime.date,
    end: datetime.date,
    business_unit: str | None = None,
) -> Statement:
    """Revenue and expenses from `start` to `end` per business unit (the unit each line was
    posted for), each unit's result and the SHU before tax; with `business_unit` that unit
    only. Raises StatementError for a bad period or an unknown unit."""
    check_period(start, end)
    names = check_unit(business_unit)
    movements = account_unit_movements(
        cooperative, start=start, end=end, business_unit=business_unit, account_types=RESULT_TYPES
    )
    accounts = _chart(cooperative)
    by_unit: dict[str, dict[str, dict[int, Vector]]] = defaultdict(lambda: defaultdict(dict))
    for (pk, unit), movement in movements.items():
        account = accounts[pk]
        by_unit[unit][account.type][pk] = (movement.balance(account.type),)
    units = sorted(by_unit, key=_unit_order)
    if business_unit and business_unit not in by_unit:
        units = [business_unit]
    parts = []
    revenue = expenses = 0
    for unit in units:
        sections = []
        unit_totals = {}
        for account_type, title, total_label in (
            (AccountType.REVENUE, _("Revenue"), _("Total revenue")),
            (AccountType.EXPENSE, _("Expenses"), _("Total expenses")),
        ):
            rows, total = _account_rows(by_unit[unit].get(account_type, {}), accounts, 1)
            unit_totals[account_type] = total[0]
            sections.append(
                Section(
                    f"{unit or 'none'}:{account_type}",
                    title,
                    tuple(rows),
                    Row(total_label, total, kind="total"),
                )
            )
        revenue += unit_totals[AccountType.REVENUE]
        expenses += unit_totals[AccountType.EXPENSE]
        result = unit_totals[AccountType.REVENUE] - unit_totals[AccountType.EXPENSE]
        parts.append(
            Part(
                unit or "none",
                _unit_label(unit, names),
                tuple(sections),
                Row(
                    _("Result of %(unit)s") % {"unit": _unit_label(unit, names)},
                    (result,),
                    kind="total",
                ),
            )
        )
    shu = revenue - expenses
    return _statement(
        INCOME_STATEMENT,
        cooperative,
        start=start,
        end=end,
        business_unit=business_unit or None,
        business_unit_label=_unit_label(business_unit, names) if business_unit else "",
        columns=(Column("amount", _("Amount")),),
        parts=tuple(parts),
        summary=(
            Row(_("Total revenue"), (revenue,), kind="total"),
            Row(_("Total expenses"), (expenses,), kind="total"),
            Row(_("SHU before tax"), (shu,), kind="total"),
        ),
        totals={"revenue": revenue, "expenses": expenses, "shu": shu},
    )


# --- Arus kas ---------------------------------------------------------------------------------

_FLOW_TOTALS = {
    CashFlowClass.OPERATING: gettext_lazy("Net cash from operating activities"),
    CashFlowClass.INVESTING: gettext_lazy("Net cash from investing activities"),
    CashFlowClass.FINANCING: gettext_lazy("Net cash from financing activities"),
}


def cash_flow(cooperative: Cooperative, *, start: datetime.date, end: datetime.date) -> Statement:
    """The arus kas from `start` to `end` by the direct method: for every entry touching a cash
    or bank account, its other lines, by their account's class (operating, investing,
    financing), are cash received (credits) and cash paid (debits). Then the cash and bank at
    the start, the net change and the cash and bank at the end. `balanced`: the end minus the
    start equals the net change of the three classes. Raises StatementError for a bad period."""
    check_period(start, end)
    counterparts = cash_counterpart_movements(cooperative, start=start, end=end)
    cash = account_movements_windows(
        cooperative, windows=[(None, start - ONE_DAY), (start, end)], cash_only=True
    )
    accounts = _chart(cooperative)
    opening = sum(_net([before]) for before, _period in cash.values())
    closing = opening + sum(_net([period]) for _before, period in cash.values())
    values = {pk: (m.credit, m.debit, m.credit - m.debit) for pk, m in counterparts.items()}
    by_class: dict[str, dict[int, Vector]] = defaultdict(dict)
    for pk, vector in values.items():
        by_class[accounts[pk].cash_flow][pk] = vector
    sections = []
    nets: dict[str, int] = {}
    receipts = payments = 0
    for flow_class in CashFlowClass:
        rows, total = _account_rows(by_class.get(flow_class, {}), accounts, 3)
        nets[flow_class] = total[2]
        receipts += total[0]
        payments += total[1]
        sections.append(
            Section(
                flow_class,
                str(flow_class.label),
                tuple(rows),
                Row(str(_FLOW_TOTALS[flow_class]), total, kind="total"),
            )
        )
    change = sum(nets.values())
    return _statement(
        CASH_FLOW,
        cooperative,
        start=start,
        end=end,
        columns=(
            Column("receipts", _("Cash received")),
            Column("payments", _("Cash paid")),
            Column("net", _("Net")),
        ),
        parts=(Part("activities", "", tuple(sections)),),
        summary=(
            Row(_("Net change in cash and bank"), (None, None, change), kind="total"),
            Row(_("Cash and bank at the start"), (None, None, opening), kind="line"),
            Row(_("Cash and bank at the end"), (None, None, closing), kind="total"),
        ),
        totals={
            "opening_cash": opening,
            "closing_cash": closing,
            "net_change": change,
            "operating": nets[CashFlowClass.OPERATING],
            "investing": nets[CashFlowClass.INVESTING],
            "financing": nets[CashFlowClass.FINANCING],
            "receipts": receipts,
            "payments": payments,
        },
        balanced=closing - opening == change,
    )


# --- Perubahan ekuitas ------------------------------------------------------------------------


def equity_changes(
    cooperative: Cooperative, *, start: datetime.date, end: datetime.date
) -> Statement:
    """Per equity account from `start` to `end`: the balance before, the increases (credits),
    the decreases (debits) and the balance after; 3-301 with the SHU of earlier years, and a
    line for SHU tahun berjalan whose change is the period's SHU. The closing total is the
    neraca's equity at `end`. Raises StatementError for a bad period or one over more than one
    year."""
    check_period(start, end)
    _check_one_year(start, end, _("statement of changes in equity"))
    year_start = datetime.date(start.year, 1, 1)
    movements = account_movements_windows(
        cooperative,
        windows=[(None, year_start - ONE_DAY), (year_start, start - ONE_DAY), (start, end)],
    )
    accounts = _chart(cooperative)
    values: dict[int, Vector] = {}
    earlier_years = before_start = period_shu = 0
    for pk, (before_year, this_year, period) in movements.items():
        account = accounts[pk]
        if account.type in RESULT_TYPES:
            earlier_years -= _net([before_year])
            before_start -= _net([this_year])
            period_shu -= _net([period])
        elif account.type == AccountType.EQUITY:
            opening = -_net([before_year, this_year])
            values[pk] = (opening, period.credit, period.debit, opening - _net([period]))
    retained = _retained(accounts)
    values[retained.pk] = _add(
        values.get(retained.pk, (0, 0, 0, 0)), (earlier_years, 0, 0, earlier_years)
    )
    rows, total = _account_rows(values, accounts, 4, keep={retained.pk})
    shu = (before_start, max(period_shu, 0), max(-period_shu, 0), before_start + period_shu)
    rows.append(Row(_("SHU tahun berjalan"), shu, kind="line"))
    total = _add(total, shu)
    return _statement(
        EQUITY_CHANGES,
        cooperative,
        start=start,
        end=end,
        columns=(
            Column("opening", _("At the start")),
            Column("increases", _("Increases")),
            Column("decreases", _("Decreases")),
            Column("closing", _("At the end")),
        ),
        parts=(
            Part(
                "equity",
                "",
                (
                    Section(
                        "equity",
                        _("Equity"),
                        tuple(rows),
                        Row(_("Total equity"), total, kind="total"),
                    ),
                ),
            ),
        ),
        totals={
            "opening": total[0],
            "increases": total[1],
            "decreases": total[2],
            "closing": total[3],
            "shu": period_shu,
        },
        balanced=total[0] + total[1] - total[2] == total[3],
    )


# --- One entry point for the pages and the API ------------------------------------------------


def statement_build(
    cooperative: Cooperative,
    *,
    kind: str,
    start: datetime.date,
    end: datetime.date,
    business_unit: str | None = None,
) -> Statement:
    """The statement `kind` (a slug of KINDS) for the period: the neraca as of `end`; the unit
    is ignored by the statements not drawn per unit. Raises StatementError for an unknown kind
    and whatever the statement itself refuses."""
    if kind not in KINDS:
        raise StatementError(
            _("There is no statement “%(kind)s”.") % {"kind": kind}, code="unknown_kind"
        )
    check_period(start, end)
    if kind == TRIAL_BALANCE:
        return trial_balance(cooperative, start=start, end=end, business_unit=business_unit)
    if kind == BALANCE_SHEET:
        return balance_sheet(cooperative, as_of=end)
    if kind == INCOME_STATEMENT:
        return income_statement(cooperative, start=start, end=end, business_unit=business_unit)
    if kind == CASH_FLOW:
        return cash_flow(cooperative, start=start, end=end)
    return equity_changes(cooperative, start=start, end=end)
