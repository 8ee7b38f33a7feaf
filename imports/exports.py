"""Every list of the portal as an .xlsx workbook: one registry of exportable lists, the function
writing one (`export_list`) and the background job for big ones (`export_job_run`).

Each list declares its columns with the headings of the matching import kind (and, where the
kind exists, its very Column objects), so that an exported book re-imports cleanly: an exported
member list imported again changes nothing. Rows are streamed from the database
(`values_list(...).iterator()`) into `imports.xlsx.write_table`, which types the cells and
neutralises text that could run as a formula.

The lists (`EXPORTS`, by code):

members          Daftar Anggota: the member list (the list page's filters q and status), with
                 each member's latest savings balances when the cooperative has any.
savings          Buku Simpanan: savings deposits and withdrawals, one per row.
cashbook         Buku Kas Umum: the cash book, with a running balance (Saldo).
loans            Daftar Pinjaman: the cooperative's own loan ledger (LoanLedgerEntry), as the
                 loan ledger import reads it.
loans_approved   Pinjaman Kopdes: the loans approved in Kopdes (loans.Loan), one per loan.
reports          Laporan Bulanan: the approved monthly reports (finance.MonthlyReport).
submissions      A form's submissions, one row per submission with a column per field (each
                 submission read with its own form version), and each repeating group on a
                 sheet of its own. Not bound to one cooperative: every submission the user may
                 see, with the submission list's filters.

Every query goes through `cooperatives.scoping` with the requesting user; only the command line
passes `user=None`, which exports the named cooperative without a scope check.
"""

import io
import logging
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperatives.models import Cooperative, Member
from cooperatives.scoping import get_in_scope_or_404, scope_queryset

from .models import ExportJob
from .spec import Column, ValueType
from .xlsx import TableSheet, Target, write_table

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Up to this many rows a download is written while the user waits; above, in the background.
INLINE_EXPORT_ROWS = 5000
CHUNK = 2000


class ExportError(Exception):
    """The export cannot be written as asked (an unknown list, a form that is missing)."""


@dataclass
class ExportRequest:
    kind: str
    user: Any  # None: the command line, without a scope check
    cooperative: Cooperative | None
    params: dict[str, Any] = field(default_factory=dict)

    def scoped(self, queryset: QuerySet[Any], via: str = "cooperative") -> QuerySet[Any]:
        return queryset if self.user is None else scope_queryset(queryset, self.user, via=via)


@dataclass(frozen=True)
class ExportKind:
    code: str
    slug: str  # in the URL and the file name, e.g. "anggota"
    label: str | Promise
    sheet: str  # the sheet's name, as the import template names it
    count: Callable[[ExportRequest], int]
    sheets: Callable[[ExportRequest], list[TableSheet]]
    per_cooperative: bool = True


# --- columns ----------------------------------------------------------------------------------


def _kind_columns(path: str, declared: Sequence[Column]) -> tuple[Column, ...]:
    """`declared`, each replaced by the import kind's column of the same key when the kind
    (module path, e.g. "imports.kinds.cashbook.COLUMNS") exists: its heading wins, so that an
    export always re-imports under the kind's current headings."""
    try:
        kind_columns = {column.key: column for column in import_string(path)}
    except ImportError:
        kind_columns = {}
    return tuple(kind_columns.get(column.key, column) for column in declared)


def _col(key: str, heading: str, kind: ValueType = ValueType.TEXT, **extra: Any) -> Column:
    return Column(key, heading, kind, **extra)


def _status_labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _iterate(queryset: QuerySet[Any]) -> Iterator[Any]:
    return queryset.iterator(chunk_size=CHUNK)


# --- members ----------------------------------------------------------------------------------

BALANCE_KEYS = ("pokok", "wajib", "sukarela")


def _member_queryset(request: ExportRequest) -> QuerySet[Member]:
    from cooperatives.forms import MemberFilterForm
    from cooperatives.selectors import member_list

    assert request.cooperative is not None
    if request.user is None:
        return Member.objects.filter(cooperative=request.cooperative).order_by("name", "id")
    filters = MemberFilterForm(request.params).filters()
    return member_list(
        user=request.user,
        cooperative=request.cooperative,
        search=filters["search"],
        status=filters["status"],
    )


def _has_balances(request: ExportRequest) -> bool:
    from finance.models import SavingsBalance

    return request.scoped(SavingsBalance.objects.filter(cooperative=request.cooperative)).exists()


