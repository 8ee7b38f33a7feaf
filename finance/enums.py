from django.db import models
from django.utils.translation import gettext_lazy as _


class SavingsType(models.TextChoices):
    POKOK = "pokok", _("Simpanan pokok")
    WAJIB = "wajib", _("Simpanan wajib")
    SUKARELA = "sukarela", _("Simpanan sukarela")


# Simpanan pokok and wajib are the member's share in the cooperative's equity: they come back
# only when the person stops being a member (UU 25/1992 art. 41, the KDMP model AD/ART).
LOCKED_WHILE_MEMBER = frozenset({SavingsType.POKOK, SavingsType.WAJIB})


class SavingsSource(models.TextChoices):
    IMPORT = "import", _("Imported savings book")
    PORTAL = "portal", _("Recorded in the portal")
    API = "api", _("Recorded through the API")


class AccountType(models.TextChoices):
    ASSET = "asset", _("Assets")
    LIABILITY = "liability", _("Liabilities")
    EQUITY = "equity", _("Equity")
    REVENUE = "revenue", _("Revenue")
    EXPENSE = "expense", _("Expenses")


# Accounts whose balance normally sits on the debit side; the others sit on the credit side.
DEBIT_NORMAL = frozenset({AccountType.ASSET, AccountType.EXPENSE})
# Revenue and expenses start again each year: what they add up to is the year's SHU.
RESULT_TYPES = frozenset({AccountType.REVENUE, AccountType.EXPENSE})


class CashFlowClass(models.TextChoices):
    """Where a movement of cash belongs in the arus kas (direct method), by its counter-account."""

    OPERATING = "operating", _("Operating activities")
    INVESTING = "investing", _("Investing activities")
    FINANCING = "financing", _("Financing activities")


class AccountControl(models.TextChoices):
    """Accounts fed by a member-level book (a sub-ledger). Their postings come from that book
    only, so that a deposit written in both the cash book and the savings book counts once."""

    NONE = "", _("None")
    SAVINGS_POKOK = "savings_pokok", _("Members' simpanan pokok")
    SAVINGS_WAJIB = "savings_wajib", _("Members' simpanan wajib")
    SAVINGS_SUKARELA = "savings_sukarela", _("Members' simpanan sukarela")
    MEMBER_LOANS = "member_loans", _("Loans to members")
    BANK_LOANS = "bank_loans", _("The cooperative's bank loans")


SAVINGS_CONTROL = {
    SavingsType.POKOK: AccountControl.SAVINGS_POKOK,
    SavingsType.WAJIB: AccountControl.SAVINGS_WAJIB,
    SavingsType.SUKARELA: AccountControl.SAVINGS_SUKARELA,
}


class EntrySource(models.TextChoices):
    MANUAL = "manual", _("Written by hand")
    CASH_BOOK = "cash_book", _("Cash book")
    SAVINGS = "savings", _("Savings book")
    LOAN = "loan", _("Loans")
    OPENING = "opening", _("Opening balances")
    REVERSAL = "reversal", _("Reversal")
    SHU = "shu", _("SHU distribution")


class PeriodAction(models.TextChoices):
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")


class CashBookStatus(models.TextChoices):
    """What became of an imported cash-book row in the journal."""

    PENDING = "pending", _("Waiting for its account")
    POSTED = "posted", _("Posted to the journal")
    SUBLEDGER = "subledger", _("Counted through the savings or loan book")
    LOAN_REPAYMENT = "loan_repayment", _("Posted as a loan repayment")
