"""Closing a month's books, and reopening it: a higher role than the one who keeps them."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperatives.enums import Role
from cooperatives.models import Cooperative
from cooperatives.scoping import user_has_role

from ..enums import PeriodAction
from ..models import ClosedPeriod, PeriodEvent

# The pengawas verifies the month's books and closes them; officers above may too. Reopening a
# closed month changes figures others have relied on, so only the regency or province may.
CLOSE_ROLES = (
    Role.PENGAWAS,
    Role.DISTRICT_OFFICER,
    Role.REGENCY_OFFICER,
    Role.PROVINCE_OFFICER,
)
REOPEN_ROLES = (Role.REGENCY_OFFICER, Role.PROVINCE_OFFICER)


def _field_error(name: str, message: str, code: str) -> ValidationError:
    """A refusal of one field that keeps its code (a dict given to ValidationError drops it)."""
    return ValidationError({name: ValidationError(message, code=code)})


def may_close(user: Any, cooperative: Cooperative) -> bool:
    return user.is_superuser or any(user_has_role(user, r, cooperative) for r in CLOSE_ROLES)


def may_reopen(user: Any, cooperative: Cooperative) -> bool:
    return user.is_superuser or any(user_has_role(user, r, cooperative) for r in REOPEN_ROLES)


def _first_day(month: datetime.date) -> datetime.date:
    return month.replace(day=1)


@transaction.atomic
def period_close(*, cooperative: Cooperative, month: datetime.date, by: Any) -> ClosedPeriod:
    """Close `month`: nothing more may be posted into it. Only a month that has ended can be
    closed. Raises PermissionDenied for roles below the pengawas, ValidationError otherwise."""
    if not may_close(by, cooperative):
        raise PermissionDenied(_("Only the pengawas or an officer may close the books."))
    month = _first_day(month)
    if month >= _first_day(timezone.localdate()):
        raise ValidationError(
            _("%(month)s has not ended yet; a month is closed after its last day.")
            % {"month": month.strftime("%m/%Y")},
            code="month_not_ended",
        )
    try:
        with transaction.atomic():
            closed = ClosedPeriod.objects.create(cooperative=cooperative, month=month, closed_by=by)
    except IntegrityError as exc:
        raise ValidationError(
            _("The books of %(month)s are already closed.") % {"month": month.strftime("%m/%Y")},
            code="already_closed",
        ) from exc
    PeriodEvent.objects.create(
        cooperative=cooperative, month=month, action=PeriodAction.CLOSE, by=by
    )
    return closed


@transaction.atomic
def period_reopen(*, cooperative: Cooperative, month: datetime.date, by: Any, reason: str) -> None:
    """Reopen a closed month, saying why. Raises PermissionDenied below the regency officer,
    ValidationError without a reason or when the month is not closed."""
    if not may_reopen(by, cooperative):
        raise PermissionDenied(_("Only a regency or province officer may reopen closed books."))
    reason = (reason or "").strip()
    if not reason:
        raise _field_error(
            "reason",
            _("Say why the month is reopened; the reason is kept in the audit trail."),
            "reason_required",
        )
    month = _first_day(month)
    deleted, _rows = ClosedPeriod.objects.filter(cooperative=cooperative, month=month).delete()
    if not deleted:
        raise ValidationError(
            _("The books of %(month)s are not closed.") % {"month": month.strftime("%m/%Y")},
            code="not_closed",
        )
    PeriodEvent.objects.create(
        cooperative=cooperative, month=month, action=PeriodAction.REOPEN, by=by, reason=reason
    )
