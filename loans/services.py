"""The only writers of loans. Each step that moves money posts its journal entry through
finance.services.loans inside the same transaction: a posting the journal refuses (a closed
month) refuses the step, and nothing of it is recorded."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperatives.enums import MemberStatus
from cooperatives.models import Member
from finance.services import loans as books

from . import schedules
from .enums import LOAN_TRANSITIONS, GraceKind, LoanKind, LoanStatus
from .models import Instalment, Loan, LoanEvent, LoanProduct, Repayment, RepaymentLine


def loan_create_from_application(
    *,
    application: Any,
    member: Member | None,
    product_code: str,
    principal: int,
    tenor_months: int,
    purpose: str = "",
    approved_by: Any = None,
    lender: str = "",
    grace_months: int = 0,
) -> Loan:
    """The loan an approved application grants: to `member`, or — for a product the
    cooperative itself borrows under (PMK 49/2025 financing) — to the cooperative, with no
    member. Raises ValidationError when the member does not belong to the application's
    cooperative or is no longer active, or when the terms do not fit the product."""
    product = LoanProduct.objects.filter(code=product_code).first()
    kind = product.kind if product else LoanKind.MEMBER
    if kind == LoanKind.MEMBER:
        if member is None:
            raise ValidationError(_("A member loan needs the member who borrows."), code="member")
        if member.cooperative_id != application.cooperative_id:
            raise ValidationError(
                _("The member does not belong to this cooperative."), code="member"
            )
        if member.status != MemberStatus.ACTIVE:
            raise ValidationError(
                _("%(name)s is no longer an active member; the loan cannot be granted.")
                % {"name": member.name},
                code="member_inactive",
            )
    else:
        member = None
    if product is not None:
        problems = product.terms_problems(
            amount=principal, tenor_months=tenor_months, grace_months=grace_months
        )
        if problems:
            raise ValidationError(problems)
    loan = Loan(
        cooperative_id=application.cooperative_id,
        kind=kind,
        member=member,
        lender=lender,
        application=application,
        product=product,
        product_code=product_code,
        principal=principal,
        tenor_months=tenor_months,
        grace_months=grace_months,
        purpose=purpose,
        approved_at=timezone.now(),
        approved_by=approved_by if getattr(approved_by, "pk", None) else None,
    )
    loan.full_clean(validate_unique=False, validate_constraints=False)
    loan.save()
    _event(loan, from_status="", by=loan.approved_by)
    return loan


class LoanTransitionError(ValidationError):
    """The loan's status does not allow this step, or the wrong person takes it."""


def _event(loan: Loan, *, from_status: str, by: Any, note: str = "") -> None:
    LoanEvent.objects.create(
        loan=loan, from_status=from_status, to_status=loan.status, actor=by, note=note
    )


def _locked(loan: Loan, expected: LoanStatus) -> Loan:
    # Lock: two officers acting on the same loan at once must not both succeed.
    locked = Loan.objects.select_for_update().get(pk=loan.pk)
    if locked.status != expected or expected not in LOAN_TRANSITIONS:
        raise LoanTransitionError(
            _("This loan is “%(status)s”; that step is not possible now.")
            % {"status": locked.get_status_display()},
            code="status",
        )
    return locked


def _product_of(loan: Loan) -> LoanProduct:
    product = loan.product or LoanProduct.objects.filter(code=loan.product_code).first()
    if product is None:
        raise ValidationError(
            _("No loan product “%(code)s” exists: an admin must add it before the payout.")
            % {"code": loan.product_code},
            code="product",
        )
    return product


@transaction.atomic
def loan_payout_record(*, loan: Loan, by: Any, disbursed_on: datetime.date) -> Loan:
    """The first officer records that the money was paid out on `disbursed_on`. Raises
    ValidationError for a date before the approval or in the future, or terms outside the
    product; LoanTransitionError when the loan is not waiting for its payout."""
    locked = _locked(loan, LoanStatus.APPROVED)
    product = _product_of(locked)
    # The grace asked for in the application, or the product's shortest.
    grace = 0
    if product.grace_kind == GraceKind.INTEREST_ONLY:
        grace = locked.grace_months or product.min_grace_months
    problems = product.terms_problems(
        amount=locked.principal, tenor_months=locked.tenor_months, grace_months=grace
    )
    if disbursed_on > timezone.localdate():
        problems["disbursed_on"] = _("The payout date cannot be in the future.")
    elif disbursed_on < timezone.localtime(locked.approved_at).date():
        problems["disbursed_on"] = _("The payout date cannot be before the approval.")
    if problems:
        raise ValidationError(problems)
    locked.product = product
    locked.monthly_rate = product.monthly_rate
    locked.interest_method = product.interest_method
    locked.grace_months = grace
    locked.disbursed_on = disbursed_on
    locked.payout_recorded_by = by
    locked.payout_recorded_at = timezone.now()
    previous, locked.status = locked.status, LoanStatus.PAYOUT_RECORDED
    locked.save(
        update_fields=[
            "product",
            "monthly_rate",
            "interest_method",
            "grace_months",
            "disbursed_on",
            "payout_recorded_by",
            "payout_recorded_at",
            "status",
        ]
    )
    _event(locked, from_status=previous, by=by)
    return locked


