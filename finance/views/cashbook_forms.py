"""Forms of the cash-book page: the account for each new name, and a remembered name changed."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperatives.models import Cooperative

from ..cashbook import PendingName, is_cash_book_account
from ..enums import AccountType
from ..models import Account
from ..selectors import chart_accounts


def account_choices(cooperative: Cooperative) -> tuple[list[Any], dict[str, Account]]:
    """The cooperative's active accounts a cash-book name may map to (all but Kas itself),
    grouped by type for a <select>, and the accounts by their pk as a string."""
    accounts = [
        account
        for account in chart_accounts(cooperative).filter(is_active=True).order_by("code")
        if not is_cash_book_account(account)
    ]
    groups: list[Any] = []
    for account_type in AccountType:
        options = [
            (str(account.pk), _label(account))
            for account in accounts
            if account.type == account_type
        ]
        if options:
            groups.append((str(account_type.label), options))
    return groups, {str(account.pk): account for account in accounts}


def _label(account: Account) -> str:
    label = f"{account.code} {account.name}"
    if account.control:
        return _("%(account)s (through the savings or loan book)") % {"account": label}
    return label


class _AccountField(forms.ChoiceField):
    def __init__(self, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(
            choices=[("", _("Choose the account…")), *choices],
            label=gettext_lazy("Account in the chart"),
            error_messages={"required": gettext_lazy("Choose the account for this name.")},
            **kwargs,
        )


class MapNamesForm(forms.Form):
    """One account per new name; each name travels in a hidden field beside its account, so
    that a name added by an import meanwhile is never mapped blind."""

    def __init__(
        self,
        data: Any = None,
        *,
        cooperative: Cooperative,
        names: list[PendingName],
    ) -> None:
        super().__init__(data)
        choices, self.accounts = account_choices(cooperative)
        self.names = names
        self.rows: list[tuple[PendingName | None, forms.BoundField, forms.BoundField]] = []
        count = len(names)
        if data is not None:
            count = _posted_count(data)
        for index in range(count):
            item = names[index] if data is None and index < len(names) else None
            self.fields[f"name-{index}"] = forms.CharField(
                widget=forms.HiddenInput, max_length=100, initial=item.name if item else ""
            )
            self.fields[f"account-{index}"] = _AccountField(
                choices,
                initial=str(item.suggestion.pk) if item and item.suggestion else "",
            )
        by_name = {name.name: name for name in names}
        for index in range(count):
            name_field = self[f"name-{index}"]
            shown = by_name.get(str(name_field.value() or ""))
            self.rows.append((shown, name_field, self[f"account-{index}"]))

    def mappings(self) -> dict[str, Account]:
        """The name → account pairs of a valid form."""
        pairs = {}
        for key, value in self.cleaned_data.items():
            if key.startswith("name-"):
                index = key.removeprefix("name-")
                pairs[value] = self.accounts[self.cleaned_data[f"account-{index}"]]
        return pairs


def _posted_count(data: Any) -> int:
    count = 0
    while f"name-{count}" in data and count < 500:
        count += 1
    return count


class ChangeMappingForm(forms.Form):
    """A remembered name pointed at another account (future postings only)."""

    def __init__(
        self,
        data: Any = None,
        *,
        cooperative: Cooperative,
        prefix: str,
        initial: Any = None,
        chart: tuple[list[Any], dict[str, Account]] | None = None,
    ) -> None:
        super().__init__(data, prefix=prefix, initial=initial)
        # One chart read for a page of many names: the view passes it to every form.
        choices, self.accounts = chart or account_choices(cooperative)
        self.fields["account"] = _AccountField(choices)

    def account(self) -> Account:
        return self.accounts[self.cleaned_data["account"]]
