from django.db import models
from django.utils.translation import gettext_lazy as _


class LoanStatus(models.TextChoices):
    APPROVED = "approved", _("Approved, not yet paid out")
    PAYOUT_RECORDED = "payout_recorded", _("Payout recorded, waiting for a second officer")
    ACTIVE = "active", _("Active")
    PAID_OFF = "paid_off", _("Paid off")
    WRITTEN_OFF = "written_off", _("Written off")
    RESCHEDULED = "rescheduled", _("Rescheduled")


# Which status may follow which; only loans.services changes a status.
LOAN_TRANSITIONS: dict[str, frozenset[str]] = {
    LoanStatus.APPROVED: frozenset({LoanStatus.PAYOUT_RECORDED}),
    LoanStatus.PAYOUT_RECORDED: frozenset({LoanStatus.ACTIVE, LoanStatus.APPROVED}),
    LoanStatus.ACTIVE: frozenset(
        {LoanStatus.PAID_OFF, LoanStatus.WRITTEN_OFF, LoanStatus.RESCHEDULED}
    ),
    # A reversed repayment reopens a loan it had paid off.
    LoanStatus.PAID_OFF: frozenset({LoanStatus.ACTIVE}),
    LoanStatus.WRITTEN_OFF: frozenset(),
    LoanStatus.RESCHEDULED: frozenset(),
}


class LoanKind(models.TextChoices):
    """Who borrows: a member from the cooperative's simpan pinjam unit, or the cooperative
    itself from a bank (PMK 49/2025 financing through a Himbara bank)."""

    MEMBER = "member", _("Member loan")
    COOPERATIVE = "cooperative", _("The cooperative's own financing")


class Collectibility(models.TextChoices):
    """OJK's five collectibility classes (kolektibilitas) of a loan."""

    LANCAR = "lancar", _("Lancar (current)")
    DPK = "dpk", _("Dalam Perhatian Khusus (special mention)")
    KURANG_LANCAR = "kurang_lancar", _("Kurang Lancar (substandard)")
    DIRAGUKAN = "diragukan", _("Diragukan (doubtful)")
    MACET = "macet", _("Macet (loss)")


class InterestMethod(models.TextChoices):
    FLAT = "flat", _("Flat")
    DECLINING_PRINCIPAL = "declining_principal", _("Declining balance, equal principal")
    ANNUITY = "annuity", _("Declining balance, equal instalments (annuity)")


class RatePeriod(models.TextChoices):
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")


class GraceKind(models.TextChoices):
    NONE = "none", _("No grace period")
    INTEREST_ONLY = "interest_only", _("Interest only")
