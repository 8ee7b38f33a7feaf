"""Forms of the loan pages: the portfolio's filters (GET, no JavaScript needed) and the small
POST forms of a loan card. They only read and check what was typed; loans.services decides."""

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperatives.selectors import visible_districts, visible_regencies
from forms.fields import DateInput, RupiahField

from .enums import Collectibility, GraceKind, LoanKind, LoanStatus
from .models import LoanProduct
from .selectors import ALL_STATUSES, PortfolioFilters, portfolio_cooperatives

ALL_KINDS = "all"
# The date box of a phone sends 2025-08-17; typed by hand, people write 17-08-2025.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
# More cooperatives than this: the list asks for a regency first instead of growing the page.
COOPERATIVE_CHOICES_LIMIT = 60


class PortfolioFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Borrower"),
        required=False,
        choices=[
            (LoanKind.MEMBER.value, _("Members")),
            (LoanKind.COOPERATIVE.value, _("The cooperatives' own financing")),
            (ALL_KINDS, _("Both")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Still running")),
            *LoanStatus.choices,
            (ALL_STATUSES, _("All, finished ones too")),
        ],
    )
    collectibility = forms.ChoiceField(
        label=_("Collectibility"),
        required=False,
        choices=[("", _("All classes")), *Collectibility.choices],
    )
    product = forms.ChoiceField(label=_("Loan product"), required=False)
    kabupaten = forms.ChoiceField(label=_("Regency/city"), required=False)
    kecamatan = forms.ChoiceField(label=_("District (kecamatan)"), required=False)
    koperasi = forms.TypedChoiceField(
        label=_("Cooperative"), required=False, coerce=int, empty_value=None
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        products = LoanProduct.objects.order_by("name").values_list("code", "name")
        self._choices("product", _("All products"), list(products))
        regencies = [(r.code, r.name) for r in visible_regencies(user=user)]
        self._choices("kabupaten", _("All regencies/cities"), regencies)
        regency = self._chosen("kabupaten", regencies)
        # Without JavaScript a list can only follow the kabupaten after a submit: until one is
        # chosen, the kecamatan list stays empty instead of carrying every kecamatan.
        districts = (
            [(d.code, d.name) for d in visible_districts(user=user, regency_code=regency)]
            if regency
            else []
        )
        self._choices("kecamatan", _("All districts"), districts)
        district = self._chosen("kecamatan", districts)
        cooperatives = portfolio_cooperatives(
            user=user, regency=regency, district=district, limit=COOPERATIVE_CHOICES_LIMIT
        )
        self.cooperatives_need_place = len(cooperatives) > COOPERATIVE_CHOICES_LIMIT
        if self.cooperatives_need_place:
            cooperatives = []
        # Every loan the user sees is of this one cooperative (None: of several, or none).
        self.single_cooperative = cooperatives[0] if len(cooperatives) == 1 else None
        self._choices("koperasi", _("All cooperatives"), [(c.pk, c.name) for c in cooperatives])
        self.districts_need_regency = not regency and len(regencies) > 1
        # Someone who sees one cooperative needs no place filters at all.
        self.show_places = len(regencies) > 1 or len(cooperatives) > 1

    def _choices(self, name: str, everything: Any, choices: list[tuple[Any, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = [("", everything), *choices]

    def _chosen(self, name: str, choices: list[tuple[str, str]]) -> str:
        value = str(self.data.get(name, ""))
        codes = {code for code, _name in choices}
        if value in codes:
            return value
        return choices[0][0] if len(choices) == 1 else ""

    def filters(self) -> PortfolioFilters:
        """The valid filters; an invalid one (a kecamatan of another kabupaten after the
        kabupaten changed, a cooperative outside the list) is dropped, never an error."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return PortfolioFilters(
            kind="" if data.get("kind") == ALL_KINDS else (data.get("kind") or LoanKind.MEMBER),
            status=data.get("status") or "",
            collectibility=data.get("collectibility") or "",
            product=data.get("product") or "",
            regency=data.get("kabupaten") or "",
            district=data.get("kecamatan") or "",
            cooperative=data.get("koperasi") or None,
            overdue_only=bool(data.get("overdue")),
        )

    @property
    def filtered(self) -> bool:
        """Whether anything but the defaults was asked for."""
        return any(self.data.get(name) for name in self.fields if name != "kind") or self.data.get(
            "kind", LoanKind.MEMBER
        ) not in ("", LoanKind.MEMBER)


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), input_formats=DATE_FORMATS, **kwargs)


def _reason_field(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PayoutRecordForm(forms.Form):
    disbursed_on = _date_field(
        _("Payout date"),
        initial=timezone.localdate,
        help_text=_("The day the money reached the borrower."),
    )


class PayoutConfirmForm(forms.Form):
    """Nothing to type: the button is the decision."""


class PayoutRejectForm(forms.Form):
    note = _reason_field(
        _("What is wrong with the recorded payout?"),
        _("The officer who recorded it reads this and records it again."),
    )


class RepaymentForm(forms.Form):
    amount = RupiahField(
        label=_("Amount paid (Rp)"),
        help_text=_("E.g. 1.500.000"),
    )
    paid_on = _date_field(_("Paid on"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=255,
        help_text=_("Optional, e.g. the receipt number."),
    )


class RepaymentReverseForm(forms.Form):
    note = _reason_field(
        _("Why is this payment cancelled?"),
        _("The payment stays in the history, with a cancellation beside it."),
    )


class WriteOffForm(forms.Form):
    reason = _reason_field(
        _("Why is the loan written off?"),
        _("Name the pengurus decision (date, number) that decided it."),
    )


class RescheduleForm(forms.Form):
    tenor_months = forms.IntegerField(
        label=_("New term (months)"),
        min_value=1,
        max_value=360,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    grace_months = forms.IntegerField(
        label=_("Grace (months, interest only)"),
        min_value=0,
        max_value=60,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    on = _date_field(_("Rescheduled on"), initial=timezone.localdate)
    reason = _reason_field(
        _("Why is the loan rescheduled?"),
        _("What is still owed continues as a new loan with a new schedule."),
    )

    def __init__(self, *args: Any, loan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product = loan.product
        # A product without a grace period gives none when rescheduling either.
        if product is None or product.grace_kind != GraceKind.INTEREST_ONLY:
            del self.fields["grace_months"]
