"""The books' core pages in the portal, under /koperasi/<pk>/buku/: the hub, the chart with
balances, the journal with its filters and workbook, a hand-written entry, one entry with its
reversal, and the months with closing and reopening.

Thin: the cooperative comes through `books_cooperative` (outside the user's scope: 404), a
write the user may not make answers 403, the forms check what was typed and the services in
finance.services decide and write; whatever they refuse comes back beside the form with 400
and nothing written."""

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import TruncMonth
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cooperatives.models import Cooperative
from imports.spec import Column, ValueType
from imports.xlsx import TableSheet
from loans.exports import xlsx_response

from ..access import books_cooperative, may_keep_books
from ..balances import account_movements
from ..cashbook import cashbook_pending
from ..enums import AccountType, EntrySource
from ..models import Account, ClosedPeriod, JournalEntry, JournalLine, PeriodEvent
from ..savings import waiting_movements
from ..selectors import chart_accounts
from ..services import (
    Line,
    account_create_sub,
    account_update_sub,
    journal_post,
    journal_reverse,
    period_close,
    period_reopen,
)
from ..services.periods import may_close, may_reopen
from .books_forms import (
    MAX_LINES,
    START_LINES,
    TYPE_ORDER,
    AccountEditForm,
    EntryForm,
    JournalFilterForm,
    LineForm,
    LineFormSet,
    PeriodCloseForm,
    PeriodReopenForm,
    ReverseForm,
    SubAccountForm,
    grouped_choices,
    unit_names,
)