@transaction.atomic
def loan_payout_confirm(*, loan: Loan, by: Any) -> Loan:
    """A second officer confirms the recorded payout: the loan becomes active and its schedule
    is fixed. Raises LoanTransitionError when the same officer who recorded it confirms."""
    locked = _locked(loan, LoanStatus.PAYOUT_RECORDED)
    if locked.payout_recorded_by_id == getattr(by, "pk", None):
        raise LoanTransitionError(
            _("Another officer must confirm the payout you recorded."), code="maker_checker"
        )
    assert locked.disbursed_on is not None and locked.monthly_rate is not None
    lines = schedules.loan_schedule(
        principal=locked.principal,
        rate=locked.monthly_rate,
        tenor_months=locked.tenor_months,
        method=locked.interest_method,
        disbursed_on=locked.disbursed_on,
        grace_months=locked.grace_months,
    )
    Instalment.objects.bulk_create(
        Instalment(
            loan=locked,
            number=line.number,
            due_date=line.due_date,
            principal=line.principal,
            interest=line.interest,
            fee=line.fee,
            balance=line.balance,
        )
        for line in lines
    )
    locked.payout_confirmed_by = by
    locked.payout_confirmed_at = timezone.now()
    previous, locked.status = locked.status, LoanStatus.ACTIVE
    locked.save(update_fields=["payout_confirmed_by", "payout_confirmed_at", "status"])
    _event(locked, from_status=previous, by=by)
    books.loan_payout_post(loan=locked, by=by)
    return locked


@transaction.atomic
def loan_payout_reject(*, loan: Loan, by: Any, note: str) -> Loan:
    """The second officer sends a wrongly recorded payout back; it can be recorded again."""
    locked = _locked(loan, LoanStatus.PAYOUT_RECORDED)
    if not note.strip():
        raise ValidationError({"note": _("Say what is wrong with the recorded payout.")})
    locked.disbursed_on = None
    locked.payout_recorded_by = None
    locked.payout_recorded_at = None
    previous, locked.status = locked.status, LoanStatus.APPROVED
    locked.save(
        update_fields=["disbursed_on", "payout_recorded_by", "payout_recorded_at", "status"]
    )
    _event(locked, from_status=previous, by=by, note=note.strip())
    return locked


# The order a payment covers each instalment in (oldest instalment first).
_PARTS = ("penalty", "fee", "interest", "principal")


def _owed(instalment: Instalment, part: str) -> int:
    return int(getattr(instalment, part)) - int(getattr(instalment, f"paid_{part}"))


