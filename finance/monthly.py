"""The figures of the Laporan Keuangan Bulanan the books already know, for one cooperative and
one month: what the report pre-fills (forms/defaults/financial_report.py names the codes).

Read from the journal through `finance.balances` (aggregate queries only) and from the member
register. Only what the books really know is given:

* Nothing at all for a month without a single journal line: a month not yet booked in the
  portal is unknown, even if earlier balances would carry over.
* Members: the register keeps each member's join date but not the day a member left. New
  members of the month are counted by join date. Members at the start of the month are the
  members who joined before it, known only while nobody who joined before it has resigned, died
  or been expelled (such a member may have left before the month or during it). Members who left
  during the month are known to be none only while no member who joined by its end has left.
  Otherwise those two figures are left for the treasurer, and a note says why.
* Balances at the end of the month, sub-accounts counted under their shared account: savings
  (3-101 pokok, 3-102 wajib, 2-101 sukarela), kas 1-101, bank 1-102, loans outstanding 1-110,
  stock 1-131..1-134, fixed assets 1-201..1-209 (1-209, accumulated depreciation, sits on the
  credit side and reduces them), bank loans 2-201; every other liability is "kewajiban lain"
  (2-102 utang usaha, 2-103 utang pajak, 2-104 dana SHU, 2-105 dana titipan).
* "Cadangan" is every other equity account: 3-201 cadangan, 3-202 hibah and 3-301 SHU belum
  dibagi, plus the surplus of all years before this one (revenue and expense accounts restart
  each 1 January without closing entries, so earlier years' results sit nowhere else). With
  the form's total_ekuitas = pokok + wajib + cadangan + SHU tahun berjalan and total_kewajiban
  = sukarela + utang bank + kewajiban lain, books that balance give a report that balances.
* Assets the form has no line for (1-120 piutang usaha, 1-140 biaya dibayar di muka) are given
  as "aset_lain", used only by a form version that asks for it; otherwise a note tells the
  treasurer that the balance sheet will be off by that amount.
* Income and expenses of the month per business unit, by the unit each line was posted for (as
  the PHU per unit): only units with figures, in the order of the seven units. Lines without a
  unit, or with a unit the form does not list, count under the cooperative office (kantor).
* SHU tahun berjalan: revenue less expenses from 1 January to the end of the month.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cooperatives.enums import BusinessUnitCode, MemberStatus
from cooperatives.models import Cooperative, Member
from forms.enums import FormPurpose
from forms.purpose_checks import BookFigures, PurposePrefill
from forms.purpose_checks import register_prefill as prefill_register
from website.templatetags.kopdes import rupiah

from .balances import balances_by_code, results_by_unit
from .chart import BANK, BANK_LOANS, CASH, COMPULSORY_SAVINGS, MEMBER_LOANS, PRINCIPAL_SAVINGS
from .chart import VOLUNTARY_SAVINGS as SUKARELA
from .enums import AccountType
from .models import Account, JournalLine

# Form field codes (forms/defaults/financial_report.py) and the shared accounts behind them.
STOCK = ("1-131", "1-132", "1-133", "1-134")
FIXED_ASSETS = ("1-201", "1-202", "1-203", "1-204", "1-209")
ACCOUNTS_OF: dict[str, tuple[str, ...]] = {
    "kas": (CASH,),
    "bank": (BANK,),
    "pinjaman_beredar": (MEMBER_LOANS,),
    "persediaan": STOCK,
    "aset_tetap": FIXED_ASSETS,
    "simpanan_sukarela": (SUKARELA,),
    "utang_bank": (BANK_LOANS,),
    "simpanan_pokok": (PRINCIPAL_SAVINGS,),
    "simpanan_wajib": (COMPULSORY_SAVINGS,),
}
# Where an account no field above names goes, by its type.
REST_OF: dict[str, str] = {
    AccountType.ASSET: "aset_lain",
    AccountType.LIABILITY: "kewajiban_lain",
    AccountType.EQUITY: "cadangan",
}
UNITS = "unit_usaha"
UNIT_ORDER = list(BusinessUnitCode.values)
LEFT = (MemberStatus.RESIGNED, MemberStatus.DECEASED, MemberStatus.EXPELLED)


@dataclass(frozen=True)
class MonthBooks:
    """What the books know of a month: figures by form field code and notes for the treasurer
    about what they could not tell."""

    month: datetime.date
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return formats.date_format(self.month, "F Y")


def month_start(month: datetime.date) -> datetime.date:
    return month.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def month_figures(
    cooperative: Cooperative, month: datetime.date, *, codes: frozenset[str] | None = None
) -> dict[str, Any]:
    """The report's figures the books know for the month of `month` (any day of it), by form
    field code: integers (Rupiah, members) and, for "unit_usaha", rows {unit, pendapatan,
    beban}. With `codes`, only the fields a form version has. Empty for a month without books."""
    return month_books(cooperative, month, codes=codes).figures


def month_books(
    cooperative: Cooperative, month: datetime.date, *, codes: frozenset[str] | None = None
) -> MonthBooks:
    start, end = month_start(month), month_end(month)
    label = formats.date_format(start, "F Y")
    if not JournalLine.objects.filter(
        cooperative=cooperative, date__gte=start, date__lte=end
    ).exists():
        return MonthBooks(
            start,
            notes=[
                _(
                    "The books of this cooperative have nothing for %(month)s yet: nothing was "
                    "filled in. Post the month's cash book and savings first, or enter the "
                    "figures yourself."
                )
                % {"month": label}
            ],
        )
    figures: dict[str, Any] = {}
    notes: list[str] = []
    figures.update(_members(cooperative, start, end, notes))
    figures.update(_balances(cooperative, end))
    figures.update(_results(cooperative, start, end))
    other_assets = figures["aset_lain"]
    if codes is not None:
        figures = {code: value for code, value in figures.items() if code in codes}
        if other_assets and "aset_lain" not in codes:
            notes.append(
                _(
                    "The books hold %(amount)s in other assets (piutang usaha, biaya dibayar di "
                    "muka) for which this form has no line: the balance sheet will be off by that "
                    "amount. Add it to the closest figure and explain why."
                )
                % {"amount": rupiah(other_assets)}
            )
    if end >= timezone.localdate():
        notes.append(
            _("%(month)s is not over yet: the figures are those of the books so far.")
            % {"month": label}
        )
    return MonthBooks(start, figures, notes)


def _members(
    cooperative: Cooperative, start: datetime.date, end: datetime.date, notes: list[str]
) -> dict[str, int]:
    counts = Member.objects.filter(cooperative=cooperative, join_date__lte=end).aggregate(
        before=Count("pk", filter=Q(join_date__lt=start)),
        joined=Count("pk", filter=Q(join_date__gte=start)),
        left_before=Count("pk", filter=Q(join_date__lt=start, status__in=LEFT)),
        left_by_end=Count("pk", filter=Q(status__in=LEFT)),
    )
    if not counts["before"] and not counts["joined"]:
        notes.append(
            _(
                "The member register of this cooperative has nobody who joined by the end of the "
                "month: the member figures were not filled in."
            )
        )
        return {}
    figures = {"anggota_masuk": counts["joined"]}
    if not counts["left_before"]:
        figures["anggota_awal"] = counts["before"]
    if not counts["left_by_end"]:
        figures["anggota_keluar"] = 0
    if counts["left_by_end"]:
        notes.append(
            _(
                "The member register does not record the day a member left, and %(n)s members "
                "have left: enter the members at the start of the month and those who left "
                "during it yourself."
            )
            % {"n": counts["left_by_end"]}
            if counts["left_before"]
            else _(
                "The member register does not record the day a member left: enter the members "
                "who left during the month yourself."
            )
        )
    return figures


def _shared_types(codes: set[str]) -> dict[str, str]:
    return dict(
        Account.objects.filter(cooperative__isnull=True, code__in=codes).values_list("code", "type")
    )


def _balance_sheet(cooperative: Cooperative, end: datetime.date) -> dict[str, int]:
    """End-of-month balances grouped by the form's fields (and "aset_lain")."""
    balances = balances_by_code(cooperative, end=end)
    types = _shared_types(set(balances))
    field_of = {code: name for name, codes in ACCOUNTS_OF.items() for code in codes}
    grouped: dict[str, int] = dict.fromkeys([*ACCOUNTS_OF, *REST_OF.values()], 0)
    for code, amount in balances.items():
        name = field_of.get(code) or REST_OF.get(types.get(code, ""))
        if name is not None:
            grouped[name] += amount
    return grouped