def _member_columns(with_balances: bool) -> list[Column]:
    from .kinds.members import COLUMNS

    columns = [column for column in COLUMNS if with_balances or column.key not in BALANCE_KEYS]
    # Not read by the import (an unknown heading is passed over): for the people reading it.
    return [*columns, _col("status", "Status")]


def _member_sheets(request: ExportRequest) -> list[TableSheet]:
    from cooperatives.enums import MemberStatus
    from finance.models import SavingsBalance

    with_balances = _has_balances(request)
    columns = _member_columns(with_balances)
    members = _member_queryset(request)
    if with_balances:
        latest = SavingsBalance.objects.filter(member=OuterRef("pk")).order_by("-as_of", "-id")
        members = members.annotate(
            **{f"balance_{key}": Subquery(latest.values(key)[:1]) for key in BALANCE_KEYS}
        )
    statuses = _status_labels(MemberStatus.choices)
    fields = {
        "nik": "nik",
        "name": "name",
        "sex": "sex",
        "birth_place": "birth_place",
        "birth_date": "birth_date",
        "address": "address",
        "rt": "rt",
        "rw": "rw",
        # The village's code: a name may be found in more than one kecamatan.
        "village": "village_id",
        "phone": "phone",
        "join_date": "join_date",
        **{key: f"balance_{key}" for key in BALANCE_KEYS},
        "status": "status",
    }
    names = [fields[column.key] for column in columns]
    status_at = names.index("status")

    def rows() -> Iterator[list[Any]]:
        for values in _iterate(members.values_list(*names)):
            row = [value if value != "" else None for value in values]
            row[status_at] = statuses.get(values[status_at], values[status_at])
            yield row

    return [TableSheet("Daftar Anggota", columns, rows(), _title(request, "Daftar Anggota"))]


def _member_count(request: ExportRequest) -> int:
    return _member_queryset(request).count()


# --- savings ----------------------------------------------------------------------------------

SAVINGS_COLUMNS = (
    _col("date", "Tanggal", ValueType.DATE),
    _col("nik", "NIK", ValueType.NIK),
    _col("name", "Nama", width=24),
    _col(
        "savings_type", "Jenis Simpanan", ValueType.CHOICE, choices=("Pokok", "Wajib", "Sukarela")
    ),
    _col("deposit", "Setoran", ValueType.AMOUNT),
    _col("withdrawal", "Penarikan", ValueType.AMOUNT),
    _col("receipt_no", "No. Bukti"),
    _col("description", "Keterangan", width=28),
)
_SAVINGS_TYPES = {"pokok": "Pokok", "wajib": "Wajib", "sukarela": "Sukarela"}


def _savings_queryset(request: ExportRequest) -> QuerySet[Any]:
    from finance.models import SavingsTransaction

    return request.scoped(
        SavingsTransaction.objects.filter(cooperative=request.cooperative)
    ).order_by("date", "id")


def _savings_sheets(request: ExportRequest) -> list[TableSheet]:
    columns = _kind_columns("imports.kinds.savings.COLUMNS", SAVINGS_COLUMNS)
    values = _savings_queryset(request).values_list(
        "date",
        "member__nik",
        "member__name",
        "savings_type",
        "deposit",
        "withdrawal",
        "receipt_no",
        "description",
    )

    def rows() -> Iterator[list[Any]]:
        for day, nik, name, kind, deposit, withdrawal, receipt, description in _iterate(values):
            yield [
                day,
                nik,
                name,
                _SAVINGS_TYPES.get(kind, kind),
                deposit or None,
                withdrawal or None,
                receipt or None,
                description or None,
            ]

    return [TableSheet("Buku Simpanan", columns, rows(), _title(request, "Buku Simpanan"))]


# --- cash book --------------------------------------------------------------------------------

CASHBOOK_COLUMNS = (
    _col("date", "Tanggal", ValueType.DATE),
    _col("voucher_no", "No. Bukti"),
    _col("description", "Uraian", width=36),
    _col("account", "Akun"),
    _col("debit", "Debet", ValueType.AMOUNT),
    _col("credit", "Kredit", ValueType.AMOUNT),
    _col("balance", "Saldo", ValueType.AMOUNT),
)


def _cashbook_queryset(request: ExportRequest) -> QuerySet[Any]:
    from finance.models import CashBookEntry

    return request.scoped(CashBookEntry.objects.filter(cooperative=request.cooperative)).order_by(
        "date", "id"
    )