@transaction.atomic
def repayment_record(
    *,
    loan: Loan,
    by: Any,
    amount: int,
    paid_on: datetime.date,
    note: str = "",
    import_run: Any = None,
    import_row: int | None = None,
    cash_book_entry: Any = None,
    ledger_entry: Any = None,
) -> Repayment:
    """Record money paid on an active loan and split it over the instalments, oldest first,
    each one's penalty, then fees, then interest, then principal; paying ahead of time goes on
    to the next instalments. The loan is paid off when nothing is owed any more.

    Raises ValidationError for an amount of 0 or less, a date before the payout or in the
    future, or more than is owed (an overpayment is refused, saying how much is owed, never
    kept silently); LoanTransitionError when the loan is not active."""
    locked = _locked(loan, LoanStatus.ACTIVE)
    problems: dict[str, str] = {}
    if amount <= 0:
        problems["amount"] = _("The amount must be above 0.")
    assert locked.disbursed_on is not None
    if paid_on > timezone.localdate():
        problems["paid_on"] = _("The payment date cannot be in the future.")
    elif paid_on < locked.disbursed_on:
        problems["paid_on"] = _("The payment date cannot be before the payout (%(date)s).") % {
            "date": locked.disbursed_on.strftime("%d-%m-%Y")
        }
    instalments = list(locked.instalments.select_for_update().order_by("number"))
    owed = sum(instalment.owed for instalment in instalments)
    if amount > owed and "amount" not in problems:
        problems["amount"] = _(
            "Rp %(amount)s is more than the Rp %(owed)s still owed: record Rp %(owed)s and give "
            "the rest back, or keep it as voluntary savings."
        ) % {"amount": _thousands(amount), "owed": _thousands(owed)}
    if problems:
        raise ValidationError(problems)
    repayment = Repayment.objects.create(
        loan=locked,
        paid_on=paid_on,
        amount=amount,
        note=note,
        recorded_by=by,
        import_run=import_run,
        import_row=import_row,
        cash_book_entry=cash_book_entry,
        ledger_entry=ledger_entry,
    )
    left = amount
    lines = []
    for instalment in instalments:
        if not left:
            break
        line = RepaymentLine(repayment=repayment, instalment=instalment)
        for part in _PARTS:
            share = min(left, _owed(instalment, part))
            if share:
                setattr(line, part, share)
                setattr(instalment, f"paid_{part}", getattr(instalment, f"paid_{part}") + share)
                setattr(repayment, part, getattr(repayment, part) + share)
                left -= share
        if any(getattr(line, part) for part in _PARTS):
            lines.append(line)
    RepaymentLine.objects.bulk_create(lines)
    Instalment.objects.bulk_update(
        [line.instalment for line in lines], [f"paid_{part}" for part in _PARTS]
    )
    repayment.save(update_fields=list(_PARTS))
    if amount == owed:
        previous, locked.status = locked.status, LoanStatus.PAID_OFF
        locked.save(update_fields=["status"])
        _event(locked, from_status=previous, by=by, note=_("Paid off."))
    books.repayment_post(repayment=repayment, by=by)
    return repayment


@transaction.atomic
def repayment_reverse(*, repayment: Repayment, by: Any, note: str) -> Repayment:
    """Cancel a repayment by a counter-entry: a repayment of the opposite amounts that points
    at it, taking back exactly what it covered. A paid-off loan becomes active again.
    Raises ValidationError without a reason or for a repayment already reversed or itself a
    reversal."""
    original = Repayment.objects.select_for_update().get(pk=repayment.pk)
    if not note.strip():
        raise ValidationError({"note": _("Say why the payment is cancelled.")})
    if original.reverses_id or Repayment.objects.filter(reverses=original).exists():
        raise ValidationError(
            _("This payment was already cancelled, or is itself a cancellation."), code="reversed"
        )
    loan = Loan.objects.select_for_update().get(pk=original.loan_id)
    if loan.status not in (LoanStatus.ACTIVE, LoanStatus.PAID_OFF):
        # A written-off or rescheduled loan's payments are history; undoing one would reopen it.
        raise LoanTransitionError(
            _("This loan is “%(status)s”; its payments can no longer be cancelled.")
            % {"status": loan.get_status_display()},
            code="status",
        )
    reversal = Repayment.objects.create(
        loan=loan,
        paid_on=timezone.localdate(),
        amount=-original.amount,
        reverses=original,
        note=note.strip(),
        recorded_by=by,
        **{part: -getattr(original, part) for part in _PARTS},
    )
    counter, touched = [], []
    for line in original.lines.select_related("instalment"):
        instalment = line.instalment
        for part in _PARTS:
            setattr(
                instalment,
                f"paid_{part}",
                getattr(instalment, f"paid_{part}") - getattr(line, part),
            )
        touched.append(instalment)
        counter.append(
            RepaymentLine(
                repayment=reversal,
                instalment=instalment,
                **{part: -getattr(line, part) for part in _PARTS},
            )
        )
    RepaymentLine.objects.bulk_create(counter)
    Instalment.objects.bulk_update(touched, [f"paid_{part}" for part in _PARTS])
    if loan.status == LoanStatus.PAID_OFF:
        previous, loan.status = loan.status, LoanStatus.ACTIVE
        loan.save(update_fields=["status"])
        _event(loan, from_status=previous, by=by, note=note.strip())
    books.repayment_reversal_post(reversal=reversal, by=by)
    return reversal


