"""The portal page that matches repayments from the imported books: the rows loans.matching
proposes, a box to tick for each (ticked for the plain matches), the loan to choose where the
row fits several, the amount to lower where the book's is too much; the rows that cannot be
matched with their reason. Thin: loans.matching proposes and records, all or nothing."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cooperatives.selectors import cooperative_get
from forms.fields import RupiahField
from imports.enums import ImportKind, RunStatus
from imports.models import ImportRun

from .matching import (
    Candidate,
    LoanChoice,
    Pick,
    Verdict,
    repayment_candidates,
    repayments_match_confirm,
)
from .selectors import may_handle_loans

# More proposals than this are shown on the next visit, once these are recorded.
SHOWN_AT_MOST = 200
RUN_PARAMETER = "impor"


def choice_label(choice: LoanChoice) -> str:
    loan = choice.loan
    return _(
        "%(name)s · loan no. %(number)s of %(principal)s, paid out %(date)s · %(owed)s owed"
    ) % {
        "name": loan.member.name if loan.member else loan.borrower_name,
        "number": loan.pk,
        "principal": _rupiah(loan.principal),
        "date": formats.date_format(loan.disbursed_on, "j F Y") if loan.disbursed_on else "–",
        "owed": _rupiah(choice.owed),
    }


def _rupiah(amount: int) -> str:
    return f"Rp {amount:,}".replace(",", ".")


class PickForm(forms.Form):
    """One proposed row: record it or not, on which loan, for how much."""

    take = forms.BooleanField(label=gettext_lazy("Record this payment"), required=False)
    loan = forms.TypedChoiceField(label=gettext_lazy("Loan"), coerce=int, required=False)
    amount = RupiahField(label=gettext_lazy("Amount (Rp)"), required=False, min_value=1)

    def __init__(self, data: Any = None, *, candidate: Candidate) -> None:
        initial = {
            "take": candidate.checked_by_default,
            "loan": candidate.loan.pk if candidate.loan else None,
            "amount": candidate.amount,
        }
        super().__init__(data, prefix=candidate.key, initial=initial)
        self.candidate = candidate
        choices: list[tuple[Any, str]] = [
            (choice.loan.pk, choice_label(choice)) for choice in candidate.choices
        ]
        # A plain match shows its loan as text; a row that fits several offers them.
        self.loan_label = choices[0][1] if candidate.verdict == Verdict.MATCHED else ""
        if candidate.verdict == Verdict.CHOOSE:
            choices.insert(0, ("", _("Choose the loan…")))
        cast(forms.TypedChoiceField, self.fields["loan"]).choices = choices
        cast(RupiahField, self.fields["amount"]).max_value = candidate.amount

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("take"):
            return data
        if not data.get("loan") and "loan" not in self.errors:
            self.add_error("loan", _("Choose the loan this payment is for."))
        if data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Fill in the amount."))
        return data

    def pick(self) -> Pick | None:
        """The treasurer's pick, when the row is ticked and the form valid."""
        if not self.cleaned_data.get("take"):
            return None
        return Pick(
            source=self.candidate.source,
            row_id=self.candidate.row_id,
            loan_id=self.cleaned_data["loan"],
            amount=self.cleaned_data["amount"],
        )


def _run_of(request: HttpRequest, cooperative: Any) -> ImportRun | None:
    """The import the list is limited to (?impor=<id>): one of this cooperative's applied
    cash-book or loan-ledger imports, or 404."""
    value = request.GET.get(RUN_PARAMETER, "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    run = (
        ImportRun.objects.filter(
            cooperative=cooperative,
            kind__in=[ImportKind.CASHBOOK, ImportKind.LOANS],
            status=RunStatus.APPLIED,
            pk=int(value),
        )
        .only("pk", "file_name", "kind")
        .first()
    )
    if run is None:
        raise Http404
    return run


@login_required
def repayment_matching(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the proposals. POST: record the ticked ones, all or none, then come back here."""
    cooperative = cooperative_get(user=request.user, pk=pk)
    if not may_handle_loans(user=request.user, cooperative=cooperative):
        raise PermissionDenied
    run = _run_of(request, cooperative)
    candidates = repayment_candidates(cooperative=cooperative, import_run=run)
    proposals = [c for c in candidates if c.verdict != Verdict.CANNOT]
    shown = proposals[:SHOWN_AT_MOST]
    cannot = [c for c in candidates if c.verdict == Verdict.CANNOT]
    problems: list[str] = []
    data = request.POST if request.method == "POST" else None
    cards = [PickForm(data, candidate=candidate) for candidate in shown]
    if request.method == "POST":
        here = request.get_full_path()
        posted = set(request.POST.getlist("row"))
        current = {form.candidate.key for form in cards}
        # Ticked on the page, gone from the list: recorded meanwhile (a second click, or
        # someone else), or the book changed.
        gone = [key for key in sorted(posted - current) if request.POST.get(f"{key}-take")]
        valid = all(form.is_valid() for form in cards if form.prefix in posted)
        picks = [
            pick
            for form in cards
            if form.prefix in posted and form.is_valid() and (pick := form.pick()) is not None
        ]
        if gone and not picks:
            messages.info(request, _("These payments were already recorded; nothing more was."))
            return redirect(here)
        if gone:
            problems.append(
                ngettext(
                    "One ticked row was recorded or changed meanwhile. Nothing was recorded: "
                    "check the list and record again.",
                    "%(n)s ticked rows were recorded or changed meanwhile. Nothing was "
                    "recorded: check the list and record again.",
                    len(gone),
                )
                % {"n": len(gone)}
            )
        elif valid and not picks:
            problems.append(_("Tick the payments to record."))
        elif valid:
            result = repayments_match_confirm(cooperative=cooperative, by=request.user, picks=picks)
            if result.ok:
                count = len(result.recorded)
                messages.success(
                    request,
                    ngettext("%(n)s payment recorded.", "%(n)s payments recorded.", count)
                    % {"n": count},
                )
                return redirect(here)
            for form in cards:
                for message in result.errors.get(form.candidate.key, []):
                    form.add_error(None, message)
            problems.append(_("Nothing was recorded: correct the rows marked below."))
        else:
            problems.append(_("Nothing was recorded: correct the rows marked below."))
    return render(
        request,
        "loans/matching.html",
        {
            "cooperative": cooperative,
            "run": run,
            "cards": cards,
            "more": len(proposals) - len(shown),
            "cannot": cannot,
            "problems": problems,
            "all_url": reverse("loan_repayment_matching", args=[cooperative.pk]),
        },
        status=400 if problems else 200,
    )
