from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative, Member
from imports.models import ImportedRecord

from .enums import Collectibility, LoanStatus


class Loan(models.Model):
    """A member's loan, created when its *Pengajuan Pinjaman* is finally approved."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="loans")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="loans")
    application = models.OneToOneField(
        "kopdes_forms.Submission", on_delete=models.PROTECT, related_name="loan"
    )
    product_code = models.CharField(_("product"), max_length=50)
    principal = models.BigIntegerField(_("principal (Rp)"))
    tenor_months = models.PositiveSmallIntegerField(_("term (months)"))
    purpose = models.CharField(_("purpose"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LoanStatus.choices, default=LoanStatus.APPROVED
    )
    approved_at = models.DateTimeField(_("approved"))
    # Empty when no approval step applied to the submission (all skipped by their conditions).
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-approved_at", "-id"]
        verbose_name = _("loan")
        indexes = [models.Index(fields=["cooperative", "status"])]

    def __str__(self) -> str:
        return f"{self.member} Rp {self.principal}"


class LoanLedgerEntry(ImportedRecord):
    """A loan as the cooperative's own loan ledger (Daftar Pinjaman) states it on a date: the
    loans the cooperative ran before Kopdes, kept as the book says until they are reconciled
    with loans made here."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="loan_ledger_entries"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="ledger_loans")
    loan_no = models.CharField(_("loan no."), max_length=40, blank=True)
    disbursed_on = models.DateField(_("disbursed"), null=True, blank=True)
    principal = models.BigIntegerField(_("principal (Rp)"))
    tenor_months = models.PositiveSmallIntegerField(_("term (months)"))
    rate_percent = models.DecimalField(_("interest (% a month)"), max_digits=6, decimal_places=3)
    instalment = models.BigIntegerField(_("instalment (Rp)"))
    instalments_paid = models.PositiveSmallIntegerField(_("instalments paid"), default=0)
    balance = models.BigIntegerField(_("outstanding (Rp)"))
    days_overdue = models.PositiveIntegerField(_("days overdue"), default=0)
    collectibility = models.CharField(
        _("collectibility"), max_length=15, choices=Collectibility.choices
    )
    as_of = models.DateField(_("as of"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["member_id", "disbursed_on", "id"]
        verbose_name = _("loan ledger entry")
        verbose_name_plural = _("loan ledger entries")
        indexes = [models.Index(fields=["cooperative", "collectibility"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(principal__gt=0, balance__gte=0, instalment__gte=0),
                name="loan_ledger_amounts_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.loan_no or self.principal}"