def _balances(cooperative: Cooperative, end: datetime.date) -> dict[str, int]:
    grouped = _balance_sheet(cooperative, end)
    # Earlier years' surplus stays in the books as revenue and expense lines (no closing
    # entries): it is equity the cooperative has not shared out, with the reserves.
    earlier = results_by_unit(cooperative, end=end.replace(month=1, day=1) - datetime.timedelta(1))
    grouped["cadangan"] += sum(revenue - expenses for revenue, expenses in earlier.values())
    return grouped


def _results(cooperative: Cooperative, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    year = results_by_unit(cooperative, start=end.replace(month=1, day=1), end=end)
    month = results_by_unit(cooperative, start=start, end=end)
    by_unit: dict[str, list[int]] = {}
    for unit, (revenue, expenses) in month.items():
        code = unit if unit in UNIT_ORDER else BusinessUnitCode.KANTOR
        totals = by_unit.setdefault(code, [0, 0])
        totals[0] += revenue
        totals[1] += expenses
    rows = [
        {"unit": code, "pendapatan": by_unit[code][0], "beban": by_unit[code][1]}
        for code in UNIT_ORDER
        if code in by_unit and by_unit[code] != [0, 0]
    ]
    return {
        UNITS: rows,
        "shu_tahun_berjalan": sum(revenue - expenses for revenue, expenses in year.values()),
    }


# --- The monthly report's pre-fill (registered from FinanceConfig.ready) ----------------------

PERIOD = "periode"


def _report_figures(period: Any, cooperative: Cooperative, codes: frozenset[str]) -> BookFigures:
    try:
        year, month = (int(part) for part in str(period).split("-"))
        first = datetime.date(year, month, 1)
    except ValueError:
        return BookFigures({}, [])
    books = month_books(cooperative, first, codes=codes)
    return BookFigures(books.figures, books.notes, books.label)


def last_finished_month() -> str:
    """The month a report sent today is normally for: the one before this one, as YYYY-MM."""
    previous = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


def register_prefill() -> None:
    prefill_register(
        FormPurpose.FINANCIAL_REPORT,
        PurposePrefill(
            key=PERIOD,
            figures=_report_figures,
            default=last_finished_month,
            row_keys=((UNITS, "unit"),),
        ),
    )