def _cashbook_sheets(request: ExportRequest) -> list[TableSheet]:
    columns = _kind_columns("imports.kinds.cashbook.COLUMNS", CASHBOOK_COLUMNS)
    values = _cashbook_queryset(request).values_list(
        "date", "voucher_no", "description", "account", "debit", "credit"
    )

    def rows() -> Iterator[list[Any]]:
        balance = 0  # the book's running balance, from its first entry
        for day, voucher, description, account, debit, credit in _iterate(values):
            balance += debit - credit
            yield [
                day,
                voucher or None,
                description or None,
                account or None,
                debit or None,
                credit or None,
                balance,
            ]

    return [TableSheet("Buku Kas Umum", columns, rows(), _title(request, "Buku Kas Umum"))]


# --- loans: the ledger and the loans made in Kopdes -------------------------------------------

LEDGER_COLUMNS = (
    _col("loan_no", "No. Pinjaman"),
    _col("nik", "NIK", ValueType.NIK),
    _col("name", "Nama", width=24),
    _col("disbursed_on", "Tanggal Pencairan", ValueType.DATE),
    _col("principal", "Pokok Pinjaman", ValueType.AMOUNT),
    _col("tenor_months", "Jangka Waktu", ValueType.INTEGER),
    _col("rate_percent", "Bunga", ValueType.DECIMAL),
    _col("instalment", "Angsuran", ValueType.AMOUNT),
    _col("instalments_paid", "Angsuran Ke", ValueType.INTEGER),
    _col("balance", "Sisa Pinjaman", ValueType.AMOUNT),
    _col("days_overdue", "Hari Tunggakan", ValueType.INTEGER),
    _col(
        "collectibility",
        "Kolektibilitas",
        ValueType.CHOICE,
        choices=("Lancar", "DPK", "Kurang Lancar", "Diragukan", "Macet"),
    ),
)
# Not a column of the import (it takes the date from a "Per …" line above the table).
LEDGER_AS_OF = _col("as_of", "Per Tanggal", ValueType.DATE)
COLLECTIBILITY = {
    "lancar": "Lancar",
    "dpk": "DPK",
    "kurang_lancar": "Kurang Lancar",
    "diragukan": "Diragukan",
    "macet": "Macet",
}


def _ledger_queryset(request: ExportRequest) -> QuerySet[Any]:
    from loans.models import LoanLedgerEntry

    return request.scoped(LoanLedgerEntry.objects.filter(cooperative=request.cooperative)).order_by(
        "member__name", "disbursed_on", "id"
    )


def _ledger_sheets(request: ExportRequest) -> list[TableSheet]:
    columns = (*_kind_columns("imports.kinds.loans.COLUMNS", LEDGER_COLUMNS), LEDGER_AS_OF)
    values = _ledger_queryset(request).values_list(
        "loan_no",
        "member__nik",
        "member__name",
        "disbursed_on",
        "principal",
        "tenor_months",
        "rate_percent",
        "instalment",
        "instalments_paid",
        "balance",
        "days_overdue",
        "collectibility",
        "as_of",
    )

    def rows() -> Iterator[list[Any]]:
        for row in _iterate(values):
            values_ = list(row)
            values_[0] = values_[0] or None
            values_[11] = COLLECTIBILITY.get(values_[11], values_[11])
            yield values_

    return [TableSheet("Daftar Pinjaman", columns, rows(), _title(request, "Daftar Pinjaman"))]


LOAN_COLUMNS = (
    _col("application", "No. Pengajuan"),
    _col("nik", "NIK", ValueType.NIK),
    _col("name", "Nama", width=24),
    _col("product", "Produk"),
    _col("principal", "Pokok Pinjaman", ValueType.AMOUNT),
    _col("tenor_months", "Jangka Waktu", ValueType.INTEGER),
    _col("purpose", "Tujuan"),
    _col("status", "Status"),
    _col("approved_at", "Tanggal Disetujui", ValueType.DATE),
)


def _loan_queryset(request: ExportRequest) -> QuerySet[Any]:
    from loans.models import Loan

    return request.scoped(Loan.objects.filter(cooperative=request.cooperative)).order_by(
        "approved_at", "id"
    )


def _loan_sheets(request: ExportRequest) -> list[TableSheet]:
    from loans.enums import LoanStatus

    statuses = _status_labels(LoanStatus.choices)
    values = _loan_queryset(request).values_list(
        "application__reference",
        "member__nik",
        "member__name",
        "product_code",
        "principal",
        "tenor_months",
        "purpose",
        "status",
        "approved_at",
    )

    def rows() -> Iterator[list[Any]]:
        for row in _iterate(values):
            values_ = [value if value != "" else None for value in row]
            values_[7] = statuses.get(row[7], row[7])
            yield values_

    return [TableSheet("Pinjaman Kopdes", LOAN_COLUMNS, rows(), _title(request, "Pinjaman Kopdes"))]


