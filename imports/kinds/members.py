"""Daftar Anggota: the member list, with each member's savings balances as of the list's date."""

import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperatives.models import Member
from finance.models import SavingsBalance

from ..bulk import insert_rows
from ..enums import ImportKind, RowAction
from ..spec import Column, ValueType
from ..values import parse_sex
from .base import ApplyResult, Context, Kind, RowPlan
from .villages import VillageNotFound, VillageResolver

MEMBER_FIELDS = (
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "address",
    "rt",
    "rw",
    "village_id",
    "phone",
    "join_date",
)
BALANCE_FIELDS = ("pokok", "wajib", "sukarela")
# Column key → Member field, for the columns copied as they are.
_TEXT_LIMITS = {"name": 150, "birth_place": 100, "address": 255, "rt": 3, "rw": 3}

COLUMNS = (
    Column(
        "nik",
        "NIK",
        ValueType.NIK,
        required=True,
        aliases=("No. KTP", "Nomor KTP", "No KTP", "NIK KTP", "Nomor Induk Kependudukan"),
        help=gettext_lazy("The member's 16-digit NIK from the KTP. Each member once."),
        example="6402164708850003",
    ),
    Column(
        "name",
        "Nama Lengkap",
        ValueType.TEXT,
        required=True,
        aliases=("Nama", "Nama Anggota", "Nama Sesuai KTP"),
        help=gettext_lazy("Full name as on the KTP."),
        example="Siti Aminah",
        width=28,
    ),
    Column(
        "sex",
        "Jenis Kelamin",
        ValueType.CHOICE,
        aliases=("L/P", "JK", "Kelamin", "Jenis Kelamin (L/P)", "L / P"),
        help=gettext_lazy("L (laki-laki) or P (perempuan). Empty: taken from the NIK."),
        example="P",
        choices=("L", "P"),
        extra={"parser": parse_sex},
    ),
    Column(
        "birth_place",
        "Tempat Lahir",
        aliases=("Tmp Lahir", "Tempat Kelahiran"),
        help=gettext_lazy("Place of birth."),
        example="Tenggarong",
    ),
    Column(
        "birth_date",
        "Tanggal Lahir",
        ValueType.DATE,
        aliases=("Tgl Lahir", "Tgl. Lahir", "Tanggal Kelahiran"),
        help=gettext_lazy("Date of birth."),
        example=datetime.date(1985, 8, 7),
    ),
    Column(
        "address",
        "Alamat",
        aliases=("Alamat Lengkap", "Alamat Rumah"),
        help=gettext_lazy("Street, hamlet (dusun) or house number."),
        example="Jl. Poros Samarinda-Tenggarong No. 12",
        width=32,
    ),
    Column("rt", "RT", aliases=("R.T",), help=gettext_lazy("RT number."), example="004"),
    Column("rw", "RW", aliases=("R.W",), help=gettext_lazy("RW number."), example="002"),
    Column(
        "village",
        "Desa/Kelurahan",
        aliases=("Desa", "Kelurahan", "Desa / Kel", "Desa/Kel", "Kode Desa", "Nama Desa"),
        help=gettext_lazy(
            "The member's village: its code (e.g. 64.02.16.2002) or its name. A name found in "
            "more than one kecamatan needs the code."
        ),
        example="Bukit Raya",
        width=22,
    ),
    Column(
        "phone",
        "No. HP",
        ValueType.PHONE,
        aliases=(
            "HP",
            "No HP",
            "Nomor HP",
            "Telepon",
            "No. Telepon",
            "No Telp",
            "Telp/HP",
            "No. WA",
            "WhatsApp",
            "Nomor Telepon",
        ),
        help=gettext_lazy("Mobile number: 08…, 628… or +628…."),
        example="+6281234567890",
    ),
    Column(
        "join_date",
        "Tanggal Masuk",
        ValueType.DATE,
        aliases=(
            "Tgl Masuk",
            "Tgl. Masuk",
            "Tanggal Bergabung",
            "Tanggal Daftar",
            "Tgl Daftar",
            "Tanggal Menjadi Anggota",
        ),
        help=gettext_lazy("The day the member joined. Empty for a new member: the import date."),
        example=datetime.date(2026, 7, 17),
    ),
    Column(
        "pokok",
        "Simpanan Pokok",
        ValueType.AMOUNT,
        aliases=("Pokok", "Simp. Pokok", "Simpanan Pokok (Rp)"),
        help=gettext_lazy("Balance of simpanan pokok on the list's date (not a deposit)."),
        example=100000,
    ),
    Column(
        "wajib",
        "Simpanan Wajib",
        ValueType.AMOUNT,
        aliases=("Wajib", "Simp. Wajib", "Simpanan Wajib (Rp)"),
        help=gettext_lazy("Balance of simpanan wajib on the list's date."),
        example=240000,
    ),
    Column(
        "sukarela",
        "Simpanan Sukarela",
        ValueType.AMOUNT,
        aliases=("Sukarela", "Simp. Sukarela", "Simpanan Sukarela (Rp)"),
        help=gettext_lazy("Balance of simpanan sukarela on the list's date."),
        example=0,
    ),
)


