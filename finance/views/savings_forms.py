"""Forms of the savings pages. They only read what was typed; finance.services.savings decides
(a member's pokok and wajib are locked, nothing beyond the balance, pokok paid once…)."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from forms.fields import DateInput, MonthField, NikField, RupiahField

from ..enums import SavingsType
from ..models import SavingsPolicy

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
DEPOSIT, WITHDRAWAL = "setoran", "penarikan"


def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DateInput(), input_formats=DATE_FORMATS
    )


class SavingsRecordForm(forms.Form):
    """One deposit or withdrawal. On a member's passbook the member is fixed (a hidden NIK)."""

    member = NikField(
        label=_("Member's NIK"), help_text=_("The NIK of the member, as in the member list.")
    )
    savings_type = forms.ChoiceField(
        label=_("Savings"), choices=SavingsType.choices, widget=forms.RadioSelect
    )
    movement = forms.ChoiceField(
        label=_("Deposit or withdrawal"),
        choices=[(DEPOSIT, _("Deposit (setoran)")), (WITHDRAWAL, _("Withdrawal (penarikan)"))],
        widget=forms.RadioSelect,
        initial=DEPOSIT,
        help_text=_(
            "Simpanan pokok and wajib are paid back only when the membership ends; a member "
            "withdraws simpanan sukarela."
        ),
    )
    amount = RupiahField(label=_("Amount (Rp)"), min_value=1)
    date = _date_field(_("Date"))
    receipt_no = forms.CharField(label=_("Receipt no."), required=False, max_length=40)
    description = forms.CharField(label=_("Description"), required=False, max_length=255)

    def __init__(self, *args: Any, fixed_member: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "record-%s")
        super().__init__(*args, **kwargs)
        self.fixed_member = fixed_member
        if fixed_member:
            self.fields["member"].widget = forms.HiddenInput()
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    def amounts(self) -> dict[str, int]:
        amount = self.cleaned_data["amount"]
        if self.cleaned_data["movement"] == WITHDRAWAL:
            return {"deposit": 0, "withdrawal": amount}
        return {"deposit": amount, "withdrawal": 0}


class SavingsPolicyForm(forms.Form):
    pokok_amount = RupiahField(
        label=_("Simpanan pokok (Rp)"), min_value=0, help_text=_("Paid once, on joining.")
    )
    wajib_amount = RupiahField(
        label=_("Simpanan wajib per month (Rp)"),
        min_value=0,
        help_text=_("Paid every month by every member."),
    )
    wajib_from = MonthField(
        label=_("Simpanan wajib billed from"),
        help_text=_("The first month billed; a member who joined later is billed from joining."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "policy-%s")
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_from(policy: SavingsPolicy | None) -> dict[str, Any]:
        if policy is None:
            return {"wajib_from": timezone.localdate().strftime("%Y-%m")}
        return {
            "pokok_amount": policy.pokok_amount,
            "wajib_amount": policy.wajib_amount,
            "wajib_from": policy.wajib_from.strftime("%Y-%m"),
        }

    def clean_wajib_from(self) -> datetime.date:
        year, month = self.cleaned_data["wajib_from"].split("-")
        return datetime.date(int(year), int(month), 1)


class PassbookFilterForm(forms.Form):
    """The passbook's period (GET): from and to, both optional."""

    dari = _date_field(_("From"), required=False)
    sampai = _date_field(pgettext_lazy("the last day of a period", "To"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("dari"), data.get("sampai")
        if start and end and start > end:
            raise ValidationError(_("“From” is after “To”."), code="period_reversed")
        return data


class ArrearsForm(forms.Form):
    """The day the simpanan wajib arrears are counted on (GET)."""

    tanggal = _date_field(_("Arrears on"), required=False)

    def clean_tanggal(self) -> datetime.date:
        today = timezone.localdate()
        day = self.cleaned_data.get("tanggal") or today
        if day > today:
            raise ValidationError(_("Choose a day up to today."), code="future")
        return day