# --- monthly reports --------------------------------------------------------------------------

_REPORT_FIGURES = (
    ("members_start", "Anggota Awal Bulan", ValueType.INTEGER),
    ("members_joined", "Anggota Masuk", ValueType.INTEGER),
    ("members_left", "Anggota Keluar", ValueType.INTEGER),
    ("members_end", "Anggota Akhir Bulan", ValueType.INTEGER),
    ("savings_principal", "Simpanan Pokok", ValueType.AMOUNT),
    ("savings_compulsory", "Simpanan Wajib", ValueType.AMOUNT),
    ("savings_voluntary", "Simpanan Sukarela", ValueType.AMOUNT),
    ("cash", "Kas", ValueType.AMOUNT),
    ("bank", "Bank", ValueType.AMOUNT),
    ("loans_outstanding", "Pinjaman Beredar", ValueType.AMOUNT),
    ("total_assets", "Total Aset", ValueType.AMOUNT),
    ("total_liabilities", "Total Kewajiban", ValueType.AMOUNT),
    ("total_equity", "Total Ekuitas", ValueType.AMOUNT),
    ("revenue", "Pendapatan", ValueType.AMOUNT),
    ("expenses", "Beban", ValueType.AMOUNT),
    ("surplus_month", "SHU Bulan Ini", ValueType.AMOUNT),
    ("surplus_year_to_date", "SHU Tahun Berjalan", ValueType.AMOUNT),
)
REPORT_COLUMNS = (
    _col("period", "Bulan", ValueType.TEXT, width=10),
    *(_col(key, heading, kind) for key, heading, kind in _REPORT_FIGURES),
    _col("approved_at", "Tanggal Disetujui", ValueType.DATE),
    _col("reference", "No. Laporan"),
)


def _report_queryset(request: ExportRequest) -> QuerySet[Any]:
    from finance.models import MonthlyReport

    return request.scoped(MonthlyReport.objects.filter(cooperative=request.cooperative)).order_by(
        "period"
    )


def _report_sheets(request: ExportRequest) -> list[TableSheet]:
    values = _report_queryset(request).values_list(
        "period",
        *(key for key, _heading, _kind in _REPORT_FIGURES),
        "approved_at",
        "submission__reference",
    )

    def rows() -> Iterator[list[Any]]:
        for row in _iterate(values):
            yield [f"{row[0]:%Y-%m}", *row[1:]]

    return [
        TableSheet("Laporan Bulanan", REPORT_COLUMNS, rows(), _title(request, "Laporan Bulanan"))
    ]


# --- submissions of a form --------------------------------------------------------------------


def _form_page(request: ExportRequest) -> Any:
    from forms.models import KopdesFormPage

    form = request.params.get("form")
    page = KopdesFormPage.objects.filter(pk=form).first() if str(form or "").isdigit() else None
    if page is None:
        raise ExportError("No such form.")
    return page


def submission_queryset(request: ExportRequest) -> QuerySet[Any]:
    """The submissions of the form the submission list shows the user, with its filters: in
    scope, without other people's drafts."""
    from django.db.models import Q

    from forms.enums import SubmissionStatus
    from forms.models import Submission
    from forms.views import SubmissionFilterForm

    page = _form_page(request)
    submissions = Submission.objects.filter(form_page_id=page.pk)
    if request.cooperative is not None:
        submissions = submissions.filter(cooperative=request.cooperative)
    if request.user is not None:
        submissions = scope_queryset(submissions, request.user).exclude(
            Q(status=SubmissionStatus.DRAFT) & ~Q(author=request.user)
        )
    else:
        submissions = submissions.exclude(status=SubmissionStatus.DRAFT)
    submissions = SubmissionFilterForm(request.params).apply(submissions)
    return submissions.order_by("-updated_at", "-id")


