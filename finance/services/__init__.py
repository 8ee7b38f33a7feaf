"""The only writers of the cooperative books, one module per part:

- `journal`: balanced entries, reversals, numbering;
- `periods`: closing and reopening months;
- `accounts`: a cooperative's sub-accounts and its cash-book account names;
- `cashbook`: the imported cash book into the journal through the account-mapping table;
- `loans`: loan payouts, repayments, write-offs and reschedulings into the journal;
- `reports`: the official monthly figures from an approved report;
- `shu`: the SHU allocation, the RAT record and the posting of a year's SHU.
"""

from .accounts import account_create_sub, account_mapping_confirm, account_update_sub
from .cashbook import (
    CashBookPosting,
    UnknownAccountNamesError,
    cashbook_import_applied,
    cashbook_map_and_post,
    cashbook_mapping_change,
    cashbook_post,
)
from .journal import (
    ClosedPeriodError,
    JournalError,
    Line,
    UnbalancedEntryError,
    journal_post,
    journal_post_many,
    journal_reverse,
)
from .loans import (
    loan_payout_post,
    loan_reschedule_post,
    loan_write_off_post,
    repayment_post,
    repayment_reversal_post,
)
from .periods import period_close, period_reopen
from .reports import monthly_report_record
from .savings import (
    SavingsPosting,
    SavingsRules,
    savings_policy_set,
    savings_post_imported,
    savings_post_waiting,
    savings_record,
)
from .shu import ShuError, annual_meeting_record, shu_distribute, shu_policy_set

__all__ = [
    "CashBookPosting",
    "ClosedPeriodError",
    "JournalError",
    "Line",
    "SavingsPosting",
    "SavingsRules",
    "ShuError",
    "UnbalancedEntryError",
    "UnknownAccountNamesError",
    "account_create_sub",
    "account_mapping_confirm",
    "account_update_sub",
    "annual_meeting_record",
    "cashbook_import_applied",
    "cashbook_map_and_post",
    "cashbook_mapping_change",
    "cashbook_post",
    "journal_post",
    "journal_post_many",
    "journal_reverse",
    "loan_payout_post",
    "loan_reschedule_post",
    "loan_write_off_post",
    "monthly_report_record",
    "period_close",
    "period_reopen",
    "repayment_post",
    "repayment_reversal_post",
    "savings_policy_set",
    "savings_post_imported",
    "savings_post_waiting",
    "savings_record",
    "shu_distribute",
    "shu_policy_set",
]
