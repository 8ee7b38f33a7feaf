"""Portal pages of members' savings: the cooperative's savings (totals per kind, the policy,
the simpanan wajib arrears, recording a deposit or withdrawal) and each member's passbook (buku
simpanan) with its statement as .xlsx.

Thin: the cooperative comes through `books_cooperative` (404 outside the user's scope) and
whoever sees it reads; recording, setting the policy and posting waiting movements need
`may_keep_books` (403 otherwise) and go through finance.services.savings, whose refusals come
back beside the fields with 400 and nothing written.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from cooperatives.models import Cooperative, Member
from website.templatetags.kopdes import rupiah

from ..access import books_cooperative, may_keep_books
from ..enums import SavingsType
from ..models import SavingsPolicy
from ..savings import (
    TYPES,
    arrears_sheet,
    member_savings,
    passbook,
    passbook_sheet,
    recent_movements,
    savings_totals,
    waiting_movements,
    wajib_arrears,
)
from ..services import savings_policy_set, savings_post_waiting, savings_record
from ..statement_exports import workbook_response
from .savings_forms import ArrearsForm, PassbookFilterForm, SavingsPolicyForm, SavingsRecordForm

ARREARS_PER_PAGE = 50
# Where a refusal of finance.services.savings belongs on the record form.
RECORD_FIELDS = {
    "foreign_member": "member",
    "savings_type_invalid": "savings_type",
    "savings_locked": "movement",
    "amount_invalid": "amount",
    "balance_exceeded": "amount",
    "pokok_exceeded": "amount",
    "pokok_paid": "amount",
    "date_future": "date",
    "before_joining": "date",
    "period_closed": "date",
    "receipt_duplicate": "receipt_no",
}


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _member_or_404(cooperative: Cooperative, member_pk: int) -> Member:
    return get_object_or_404(Member, cooperative=cooperative, pk=member_pk)


def _refused(form: SavingsRecordForm | SavingsPolicyForm, error: ValidationError) -> None:
    """What the service refused, beside the field it concerns (or above the form)."""
    if hasattr(error, "error_dict"):
        for field_name, problems in error.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, problems)
        return
    name: str | None = RECORD_FIELDS.get(error.code or "")
    if name == "member" and getattr(form, "fixed_member", False):
        name = None
    form.add_error(name if name in form.fields else None, error)


# --- the cooperative's savings -------------------------------------------------------------------


def _arrears_day(request: HttpRequest) -> tuple[ArrearsForm, datetime.date]:
    form = ArrearsForm(request.GET or None, auto_id="arrears-%s")
    day = timezone.localdate()
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["tanggal"]
    return form, day


def _render_savings(
    request: HttpRequest,
    cooperative: Cooperative,
    *,
    record_form: SavingsRecordForm | None = None,
    policy_form: SavingsPolicyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    keep = may_keep_books(request.user, cooperative)
    policy = SavingsPolicy.objects.filter(cooperative=cooperative).first()
    arrears_form, day = _arrears_day(request)
    arrears = wajib_arrears(cooperative, as_of=day)
    totals = savings_totals(cooperative)
    if keep:
        record_form = record_form or SavingsRecordForm()
        policy_form = policy_form or SavingsPolicyForm(
            initial=SavingsPolicyForm.initial_from(policy)
        )
    if arrears_form.is_bound and not arrears_form.is_valid():
        status = 400
    return render(
        request,
        "finance/savings_page.html",
        {
            "cooperative": cooperative,
            "may_keep": keep,
            "policy": policy,
            "totals": [(SavingsType(kind).label, totals[kind]) for kind in TYPES],
            "total": sum(totals.values()),
            "arrears_form": arrears_form,
            "day": day,
            "page_obj": Paginator(arrears, ARREARS_PER_PAGE).get_page(request.GET.get("page")),
            "arrears_total": sum(bill.arrears for bill in arrears),
            "waiting": waiting_movements(cooperative).count(),
            "recent": recent_movements(cooperative),
            "record_form": record_form if keep else None,
            "policy_form": policy_form if keep else None,
        },
        status=status,
    )


@login_required
@require_safe
def savings_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The cooperative's savings: totals per kind, the policy, who owes simpanan wajib on a
    day, the latest movements, and for the book keeper the forms to record and to set the
    policy."""
    cooperative = books_cooperative(request.user, pk)
    return _render_savings(request, cooperative)


