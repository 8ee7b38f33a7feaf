"""The cash book in the journal: the imported rows that wait, by account name; an account for
each new name, and one button that maps them and posts the book (all rows, or none); the
names remembered, each of which may be pointed at another account for the postings to come.
Thin: finance.cashbook reads, finance.services.cashbook writes."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..access import books_cooperative, may_keep_books
from ..cashbook import cashbook_pending, cashbook_reconciliation
from ..enums import CashBookStatus
from ..models import AccountMapping, CashBookEntry
from ..services.cashbook import CashBookPosting, cashbook_map_and_post, cashbook_mapping_change
from .cashbook_forms import ChangeMappingForm, MapNamesForm, account_choices

MONTH_PARAMETER = "bulan"


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _month(request: HttpRequest, cooperative: Any, last: datetime.date | None) -> datetime.date:
    """The month of the reconciliation: ?bulan=YYYY-MM, else that of the latest row waiting
    or counted through a sub-ledger, else this month."""
    value = request.GET.get(MONTH_PARAMETER, "")
    if value:
        try:
            return datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            pass
    if last is None:
        last = (
            CashBookEntry.objects.filter(cooperative=cooperative)
            .exclude(book_status=CashBookStatus.PENDING)
            .order_by("-date")
            .values_list("date", flat=True)
            .first()
        )
    return (last or timezone.localdate()).replace(day=1)


def _posted_message(result: CashBookPosting) -> str:
    parts = [
        ngettext(
            "%(n)s row posted to the journal",
            "%(n)s rows posted to the journal",
            len(result.posted),
        )
        % {"n": len(result.posted)}
    ]
    if result.subledger:
        parts.append(
            ngettext(
                "%(n)s counted through the savings or loan book",
                "%(n)s counted through the savings or loan book",
                len(result.subledger),
            )
            % {"n": len(result.subledger)}
        )
    if result.loan_repayments:
        parts.append(
            ngettext(
                "%(n)s posted as a loan repayment",
                "%(n)s posted as loan repayments",
                len(result.loan_repayments),
            )
            % {"n": len(result.loan_repayments)}
        )
    return ", ".join(parts) + "."


@login_required
def cashbook(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what waits. POST (those who keep the books): map the new names and post."""
    cooperative = books_cooperative(request.user, pk)
    may_keep = may_keep_books(request.user, cooperative)
    if request.method == "POST" and not may_keep:
        return _forbidden(request)
    book = cashbook_pending(cooperative)
    data = request.POST if request.method == "POST" else None
    form = MapNamesForm(data, cooperative=cooperative, names=book.unknown)
    problems: list[str] = []
    if request.method == "POST":
        if not book.rows:
            messages.info(request, _("Nothing waits: the cash book is in the journal."))
            return redirect("finance:cashbook", pk=cooperative.pk)
        if form.is_valid():
            try:
                result = cashbook_map_and_post(
                    cooperative=cooperative, mappings=form.mappings(), by=request.user
                )
            except ValidationError as error:
                problems.extend(error.messages)
            else:
                messages.success(request, _posted_message(result))
                return redirect("finance:cashbook", pk=cooperative.pk)
        else:
            problems.append(_("Nothing was posted: choose an account for every name below."))
    month = _month(request, cooperative, book.last_date)
    return render(
        request,
        "finance/cashbook.html",
        {
            "cooperative": cooperative,
            "book": book,
            "form": form,
            "may_keep": may_keep,
            "problems": problems,
            "month": month,
            "reconciliation": cashbook_reconciliation(cooperative, month=month),
            "remembered": AccountMapping.objects.filter(cooperative=cooperative).count(),
        },
        status=400 if problems else 200,
    )


@login_required
def cashbook_mappings(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the names remembered and their accounts. POST (those who keep the books): point
    one name at another account; rows already posted keep their entries."""
    cooperative = books_cooperative(request.user, pk)
    may_keep = may_keep_books(request.user, cooperative)
    if request.method == "POST" and not may_keep:
        return _forbidden(request)
    mappings = list(
        AccountMapping.objects.filter(cooperative=cooperative).select_related(
            "account", "confirmed_by"
        )
    )
    problems: list[str] = []
    changing: AccountMapping | None = None
    bound: ChangeMappingForm | None = None
    if request.method == "POST":
        value = request.POST.get("mapping", "")
        changing = next((m for m in mappings if str(m.pk) == value), None)
        if changing is None and value:
            raise Http404  # not one of this cooperative's names
        if changing is None:
            problems.append(_("Choose the name to change."))
        else:
            bound = ChangeMappingForm(
                request.POST, cooperative=cooperative, prefix=f"m{changing.pk}"
            )
            if not bound.is_valid():
                problems.append(_("Choose the account for this name."))
            else:
                try:
                    cashbook_mapping_change(
                        cooperative=cooperative,
                        mapping=changing,
                        account=bound.account(),
                        by=request.user,
                    )
                except ValidationError as error:
                    problems.extend(error.messages)
                else:
                    messages.success(
                        request,
                        _("“%(name)s” now means %(account)s, for the rows posted from now on.")
                        % {"name": changing.name, "account": bound.account()},
                    )
                    return redirect("finance:cashbook_mappings", pk=cooperative.pk)
    rows = []
    chart = account_choices(cooperative)
    for mapping in mappings:
        if bound is not None and mapping is changing:
            form = bound
        else:
            form = ChangeMappingForm(
                cooperative=cooperative,
                prefix=f"m{mapping.pk}",
                initial={"account": str(mapping.account_id)},
                chart=chart,
            )
        rows.append((mapping, form))
    return render(
        request,
        "finance/cashbook_mappings.html",
        {
            "cooperative": cooperative,
            "rows": rows,
            "may_keep": may_keep,
            "problems": problems,
        },
        status=400 if problems else 200,
    )
