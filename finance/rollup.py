"""The province's monthly roll-up of the books: for one month, each cooperative's figures from
its journal lines, the province's totals and the totals per regency or district.

Per cooperative, for the month of `month` (any day of it):

- at the end of the month: kas and bank (the cash accounts, 1-101 and 1-102 with their
  sub-accounts), loans to members outstanding (1-110), simpanan pokok, wajib and sukarela,
  total assets, total liabilities and total equity — equity as the neraca shows it, with the
  SHU of this year and of every earlier year not yet distributed (the books keep no closing
  entries), so that assets = liabilities + equity when the books balance;
- of the month: revenue, expenses and their difference, the month's SHU;
- SHU year to date: revenue − expenses from 1 January to the end of the month;
- whether the cooperative posted anything dated in the month at all ("booked").

`province_rollup` reads all of it in two queries whatever the number of cooperatives: the
cooperatives (with the regency and district of their home village), and one GROUP BY
cooperative over the journal lines with a conditional sum per figure. `rollup_naive` computes
the same figures cooperative by cooperative through `finance.balances` (six queries each): what
a first version would do, kept to check the aggregate against and for the benchmark
(benchmarks/books_bench.py). `region_rollup` adds the cooperatives' figures up per regency or
district (one query for the regions' names).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any, Literal

from django.db.models import Count, F, Q, QuerySet, Sum

from cooperatives.models import Cooperative, Region
from cooperatives.scoping import Scope, cooperatives_in

from .balances import account_movements, balances_by_code, balances_by_control, results_by_unit
from .enums import RESULT_TYPES, AccountControl, AccountType
from .models import Account, JournalLine

# What `cooperative_ids` may be: None (every cooperative), a queryset of cooperatives (a user's
# scope: cooperatives.scoping.visible_cooperatives), a Scope, or cooperative ids.
Cooperatives = QuerySet[Cooperative] | Scope | Iterable[int] | None


@dataclass(frozen=True)
class Figures:
    """One cooperative's figures for the month (or a sum of several cooperatives'), in Rupiah,
    each on its normal side."""

    cash_bank: int = 0
    loans_outstanding: int = 0
    savings_pokok: int = 0
    savings_wajib: int = 0
    savings_sukarela: int = 0
    total_assets: int = 0
    total_liabilities: int = 0
    total_equity: int = 0
    revenue: int = 0
    expenses: int = 0
    shu_month: int = 0
    shu_year_to_date: int = 0

    @property
    def savings_total(self) -> int:
        return self.savings_pokok + self.savings_wajib + self.savings_sukarela

    @property
    def balanced(self) -> bool:
        """Assets equal liabilities plus equity."""
        return self.total_assets == self.total_liabilities + self.total_equity

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIGURES = tuple(f.name for f in fields(Figures))


@dataclass(frozen=True)
class CooperativeFigures:
    cooperative_id: int
    name: str
    regency_code: str
    district_code: str
    booked: bool  # anything posted dated in the month
    figures: Figures

    def as_dict(self) -> dict[str, Any]:
        return {
            "cooperative_id": self.cooperative_id,
            "name": self.name,
            "regency_code": self.regency_code,
            "district_code": self.district_code,
            "booked": self.booked,
            **self.figures.as_dict(),
        }


@dataclass(frozen=True)
class Rollup:
    """The figures of every cooperative asked for (those without books with zeros), ordered
    by regency, district and name, and their totals."""

    month: datetime.date  # the first day
    end: datetime.date  # the last day
    cooperatives: tuple[CooperativeFigures, ...]
    totals: Figures

    @property
    def booked(self) -> int:
        """How many of the cooperatives posted anything dated in the month."""
        return sum(1 for row in self.cooperatives if row.booked)

    def of(self, cooperative_id: int) -> CooperativeFigures:
        for row in self.cooperatives:
            if row.cooperative_id == cooperative_id:
                return row
        raise KeyError(cooperative_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month.isoformat(),
            "end": self.end.isoformat(),
            "booked": self.booked,
            "totals": self.totals.as_dict(),
            "cooperatives": [row.as_dict() for row in self.cooperatives],
        }


@dataclass(frozen=True)
class RegionFigures:
    code: str
    name: str
    cooperatives: int
    booked: int
    figures: Figures

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "cooperatives": self.cooperatives,
            "booked": self.booked,
            **self.figures.as_dict(),
        }


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month of `month`."""
    if not isinstance(month, datetime.date):
        raise TypeError(f"month must be a date, not {month!r}")
    start = month.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def _scoped(cooperative_ids: Cooperatives) -> QuerySet[Cooperative] | None:
    """The cooperatives asked for as a queryset, or None for all of them."""
    if cooperative_ids is None:
        return None
    if isinstance(cooperative_ids, Scope):
        return None if cooperative_ids.everything else cooperatives_in(cooperative_ids)
    if isinstance(cooperative_ids, QuerySet):
        return cooperative_ids
    return Cooperative.objects.filter(pk__in=list(cooperative_ids))