@login_required
@require_safe
def savings_arrears_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The members owing simpanan wajib on `?tanggal=` (today by default) as a workbook."""
    cooperative = books_cooperative(request.user, pk)
    form, day = _arrears_day(request)
    if form.is_bound and not form.is_valid():
        return _render_savings(request, cooperative, status=400)
    title = _("Simpanan wajib arrears on %(day)s · %(cooperative)s") % {
        "day": day.strftime("%d-%m-%Y"),
        "cooperative": cooperative.name,
    }
    sheet = arrears_sheet(wajib_arrears(cooperative, as_of=day), title=title)
    return workbook_response([sheet], f"tunggakan-wajib-{cooperative.pk}-{day:%Y-%m-%d}.xlsx")


@login_required
@require_POST
def savings_policy_view(request: HttpRequest, pk: int) -> HttpResponse:
    cooperative = books_cooperative(request.user, pk)
    if not may_keep_books(request.user, cooperative):
        return _forbidden(request)
    form = SavingsPolicyForm(request.POST)
    if form.is_valid():
        try:
            savings_policy_set(cooperative=cooperative, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The savings policy is saved."))
            return redirect("finance:savings", cooperative.pk)
    return _render_savings(request, cooperative, policy_form=form, status=400)


@login_required
@require_POST
def savings_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one deposit or withdrawal; back to the member's passbook. A form sent from the
    passbook (`kembali=buku`) comes back there when refused."""
    cooperative = books_cooperative(request.user, pk)
    if not may_keep_books(request.user, cooperative):
        return _forbidden(request)
    from_passbook = request.POST.get("kembali") == "buku"
    form = SavingsRecordForm(request.POST, fixed_member=from_passbook)
    member = None
    if form.is_valid():
        member = Member.objects.filter(
            cooperative=cooperative, nik=form.cleaned_data["member"]
        ).first()
        if member is None:
            form.add_error("member", _("No member of this cooperative has this NIK."))
    if form.is_valid() and member is not None:
        amounts = form.amounts()
        try:
            movement = savings_record(
                cooperative=cooperative,
                member=member,
                savings_type=form.cleaned_data["savings_type"],
                date=form.cleaned_data["date"],
                by=request.user,
                receipt_no=form.cleaned_data["receipt_no"],
                description=form.cleaned_data["description"],
                deposit=amounts["deposit"],
                withdrawal=amounts["withdrawal"],
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            label = SavingsType(movement.savings_type).label
            if movement.deposit:
                text = _("%(savings)s deposit of %(amount)s recorded for %(name)s.")
            else:
                text = _("%(savings)s withdrawal of %(amount)s recorded for %(name)s.")
            messages.success(
                request,
                text
                % {
                    "savings": label,
                    "amount": rupiah(movement.deposit or movement.withdrawal),
                    "name": member.name,
                },
            )
            return redirect("finance:passbook", cooperative.pk, member.pk)
    if from_passbook and member is not None:
        return _render_passbook(request, cooperative, member, record_form=form, status=400)
    if from_passbook:  # the passbook's NIK matched nobody: show the form with the NIK to fix
        form = SavingsRecordForm(request.POST)
        if form.is_valid():
            form.add_error("member", _("No member of this cooperative has this NIK."))
    return _render_savings(request, cooperative, record_form=form, status=400)


@login_required
@require_POST
def savings_post_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Post the movements still outside the journal (savings books imported before the books
    were kept), all together or none."""
    cooperative = books_cooperative(request.user, pk)
    if not may_keep_books(request.user, cooperative):
        return _forbidden(request)
    try:
        posting = savings_post_waiting(cooperative=cooperative, by=request.user)
    except ValidationError as error:
        messages.error(
            request, _("Nothing was posted: %(reason)s") % {"reason": " ".join(error.messages)}
        )
    else:
        if posting.count:
            messages.success(
                request,
                ngettext(
                    "%(n)s savings movement is now in the journal.",
                    "%(n)s savings movements are now in the journal.",
                    posting.count,
                )
                % {"n": posting.count},
            )
        else:
            messages.info(request, _("Every savings movement is in the journal already."))
    return redirect("finance:savings", cooperative.pk)


# --- a member's passbook ---------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[PassbookFilterForm, dict[str, Any] | None]:
    """The period form and its dates ({} without a choice), or None when they are wrong."""
    form = PassbookFilterForm(request.GET or None, auto_id="period-%s")
    if not form.is_bound:
        return form, {}
    return form, form.cleaned_data if form.is_valid() else None


def _render_passbook(
    request: HttpRequest,
    cooperative: Cooperative,
    member: Member,
    *,
    record_form: SavingsRecordForm | None = None,
    status: int = 200,
) -> HttpResponse:
    keep = may_keep_books(request.user, cooperative)
    period, dates = _period(request)
    data = dates or {}
    book = passbook(member, start=data.get("dari"), end=data.get("sampai"))
    if keep and record_form is None:
        record_form = SavingsRecordForm(fixed_member=True, initial={"member": member.nik})
    balances = member_savings(member)
    return render(
        request,
        "finance/savings_passbook.html",
        {
            "cooperative": cooperative,
            "member": member,
            "book": book,
            "period": period,
            "filtered": bool(data.get("dari") or data.get("sampai")),
            "balances": [(SavingsType(kind).label, balances[kind]) for kind in TYPES],
            "balance_total": sum(balances.values()),
            "may_keep": keep,
            "record_form": record_form if keep else None,
        },
        status=400 if dates is None else status,
    )


@login_required
@require_safe
def passbook_page(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """A member's buku simpanan: the balances, each movement with the running balance of its
    kind, a period filter and the statement download."""
    cooperative = books_cooperative(request.user, pk)
    member = _member_or_404(cooperative, member_pk)
    return _render_passbook(request, cooperative, member)


@login_required
@require_safe
def passbook_xlsx(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """The passbook of the period as a statement workbook."""
    cooperative = books_cooperative(request.user, pk)
    member = _member_or_404(cooperative, member_pk)
    _form, dates = _period(request)
    if dates is None:
        return _render_passbook(request, cooperative, member, status=400)
    book = passbook(member, start=dates.get("dari"), end=dates.get("sampai"))
    title = _("Savings book of %(name)s (NIK %(nik)s) · %(cooperative)s") % {
        "name": member.name,
        "nik": member.nik,
        "cooperative": cooperative.name,
    }
    return workbook_response(
        [passbook_sheet(book, title=title)], f"buku-simpanan-{cooperative.pk}-{member.pk}.xlsx"
    )
