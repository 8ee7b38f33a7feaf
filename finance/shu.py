"""SHU (sisa hasil usaha): the year's surplus from the books, and how it is shared.

The surplus of a year is its revenue minus its expenses from 1 January to 31 December (to
today for the running year, flagged provisional: revenue and expense accounts start again each
January, there are no closing entries). The allocation in force for the year (the cooperative's
`ShuPolicy` with the latest `from_year` not after the year) shares it into parts: cadangan, jasa
modal anggota (JMA), jasa usaha anggota (JUA) and the funds. Then each member gets

    JMA = jasa-modal pool × the member's simpanan pokok + wajib on 31 December
                          ÷ all members' simpanan pokok + wajib on 31 December
    JUA = jasa-usaha pool × the member's transactions in the year
                          ÷ all members' transactions in the year

where a member's transactions are the revenue lines that name the member (what they bought from
the cooperative, the loan services they paid): credits minus debits on revenue accounts. A base
below zero counts as zero.

Every amount is whole Rupiah and every split adds up exactly: each gets the whole Rupiah of its
exact share, and the Rupiah left over go one each to the largest fractions (`share_out`). All
sums are aggregate queries (finance.balances), never a query per member.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperatives.models import Cooperative, Member
from imports.spec import Column, ValueType
from imports.xlsx import TableSheet
from website.templatetags.kopdes import rupiah

from . import chart
from .balances import balances_by_cooperative, balances_by_member_control, balances_by_member_type
from .enums import AccountControl, AccountType, EntrySource
from .models import AnnualMeeting, JournalEntry, ShuPolicy

# The parts of an allocation, in the order the AD/ART lists them, with their labels.
PART_LABELS = {
    "reserve": gettext_lazy("Cadangan"),
    "member_capital": gettext_lazy("Jasa modal anggota (JMA)"),
    "member_business": gettext_lazy("Jasa usaha anggota (JUA)"),
    "management": gettext_lazy("Dana pengurus dan pengawas"),
    "employees": gettext_lazy("Dana karyawan"),
    "education": gettext_lazy("Dana pendidikan"),
    "social": gettext_lazy("Dana sosial"),
    "regional_development": gettext_lazy("Dana pembangunan daerah kerja"),
    "other": gettext_lazy("Other"),
}
MEMBER_PARTS = frozenset({"member_capital", "member_business"})
SAVINGS_BASE_CONTROLS = (AccountControl.SAVINGS_POKOK, AccountControl.SAVINGS_WAJIB)


def share_out(total: int, weights: Sequence[int | Decimal | Fraction]) -> list[int]:
    """`total` whole Rupiah shared in proportion to `weights` (largest remainder method).

    Each weight gets the whole Rupiah of its exact share; the Rupiah left over go one each to the
    largest fractions left, ties to the earlier weight. The result always adds up to `total`.
    A weight of zero or below gets 0. Raises ValueError for a negative `total`, or for a
    `total` above zero when no weight is above zero (there is nobody to give it to)."""
    if total < 0:
        raise ValueError("total must not be negative")
    clipped = [Fraction(w) if w > 0 else Fraction(0) for w in weights]
    whole = sum(clipped, Fraction(0))
    if whole == 0:
        if total:
            raise ValueError("no weight above zero to share a total over")
        return [0] * len(clipped)
    exact = [total * w / whole for w in clipped]
    shares = [int(e.numerator // e.denominator) for e in exact]
    left = total - sum(shares)
    by_fraction = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_fraction[:left]:
        shares[index] += 1
    return shares


@dataclass(frozen=True)
class ShuPart:
    key: str
    label: str
    percent: Decimal
    amount: int
    account: str  # where the distribution credits it: 3-201 cadangan or 2-104 dana SHU

    @property
    def to_members(self) -> bool:
        return self.key in MEMBER_PARTS


@dataclass(frozen=True)
class MemberShare:
    member_id: int
    nik: str
    name: str
    status: str
    savings: int  # simpanan pokok + wajib on 31 December (to date in the running year)
    transactions: int  # revenue lines naming the member in the year
    jma: int
    jua: int

    @property
    def total(self) -> int:
        return self.jma + self.jua


@dataclass
class ShuResult:
    """The year's SHU of one cooperative and its allocation (see the module's docstring)."""

    cooperative_id: int
    year: int
    start: datetime.date
    end: datetime.date
    provisional: bool
    revenue: int
    expenses: int
    policy: ShuPolicy | None
    parts: list[ShuPart] = field(default_factory=list)
    members: list[MemberShare] = field(default_factory=list)
    savings_total: int = 0
    transactions_total: int = 0
    messages: list[str] = field(default_factory=list)
    distribution: JournalEntry | None = None
    distributed_amount: int = 0  # what the distribution took from 3-301
    meeting: AnnualMeeting | None = None

    @property
    def surplus(self) -> int:
        return self.revenue - self.expenses

    @property
    def is_loss(self) -> bool:
        return self.surplus < 0

    def part(self, key: str) -> ShuPart | None:
        return next((part for part in self.parts if part.key == key), None)

    @property
    def jma_pool(self) -> int:
        part = self.part("member_capital")
        return part.amount if part else 0

    @property
    def jua_pool(self) -> int:
        part = self.part("member_business")
        return part.amount if part else 0

    @property
    def jma_total(self) -> int:
        """What the members' JMA add up to: the pool, unless nobody had savings."""
        return sum(share.jma for share in self.members)

    @property
    def jua_total(self) -> int:
        return sum(share.jua for share in self.members)

    @property
    def members_total(self) -> int:
        return sum(share.total for share in self.members)

    @property
    def parts_total(self) -> int:
        return sum(part.amount for part in self.parts)

    @property
    def distributable(self) -> bool:
        """Whether the allocation may be posted: a year ended, with a surplus and a policy."""
        return (
            not self.provisional
            and self.policy is not None
            and self.surplus > 0
            and self.distribution is None
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ints, ISO dates, strings (percentages as "25.00")."""
        policy = self.policy
        return {
            "cooperative": self.cooperative_id,
            "year": self.year,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "provisional": self.provisional,
            "revenue": self.revenue,
            "expenses": self.expenses,
            "surplus": self.surplus,
            "policy": None if policy is None else {"id": policy.pk, "from_year": policy.from_year},
            "parts": [
                {
                    "key": part.key,
                    "label": part.label,
                    "percent": f"{part.percent:.2f}",
                    "amount": part.amount,
                    "account": part.account,
                }
                for part in self.parts
            ],
            "jma_pool": self.jma_pool,
            "jua_pool": self.jua_pool,
            "savings_total": self.savings_total,
            "transactions_total": self.transactions_total,
            "members": [
                {
                    "member": share.member_id,
                    "nik": share.nik,
                    "name": share.name,
                    "savings": share.savings,
                    "transactions": share.transactions,
                    "jma": share.jma,
                    "jua": share.jua,
                    "total": share.total,
                }
                for share in self.members
            ],
            "members_total": self.members_total,
            "messages": list(self.messages),
            "distribution": None
            if self.distribution is None
            else {
                "entry": self.distribution.pk,
                "reference": self.distribution.reference,
                "date": self.distribution.date.isoformat(),
                "amount": self.distributed_amount,
            },
            "rat": None if self.meeting is None else {"held_on": self.meeting.held_on.isoformat()},
        }


# --- reads -----------------------------------------------------------------------------------


def year_window(year: int, *, today: datetime.date | None = None) -> tuple[datetime.date, bool]:
    """The last day counted for `year` and whether the year is still running. Raises
    ValidationError for a year that has not begun."""
    today = today or timezone.localdate()
    if year > today.year:
        raise ValidationError(_("%(year)s has not begun yet.") % {"year": year}, code="future_year")
    if year == today.year:
        return today, True
    return datetime.date(year, 12, 31), False


def policy_in_force(cooperative: Cooperative, *, year: int) -> ShuPolicy | None:
    """The allocation that applies to `year`: the latest one set from that year or before."""
    return (
        ShuPolicy.objects.filter(cooperative=cooperative, from_year__lte=year)
        .order_by("-from_year")
        .first()
    )


def shu_distribution(cooperative: Cooperative, *, year: int) -> JournalEntry | None:
    """The entry that posted the year's allocation and was not reversed since, if any."""
    return (
        JournalEntry.objects.filter(cooperative=cooperative, source=EntrySource.SHU)
        .filter(Q(source_key=f"shu:{year}") | Q(source_key__startswith=f"shu:{year}:"))
        .filter(reversed_by__isnull=True)
        .order_by("-number")
        .first()
    )


def distributed_years(cooperative: Cooperative) -> set[int]:
    """The years whose SHU was distributed (and not reversed since)."""
    keys = JournalEntry.objects.filter(
        cooperative=cooperative,
        source=EntrySource.SHU,
        source_key__startswith="shu:",
        reversed_by__isnull=True,
    ).values_list("source_key", flat=True)
    return {int(key.split(":")[1]) for key in keys}


def year_result(
    cooperative: Cooperative, *, start: datetime.date, end: datetime.date
) -> tuple[int, int]:
    """Revenue and expenses between `start` and `end`, in one aggregate query."""
    sums = balances_by_cooperative([cooperative.pk], start=start, end=end).get(cooperative.pk, {})
    revenue = sum(v for (kind, _code), v in sums.items() if kind == AccountType.REVENUE)
    expenses = sum(v for (kind, _code), v in sums.items() if kind == AccountType.EXPENSE)
    return revenue, expenses


def _parts(policy: ShuPolicy, surplus: int) -> list[ShuPart]:
    percents = [Decimal(getattr(policy, key) or 0) for key in ShuPolicy.PARTS]
    amounts = share_out(max(surplus, 0), percents) if surplus > 0 else [0] * len(percents)
    parts = []
    for key, percent, amount in zip(ShuPolicy.PARTS, percents, amounts, strict=True):
        if key == "other" and not percent:
            continue
        label = policy.other_label if key == "other" and policy.other_label else PART_LABELS[key]
        account = chart.RESERVE if key == "reserve" else chart.SHU_PAYABLE
        parts.append(ShuPart(key, str(label), percent, amount, account))
    return parts


def _member_shares(
    cooperative: Cooperative,
    *,
    start: datetime.date,
    end: datetime.date,
    jma_pool: int,
    jua_pool: int,
    messages: list[str],
) -> tuple[list[MemberShare], int, int]:
    savings_by_member = balances_by_member_control(
        cooperative, end=end, controls=SAVINGS_BASE_CONTROLS
    )
    savings = {member: sum(by_control.values()) for member, by_control in savings_by_member.items()}
    transactions = balances_by_member_type(
        cooperative, account_type=AccountType.REVENUE, start=start, end=end
    )
    with_base = set(savings) | set(transactions)
    members = [
        row
        for row in Member.objects.filter(cooperative=cooperative)
        .order_by("name", "id")
        .values("pk", "nik", "name", "status", "join_date")
        if row["join_date"] <= end or row["pk"] in with_base
    ]
    savings_base = [max(savings.get(m["pk"], 0), 0) for m in members]
    transactions_base = [max(transactions.get(m["pk"], 0), 0) for m in members]
    savings_total, transactions_total = sum(savings_base), sum(transactions_base)
    if jma_pool and not savings_total:
        messages.append(
            _(
                "No member had simpanan pokok or wajib on %(date)s: the jasa modal pool of "
                "%(amount)s cannot be shared among members."
            )
            % {"date": end.strftime("%d-%m-%Y"), "amount": rupiah(jma_pool)}
        )
        jma = [0] * len(members)
    else:
        jma = share_out(jma_pool, savings_base)
    if jua_pool and not transactions_total:
        messages.append(
            _(
                "No revenue line of %(year)s names a member: the jasa usaha pool of %(amount)s "
                "cannot be shared among members. Record sales and loan services per member."
            )
            % {"year": start.year, "amount": rupiah(jua_pool)}
        )
        jua = [0] * len(members)
    else:
        jua = share_out(jua_pool, transactions_base)
    shares = [
        MemberShare(
            member_id=m["pk"],
            nik=m["nik"],
            name=m["name"],
            status=m["status"],
            savings=savings.get(m["pk"], 0),
            transactions=transactions.get(m["pk"], 0),
            jma=jma[index],
            jua=jua[index],
        )
        for index, m in enumerate(members)
    ]
    return shares, savings_total, transactions_total


def _distributed_amount(entry: JournalEntry) -> int:
    """What a distribution entry took from 3-301 SHU belum dibagi (its debit there)."""
    return sum(
        line.debit for line in entry.lines.filter(account__code=chart.RETAINED_SHU).only("debit")
    )


def shu_compute(cooperative: Cooperative, *, year: int) -> ShuResult:
    """The SHU of `year` and its allocation: the surplus, the parts of the allocation in force
    and each member's JMA and JUA (see the module's docstring for the formulas). The running
    year is counted to today and flagged provisional. Raises ValidationError for a year that
    has not begun; a missing allocation or a loss comes back as a message, without parts or
    member shares."""
    end, running = year_window(year)
    start = datetime.date(year, 1, 1)
    revenue, expenses = year_result(cooperative, start=start, end=end)
    result = ShuResult(
        cooperative_id=cooperative.pk,
        year=year,
        start=start,
        end=end,
        provisional=running,
        revenue=revenue,
        expenses=expenses,
        policy=policy_in_force(cooperative, year=year),
        distribution=shu_distribution(cooperative, year=year),
        meeting=AnnualMeeting.objects.filter(cooperative=cooperative, year=year).first(),
    )
    if result.distribution is not None:
        result.distributed_amount = _distributed_amount(result.distribution)
        if result.distributed_amount != result.surplus:
            result.messages.append(
                _(
                    "The books of %(year)s changed after the SHU was distributed (%(posted)s "
                    "posted in %(ref)s, the SHU is now %(now)s). Post a correcting entry, or "
                    "reverse %(ref)s and distribute again."
                )
                % {
                    "year": year,
                    "posted": rupiah(result.distributed_amount),
                    "ref": result.distribution.reference,
                    "now": rupiah(result.surplus),
                }
            )
    if running:
        result.messages.append(
            _(
                "%(year)s is still running: these are the figures up to %(date)s, provisional. "
                "The SHU is shared after the year ends and the RAT approves the books."
            )
            % {"year": year, "date": end.strftime("%d-%m-%Y")}
        )
    if result.policy is None:
        result.messages.append(
            _(
                "No SHU allocation is set for %(year)s. Set the percentages of the AD/ART "
                "(cadangan, jasa modal, jasa usaha, the funds) from %(year)s on; together they "
                "make 100 %%."
            )
            % {"year": year}
        )
        return result
    result.parts = _parts(result.policy, result.surplus)
    if result.surplus < 0:
        loss = {"year": year, "amount": rupiah(-result.surplus)}
        result.messages.append(
            _("So far %(year)s shows a loss of %(amount)s: there is no SHU to share.") % loss
            if running
            else _(
                "%(year)s closed with a loss of %(amount)s: there is no SHU to share and no "
                "member gets a share. The RAT decides how the loss is covered."
            )
            % loss
        )
        return result
    if result.surplus == 0:
        result.messages.append(
            _("%(year)s has no surplus: there is no SHU to share.") % {"year": year}
        )
        return result
    result.members, result.savings_total, result.transactions_total = _member_shares(
        cooperative,
        start=start,
        end=end,
        jma_pool=result.jma_pool,
        jua_pool=result.jua_pool,
        messages=result.messages,
    )
    return result


# --- as sheets (the member shares download and the RAT package) -------------------------------


def allocation_sheet(result: ShuResult, *, title: str = "") -> TableSheet:
    """The year's result and its allocation: revenue, expenses, SHU, then each part."""
    columns = [
        Column("item", _("Item"), width=40),
        Column("percent", _("Percent"), ValueType.DECIMAL),
        Column("amount", _("Amount (Rp)"), ValueType.AMOUNT),
        Column("account", _("Account"), width=12),
    ]
    rows: list[Sequence[Any]] = [
        (_("Revenue %(year)s") % {"year": result.year}, None, result.revenue, None),
        (_("Expenses %(year)s") % {"year": result.year}, None, result.expenses, None),
        (_("SHU %(year)s") % {"year": result.year}, None, result.surplus, chart.RETAINED_SHU),
    ]
    rows += [(part.label, part.percent, part.amount, part.account) for part in result.parts]
    if result.parts:
        rows.append((_("Total shared"), sum(p.percent for p in result.parts), result.parts_total))
    return TableSheet(_("SHU allocation")[:31], columns, rows, title)


def member_shares_sheet(result: ShuResult, *, title: str = "") -> TableSheet:
    """One row per member: the bases and the JMA, JUA and total share."""
    columns = [
        Column("number", _("No."), ValueType.INTEGER, width=6),
        Column("nik", _("NIK"), ValueType.NIK),
        Column("name", _("Name"), width=28),
        Column("savings", _("Simpanan pokok + wajib (Rp)"), ValueType.AMOUNT),
        Column("transactions", _("Transactions (Rp)"), ValueType.AMOUNT),
        Column("jma", _("Jasa modal (JMA, Rp)"), ValueType.AMOUNT),
        Column("jua", _("Jasa usaha (JUA, Rp)"), ValueType.AMOUNT),
        Column("total", _("SHU share (Rp)"), ValueType.AMOUNT),
    ]
    rows = (
        (
            number,
            share.nik,
            share.name,
            share.savings,
            share.transactions,
            share.jma,
            share.jua,
            share.total,
        )
        for number, share in enumerate(result.members, start=1)
    )
    return TableSheet(_("Members' SHU")[:31], columns, rows, title)
