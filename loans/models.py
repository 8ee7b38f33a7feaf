from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative, Member

from .enums import LoanStatus


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
