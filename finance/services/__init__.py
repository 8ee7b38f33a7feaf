"""The only writers of the cooperative books, one module per part:

- `journal`: balanced entries, reversals, numbering;
- `periods`: closing and reopening months;
- `accounts`: a cooperative's sub-accounts and its cash-book account names;
- `reports`: the official monthly figures from an approved report.
"""

from .accounts import account_create_sub, account_mapping_confirm, account_update_sub
from .journal import (
    ClosedPeriodError,
    JournalError,
    Line,
    UnbalancedEntryError,
    journal_post,
    journal_post_many,
    journal_reverse,
)
from .periods import period_close, period_reopen
from .reports import monthly_report_record

__all__ = [
    "ClosedPeriodError",
    "JournalError",
    "Line",
    "UnbalancedEntryError",
    "account_create_sub",
    "account_mapping_confirm",
    "account_update_sub",
    "journal_post",
    "journal_post_many",
    "journal_reverse",
    "monthly_report_record",
    "period_close",
    "period_reopen",
]
