"""Portal pages of the SHU and the national data sets.

Thin: the cooperative comes through `books_cooperative` (404 outside the user's scope), whoever
sees it reads; setting the allocation, recording the RAT and posting the distribution need
`may_keep_books` (403 otherwise) and go through finance.services.shu, whose refusals come back
beside the fields (400) or as a message.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cooperatives.models import Cooperative
from cooperatives.scoping import visible_cooperatives

from ..access import books_cooperative, may_keep_books
from ..datasets import ods_rows, ods_sheet, simkopdes_sheet, year_end
from ..models import JournalLine
from ..services import annual_meeting_record, shu_distribute, shu_policy_set
from ..shu import (
    ShuResult,
    allocation_sheet,
    member_shares_sheet,
    shu_compute,
)
from ..statement_exports import rat_sheets, workbook_response
from .shu_forms import FIRST_YEAR, AnnualMeetingForm, DatasetsForm, ShuPolicyForm

SHARES_PER_PAGE = 50


def _url(name: str, *args: Any) -> str:
    """The URL of another part's page, or "" while that part is not there."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return year


def default_year(cooperative: Cooperative) -> int:
    """Last year while its books hold anything (its SHU is the one to share), else this year."""
    today = timezone.localdate()
    last = today.year - 1
    has_last = JournalLine.objects.filter(
        cooperative=cooperative,
        date__gte=datetime.date(last, 1, 1),
        date__lte=datetime.date(last, 12, 31),
    ).exists()
    return last if has_last else today.year


def _service_errors(form: Form, error: ValidationError) -> None:
    """What a service refused, beside the field it concerns (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


# --- the SHU page ----------------------------------------------------------------------------


def _render_shu(
    request: HttpRequest,
    cooperative: Cooperative,
    year: int,
    *,
    policy_form: ShuPolicyForm | None = None,
    rat_form: AnnualMeetingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    result: ShuResult = shu_compute(cooperative, year=year)
    keep = may_keep_books(request.user, cooperative)
    today = timezone.localdate()
    if policy_form is None and keep:
        policy_form = ShuPolicyForm(
            initial=ShuPolicyForm.initial_from(result.policy, year), auto_id="policy-%s"
        )
    if rat_form is None and keep and not result.provisional:
        rat_form = AnnualMeetingForm(
            initial=AnnualMeetingForm.initial_from(result.meeting), auto_id="rat-%s"
        )
    page = Paginator(result.members, SHARES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/shu_page.html",
        {
            "cooperative": cooperative,
            "year": year,
            "result": result,
            "page_obj": page,
            "may_keep": keep,
            "policy_form": policy_form if keep else None,
            "rat_form": rat_form if keep else None,
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < today.year else None,
            "books_url": _url("finance:books", cooperative.pk),
            "entry_url": _url("finance:entry", cooperative.pk, result.distribution.pk)
            if result.distribution
            else "",
        },
        status=status,
    )


@login_required
def shu_page(request: HttpRequest, pk: int, year: int | None = None) -> HttpResponse:
    """The year's SHU: revenue, expenses, the allocation, each member's share, the formulas,
    and for the book keeper the allocation form, the RAT record and the distribution."""
    cooperative = books_cooperative(request.user, pk)
    year = default_year(cooperative) if year is None else _year_or_404(year)
    return _render_shu(request, cooperative, year)


@login_required
@require_POST
def shu_policy(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    cooperative = books_cooperative(request.user, pk)
    year = _year_or_404(year)
    if not may_keep_books(request.user, cooperative):
        return _forbidden(request)
    form = ShuPolicyForm(request.POST, auto_id="policy-%s")
    if form.is_valid():
        try:
            policy = shu_policy_set(
                cooperative=cooperative,
                from_year=form.cleaned_data["from_year"],
                by=request.user,
                **form.percentages(),
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(
                request,
                _("The SHU allocation from %(year)s on is saved.") % {"year": policy.from_year},
            )
            return redirect("finance:shu", cooperative.pk, year)
    return _render_shu(request, cooperative, year, policy_form=form, status=400)


@login_required
@require_POST
def rat_record(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    cooperative = books_cooperative(request.user, pk)
    year = _year_or_404(year)
    if not may_keep_books(request.user, cooperative):
        return _forbidden(request)
    form = AnnualMeetingForm(request.POST, auto_id="rat-%s")
    if form.is_valid():
        try:
            annual_meeting_record(
                cooperative=cooperative, year=year, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, _("The RAT of %(year)s is recorded.") % {"year": year})
            return redirect("finance:shu", cooperative.pk, year)
    return _render_shu(request, cooperative, year, rat_form=form, status=400)


@login_required
@require_POST
def shu_distribute_view(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    cooperative = books_cooperative(request.user, pk)
    year = _year_or_404(year)
    if not may_keep_books(request.user, cooperative):
        return _forbidden(request)
    try:
        entry = shu_distribute(cooperative=cooperative, year=year, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The SHU of %(year)s is distributed: journal entry %(ref)s.")
            % {"year": year, "ref": entry.reference},
        )
    return redirect("finance:shu", cooperative.pk, year)


@login_required
def shu_xlsx(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Each member's JMA, JUA and share as a workbook (with the allocation on a second sheet)."""
    cooperative = books_cooperative(request.user, pk)
    year = _year_or_404(year)
    result = shu_compute(cooperative, year=year)
    title = _("SHU %(year)s · %(cooperative)s") % {"year": year, "cooperative": cooperative.name}
    return workbook_response(
        [member_shares_sheet(result, title=title), allocation_sheet(result, title=title)],
        f"shu-{year}-{cooperative.pk}-anggota.xlsx",
    )