def _field_value_type(spec: Any) -> ValueType:
    from forms.enums import FieldType

    kind = spec.type
    if kind == FieldType.CALCULATED:
        kind = spec.options.get("result_type") or FieldType.DECIMAL
    return {
        FieldType.INTEGER: ValueType.INTEGER,
        FieldType.DECIMAL: ValueType.DECIMAL,
        FieldType.PERCENTAGE: ValueType.DECIMAL,
        FieldType.RUPIAH: ValueType.AMOUNT,
        FieldType.DATE: ValueType.DATE,
        FieldType.PHONE: ValueType.PHONE,
        FieldType.NIK: ValueType.NIK,
        FieldType.MEMBER: ValueType.NIK,  # the member's NIK
        FieldType.SINGLE_CHOICE: ValueType.CHOICE,
        FieldType.MULTIPLE_CHOICE: ValueType.CHOICE,
        FieldType.YES_NO: ValueType.CHOICE,
    }.get(kind, ValueType.TEXT)


def _exported(spec: Any) -> bool:
    """Fields with an answer of their own (calculated values included), groups aside."""
    from forms.enums import FieldType

    return spec.type not in {FieldType.STEP, FieldType.INFO, FieldType.GROUP}


@dataclass
class _Lookups:
    """What the answers of a chunk of submissions name: members (by id) and files (by
    submission and field)."""

    members: dict[int, str] = field(default_factory=dict)
    files: dict[tuple[int, str], str] = field(default_factory=dict)


def _cell(spec: Any, value: Any, lookups: _Lookups, submission_id: int) -> Any:
    from forms.enums import FieldType

    kind = spec.type
    if kind == FieldType.FILE:
        return lookups.files.get((submission_id, spec.code))
    if value is None or value == "" or value == []:
        return None
    if kind == FieldType.YES_NO:
        return "Ya" if value else "Tidak"
    if kind in {FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE}:
        labels = {c["code"]: c["label"] for c in spec.options.get("choices", [])}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(code, code)) for code in chosen)
    if kind == FieldType.MEMBER:
        return lookups.members.get(value, str(value))
    if kind == FieldType.VILLAGE:
        return getattr(value, "code", value)
    if isinstance(value, list | dict):
        return str(value)
    return value


@dataclass
class _FormLayout:
    """The columns of a form's export: fields by code (in the order of the newest version),
    the repeating groups and their columns by code."""

    fields: dict[str, Any]  # code → spec (of the newest version that has it)
    groups: dict[str, tuple[Any, dict[str, Any]]]  # code → (group spec, column code → spec)


def _layout(page: Any, revision_ids: Iterable[int]) -> _FormLayout:
    from forms.services import schema_for_revision

    ids = set(revision_ids)
    if page.live_revision_id:
        ids.add(page.live_revision_id)
    fields: dict[str, Any] = {}
    groups: dict[str, tuple[Any, dict[str, Any]]] = {}
    for revision_id in sorted(ids, reverse=True):
        for spec in schema_for_revision(revision_id).fields:
            if spec.type == "group":
                _group, columns = groups.setdefault(spec.code, (spec, {}))
                for column in spec.columns:
                    if _exported(column):
                        columns.setdefault(column.code, column)
            elif _exported(spec):
                fields.setdefault(spec.code, spec)
    return _FormLayout(fields, groups)


def _unique_headings(fixed: Sequence[str], specs: Iterable[Any]) -> list[str]:
    """A heading per spec, its Indonesian label; a label used twice (or empty) gets its code."""
    taken = {heading.lower() for heading in fixed}
    headings = []
    for spec in specs:
        heading = (spec.label_id or "").strip() or spec.code
        if heading.lower() in taken:
            heading = f"{heading} ({spec.code})"
        taken.add(heading.lower())
        headings.append(heading)
    return headings


