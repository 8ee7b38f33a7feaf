"""A cooperative's own sub-accounts, and the names its cash book uses for accounts."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cooperatives.models import Cooperative

from ..enums import AccountControl
from ..models import Account, AccountMapping
from ..selectors import account_name_key, chart_accounts


def _field_error(name: str, message: str, code: str) -> ValidationError:
    """A refusal of one field that keeps its code (a dict given to ValidationError drops it)."""
    return ValidationError({name: ValidationError(message, code=code)})


@transaction.atomic
def account_create_sub(
    *,
    cooperative: Cooperative,
    parent: Account,
    name: str,
    by: Any,
    name_en: str = "",
    business_unit: str | None = None,
) -> Account:
    """Add a sub-account under a shared account (“1-102.01 Bank BRI Unit Tenggarong”). It takes
    the parent's type and place in the statements; its code is the parent's plus a number.
    Raises ValidationError for a parent that is not a shared account or an empty name."""
    name = (name or "").strip()
    if not name:
        raise _field_error("name", _("Give the sub-account a name."), "name_required")
    if parent.cooperative_id is not None:
        raise _field_error(
            "parent",
            _("Sub-accounts go under an account of the shared chart."),
            "parent_not_shared",
        )
    if parent.control == AccountControl.MEMBER_LOANS or parent.control.startswith("savings_"):
        raise _field_error(
            "parent",
            _(
                "%(account)s is kept per member by the savings and loan books; it has no "
                "sub-accounts."
            )
            % {"account": parent},
            "parent_is_subledger",
        )
    if parent.control:
        # Fed by the loan book only, which posts to the account itself: a sub-account under
        # it would never receive anything.
        raise _field_error(
            "parent",
            _(
                "%(account)s is kept by the loan book of the cooperative's own financing; "
                "it has no sub-accounts."
            )
            % {"account": parent},
            "parent_is_subledger",
        )
    # Serialise sub-accounts per cooperative: a double click must not take one code twice.
    Cooperative.objects.select_for_update().filter(pk=cooperative.pk).first()
    if chart_accounts(cooperative).filter(parent=parent, name__iexact=name).exists():
        raise _field_error(
            "name",
            _("%(parent)s already has a sub-account “%(name)s”.")
            % {"parent": parent, "name": name},
            "duplicate_name",
        )
    taken = set(
        Account.objects.filter(
            Q(cooperative=cooperative) | Q(cooperative__isnull=True),
            code__startswith=f"{parent.code}.",
        ).values_list("code", flat=True)
    )
    number = 1
    while f"{parent.code}.{number:02d}" in taken:
        number += 1
    account = Account(
        cooperative=cooperative,
        code=f"{parent.code}.{number:02d}",
        name=name[:120],
        name_en=(name_en or "").strip()[:120],
        type=parent.type,
        parent=parent,
        business_unit=parent.business_unit if business_unit is None else business_unit,
        is_cash=parent.is_cash,
        cash_flow=parent.cash_flow,
        control=parent.control,
    )
    account.full_clean(validate_constraints=False)
    account.save()
    return account


@transaction.atomic
def account_update_sub(
    *, account: Account, by: Any, name: str | None = None, is_active: bool | None = None
) -> Account:
    """Rename or retire one of the cooperative's own sub-accounts. Shared accounts are the
    province's: raises ValidationError for them."""
    if account.cooperative_id is None:
        raise ValidationError(
            _("%(account)s belongs to the shared chart; only the province changes it.")
            % {"account": account},
            code="shared_account",
        )
    fields = []
    if name is not None:
        if not name.strip():
            raise _field_error("name", _("Give the sub-account a name."), "name_required")
        account.name = name.strip()[:120]
        fields.append("name")
    if is_active is not None:
        account.is_active = is_active
        fields.append("is_active")
    if fields:
        account.save(update_fields=fields)
    return account


@transaction.atomic
def account_mapping_confirm(
    *, cooperative: Cooperative, name: str, account: Account, by: Any
) -> AccountMapping:
    """Remember that the cash book's account name `name` means `account` in this cooperative
    (confirming a name again points it at the new account). Raises ValidationError for an
    empty name or an account outside this cooperative's chart."""
    key = account_name_key(name)
    if not key:
        raise ValidationError(_("The account name is empty."), code="name_required")
    if account.cooperative_id not in (None, cooperative.pk) or not account.is_active:
        raise ValidationError(
            _("Choose an account of this cooperative's chart that is in use."),
            code="foreign_account",
        )
    mapping, _created = AccountMapping.objects.update_or_create(
        cooperative=cooperative,
        key=key,
        defaults={"name": name.strip()[:100], "account": account, "confirmed_by": by},
    )
    return mapping