PAGE_SIZE = 25
PERIOD_MONTHS = 24
# Codes of the refusals that concern the date of an entry: shown beside the date field.
DATE_CODES = frozenset({"future_date", "period_closed"})
EXPORT_CHUNK = 2000


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _months_back(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of this month and the `count - 1` months before it, newest first."""
    months, month = [], _month_start(today)
    for _index in range(count):
        months.append(month)
        month = _month_start(month - datetime.timedelta(days=1))
    return months


def _service_errors(form: Form, error: ValidationError) -> None:
    """Put what a service refused beside the field it concerns, or above the form."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


# --- the hub -----------------------------------------------------------------------------------


@login_required
@require_safe
def books_hub(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the books start: how far they go, which months are closed, and the way to each
    page of the books."""
    cooperative = books_cooperative(request.user, pk)
    entries = JournalEntry.objects.filter(cooperative=cooperative)
    ended = _months_back(timezone.localdate(), 13)[1:]  # the twelve months that have ended
    closed = set(
        ClosedPeriod.objects.filter(cooperative=cooperative, month__in=ended).values_list(
            "month", flat=True
        )
    )
    return render(
        request,
        "finance/books_hub.html",
        {
            "cooperative": cooperative,
            "entry_count": entries.count(),
            "last_entry": entries.order_by("-date", "-number").first(),
            "last_closed": ClosedPeriod.objects.filter(cooperative=cooperative)
            .order_by("-month")
            .first(),
            "open_months": [month for month in ended if month not in closed],
            "may_keep": may_keep_books(request.user, cooperative),
            "cash_waiting": cashbook_pending(cooperative, suggest=False).rows,
            "savings_waiting": waiting_movements(cooperative).count(),
        },
    )


# --- the chart -----------------------------------------------------------------------------------


@dataclass
class AccountRow:
    account: Account
    balance: int
    unit: str
    is_sub: bool


@dataclass
class TypeGroup:
    type: str
    label: str
    rows: list[AccountRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.balance for row in self.rows)


def _chart_groups(cooperative: Cooperative) -> list[TypeGroup]:
    """The chart as the cooperative sees it, by type: each shared account followed by the
    cooperative's sub-accounts under it, with the balance of each to date."""
    accounts = list(chart_accounts(cooperative).order_by("code"))
    movements = account_movements(cooperative, end=timezone.localdate())
    units = unit_names()
    subs: dict[int, list[Account]] = {}
    for account in accounts:
        if account.parent_id is not None:
            subs.setdefault(account.parent_id, []).append(account)
    present = {account.pk for account in accounts}
    labels = dict(AccountType.choices)
    groups = {t: TypeGroup(type=t, label=str(labels[t])) for t in TYPE_ORDER}

    def row(account: Account, is_sub: bool) -> AccountRow:
        movement = movements.get(account.pk)
        return AccountRow(
            account=account,
            balance=movement.balance(account.type) if movement else 0,
            unit=units.get(account.business_unit, account.business_unit),
            is_sub=is_sub,
        )

    for account in accounts:
        if account.parent_id is not None and account.parent_id in present:
            continue
        group = groups[account.type].rows
        group.append(row(account, False))
        group.extend(row(sub, True) for sub in subs.get(account.pk, []))
    return [group for group in groups.values() if group.rows]


def _sub_account_parents(cooperative: Cooperative) -> list[Account]:
    """Shared accounts a sub-account may go under: in use, not kept by a member-level book."""
    return list(
        Account.objects.filter(cooperative__isnull=True, is_active=True, control="").order_by(
            "code"
        )
    )


def _render_chart(
    request: HttpRequest,
    cooperative: Cooperative,
    *,
    add_form: SubAccountForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_keep = may_keep_books(request.user, cooperative)
    if may_keep and add_form is None:
        add_form = SubAccountForm(parents=_sub_account_parents(cooperative), auto_id="sub-%s")
    return render(
        request,
        "finance/books_accounts.html",
        {
            "cooperative": cooperative,
            "groups": _chart_groups(cooperative),
            "today": timezone.localdate(),
            "may_keep": may_keep,
            "add_form": add_form if may_keep else None,
        },
        status=status,
    )


@login_required
@require_safe
def account_list(request: HttpRequest, pk: int) -> HttpResponse:
    cooperative = books_cooperative(request.user, pk)
    return _render_chart(request, cooperative)


@login_required
@require_POST
def account_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a sub-account under a shared account (the operator)."""
    cooperative = books_cooperative(request.user, pk)
    if not may_keep_books(request.user, cooperative):
        return _forbidden(request)
    form = SubAccountForm(request.POST, parents=_sub_account_parents(cooperative), auto_id="sub-%s")
    if form.is_valid():
        try:
            account = account_create_sub(
                cooperative=cooperative,
                parent=form.cleaned_data["parent"],
                name=form.cleaned_data["name"],
                business_unit=form.cleaned_data["business_unit"] or None,
                by=request.user,
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(
                request,
                _("Sub-account %(account)s added.") % {"account": f"{account.code} {account.name}"},
            )
            return redirect("finance:accounts", cooperative.pk)
    return _render_chart(request, cooperative, add_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int, account_pk: int) -> HttpResponse:
    """One of the cooperative's own sub-accounts: its balance and latest lines, and for the
    operator a form to rename or retire it. Shared accounts are the province's: 404 here."""
    cooperative = books_cooperative(request.user, pk)
    account = get_object_or_404(
        Account.objects.select_related("parent"), cooperative=cooperative, pk=account_pk
    )
    may_keep = may_keep_books(request.user, cooperative)
    status = 200
    form: AccountEditForm | None = None
    if request.method == "POST":
        if not may_keep:
            return _forbidden(request)
        form = AccountEditForm(request.POST)
        if form.is_valid():
            try:
                account_update_sub(
                    account=account,
                    by=request.user,
                    name=form.cleaned_data["name"],
                    is_active=form.cleaned_data["is_active"],
                )
            except ValidationError as error:
                _service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Sub-account %(account)s saved.")
                    % {"account": f"{account.code} {account.name}"},
                )
                return redirect("finance:accounts", cooperative.pk)
        status = 400
        account.refresh_from_db()
    elif may_keep:
        form = AccountEditForm(initial={"name": account.name, "is_active": account.is_active})
    movement = account_movements(cooperative, end=timezone.localdate()).get(account.pk)
    lines = (
        JournalLine.objects.filter(cooperative=cooperative, account=account)
        .select_related("entry", "member")
        .order_by("-date", "-entry__number", "-id")[:20]
    )
    return render(
        request,
        "finance/books_account.html",
        {
            "cooperative": cooperative,
            "account": account,
            "balance": movement.balance(account.type) if movement else 0,
            "unit": unit_names().get(account.business_unit, account.business_unit),
            "lines": lines,
            "form": form,
        },
        status=status,
    )


# --- the journal ---------------------------------------------------------------------------------


def _journal_filters(
    request: HttpRequest, cooperative: Cooperative
) -> tuple[JournalFilterForm, QuerySet[JournalEntry], bool]:
    """The filter form, the entries it selects (invalid filters are left out) and whether it
    was valid."""
    accounts = list(chart_accounts(cooperative).order_by("code"))
    form = JournalFilterForm(request.GET or None, accounts=accounts)
    valid = form.is_valid() if form.is_bound else True
    data = getattr(form, "cleaned_data", {})
    entries = JournalEntry.objects.filter(cooperative=cooperative)
    if data.get("start"):
        entries = entries.filter(date__gte=data["start"])
    if data.get("end"):
        entries = entries.filter(date__lte=data["end"])
    if data.get("source"):
        entries = entries.filter(source=data["source"])
    if data.get("account"):
        chosen = data["account"]
        ids = {chosen} | {a.pk for a in accounts if a.parent_id == chosen}
        entries = entries.filter(
            Exists(JournalLine.objects.filter(entry=OuterRef("pk"), account_id__in=ids))
        )
    return form, entries, valid


@login_required
@require_safe
def journal_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The entries, newest first, each with its lines; filtered by dates, account, source."""
    cooperative = books_cooperative(request.user, pk)
    form, entries, valid = _journal_filters(request, cooperative)
    return _render_journal(request, cooperative, form, entries, status=200 if valid else 400)


def _render_journal(
    request: HttpRequest,
    cooperative: Cooperative,
    form: JournalFilterForm,
    entries: QuerySet[JournalEntry],
    *,
    status: int,
) -> HttpResponse:
    entries = entries.select_related("posted_by", "reverses", "reversed_by").prefetch_related(
        Prefetch("lines", queryset=JournalLine.objects.select_related("account", "member"))
    )
    page = Paginator(entries.order_by("-date", "-number"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "finance/books_journal.html",
        {
            "cooperative": cooperative,
            "form": form,
            "filtered": form.filtered,
            "page_obj": page,
            "may_keep": may_keep_books(request.user, cooperative),
        },
        status=status,
    )


def journal_sheet(cooperative: Cooperative, entries: QuerySet[JournalEntry]) -> TableSheet:
    """One row per line of `entries`, in the order they were posted (oldest first)."""
    columns = [
        Column("date", _("Date"), ValueType.DATE),
        Column("reference", _("No."), width=11),
        Column("description", _("Description"), width=40),
        Column("source", _("Posted from"), width=18),
        Column("code", _("Account code"), width=12),
        Column("account", _("Account"), width=30),
        Column("member", _("Member"), width=24),
        Column("memo", _("Memo"), width=24),
        Column("debit", _("Debit (Rp)"), ValueType.AMOUNT),
        Column("credit", _("Credit (Rp)"), ValueType.AMOUNT),
    ]
    sources = dict(EntrySource.choices)
    lines = (
        JournalLine.objects.filter(entry__in=entries.values("pk"))
        .select_related("entry", "account", "member")
        .order_by("entry__date", "entry__number", "id")
    )

    def rows() -> Iterator[Sequence[Any]]:
        for line in lines.iterator(chunk_size=EXPORT_CHUNK):
            entry = line.entry
            yield (
                entry.date,
                entry.reference,
                entry.description,
                str(sources.get(entry.source, entry.source)),
                line.account.code,
                line.account.name,
                line.member.name if line.member else None,
                line.memo or None,
                line.debit or None,
                line.credit or None,
            )

    title = _("Journal · %(cooperative)s") % {"cooperative": cooperative.name}
    return TableSheet(_("Journal")[:31], columns, rows(), title)


@login_required
@require_safe
def journal_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The filtered journal as a workbook: every line of every entry the page selects."""
    cooperative = books_cooperative(request.user, pk)
    form, entries, valid = _journal_filters(request, cooperative)
    if not valid:
        return _render_journal(request, cooperative, form, entries, status=400)
    today = timezone.localdate()
    return xlsx_response(
        journal_sheet(cooperative, entries), f"jurnal-{cooperative.pk}-{today:%Y-%m-%d}.xlsx"
    )


# --- a hand-written entry ------------------------------------------------------------------------


def _postable_accounts(cooperative: Cooperative) -> dict[int, Account]:
    """Accounts a hand-written entry may use: in use, and not fed by the savings or loan books
    (those post through their own pages)."""
    return {
        account.pk: account
        for account in chart_accounts(cooperative)
        .filter(is_active=True, control="")
        .order_by("code")
    }


def _line_kwargs(cooperative: Cooperative) -> dict[str, Any]:
    accounts = _postable_accounts(cooperative)
    return {
        "cooperative": cooperative,
        "accounts": accounts,
        "choices": grouped_choices(accounts.values()),
    }


def _rows_typed(data: Any) -> list[dict[str, str]]:
    """The rows as typed, to show them again with one more (the “add a line” button)."""
    try:
        count = int(data.get("lines-TOTAL_FORMS", START_LINES))
    except (TypeError, ValueError):
        count = START_LINES
    count = max(0, min(count, MAX_LINES - 1))
    names = list(LineForm.base_fields)
    return [
        {name: data.get(f"lines-{index}-{name}", "") for name in names} for index in range(count)
    ]


def _render_entry_form(
    request: HttpRequest,
    cooperative: Cooperative,
    entry_form: EntryForm,
    lines: Any,
    *,
    refused: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "finance/books_entry_form.html",
        {
            "cooperative": cooperative,
            "entry_form": entry_form,
            "lines": lines,
            "refused": refused or [],
            "may_add_line": lines.total_form_count() < MAX_LINES,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def journal_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Write an entry by hand: a date, a description and its lines. “Add a line” comes back
    with one more empty row and writes nothing; “Post” checks and posts, or shows why not."""
    cooperative = books_cooperative(request.user, pk)
    if not may_keep_books(request.user, cooperative):
        return _forbidden(request)
    kwargs = _line_kwargs(cooperative)
    if request.method == "GET":
        lines = LineFormSet(initial=[{}] * START_LINES, form_kwargs=kwargs, prefix="lines")
        return _render_entry_form(request, cooperative, EntryForm(), lines)
    if "add_line" in request.POST:
        typed = {name: request.POST.get(name, "") for name in EntryForm.base_fields}
        lines = LineFormSet(
            initial=[*_rows_typed(request.POST), {}], form_kwargs=kwargs, prefix="lines"
        )
        return _render_entry_form(request, cooperative, EntryForm(initial=typed), lines)

    entry_form = EntryForm(request.POST)
    lines = LineFormSet(request.POST, form_kwargs=kwargs, prefix="lines")
    refused: list[str] = []
    if not lines.management_form.is_valid():
        # The rows' bookkeeping fields did not arrive (a cut-off request): start them again.
        entry_form.is_valid()
        lines = LineFormSet(initial=[{}] * START_LINES, form_kwargs=kwargs, prefix="lines")
        refused = [_("The lines did not arrive complete; please write them again.")]
    elif entry_form.is_valid() and lines.is_valid():
        data = entry_form.cleaned_data
        drafts = [
            Line(
                account=kwargs["accounts"][row.cleaned_data["account"]],
                debit=row.cleaned_data.get("debit") or 0,
                credit=row.cleaned_data.get("credit") or 0,
                member=row.cleaned_data.get("member"),
                memo=row.cleaned_data.get("memo") or "",
            )
            for row in lines
            if not row.is_blank()
        ]
        try:
            entry = journal_post(
                cooperative=cooperative,
                date=data["date"],
                description=data["description"],
                lines=drafts,
                by=request.user,
            )
        except ValidationError as error:
            if getattr(error, "code", None) in DATE_CODES:
                entry_form.add_error("date", error.messages)
            else:
                refused = list(error.messages)
        else:
            messages.success(request, _("%(ref)s posted.") % {"ref": entry.reference})
            return redirect("finance:entry", cooperative.pk, entry.pk)
    return _render_entry_form(request, cooperative, entry_form, lines, refused=refused, status=400)


# --- one entry -----------------------------------------------------------------------------------


def _render_entry(
    request: HttpRequest,
    cooperative: Cooperative,
    entry: JournalEntry,
    *,
    reverse_form: ReverseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    reversal = JournalEntry.objects.filter(reverses=entry).first()
    may_reverse = (
        may_keep_books(request.user, cooperative) and reversal is None and not entry.reverses_id
    )
    lines = list(entry.lines.select_related("account", "member"))
    return render(
        request,
        "finance/books_entry.html",
        {
            "cooperative": cooperative,
            "entry": entry,
            "lines": lines,
            "debit": sum(line.debit for line in lines),
            "credit": sum(line.credit for line in lines),
            "reversal": reversal,
            "reverse_form": (reverse_form or ReverseForm(auto_id="reverse-%s"))
            if may_reverse or reverse_form
            else None,
        },
        status=status,
    )


def _entry(cooperative: Cooperative, entry_pk: int) -> JournalEntry:
    return get_object_or_404(
        JournalEntry.objects.select_related("posted_by", "reverses"),
        cooperative=cooperative,
        pk=entry_pk,
    )


@login_required
@require_safe
def entry_detail(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    cooperative = books_cooperative(request.user, pk)
    return _render_entry(request, cooperative, _entry(cooperative, entry_pk))


@login_required
@require_POST
def entry_reverse(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Cancel an entry by its mirror image, saying why (the operator)."""
    cooperative = books_cooperative(request.user, pk)
    entry = _entry(cooperative, entry_pk)
    if not may_keep_books(request.user, cooperative):
        return _forbidden(request)
    form = ReverseForm(request.POST, auto_id="reverse-%s")
    if form.is_valid():
        try:
            reversal = journal_reverse(
                entry=entry,
                by=request.user,
                date=form.cleaned_data.get("date"),
                reason=form.cleaned_data["reason"].strip(),
            )
        except ValidationError as error:
            if getattr(error, "code", None) in DATE_CODES:
                form.add_error("date", error.messages)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("%(ref)s is reversed by %(reversal)s.")
                % {"ref": entry.reference, "reversal": reversal.reference},
            )
            return redirect("finance:entry", cooperative.pk, reversal.pk)
    return _render_entry(request, cooperative, entry, reverse_form=form, status=400)


# --- periods -------------------------------------------------------------------------------------


@dataclass
class MonthRow:
    month: datetime.date
    closed: ClosedPeriod | None
    entries: int
    ended: bool
    close_form: PeriodCloseForm | None
    reopen_form: PeriodReopenForm | None

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


def _render_periods(
    request: HttpRequest,
    cooperative: Cooperative,
    *,
    bound: PeriodCloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The last 24 months, open or closed, with the buttons the user may use, and the audit
    trail. A refused reopening comes back in its month's row; any other refusal above."""
    today = timezone.localdate()
    months = _months_back(today, PERIOD_MONTHS)
    closed = {
        period.month: period
        for period in ClosedPeriod.objects.filter(
            cooperative=cooperative, month__gte=months[-1]
        ).select_related("closed_by")
    }
    counts: dict[datetime.date, int] = {}
    for row in (
        JournalEntry.objects.filter(cooperative=cooperative, date__gte=months[-1])
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    ):
        month = row["month"]
        counts[month.date() if isinstance(month, datetime.datetime) else month] = row["n"]
    user_may_close = may_close(request.user, cooperative)
    user_may_reopen = may_reopen(request.user, cooperative)
    bound_month = bound.data.get("month") if bound is not None else None
    placed = False
    rows = []
    for month in months:
        key = f"{month:%Y-%m}"
        period = closed.get(month)
        ended = month < _month_start(today)
        close_form = reopen_form = None
        if period is None and ended and user_may_close:
            close_form = PeriodCloseForm(initial={"month": key}, auto_id=f"close-{key}-%s")
        if period is not None and user_may_reopen:
            reopen_form = PeriodReopenForm(initial={"month": key}, auto_id=f"reopen-{key}-%s")
            if isinstance(bound, PeriodReopenForm) and bound_month == key:
                reopen_form, placed = bound, True
        rows.append(
            MonthRow(
                month=month,
                closed=period,
                entries=counts.get(month, 0),
                ended=ended,
                close_form=close_form,
                reopen_form=reopen_form,
            )
        )
    top_errors = (
        [str(problem) for problems in bound.errors.values() for problem in problems]
        if bound is not None and not placed
        else []
    )
    events = Paginator(
        PeriodEvent.objects.filter(cooperative=cooperative).select_related("by"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/books_periods.html",
        {
            "cooperative": cooperative,
            "rows": rows,
            "may_close": user_may_close,
            "may_reopen": user_may_reopen,
            "top_errors": top_errors,
            "page_obj": events,
        },
        status=status,
    )


@login_required
@require_safe
def period_list(request: HttpRequest, pk: int) -> HttpResponse:
    cooperative = books_cooperative(request.user, pk)
    return _render_periods(request, cooperative)


@login_required
@require_POST
def period_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a month that has ended (the pengawas or an officer above)."""
    cooperative = books_cooperative(request.user, pk)
    if not may_close(request.user, cooperative):
        return _forbidden(request)
    form = PeriodCloseForm(request.POST)
    if form.is_valid():
        month = form.cleaned_data["month"]
        try:
            period_close(cooperative=cooperative, month=month, by=request.user)
        except PermissionDenied:
            return _forbidden(request)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(
                request,
                _("The books of %(month)s are closed.") % {"month": f"{month:%m/%Y}"},
            )
            return redirect("finance:periods", cooperative.pk)
    return _render_periods(request, cooperative, bound=form, status=400)


@login_required
@require_POST
def period_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a closed month, saying why (a regency or province officer)."""
    cooperative = books_cooperative(request.user, pk)
    if not may_reopen(request.user, cooperative):
        return _forbidden(request)
    form = PeriodReopenForm(request.POST, auto_id="reopen-%s")
    if form.is_valid():
        month = form.cleaned_data["month"]
        try:
            period_reopen(
                cooperative=cooperative,
                month=month,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied:
            return _forbidden(request)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(
                request,
                _("The books of %(month)s are open again.") % {"month": f"{month:%m/%Y}"},
            )
            return redirect("finance:periods", cooperative.pk)
    return _render_periods(request, cooperative, bound=form, status=400)
