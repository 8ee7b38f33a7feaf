from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative, Member
from imports.models import ImportedRecord

from .enums import SavingsType


class MonthlyReport(models.Model):
    """A cooperative's official figures for one month: an approved *Laporan Keuangan Bulanan*,
    kept as columns the dashboards can sum and compare, with the submission it came from."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="monthly_reports"
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    submission = models.OneToOneField(
        "kopdes_forms.Submission", on_delete=models.PROTECT, related_name="monthly_report"
    )
    members_start = models.PositiveIntegerField(_("members at the start"))
    members_joined = models.PositiveIntegerField(_("members joined"))
    members_left = models.PositiveIntegerField(_("members left"))
    members_end = models.PositiveIntegerField(_("members at the end"))
    savings_principal = models.BigIntegerField(_("simpanan pokok"))
    savings_compulsory = models.BigIntegerField(_("simpanan wajib"))
    savings_voluntary = models.BigIntegerField(_("simpanan sukarela"))
    cash = models.BigIntegerField(_("cash"))
    bank = models.BigIntegerField(_("bank"))
    loans_outstanding = models.BigIntegerField(_("loans outstanding"))
    total_assets = models.BigIntegerField(_("total assets"))
    total_liabilities = models.BigIntegerField(_("total liabilities"))
    total_equity = models.BigIntegerField(_("total equity"))
    revenue = models.BigIntegerField(_("revenue"))
    expenses = models.BigIntegerField(_("expenses"))
    surplus_month = models.BigIntegerField(_("SHU this month"))
    surplus_year_to_date = models.BigIntegerField(_("SHU year to date"))
    approved_at = models.DateTimeField(_("approved"))
    # Empty when no approval step applied to the submission (all skipped by their conditions).
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-period", "cooperative_id"]
        verbose_name = _("monthly report")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "period"], name="monthly_report_one_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cooperative_id} {self.period:%Y-%m}"


class SavingsTransaction(ImportedRecord):
    """One line of a member's savings book (Buku Simpanan): a deposit or a withdrawal of one
    kind of savings."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="savings_transactions"
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="savings_transactions"
    )
    date = models.DateField(_("date"))
    savings_type = models.CharField(_("savings"), max_length=10, choices=SavingsType.choices)
    deposit = models.BigIntegerField(_("deposit (Rp)"), default=0)
    withdrawal = models.BigIntegerField(_("withdrawal (Rp)"), default=0)
    receipt_no = models.CharField(_("receipt no."), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("savings transaction")
        verbose_name_plural = _("savings transactions")
        indexes = [models.Index(fields=["cooperative", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deposit__gte=0, withdrawal__gte=0),
                name="savings_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.member_id} {self.date} {self.savings_type} +{self.deposit} -{self.withdrawal}"
        )


class SavingsBalance(ImportedRecord):
    """A member's savings as a member list states them on a date. Balances are snapshots: a
    list imported again replaces the figures of that date, it never adds to them."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="savings_balances"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="savings_balances")
    as_of = models.DateField(_("as of"))
    pokok = models.BigIntegerField(_("simpanan pokok"), default=0)
    wajib = models.BigIntegerField(_("simpanan wajib"), default=0)
    sukarela = models.BigIntegerField(_("simpanan sukarela"), default=0)

    class Meta:
        ordering = ["-as_of", "member_id"]
        verbose_name = _("savings balance")
        verbose_name_plural = _("savings balances")
        constraints = [
            models.UniqueConstraint(fields=["member", "as_of"], name="savings_balance_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.as_of}"


class CashBookEntry(ImportedRecord):
    """One line of the general cash book (Buku Kas Umum)."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="cash_book_entries"
    )
    date = models.DateField(_("date"))
    voucher_no = models.CharField(_("voucher no."), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=255)
    account = models.CharField(_("account"), max_length=100, blank=True)
    debit = models.BigIntegerField(_("debit (Rp)"), default=0)
    credit = models.BigIntegerField(_("credit (Rp)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("cash book entry")
        verbose_name_plural = _("cash book entries")
        indexes = [models.Index(fields=["cooperative", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(debit__gte=0, credit__gte=0),
                name="cash_book_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.voucher_no} {self.description}"
