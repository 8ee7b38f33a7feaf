"""The national data sets, as .xlsx sheets.

ODS (Online Data System of the Ministry of Cooperatives): the annual figures of each
cooperative, one row per cooperative. SIMKOPDES: the member list of one cooperative with each
member's savings on a date.

Their headings are the national systems' own, in Bahasa Indonesia whatever the user's language:
the sheets are typed into (or uploaded to) those systems as they are.

Every figure is an aggregate query over all the cooperatives at once (GROUP BY cooperative) —
the books through `finance.balances`, members and RATs by counting — so a regency's or the
province's sheet costs the same handful of queries as one cooperative's.
"""

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation

from cooperatives.enums import MemberStatus, Sex
from cooperatives.models import Cooperative, CooperativeVillage, Member
from imports.spec import Column, ValueType
from imports.xlsx import TableSheet

from .balances import balances_by_cooperative, balances_by_member_control
from .enums import AccountControl, AccountType
from .models import AnnualMeeting


def _labels(choices: Any) -> dict[str, str]:
    """Choice labels in Bahasa Indonesia, as the national systems write them."""
    with translation.override("id"):
        return {value: str(label) for value, label in choices}


def year_end(year: int, *, today: datetime.date | None = None) -> datetime.date:
    """31 December of `year`, or today while the year runs."""
    today = today or timezone.localdate()
    return min(datetime.date(year, 12, 31), today)


# --- ODS -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OdsRow:
    cooperative_id: int
    nik_koperasi: str
    name: str
    legal_entity_number: str
    status: str
    regency: str
    district: str
    villages: str
    members: int
    members_men: int
    members_women: int
    pengurus: int | None  # None: no RAT recorded for the year
    pengawas: int | None
    employees: int | None
    own_capital: int
    external_capital: int
    business_volume: int
    assets: int
    shu: int
    rat_held: bool
    rat_date: datetime.date | None

    @property
    def managers(self) -> int | None:
        if self.pengurus is None or self.pengawas is None:
            return None
        return self.pengurus + self.pengawas

    def as_dict(self) -> dict[str, Any]:
        return {
            "cooperative": self.cooperative_id,
            "nik_koperasi": self.nik_koperasi,
            "name": self.name,
            "legal_entity_number": self.legal_entity_number,
            "regency": self.regency,
            "district": self.district,
            "villages": self.villages,
            "members": self.members,
            "members_men": self.members_men,
            "members_women": self.members_women,
            "pengurus": self.pengurus,
            "pengawas": self.pengawas,
            "managers": self.managers,
            "employees": self.employees,
            "own_capital": self.own_capital,
            "external_capital": self.external_capital,
            "business_volume": self.business_volume,
            "assets": self.assets,
            "shu": self.shu,
            "rat_held": self.rat_held,
            "rat_date": self.rat_date.isoformat() if self.rat_date else None,
        }