def _submission_chunks(
    submissions: QuerySet[Any], layout: _FormLayout
) -> Iterator[list[tuple[dict[str, Any], Any, dict[str, Any], _Lookups]]]:
    """The submissions in chunks, each as (row values, schema, typed answers, lookups)."""
    from forms.enums import FieldType
    from forms.models import SubmissionFile
    from forms.services import schema_for_revision
    from forms.values import from_json

    member_fields = {
        code for code, spec in layout.fields.items() if spec.type == FieldType.MEMBER
    } | {
        f"{group}.{code}"
        for group, (_spec, columns) in layout.groups.items()
        for code, spec in columns.items()
        if spec.type == FieldType.MEMBER
    }
    has_files = any(spec.type == FieldType.FILE for spec in layout.fields.values())
    values = submissions.values(
        "pk",
        "reference",
        "cooperative__name",
        "period",
        "status",
        "submitted_at",
        "author__username",
        "author__first_name",
        "author__last_name",
        "revision_id",
        "data",
    )
    chunk: list[dict[str, Any]] = []

    def typed(row: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        schema = schema_for_revision(row["revision_id"])
        answers = {}
        for code, value in (row["data"] or {}).items():
            spec = schema.by_code.get(code)
            if spec is not None:
                answers[code] = from_json(spec.type, value, {c.code: c.type for c in spec.columns})
        return schema, schema.calculate(answers)

    def flush() -> list[tuple[dict[str, Any], Any, dict[str, Any], _Lookups]]:
        prepared = [(row, *typed(row)) for row in chunk]
        lookups = _Lookups()
        member_ids: set[int] = set()
        for _row, _schema, answers in prepared:
            for code in member_fields:
                group, _dot, column = code.partition(".")
                if column:
                    for line in answers.get(group) or []:
                        if isinstance(line.get(column), int):
                            member_ids.add(line[column])
                elif isinstance(answers.get(code), int):
                    member_ids.add(answers[code])
        if member_ids:
            lookups.members = dict(
                Member.objects.filter(pk__in=member_ids).values_list("pk", "nik")
            )
        if has_files:
            lookups.files = {
                (submission_id, code): name
                for submission_id, code, name in SubmissionFile.objects.filter(
                    submission_id__in=[row["pk"] for row in chunk]
                ).values_list("submission_id", "field_code", "original_name")
            }
        return [(row, schema, answers, lookups) for row, schema, answers in prepared]

    for row in values.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= 500:
            yield flush()
            chunk = []
    if chunk:
        yield flush()


def _reference(row: dict[str, Any]) -> str:
    return row["reference"] or f"{_('Draft')} #{row['pk']}"


def _group_rows(
    request: ExportRequest, layout: _FormLayout, group_code: str, group_label: str
) -> Iterator[list[Any]]:
    """One row per line of the group in each submission: reference, group, line number, then
    the group's columns (each submission read with its own form version)."""
    column_codes = list(layout.groups[group_code][1])
    for chunk in _submission_chunks(submission_queryset(request), layout):
        for row, schema, answers, lookups in chunk:
            own = schema.by_code.get(group_code)
            if own is None:
                continue
            own_columns = {column.code: column for column in own.columns}
            for number, line in enumerate(answers.get(group_code) or [], start=1):
                cells = [_reference(row), group_label, number]
                for code in column_codes:
                    spec = own_columns.get(code)
                    cells.append(_cell(spec, line.get(code), lookups, row["pk"]) if spec else None)
                yield cells


SUBMISSION_FIXED = (
    _col("reference", "No. Referensi"),
    _col("cooperative", "Koperasi", width=32),
    _col("period", "Periode", width=10),
    _col("status", "Status"),
    _col("submitted_at", "Tanggal Dikirim", ValueType.DATE),
    _col("author", "Diisi Oleh"),
)
GROUP_FIXED = (
    _col("reference", "No. Referensi"),
    _col("group", "Tabel"),
    _col("line", "Baris Ke", ValueType.INTEGER),
)


def _submission_sheets(request: ExportRequest) -> list[TableSheet]:
    from forms.enums import SubmissionStatus

    page = _form_page(request)
    submissions = submission_queryset(request)
    revision_ids = submissions.order_by().values_list("revision_id", flat=True).distinct()
    layout = _layout(page, revision_ids)
    statuses = _status_labels(SubmissionStatus.choices)
    fixed_headings = [column.heading for column in SUBMISSION_FIXED]
    field_specs = list(layout.fields.values())
    columns = [
        *SUBMISSION_FIXED,
        *(
            Column(spec.code, heading, _field_value_type(spec))
            for spec, heading in zip(
                field_specs, _unique_headings(fixed_headings, field_specs), strict=True
            )
        ),
    ]

    def rows() -> Iterator[list[Any]]:
        for chunk in _submission_chunks(submissions, layout):
            for row, schema, answers, lookups in chunk:
                author = " ".join(
                    part for part in (row["author__first_name"], row["author__last_name"]) if part
                )
                cells = [
                    _reference(row),
                    row["cooperative__name"],
                    row["period"] or None,
                    statuses.get(row["status"], row["status"]),
                    row["submitted_at"],
                    author or row["author__username"],
                ]
                for code in layout.fields:
                    own = schema.by_code.get(code)
                    cells.append(_cell(own, answers.get(code), lookups, row["pk"]) if own else None)
                yield cells

    title = page.title
    sheets = [TableSheet(title, columns, rows(), _title(request, title))]
    for group_code, (group_spec, group_columns) in layout.groups.items():
        column_specs = list(group_columns.values())
        headings = _unique_headings([c.heading for c in GROUP_FIXED], column_specs)
        group_label = (group_spec.label_id or "").strip() or group_code

        sheets.append(
            TableSheet(
                group_label,
                [
                    *GROUP_FIXED,
                    *(
                        Column(spec.code, heading, _field_value_type(spec))
                        for spec, heading in zip(column_specs, headings, strict=True)
                    ),
                ],
                _group_rows(request, layout, group_code, group_label),
                _title(request, f"{title}: {group_label}"),
            )
        )
    return sheets


def _submission_count(request: ExportRequest) -> int:
    return submission_queryset(request).count()


# --- the registry -----------------------------------------------------------------------------


def _counter(queryset: Callable[[ExportRequest], QuerySet[Any]]) -> Callable[[ExportRequest], int]:
    return lambda request: queryset(request).count()


EXPORTS: dict[str, ExportKind] = {
    kind.code: kind
    for kind in (
        ExportKind(
            "members",
            "anggota",
            gettext_lazy("Member list"),
            "Daftar Anggota",
            _member_count,
            _member_sheets,
        ),
        ExportKind(
            "savings",
            "simpanan",
            gettext_lazy("Savings book"),
            "Buku Simpanan",
            _counter(_savings_queryset),
            _savings_sheets,
        ),
        ExportKind(
            "cashbook",
            "kas",
            gettext_lazy("Cash book"),
            "Buku Kas Umum",
            _counter(_cashbook_queryset),
            _cashbook_sheets,
        ),
        ExportKind(
            "loans",
            "pinjaman",
            gettext_lazy("Loan ledger"),
            "Daftar Pinjaman",
            _counter(_ledger_queryset),
            _ledger_sheets,
        ),
        ExportKind(
            "loans_approved",
            "pinjaman-kopdes",
            gettext_lazy("Loans approved in Kopdes"),
            "Pinjaman Kopdes",
            _counter(_loan_queryset),
            _loan_sheets,
        ),
        ExportKind(
            "reports",
            "laporan-bulanan",
            gettext_lazy("Monthly reports"),
            "Laporan Bulanan",
            _counter(_report_queryset),
            _report_sheets,
        ),
        ExportKind(
            "submissions",
            "isian",
            gettext_lazy("Form submissions"),
            "Isian",
            _submission_count,
            _submission_sheets,
            per_cooperative=False,
        ),
    )
}
BY_SLUG = {kind.slug: kind for kind in EXPORTS.values()}


def get_export(code: str) -> ExportKind:
    try:
        return EXPORTS[code]
    except KeyError:
        raise ExportError(f"No such export: {code!r}.") from None


# --- writing ----------------------------------------------------------------------------------


def _title(request: ExportRequest, what: str) -> str:
    where = f" · {request.cooperative.name}" if request.cooperative is not None else ""
    return f"{what}{where} · {timezone.localdate():%d-%m-%Y}"


class _Counted:
    """An iterable of rows that counts what it yields."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def _request(
    kind: str, user: Any, cooperative: Cooperative | None, params: dict[str, Any] | None
) -> tuple[ExportKind, ExportRequest]:
    export = get_export(kind)
    if export.per_cooperative and cooperative is None:
        raise ExportError(f"The export {kind!r} needs a cooperative.")
    if user is not None and cooperative is not None:
        # Checked again here, not only by the view: a queued job runs later, maybe after the
        # user lost the grant.
        cooperative = get_in_scope_or_404(
            Cooperative.objects.all(), user, via="", pk=cooperative.pk
        )
    return export, ExportRequest(kind, user, cooperative, dict(params or {}))


def export_count(
    *, kind: str, user: Any, cooperative: Cooperative | None, params: dict[str, Any] | None = None
) -> int:
    """How many rows the list's main sheet would have."""
    export, request = _request(kind, user, cooperative, params)
    return export.count(request)


def export_list(
    *,
    kind: str,
    user: Any,
    cooperative: Cooperative | None,
    params: dict[str, Any] | None = None,
    target: Target,
) -> int:
    """Write the list `kind` (a code of EXPORTS) of `cooperative`, as `user` may see it, to
    `target` (a path or a binary file); the number of rows of its main sheet.

    `params`: the list page's filters (members: q, status; submissions: form, q, cooperative,
    status, period). `user=None` is the command line: no scope check. Raises Http404 when the
    cooperative is outside the user's scope, ExportError for an unknown list or form."""
    export, request = _request(kind, user, cooperative, params)
    sheets = export.sheets(request)
    counted = _Counted(sheets[0].rows)
    sheets[0] = TableSheet(sheets[0].name, sheets[0].columns, counted, sheets[0].title)
    write_table(target, sheets)
    return counted.count


def export_bytes(
    *, kind: str, user: Any, cooperative: Cooperative | None, params: dict[str, Any] | None = None
) -> bytes:
    output = io.BytesIO()
    export_list(kind=kind, user=user, cooperative=cooperative, params=params, target=output)
    return output.getvalue()


_PREFIX = re.compile(r"^(koperasi-desa-merah-putih|koperasi-kelurahan-merah-putih|kopdes)-")


def export_file_name(
    *, kind: str, cooperative: Cooperative | None, params: dict[str, Any] | None = None
) -> str:
    """anggota-bukit-raya-2026-07-17.xlsx; a form's submissions: isian-<form slug>-<date>."""
    export = get_export(kind)
    parts = [export.slug]
    if kind == "submissions":
        page = _form_page(ExportRequest(kind, None, cooperative, dict(params or {})))
        parts.append(slugify(page.slug)[:40])
    if cooperative is not None:
        parts.append(_PREFIX.sub("", slugify(cooperative.name))[:40] or str(cooperative.pk))
    parts.append(f"{timezone.localdate():%Y-%m-%d}")
    return "-".join(part.strip("-") for part in parts if part) + ".xlsx"


# --- background exports -----------------------------------------------------------------------


def export_job_create(
    *,
    kind: str,
    user: Any,
    cooperative: Cooperative | None,
    params: dict[str, Any] | None = None,
) -> ExportJob:
    """Record a big export and queue it once the transaction commits. The same export asked
    again (a double click) while it is still waiting or being written is that job."""
    get_export(kind)
    stored = {**(params or {}), "language": translation.get_language() or ""}
    for unfinished in ExportJob.objects.filter(
        requested_by=user,
        cooperative=cooperative,
        kind=kind,
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
    ):
        if unfinished.params == stored:
            return unfinished
    job = ExportJob.objects.create(
        requested_by=user,
        cooperative=cooperative,
        kind=kind,
        params=stored,
        file_name=export_file_name(kind=kind, cooperative=cooperative, params=params),
    )

    def send() -> None:
        from django_q.tasks import async_task

        async_task("imports.exports.export_job_run", job.pk, task_name=f"export-{job.pk}")

    transaction.on_commit(send)
    return job


def export_job_run(job_id: int) -> str:
    """Write the job's workbook into its file. Only a waiting or interrupted (running) job
    runs, so a job queued twice is written once; a failure marks it failed with a message."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("requested_by", "cooperative")
            .filter(pk=job_id, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING])
            .first()
        )
        if job is None:
            return "skipped"
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])
    params = dict(job.params)
    language = params.pop("language", "") or None
    try:
        with translation.override(language), tempfile.TemporaryFile() as handle:
            rows = export_list(
                kind=job.kind,
                user=job.requested_by,
                cooperative=job.cooperative,
                params=params,
                target=handle,
            )
            handle.seek(0)
            # A random part: the stored name is never guessable from the list and the day.
            job.file.save(f"{secrets.token_hex(8)}-{job.file_name}", File(handle), save=False)
    except Exception as error:
        logger.exception("Export job %s failed", job_id)
        with translation.override(language):
            if isinstance(error, Http404):
                job.message = _("You may no longer see this list.")
            else:
                job.message = _("The export could not be written. Try again later.")
        job.status = ExportJob.Status.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return job.status
    job.rows = rows
    job.status = ExportJob.Status.READY
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "rows", "status", "finished_at"])
    return job.status


def export_job_get(*, user: Any, pk: Any) -> ExportJob:
    """One of the user's own export jobs; Http404 for anyone else's."""
    job = (
        ExportJob.objects.select_related("cooperative")
        .filter(pk=pk, requested_by_id=getattr(user, "pk", None))
        .first()
    )
    if job is None:
        raise Http404
    if job.cooperative is not None:
        # A job whose cooperative left the user's scope is not theirs to download any more.
        get_in_scope_or_404(Cooperative.objects.all(), user, via="", pk=job.cooperative_id)
    return job


__all__ = [
    "EXPORTS",
    "INLINE_EXPORT_ROWS",
    "XLSX",
    "ExportError",
    "ExportKind",
    "export_bytes",
    "export_count",
    "export_file_name",
    "export_job_create",
    "export_job_get",
    "export_job_run",
    "export_list",
]
