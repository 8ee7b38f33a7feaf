from django.db import models
from django.utils.translation import gettext_lazy as _


class LoanStatus(models.TextChoices):
    APPROVED = "approved", _("Approved, not yet paid out")
    ACTIVE = "active", _("Active")
    PAID_OFF = "paid_off", _("Paid off")
    WRITTEN_OFF = "written_off", _("Written off")
