"""The import kinds, by code (imports.enums.ImportKind)."""

from functools import cache

from django.utils.module_loading import import_string

from ..enums import ImportKind
from .base import Kind

# Loaded on first use: kinds reach into finance, loans and forms, whose models import this app.
_KINDS = {
    ImportKind.MEMBERS: "imports.kinds.members.MembersKind",
    ImportKind.SAVINGS: "imports.kinds.savings.SavingsKind",
    ImportKind.CASHBOOK: "imports.kinds.cashbook.CashBookKind",
    ImportKind.LOANS: "imports.kinds.loans.LoanLedgerKind",
    ImportKind.SUBMISSIONS: "imports.kinds.submissions.SubmissionsKind",
}


@cache
def get_kind(code: str) -> Kind:
    kind: Kind = import_string(_KINDS[ImportKind(code)])()
    return kind