def _cooperatives(scoped: QuerySet[Cooperative] | None) -> list[tuple[int, str, str, str]]:
    """(id, name, regency code, district code) of each cooperative, its place that of its home
    village (the codes CooperativeVillage copies from it), ordered by place and name: one
    query."""
    cooperatives = Cooperative.objects.all()
    if scoped is not None:
        cooperatives = cooperatives.filter(pk__in=scoped.values("pk"))
    return list(
        cooperatives.order_by(
            "home_village__regency_code", "home_village__district_code", "name", "pk"
        ).values_list("pk", "name", "home_village__regency_code", "home_village__district_code")
    )


def _net(condition: Q) -> Sum:
    """Debits − credits of the lines matching `condition` (0 when none)."""
    return Sum(F("debit") - F("credit"), filter=condition, default=0)


def province_rollup(*, month: datetime.date, cooperative_ids: Cooperatives = None) -> Rollup:
    """The month's figures (see the module) of each cooperative in `cooperative_ids` (None: all
    of them; a queryset of cooperatives, a Scope, or ids) and their totals, in two queries
    whatever their number."""
    start, end = month_bounds(month)
    year_start = start.replace(month=1)
    scoped = _scoped(cooperative_ids)
    cooperatives = _cooperatives(scoped)
    lines = JournalLine.objects.filter(date__lte=end)
    if scoped is not None:
        lines = lines.filter(cooperative__in=scoped.values("pk"))
    in_month, this_year = Q(date__gte=start), Q(date__gte=year_start)
    of_type = {kind: Q(account__type=kind) for kind in AccountType.values}
    results = Q(account__type__in=list(RESULT_TYPES))
    sums = (
        lines.values("cooperative_id")
        .annotate(
            assets=_net(of_type[AccountType.ASSET]),
            liabilities=_net(of_type[AccountType.LIABILITY]),
            equity=_net(of_type[AccountType.EQUITY]),
            results=_net(results),
            results_year=_net(results & this_year),
            revenue=_net(of_type[AccountType.REVENUE] & in_month),
            expenses=_net(of_type[AccountType.EXPENSE] & in_month),
            cash=_net(Q(account__is_cash=True)),
            loans=_net(Q(account__control=AccountControl.MEMBER_LOANS)),
            pokok=_net(Q(account__control=AccountControl.SAVINGS_POKOK)),
            wajib=_net(Q(account__control=AccountControl.SAVINGS_WAJIB)),
            sukarela=_net(Q(account__control=AccountControl.SAVINGS_SUKARELA)),
            lines_in_month=Count("pk", filter=in_month),
        )
        .order_by()
    )
    found: dict[int, tuple[bool, Figures]] = {}
    for row in sums:
        # Debits − credits: assets, expenses, cash and loans sit on the debit side, the rest
        # on the credit side (revenue − expenses is credits − debits of both).
        revenue, expenses = -int(row["revenue"]), int(row["expenses"])
        found[row["cooperative_id"]] = (
            row["lines_in_month"] > 0,
            Figures(
                cash_bank=int(row["cash"]),
                loans_outstanding=int(row["loans"]),
                savings_pokok=-int(row["pokok"]),
                savings_wajib=-int(row["wajib"]),
                savings_sukarela=-int(row["sukarela"]),
                total_assets=int(row["assets"]),
                total_liabilities=-int(row["liabilities"]),
                total_equity=-int(row["equity"]) - int(row["results"]),
                revenue=revenue,
                expenses=expenses,
                shu_month=revenue - expenses,
                shu_year_to_date=-int(row["results_year"]),
            ),
        )
    return _rollup(start, end, cooperatives, found)


