from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative


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
