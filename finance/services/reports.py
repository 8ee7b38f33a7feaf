"""Official monthly figures from approved reports."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperatives.models import Cooperative

from ..models import MonthlyReport


def monthly_report_record(
    *,
    cooperative: Cooperative,
    period: datetime.date,
    submission: Any,
    approved_by: Any,
    **figures: int,
) -> MonthlyReport:
    """Make an approved monthly report the cooperative's official figures for `period`.

    Raises ValidationError when the month already has official figures (a second report for
    a month has to replace the first explicitly, never silently)."""
    period = period.replace(day=1)
    if MonthlyReport.objects.filter(cooperative=cooperative, period=period).exists():
        raise ValidationError(
            _("%(month)s already has approved figures for this cooperative.")
            % {"month": period.strftime("%Y-%m")},
            code="period_taken",
        )
    report = MonthlyReport(
        cooperative=cooperative,
        period=period,
        submission=submission,
        approved_at=timezone.now(),
        approved_by=approved_by if getattr(approved_by, "pk", None) else None,
        **figures,
    )
    report.full_clean(validate_unique=False, validate_constraints=False)
    report.save()
    return report
