"""Forms of the books' core pages: the journal's filters, a hand-written entry with its lines,
a reversal, a sub-account, and closing or reopening a month. They read and check what was
typed; finance.services decides and writes."""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cooperatives.enums import BusinessUnitCode
from cooperatives.models import BusinessUnit, Cooperative, Member
from cooperatives.validators import normalize_nik
from forms.fields import DateInput, RupiahField

from ..enums import AccountType, EntrySource
from ..models import Account

# The date box of a phone sends 2025-08-17; typed by hand, people write 17-08-2025.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
# A hand-written entry rarely has more than a handful of lines; this many rows at most.
MAX_LINES = 40
START_LINES = 4
# Far above any village's books, far below what the database can hold.
MAX_AMOUNT = 1_000_000_000_000_000
TYPE_ORDER = [t.value for t in AccountType]
NOT_LISTED = {"invalid_choice": _("Choose an account of the list.")}


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), input_formats=DATE_FORMATS, **kwargs)


def unit_names() -> dict[str, str]:
    """Business unit code → its name: the seven standard units, then any an admin added."""
    names = {code: str(label) for code, label in BusinessUnitCode.choices}
    names.update(dict(BusinessUnit.objects.values_list("code", "name")))
    return names


def account_label(account: Account) -> str:
    return f"{account.code} {account.name}"


def grouped_choices(accounts: Iterable[Account]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Accounts as <optgroup>s by type (Aset, Kewajiban, …), in code order within each."""
    groups: dict[str, list[tuple[int, str]]] = {t: [] for t in TYPE_ORDER}
    for account in sorted(accounts, key=lambda a: a.code):
        groups[account.type].append((account.pk, account_label(account)))
    labels = dict(AccountType.choices)
    return [(str(labels[t]), rows) for t, rows in groups.items() if rows]


# --- the journal ---------------------------------------------------------------------------------


class JournalFilterForm(forms.Form):
    start = _date_field(_("From"), required=False)
    end = _date_field(pgettext_lazy("the last day of a period", "To"), required=False)
    account = forms.TypedChoiceField(
        label=_("Account"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("An account with sub-accounts includes them."),
        error_messages=NOT_LISTED,
    )
    source = forms.ChoiceField(
        label=_("Posted from"),
        required=False,
        choices=[("", _("Everywhere")), *EntrySource.choices],
    )

    def __init__(self, *args: Any, accounts: Sequence[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["account"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All accounts")), *grouped_choices(accounts)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date comes before the start date."))
        return cleaned

    @property
    def filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


# --- a hand-written entry ------------------------------------------------------------------------


class EntryForm(forms.Form):
    date = _date_field(_("Date"), initial=timezone.localdate)
    description = forms.CharField(
        label=_("Description"),
        max_length=255,
        help_text=_("What happened, as the receipt or the note says it."),
    )


class LineForm(forms.Form):
    """One line of the entry. A row left empty is ignored."""

    account = forms.TypedChoiceField(
        label=_("Account"), required=False, coerce=int, empty_value=None, error_messages=NOT_LISTED
    )
    debit = RupiahField(label=_("Debit (Rp)"), required=False, max_value=MAX_AMOUNT)
    credit = RupiahField(label=_("Credit (Rp)"), required=False, max_value=MAX_AMOUNT)
    member = forms.CharField(
        label=_("Member's NIK"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    memo = forms.CharField(label=_("Memo"), required=False, max_length=255)

    def __init__(
        self,
        *args: Any,
        cooperative: Cooperative,
        accounts: dict[int, Account],
        choices: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cooperative = cooperative
        self.accounts = accounts
        field = self.fields["account"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Choose the account")), *choices]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("account", "debit", "credit", "member", "memo"))

    def clean_member(self) -> Member | None:
        text = (self.cleaned_data.get("member") or "").strip()
        if not text:
            return None
        nik = normalize_nik(text)
        member = Member.objects.filter(cooperative=self.cooperative, nik=nik).first()
        if member is None:
            raise forms.ValidationError(
                _("No member of this cooperative has the NIK %(nik)s."),
                code="unknown_member",
                params={"nik": nik},
            )
        return member

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or self.is_blank():
            return cleaned
        account_pk = cleaned.get("account")
        if account_pk is None:
            self.add_error("account", _("Choose the account of this line."))
        elif account_pk not in self.accounts:
            self.add_error("account", _("Choose an account of the list."))
        debit, credit = cleaned.get("debit") or 0, cleaned.get("credit") or 0
        if debit < 0 or credit < 0:
            self.add_error(None, _("Amounts are above zero; a minus goes on the other side."))
        elif debit and credit:
            self.add_error(None, _("Write either a debit or a credit on one line, not both."))
        elif not debit and not credit:
            self.add_error(None, _("Write the amount as a debit or as a credit."))
        return cleaned


LineFormSet = forms.formset_factory(
    LineForm, extra=0, max_num=MAX_LINES, validate_max=True, absolute_max=MAX_LINES
)


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this entry reversed?"),
        max_length=200,
        help_text=_("The entry stays in the journal; its mirror image cancels it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    date = _date_field(
        _("Date of the reversal"),
        required=False,
        help_text=_("Empty: today."),
    )


# --- the chart -----------------------------------------------------------------------------------


class SubAccountForm(forms.Form):
    parent = forms.TypedChoiceField(
        label=_("Under the account"), coerce=int, error_messages=NOT_LISTED
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("E.g. Bank BRI Unit Tenggarong, or Kas gerai sembako."),
    )
    business_unit = forms.ChoiceField(label=_("Business unit"), required=False)

    def __init__(self, *args: Any, parents: Sequence[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parents = {account.pk: account for account in parents}
        parent = self.fields["parent"]
        assert isinstance(parent, forms.TypedChoiceField)
        parent.choices = [("", _("Choose the account")), *grouped_choices(parents)]
        unit = self.fields["business_unit"]
        assert isinstance(unit, forms.ChoiceField)
        unit.choices = [("", _("The same as the account above")), *unit_names().items()]

    def clean_parent(self) -> Account:
        parent = self.parents.get(self.cleaned_data["parent"])
        if parent is None:
            raise forms.ValidationError(_("Choose an account of the list."), code="invalid_choice")
        return parent


class AccountEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
        help_text=_("Untick to retire the sub-account: nothing more can be posted to it."),
    )


# --- periods -------------------------------------------------------------------------------------


class PeriodCloseForm(forms.Form):
    month = forms.CharField(widget=forms.HiddenInput, max_length=7)

    def clean_month(self) -> datetime.date:
        try:
            return datetime.datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()
        except ValueError as exc:
            raise forms.ValidationError(_("Choose a month of the list."), code="month") from exc


class PeriodReopenForm(PeriodCloseForm):
    reason = forms.CharField(
        label=_("Why is the month reopened?"),
        max_length=1000,
        help_text=_("Kept in the audit trail below, with your name."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