def _fingerprint(values: list[Any]) -> tuple[Any, ...]:
    return tuple(
        value.isoformat() if isinstance(value, datetime.date) else value for value in values
    )


class MembersKind(Kind):
    code = ImportKind.MEMBERS
    sheet_title = "Daftar Anggota"
    columns = COLUMNS
    notes = (
        gettext_lazy(
            "One row per member. A member already registered (same NIK) is updated, never "
            "added twice."
        ),
        gettext_lazy(
            "Savings are balances on the list's date: write “Per 31 Oktober 2026” above the "
            "table, otherwise the import date is used. Importing the list again never adds "
            "them up."
        ),
        gettext_lazy(
            "Rows such as JUMLAH or TOTAL and the signatures below the table are skipped."
        ),
    )

    def start(self, ctx: Context) -> None:
        state = ctx.state
        # The fields this file can change, in a fixed order; sex is always known from the NIK.
        compared = [
            name
            for name in MEMBER_FIELDS
            if name == "sex" or name.removesuffix("_id") in ctx.letters
        ]
        state["compared"] = compared
        state["compared_without_join"] = [name for name in compared if name != "join_date"]
        # A fingerprint of each stored member, not its values: a cooperative's whole member list
        # is held during the check. Rows whose fingerprint differs are compared field by field
        # in finish() (a 64-bit hash of equal values is equal; unequal values colliding is
        # vanishingly unlikely, and would leave that one row unchanged, never corrupt it).
        members: dict[str, tuple[int, int, int]] = {}
        join = compared.index("join_date") if "join_date" in compared else None
        # Read raw (no per-value converters): the fingerprint writes dates as ISO text, which
        # is what SQLite returns and what PostgreSQL's dates become.
        quote = connection.ops.quote_name
        column_of = {field.attname: field.column for field in Member._meta.concrete_fields}
        columns = ", ".join(quote(column_of[name]) for name in compared)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('id')}, {quote('nik')}, {columns} "  # noqa: S608 (model names)
                f"FROM {quote(Member._meta.db_table)} WHERE {quote('cooperative_id')} = %s",
                [ctx.cooperative.pk],
            )
            while batch := cursor.fetchmany(5000):
                for member_id, nik, *stored in batch:
                    values = _fingerprint(stored)
                    without = values if join is None else values[:join] + values[join + 1 :]
                    members[nik] = (member_id, hash(values), hash(without))
        state["members"] = members
        state["seen"] = {}
        state["has_balances"] = any(key in ctx.letters for key in BALANCE_FIELDS)
        state["as_of"] = ctx.title_date or timezone.localdate()
        if state["has_balances"]:
            # member id → (balance id, as of, pokok, wajib, sukarela) of its latest balance
            balances: dict[int, tuple[Any, ...]] = {}
            for row in (
                SavingsBalance.objects.filter(cooperative=ctx.cooperative)
                .order_by("member_id", "-as_of")
                .values_list("member_id", "id", "as_of", *BALANCE_FIELDS)
                .iterator(chunk_size=5000)
            ):
                if row[0] not in balances:
                    balances[row[0]] = row[1:]
            state["balances"] = balances
        state["villages"] = VillageResolver(ctx.cooperative) if "village" in ctx.letters else None

    def check_row(self, ctx: Context, plan: RowPlan, values: dict[str, Any]) -> None:
        state = ctx.state
        nik = values.get("nik")
        plan.label = str(values.get("name") or nik or "")
        if nik:
            plan.key = nik
            first = state["seen"].setdefault(nik, plan.number)
            if first != plan.number:
                ctx.problem(
                    plan,
                    "nik",
                    "nik_duplicate",
                    _("This NIK already appears in row %(row)s; the first row counts.")
                    % {"row": first},
                )
        record: dict[str, Any] = {}
        for key in ("name", "birth_place", "address", "rt", "rw"):
            if key not in ctx.letters or key not in values:
                continue
            text = values[key] or ""
            if len(text) > _TEXT_LIMITS[key]:
                ctx.problem(
                    plan,
                    key,
                    "too_long",
                    _("At most %(n)s characters (this one has %(count)s).")
                    % {"n": _TEXT_LIMITS[key], "count": len(text)},
                )
            record[key] = text
        for key in ("birth_date", "phone", "join_date"):
            if key in ctx.letters and key in values:
                record[key] = values[key] if key != "phone" else values[key] or ""
        if nik:
            # Digits 7-8 are the birth day, plus 40 for a woman (parse_nik checked them).
            nik_sex = "P" if nik[6] >= "4" else "L"
            sex = values.get("sex")
            if sex and sex != nik_sex:
                ctx.problem(
                    plan,
                    "sex",
                    "sex_nik_mismatch",
                    _("The NIK belongs to a %(nik_sex)s but the row says %(sex)s.")
                    % {
                        "nik_sex": _("woman") if nik_sex == "P" else _("man"),
                        "sex": sex,
                    },
                )
            record["sex"] = sex or nik_sex
        if state["villages"] is not None and values.get("village"):
            try:
                village = state["villages"].resolve(str(values["village"]), nik)
            except VillageNotFound as error:
                ctx.problem(plan, "village", error.code, error.message)
            else:
                record["village_id"] = village.code
                if village.code not in state["villages"].own_villages:
                    ctx.warn(
                        plan,
                        "village",
                        "village_outside",
                        _("%(village)s is not one of the cooperative's villages.")
                        % {"village": village.label},
                    )
        elif "village" in ctx.letters and "village" in values:
            record["village_id"] = None
        balances = {key: values.get(key) or 0 for key in BALANCE_FIELDS if key in ctx.letters}
        for key, amount in balances.items():
            if amount < 0:
                ctx.problem(plan, key, "amount_negative", _("A balance cannot be negative."))
        if plan.action == RowAction.INVALID:
            return
        stored = state["members"].get(nik)
        if stored is None:
            if not record.get("join_date"):
                record["join_date"] = state["as_of"]
                ctx.warn(
                    plan,
                    "join_date",
                    "join_date_missing",
                    _("No join date: %(date)s is used.") % {"date": record["join_date"]},
                )
            plan.action = RowAction.CREATE
            plan.values = record
        else:
            if not record.get("join_date"):
                record.pop("join_date", None)
            plan.existing = stored[0]
            if "join_date" in record:
                keys, digest = state["compared"], stored[1]
            else:
                keys, digest = state["compared_without_join"], stored[2]
            if hash(_fingerprint([record.get(key) for key in keys])) == digest:
                plan.action = RowAction.UNCHANGED
            else:
                # Which fields changed, and from what, is read in finish() for these rows only.
                plan.action = RowAction.UPDATE
                plan.values = record
                plan.extra["compare"] = True
        if balances:
            self._plan_balances(ctx, plan, stored, balances)

    def _plan_balances(
        self,
        ctx: Context,
        plan: RowPlan,
        stored: tuple[int, int, int] | None,
        balances: dict[str, int],
    ) -> None:
        found = ctx.state["balances"].get(stored[0]) if stored else None
        current = dict(zip(BALANCE_FIELDS, found[2:], strict=True)) if found else None
        figures = {key: balances.get(key, current[key] if current else 0) for key in BALANCE_FIELDS}
        if current is not None and all(current[key] == figures[key] for key in BALANCE_FIELDS):
            return
        if current is None and not any(figures.values()):
            # Nothing saved yet and nothing to say: no balance of zeros is recorded.
            return
        plan.extra["balance"] = figures
        if current is not None and found is not None:
            for key in BALANCE_FIELDS:
                if current[key] != figures[key]:
                    plan.before[key] = current[key]
            if found[1] == ctx.state["as_of"]:
                plan.extra["balance_id"] = found[0]
        if plan.action == RowAction.UNCHANGED:
            plan.action = RowAction.UPDATE

    def apply(self, ctx: Context, plans: list[RowPlan]) -> ApplyResult:
        run, cooperative = ctx.run, ctx.cooperative
        now = timezone.now()
        new = [plan for plan in plans if plan.action == RowAction.CREATE]
        created = insert_rows(
            Member,
            # plan.values holds attnames already (village_id, not village).
            ({"nik": plan.key, "import_row": plan.number, **plan.values} for plan in new),
            constants={
                "cooperative_id": cooperative.pk,
                "import_run_id": run.pk,
                "created_at": now,
                "updated_at": now,
            },
        )
        changed = [plan for plan in plans if plan.action == RowAction.UPDATE and plan.values]
        by_fields: dict[tuple[str, ...], list[Member]] = {}
        for plan in changed:
            member = Member(
                pk=plan.existing, import_run=run, import_row=plan.number, updated_at=now
            )
            for name, value in plan.values.items():
                setattr(member, name, value)
            by_fields.setdefault(tuple(sorted(plan.values)), []).append(member)
        for fields, members in by_fields.items():
            Member.objects.bulk_update(
                members, [*fields, "import_run", "import_row", "updated_at"], batch_size=500
            )
        with_balance = [
            plan
            for plan in plans
            if "balance" in plan.extra and plan.action in (RowAction.CREATE, RowAction.UPDATE)
        ]
        new_ids: dict[str, int] = {}
        if any(plan.action == RowAction.CREATE for plan in with_balance):
            new_ids = dict(
                Member.objects.filter(cooperative=cooperative, import_run=run).values_list(
                    "nik", "id"
                )
            )
        insert_rows(
            SavingsBalance,
            (
                {
                    "member_id": plan.existing or new_ids[plan.key],
                    "import_row": plan.number,
                    **plan.extra["balance"],
                }
                for plan in with_balance
                if "balance_id" not in plan.extra
            ),
            constants={
                "cooperative_id": cooperative.pk,
                "import_run_id": run.pk,
                "as_of": ctx.state["as_of"],
            },
        )
        SavingsBalance.objects.bulk_update(
            [
                SavingsBalance(
                    pk=plan.extra["balance_id"],
                    import_run=run,
                    import_row=plan.number,
                    **plan.extra["balance"],
                )
                for plan in with_balance
                if "balance_id" in plan.extra
            ],
            [*BALANCE_FIELDS, "import_run", "import_row"],
            batch_size=500,
        )
        updated = sum(1 for plan in plans if plan.action == RowAction.UPDATE)
        return ApplyResult(created=created, updated=updated)

    def finish(self, ctx: Context, plans: list[RowPlan]) -> None:
        self._compare_changed(ctx, plans)
        self._flag_elsewhere(ctx, plans)

    def _compare_changed(self, ctx: Context, plans: list[RowPlan]) -> None:
        compared = ctx.state["compared"]
        changed = [plan for plan in plans if plan.extra.pop("compare", False)]
        for start in range(0, len(changed), 500):
            chunk = changed[start : start + 500]
            stored = {
                row[0]: row[1:]
                for row in Member.objects.filter(
                    cooperative=ctx.cooperative, nik__in=[plan.key for plan in chunk]
                ).values_list("nik", *compared)
            }
            for plan in chunk:
                record = plan.values
                if plan.key not in stored:
                    ctx.problem(
                        plan,
                        "nik",
                        "member_removed",
                        _("This member was removed while the file was checked. Upload it again."),
                    )
                    continue
                before = {
                    name: old
                    for name, old in zip(compared, stored[plan.key], strict=True)
                    if name in record and record[name] != old
                }
                plan.values = {name: record[name] for name in before}
                plan.before = {**before, **plan.before}
                if not plan.before and "balance" not in plan.extra:
                    plan.action = RowAction.UNCHANGED

    def _flag_elsewhere(self, ctx: Context, plans: list[RowPlan]) -> None:
        # A person may be a member of one KDMP only; a NIK registered elsewhere is accepted but
        # flagged, without saying where (the other cooperative may lie outside the user's scope).
        new = [plan for plan in plans if plan.action == RowAction.CREATE and plan.key]
        for start in range(0, len(new), 500):
            chunk = new[start : start + 500]
            elsewhere = set(
                Member.objects.filter(nik__in=[plan.key for plan in chunk])
                .exclude(cooperative=ctx.cooperative)
                .values_list("nik", flat=True)
            )
            for plan in chunk:
                if plan.key in elsewhere:
                    ctx.warn(
                        plan,
                        "nik",
                        "nik_elsewhere",
                        _("This NIK is also registered as a member of another cooperative."),
                    )
