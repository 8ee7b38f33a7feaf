"""Reads of the books that several parts share. Statements live in `statements.py`."""

import datetime
import re

from django.db.models import Q, QuerySet

from cooperatives.models import Cooperative

from .models import Account, AccountMapping, ClosedPeriod


def chart_accounts(cooperative: Cooperative) -> QuerySet[Account]:
    """The chart one cooperative posts to: the shared accounts and its own sub-accounts."""
    return Account.objects.filter(Q(cooperative__isnull=True) | Q(cooperative=cooperative))


def accounts_by_code(cooperative: Cooperative) -> dict[str, Account]:
    return {account.code: account for account in chart_accounts(cooperative)}


def account_name_key(name: str) -> str:
    """How a cash book's account name is compared: case, spacing and surrounding punctuation
    do not matter (“Penjualan  Pulsa.” is “penjualan pulsa”)."""
    text = re.sub(r"\s+", " ", name or "").strip().strip(".,;:-–—").strip()
    return text.casefold()


def mapped_accounts(cooperative: Cooperative) -> dict[str, Account]:
    """Cash-book account names the cooperative confirmed, by key, to their account."""
    return {
        mapping.key: mapping.account
        for mapping in AccountMapping.objects.filter(cooperative=cooperative).select_related(
            "account"
        )
    }


def is_closed(cooperative: Cooperative, month: datetime.date) -> bool:
    return ClosedPeriod.objects.filter(cooperative=cooperative, month=month).exists()