def _thousands(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@transaction.atomic
def loan_write_off(*, loan: Loan, by: Any, reason: str) -> Loan:
    """Write off an active loan the cooperative no longer expects to recover (after the
    pengurus decided so; the reason is kept in the loan's history). Its instalments and
    repayments stay as they are."""
    locked = _locked(loan, LoanStatus.ACTIVE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the loan is written off.")})
    previous, locked.status = locked.status, LoanStatus.WRITTEN_OFF
    locked.save(update_fields=["status"])
    _event(locked, from_status=previous, by=by, note=reason.strip())
    books.loan_write_off_post(loan=locked, by=by)
    return locked


@transaction.atomic
def loan_reschedule(
    *,
    loan: Loan,
    by: Any,
    tenor_months: int,
    on: datetime.date,
    reason: str,
    grace_months: int = 0,
) -> Loan:
    """Give a borrower who cannot keep up a new schedule (restrukturisasi). The loan ends as
    rescheduled; what is still owed continues as a new active loan pointing back at it: the
    principal not yet repaid plus the interest, fees and penalties already due by `on` and
    unpaid (capitalised), repaid over `tenor_months` from `on` at the same rate and method.
    Interest not yet due is not carried over: the new schedule charges its own.

    Raises ValidationError without a reason, for a term or grace outside the product, or a
    date before the payout or in the future; LoanTransitionError when the loan is not active.
    Returns the new loan."""
    locked = _locked(loan, LoanStatus.ACTIVE)
    product = _product_of(locked)
    problems: dict[str, str] = {}
    if not reason.strip():
        problems["reason"] = _("Say why the loan is rescheduled.")
    if not 1 <= tenor_months <= product.max_tenor_months:
        problems["tenor_months"] = _("The new term must be 1 to %(high)s months.") % {
            "high": product.max_tenor_months
        }
    if grace_months and not (
        product.grace_kind == GraceKind.INTEREST_ONLY
        and grace_months <= product.max_grace_months
        and grace_months < tenor_months
    ):
        problems["grace_months"] = _("%(product)s allows at most %(high)s months of grace.") % {
            "product": product.name,
            "high": product.max_grace_months if product.grace_kind != GraceKind.NONE else 0,
        }
    assert locked.disbursed_on is not None and locked.monthly_rate is not None
    if on > timezone.localdate():
        problems["on"] = _("The date cannot be in the future.")
    elif on < locked.disbursed_on:
        problems["on"] = _("The date cannot be before the payout (%(date)s).") % {
            "date": locked.disbursed_on.strftime("%d-%m-%Y")
        }
    if problems:
        raise ValidationError(problems)
    instalments = list(locked.instalments.select_for_update())
    carried = sum(i.principal - i.paid_principal for i in instalments) + sum(
        (i.interest - i.paid_interest) + (i.fee - i.paid_fee) + (i.penalty - i.paid_penalty)
        for i in instalments
        if i.due_date <= on
    )
    if carried <= 0:
        raise ValidationError(_("Nothing is owed on this loan any more."), code="nothing_owed")
    previous, locked.status = locked.status, LoanStatus.RESCHEDULED
    locked.save(update_fields=["status"])
    _event(locked, from_status=previous, by=by, note=reason.strip())
    successor = Loan.objects.create(
        cooperative_id=locked.cooperative_id,
        kind=locked.kind,
        member=locked.member,
        lender=locked.lender,
        product=product,
        product_code=locked.product_code,
        principal=carried,
        tenor_months=tenor_months,
        purpose=locked.purpose,
        status=LoanStatus.ACTIVE,
        approved_at=timezone.now(),
        approved_by=by,
        monthly_rate=locked.monthly_rate,
        interest_method=locked.interest_method,
        grace_months=grace_months,
        disbursed_on=on,
        rescheduled_from=locked,
    )
    lines = schedules.loan_schedule(
        principal=carried,
        rate=locked.monthly_rate,
        tenor_months=tenor_months,
        method=locked.interest_method,
        disbursed_on=on,
        grace_months=grace_months,
    )
    Instalment.objects.bulk_create(
        Instalment(
            loan=successor,
            number=line.number,
            due_date=line.due_date,
            principal=line.principal,
            interest=line.interest,
            fee=line.fee,
            balance=line.balance,
        )
        for line in lines
    )
    _event(
        successor,
        from_status="",
        by=by,
        note=_("Rescheduled from loan #%(number)s: %(reason)s")
        % {"number": locked.pk, "reason": reason.strip()},
    )
    books.loan_reschedule_post(old=locked, new=successor, on=on, by=by)
    return successor