def _type_totals(sums: dict[tuple[str, str], int]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (kind, _code), amount in sums.items():
        totals[kind] = totals.get(kind, 0) + amount
    return totals


def ods_rows(cooperatives: QuerySet[Cooperative], *, year: int) -> list[OdsRow]:
    """The ODS figures of `year` for each of `cooperatives` (already scoped), at 31 December
    (to today while the year runs), ordered by place:

    - members: active members who joined by that day, men (L) and women (P);
    - pengurus, pengawas, employees, RAT held and its date: the RAT recorded on the year's books;
    - own capital: equity at that day — simpanan pokok and wajib, cadangan, hibah, SHU belum
      dibagi and the SHU of the year (revenue minus expenses of every year to that day);
    - external capital: liabilities at that day — simpanan sukarela, bank and other loans,
      payables, SHU funds not yet paid;
    - business volume: revenue of the year; SHU: revenue minus expenses of the year;
    - assets: assets at that day (= own + external capital when the books balance).

    A fixed number of queries whatever the number of cooperatives."""
    end = year_end(year)
    start = datetime.date(year, 1, 1)
    ids = cooperatives.values("pk")
    to_date = balances_by_cooperative(ids, end=end)
    in_year = balances_by_cooperative(ids, start=start, end=end)
    members = {
        row["cooperative_id"]: row
        for row in Member.objects.filter(
            cooperative__in=ids, join_date__lte=end, status=MemberStatus.ACTIVE
        )
        .values("cooperative_id")
        .annotate(
            total=Count("id"),
            men=Count("id", filter=Q(sex=Sex.MALE)),
            women=Count("id", filter=Q(sex=Sex.FEMALE)),
        )
        .order_by()
    }
    meetings = {
        meeting.cooperative_id: meeting
        for meeting in AnnualMeeting.objects.filter(cooperative__in=ids, year=year)
    }
    villages: dict[int, list[str]] = {}
    for link in (
        CooperativeVillage.objects.filter(cooperative__in=ids)
        .select_related("village")
        .order_by("village_id")
    ):
        villages.setdefault(link.cooperative_id, []).append(str(link.village))
    statuses = _labels(Cooperative._meta.get_field("status").choices or [])
    rows = []
    for coop in (
        Cooperative.objects.filter(pk__in=ids)
        .select_related("home_village__parent__parent")
        .order_by("home_village_id", "name", "pk")
    ):
        balances = _type_totals(to_date.get(coop.pk, {}))
        year_figures = _type_totals(in_year.get(coop.pk, {}))
        result_to_date = balances.get(AccountType.REVENUE, 0) - balances.get(AccountType.EXPENSE, 0)
        counts = members.get(coop.pk, {})
        meeting = meetings.get(coop.pk)
        district = coop.home_village.parent
        regency = district.parent if district else None
        rows.append(
            OdsRow(
                cooperative_id=coop.pk,
                nik_koperasi=coop.nik_koperasi,
                name=coop.name,
                legal_entity_number=coop.legal_entity_number,
                status=statuses.get(coop.status, coop.status),
                regency=regency.name if regency else "",
                district=district.name if district else "",
                villages=", ".join(villages.get(coop.pk, [str(coop.home_village)])),
                members=counts.get("total", 0),
                members_men=counts.get("men", 0),
                members_women=counts.get("women", 0),
                pengurus=meeting.pengurus if meeting else None,
                pengawas=meeting.pengawas if meeting else None,
                employees=meeting.employees if meeting else None,
                own_capital=balances.get(AccountType.EQUITY, 0) + result_to_date,
                external_capital=balances.get(AccountType.LIABILITY, 0),
                business_volume=year_figures.get(AccountType.REVENUE, 0),
                assets=balances.get(AccountType.ASSET, 0),
                shu=year_figures.get(AccountType.REVENUE, 0)
                - year_figures.get(AccountType.EXPENSE, 0),
                rat_held=meeting is not None,
                rat_date=meeting.held_on if meeting else None,
            )
        )
    return rows


ODS_COLUMNS = (
    Column("nik_koperasi", "NIK Koperasi", ValueType.NIK),
    Column("name", "Nama Koperasi", width=36),
    Column("legal_entity_number", "Nomor Badan Hukum", width=24),
    Column("status", "Status"),
    Column("regency", "Kabupaten/Kota", width=20),
    Column("district", "Kecamatan", width=20),
    Column("villages", "Desa/Kelurahan", width=24),
    Column("members", "Jumlah Anggota", ValueType.INTEGER),
    Column("members_men", "Anggota Laki-laki", ValueType.INTEGER),
    Column("members_women", "Anggota Perempuan", ValueType.INTEGER),
    Column("pengurus", "Jumlah Pengurus", ValueType.INTEGER),
    Column("pengawas", "Jumlah Pengawas", ValueType.INTEGER),
    Column("employees", "Jumlah Karyawan", ValueType.INTEGER),
    Column("own_capital", "Modal Sendiri", ValueType.AMOUNT),
    Column("external_capital", "Modal Luar", ValueType.AMOUNT),
    Column("business_volume", "Volume Usaha", ValueType.AMOUNT),
    Column("assets", "Aset", ValueType.AMOUNT),
    Column("shu", "SHU", ValueType.AMOUNT),
    Column("rat_held", "RAT", width=8),
    Column("rat_date", "Tanggal RAT", ValueType.DATE),
)


def ods_sheet(rows: Sequence[OdsRow], *, year: int, title: str = "") -> TableSheet:
    def values() -> Iterator[Sequence[Any]]:
        for row in rows:
            yield (
                row.nik_koperasi or None,
                row.name,
                row.legal_entity_number or None,
                row.status,
                row.regency,
                row.district,
                row.villages,
                row.members,
                row.members_men,
                row.members_women,
                row.pengurus,
                row.pengawas,
                row.employees,
                row.own_capital,
                row.external_capital,
                row.business_volume,
                row.assets,
                row.shu,
                "Ya" if row.rat_held else "Tidak",
                row.rat_date,
            )

    return TableSheet(f"ODS {year}", ODS_COLUMNS, values(), title or f"Data ODS {year}")


# --- SIMKOPDES -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSavingsRow:
    member_id: int
    nik: str
    name: str
    sex: str
    birth_place: str
    birth_date: datetime.date | None
    address: str
    rt: str
    rw: str
    village: str
    village_code: str
    phone: str
    join_date: datetime.date
    status: str
    pokok: int
    wajib: int
    sukarela: int


def member_savings_rows(
    cooperative: Cooperative, *, as_of: datetime.date
) -> Iterator[MemberSavingsRow]:
    """Each member who joined by `as_of`, with their simpanan pokok, wajib and sukarela from
    the books on that day (two queries whatever the number of members)."""
    savings = balances_by_member_control(
        cooperative,
        end=as_of,
        controls=(
            AccountControl.SAVINGS_POKOK,
            AccountControl.SAVINGS_WAJIB,
            AccountControl.SAVINGS_SUKARELA,
        ),
    )
    statuses = _labels(MemberStatus.choices)
    members = (
        Member.objects.filter(cooperative=cooperative, join_date__lte=as_of)
        .select_related("village")
        .order_by("name", "id")
    )
    for member in members.iterator(chunk_size=2000):
        balances = savings.get(member.pk, {})
        yield MemberSavingsRow(
            member_id=member.pk,
            nik=member.nik,
            name=member.name,
            sex=member.sex,
            birth_place=member.birth_place,
            birth_date=member.birth_date,
            address=member.address,
            rt=member.rt,
            rw=member.rw,
            village=member.village.name if member.village else "",
            village_code=member.village_id or "",
            phone=member.phone,
            join_date=member.join_date,
            status=statuses.get(member.status, member.status),
            pokok=balances.get(AccountControl.SAVINGS_POKOK, 0),
            wajib=balances.get(AccountControl.SAVINGS_WAJIB, 0),
            sukarela=balances.get(AccountControl.SAVINGS_SUKARELA, 0),
        )


SIMKOPDES_COLUMNS = (
    Column("nik", "NIK", ValueType.NIK),
    Column("name", "Nama Lengkap", width=28),
    Column("sex", "Jenis Kelamin", width=8),
    Column("birth_place", "Tempat Lahir"),
    Column("birth_date", "Tanggal Lahir", ValueType.DATE),
    Column("address", "Alamat", width=32),
    Column("rt", "RT", width=6),
    Column("rw", "RW", width=6),
    Column("village", "Desa/Kelurahan", width=22),
    Column("village_code", "Kode Desa", width=14),
    Column("phone", "No. HP", ValueType.PHONE),
    Column("join_date", "Tanggal Masuk", ValueType.DATE),
    Column("status", "Status Keanggotaan"),
    Column("pokok", "Simpanan Pokok", ValueType.AMOUNT),
    Column("wajib", "Simpanan Wajib", ValueType.AMOUNT),
    Column("sukarela", "Simpanan Sukarela", ValueType.AMOUNT),
)


def simkopdes_sheet(
    cooperative: Cooperative, *, as_of: datetime.date, name: str = "Anggota dan Simpanan"
) -> TableSheet:
    """SIMKOPDES: one row per member with their savings on `as_of`."""

    def values() -> Iterator[Sequence[Any]]:
        for row in member_savings_rows(cooperative, as_of=as_of):
            yield (
                row.nik,
                row.name,
                row.sex,
                row.birth_place or None,
                row.birth_date,
                row.address or None,
                row.rt or None,
                row.rw or None,
                row.village or None,
                row.village_code or None,
                row.phone or None,
                row.join_date,
                row.status,
                row.pokok,
                row.wajib,
                row.sukarela,
            )

    title = f"{cooperative.name} · Anggota dan simpanan per {as_of:%d-%m-%Y}"
    return TableSheet(name, SIMKOPDES_COLUMNS, values(), title)
