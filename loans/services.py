"""The only writers of loans."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperatives.enums import MemberStatus
from cooperatives.models import Member

from .models import Loan


def loan_create_from_application(
    *,
    application: Any,
    member: Member,
    product_code: str,
    principal: int,
    tenor_months: int,
    purpose: str = "",
    approved_by: Any = None,
) -> Loan:
    """The loan an approved application grants. Raises ValidationError when the member does
    not belong to the application's cooperative or is no longer active."""
    if member.cooperative_id != application.cooperative_id:
        raise ValidationError(_("The member does not belong to this cooperative."), code="member")
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(
            _("%(name)s is no longer an active member; the loan cannot be granted.")
            % {"name": member.name},
            code="member_inactive",
        )
    loan = Loan(
        cooperative_id=application.cooperative_id,
        member=member,
        application=application,
        product_code=product_code,
        principal=principal,
        tenor_months=tenor_months,
        purpose=purpose,
        approved_at=timezone.now(),
        approved_by=approved_by if getattr(approved_by, "pk", None) else None,
    )
    loan.full_clean(validate_unique=False, validate_constraints=False)
    loan.save()
    return loan