@login_required
def rat_package(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Everything the RAT approves, in one workbook: the year's five statements, the SHU
    allocation, each member's share and the member list with their savings on 31 December."""
    cooperative = books_cooperative(request.user, pk)
    year = _year_or_404(year)
    result = shu_compute(cooperative, year=year)
    title = _("RAT %(year)s · %(cooperative)s") % {"year": year, "cooperative": cooperative.name}
    sheets = [
        *rat_sheets(cooperative, year=year),
        allocation_sheet(result, title=title),
        member_shares_sheet(result, title=title),
        simkopdes_sheet(cooperative, as_of=result.end, name=_("Member list")[:31]),
    ]
    return workbook_response(sheets, f"paket-rat-{year}-{cooperative.pk}.xlsx")


# --- the national data sets ------------------------------------------------------------------


def _datasets_choice(request: HttpRequest) -> tuple[DatasetsForm, int, datetime.date]:
    today = timezone.localdate()
    year, day = today.year - 1, today
    form = DatasetsForm(request.GET or None, initial={"tahun": year, "tanggal": day})
    if form.is_bound and form.is_valid():
        year, day = form.cleaned_data["tahun"], form.cleaned_data["tanggal"]
    return form, year, day


@login_required
def datasets(request: HttpRequest, pk: int) -> HttpResponse:
    """The cooperative's ODS figures of a year and the downloads: its ODS row, its SIMKOPDES
    member and savings list on a day, and the ODS sheet of every cooperative the user sees."""
    cooperative = books_cooperative(request.user, pk)
    form, year, day = _datasets_choice(request)
    rows = ods_rows(Cooperative.objects.filter(pk=cooperative.pk), year=year)
    return render(
        request,
        "finance/datasets_cooperative.html",
        {
            "cooperative": cooperative,
            "form": form,
            "year": year,
            "day": day,
            "row": rows[0],
            "year_end": year_end(year),
            "sees_more": visible_cooperatives(request.user).exclude(pk=cooperative.pk).exists(),
            "books_url": _url("finance:books", cooperative.pk),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def ods_xlsx(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    cooperative = books_cooperative(request.user, pk)
    year = _year_or_404(year)
    rows = ods_rows(Cooperative.objects.filter(pk=cooperative.pk), year=year)
    sheet = ods_sheet(rows, year=year, title=f"Data ODS {year} · {cooperative.name}")
    return workbook_response([sheet], f"ods-{year}-{cooperative.pk}.xlsx")


@login_required
def simkopdes_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    cooperative = books_cooperative(request.user, pk)
    form, _year, day = _datasets_choice(request)
    if form.is_bound and not form.is_valid():
        raise Http404
    return workbook_response(
        [simkopdes_sheet(cooperative, as_of=day)], f"simkopdes-{cooperative.pk}-{day:%Y-%m-%d}.xlsx"
    )


@login_required
def datasets_scope(request: HttpRequest) -> HttpResponse:
    """The ODS download for every cooperative the user sees (a regency, the province)."""
    form, year, _day = _datasets_choice(request)
    count = visible_cooperatives(request.user).count()
    return render(
        request, "finance/datasets_scope.html", {"form": form, "year": year, "count": count}
    )


@login_required
def ods_scope(request: HttpRequest, year: int) -> HttpResponse:
    """The ODS sheet of `year` with one row per cooperative the user sees, computed by
    aggregate queries over all of them at once."""
    year = _year_or_404(year)
    rows = ods_rows(visible_cooperatives(request.user), year=year)
    return workbook_response([ods_sheet(rows, year=year)], f"ods-{year}.xlsx")