def _rollup(
    start: datetime.date,
    end: datetime.date,
    cooperatives: list[tuple[int, str, str, str]],
    found: dict[int, tuple[bool, Figures]],
) -> Rollup:
    rows = []
    totals = Figures()
    for pk, name, regency, district in cooperatives:
        booked, figures = found.get(pk, (False, Figures()))
        rows.append(CooperativeFigures(pk, name, regency, district, booked, figures))
        totals += figures
    return Rollup(start, end, tuple(rows), totals)


def rollup_naive(*, month: datetime.date, cooperative_ids: Cooperatives = None) -> Rollup:
    """The same figures as `province_rollup`, cooperative by cooperative through
    `finance.balances` (six queries per cooperative): the reference the aggregate is checked
    against, and the benchmark's anchor."""
    start, end = month_bounds(month)
    year_start = start.replace(month=1)
    cooperatives = _cooperatives(_scoped(cooperative_ids))
    shared = {account.code: account for account in Account.objects.filter(cooperative__isnull=True)}
    found: dict[int, tuple[bool, Figures]] = {}
    for pk, _name, _regency, _district in cooperatives:
        by_type = dict.fromkeys(AccountType.values, 0)
        cash = 0
        for code, amount in balances_by_code(pk, end=end).items():
            account = shared[code]
            by_type[account.type] += amount
            if account.is_cash:
                cash += amount
        controls = balances_by_control(pk, end=end)
        booked = bool(account_movements(pk, start=start, end=end))
        month_results = results_by_unit(pk, start=start, end=end).values()
        year_results = results_by_unit(pk, start=year_start, end=end).values()
        revenue = sum(revenue for revenue, _expenses in month_results)
        expenses = sum(expenses for _revenue, expenses in month_results)
        found[pk] = (
            booked,
            Figures(
                cash_bank=cash,
                loans_outstanding=controls.get(AccountControl.MEMBER_LOANS, 0),
                savings_pokok=controls.get(AccountControl.SAVINGS_POKOK, 0),
                savings_wajib=controls.get(AccountControl.SAVINGS_WAJIB, 0),
                savings_sukarela=controls.get(AccountControl.SAVINGS_SUKARELA, 0),
                total_assets=by_type[AccountType.ASSET],
                total_liabilities=by_type[AccountType.LIABILITY],
                total_equity=by_type[AccountType.EQUITY]
                + by_type[AccountType.REVENUE]
                - by_type[AccountType.EXPENSE],
                revenue=revenue,
                expenses=expenses,
                shu_month=revenue - expenses,
                shu_year_to_date=sum(revenue - expenses for revenue, expenses in year_results),
            ),
        )
    return _rollup(start, end, cooperatives, found)


def region_rollup(
    rollup: Rollup, *, level: Literal["regency", "district"] = "regency"
) -> list[RegionFigures]:
    """The roll-up's cooperatives added up per regency or per district of their home village,
    in the order of the region codes: one query (the regions' names)."""
    if level not in ("regency", "district"):
        raise ValueError(f"level must be 'regency' or 'district', not {level!r}")
    grouped: dict[str, list[CooperativeFigures]] = {}
    for row in rollup.cooperatives:
        code = row.regency_code if level == "regency" else row.district_code
        grouped.setdefault(code, []).append(row)
    names = dict(Region.objects.filter(code__in=list(grouped)).values_list("code", "name"))
    regions = []
    for code in sorted(grouped):
        rows = grouped[code]
        total = Figures()
        for row in rows:
            total += row.figures
        regions.append(
            RegionFigures(
                code=code,
                name=names.get(code, code),
                cooperatives=len(rows),
                booked=sum(1 for row in rows if row.booked),
                figures=total,
            )
        )
    return regions
