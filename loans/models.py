import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative, Member
from imports.models import ImportedRecord

from . import schedules
from .enums import Collectibility, GraceKind, InterestMethod, LoanKind, LoanStatus, RatePeriod


class LoanProduct(models.Model):
    """A kind of loan a cooperative offers, with the limits every application is checked
    against and the terms its schedule is made from. Edited in the Wagtail admin."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("who borrows"), max_length=12, choices=LoanKind.choices, default=LoanKind.MEMBER
    )
    min_amount = models.BigIntegerField(
        _("smallest amount (Rp)"), validators=[MinValueValidator(1)]
    )
    max_amount = models.BigIntegerField(_("largest amount (Rp)"), validators=[MinValueValidator(1)])
    min_tenor_months = models.PositiveSmallIntegerField(
        _("shortest term (months)"), validators=[MinValueValidator(1)]
    )
    max_tenor_months = models.PositiveSmallIntegerField(
        _("longest term (months)"), validators=[MinValueValidator(1)]
    )
    rate_percent = models.DecimalField(
        _("interest rate (%)"), max_digits=6, decimal_places=3, validators=[MinValueValidator(0)]
    )
    rate_period = models.CharField(
        _("the rate is"), max_length=5, choices=RatePeriod.choices, default=RatePeriod.MONTH
    )
    interest_method = models.CharField(
        _("interest method"),
        max_length=20,
        choices=InterestMethod.choices,
        default=InterestMethod.DECLINING_PRINCIPAL,
    )
    admin_fee = models.BigIntegerField(
        _("admin fee (Rp)"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Charged once, when the loan is paid out."),
    )
    grace_kind = models.CharField(
        _("grace period"), max_length=15, choices=GraceKind.choices, default=GraceKind.NONE
    )
    min_grace_months = models.PositiveSmallIntegerField(_("shortest grace (months)"), default=0)
    max_grace_months = models.PositiveSmallIntegerField(_("longest grace (months)"), default=0)
    penalty_percent_per_month = models.DecimalField(
        _("late penalty (% a month of the amount overdue)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    penalty_free_days = models.PositiveSmallIntegerField(_("days late before a penalty"), default=0)
    required_documents = models.TextField(
        _("required documents"), blank=True, help_text=_("One per line.")
    )
    application_form = models.ForeignKey(
        "kopdes_forms.KopdesFormPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("application form"),
    )
    approval_workflow = models.ForeignKey(
        "wagtailcore.Workflow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval workflow"),
        help_text=_("Empty: the application form's own workflow."),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.min_amount and self.max_amount and self.min_amount > self.max_amount:
            errors["max_amount"] = gettext("The largest amount is below the smallest.")
        if (
            self.min_tenor_months
            and self.max_tenor_months
            and self.min_tenor_months > self.max_tenor_months
        ):
            errors["max_tenor_months"] = gettext("The longest term is below the shortest.")
        if self.min_grace_months > self.max_grace_months:
            errors["max_grace_months"] = gettext("The longest grace is below the shortest.")
        if self.grace_kind == GraceKind.NONE and self.max_grace_months:
            errors["grace_kind"] = gettext("Choose “interest only” to give grace months.")
        if self.max_tenor_months and self.max_grace_months >= self.max_tenor_months:
            errors["max_grace_months"] = gettext("The grace must leave months to repay in.")
        if errors:
            raise ValidationError(errors)

    @property
    def monthly_rate(self) -> Decimal:
        """The rate per month as a fraction (1,5 % a month → 0.015)."""
        rate = Decimal(self.rate_percent) / 100
        return rate / 12 if self.rate_period == RatePeriod.YEAR else rate

    def terms_problems(
        self, *, amount: int, tenor_months: int, grace_months: int = 0
    ) -> dict[str, str]:
        """What is wrong with asking this product for `amount` over `tenor_months` (field →
        message in the user's language); empty when the terms fit."""
        problems: dict[str, str] = {}
        if amount <= 0:
            problems["amount"] = gettext("The amount must be above 0.")
        elif not self.min_amount <= amount <= self.max_amount:
            problems["amount"] = gettext("%(product)s lends from Rp %(low)s to Rp %(high)s.") % {
                "product": self.name,
                "low": f"{self.min_amount:,}".replace(",", "."),
                "high": f"{self.max_amount:,}".replace(",", "."),
            }
        if not self.min_tenor_months <= tenor_months <= self.max_tenor_months:
            problems["tenor_months"] = gettext(
                "The term of %(product)s is %(low)s to %(high)s months."
            ) % {"product": self.name, "low": self.min_tenor_months, "high": self.max_tenor_months}
        if grace_months and self.grace_kind == GraceKind.NONE:
            problems["grace_months"] = gettext("%(product)s has no grace period.") % {
                "product": self.name
            }
        elif grace_months and not self.min_grace_months <= grace_months <= self.max_grace_months:
            problems["grace_months"] = gettext(
                "The grace of %(product)s is %(low)s to %(high)s months."
            ) % {"product": self.name, "low": self.min_grace_months, "high": self.max_grace_months}
        elif grace_months >= tenor_months > 0:
            problems["grace_months"] = gettext("The grace must leave months to repay in.")
        return problems

    def schedule(
        self, *, amount: int, tenor_months: int, disbursed_on: datetime.date, grace_months: int = 0
    ) -> list[schedules.Instalment]:
        """The repayment schedule of these terms (see loans.schedules). Raises ValidationError
        when they do not fit the product."""
        problems = self.terms_problems(
            amount=amount, tenor_months=tenor_months, grace_months=grace_months
        )
        if problems:
            raise ValidationError(problems)
        return schedules.loan_schedule(
            principal=amount,
            rate=self.monthly_rate,
            tenor_months=tenor_months,
            method=self.interest_method,
            disbursed_on=disbursed_on,
            grace_months=grace_months,
        )


class Loan(models.Model):
    """A member's loan, created when its *Pengajuan Pinjaman* is finally approved; or the
    cooperative's own financing from a bank (no member; `lender` names the bank)."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="loans")
    kind = models.CharField(
        _("who borrows"), max_length=12, choices=LoanKind.choices, default=LoanKind.MEMBER
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="loans"
    )
    lender = models.CharField(_("lender"), max_length=150, blank=True)
    # Empty only on a loan made by rescheduling another (see rescheduled_from).
    application = models.OneToOneField(
        "kopdes_forms.Submission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loan",
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
    product = models.ForeignKey(
        LoanProduct,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
        verbose_name=_("loan product"),
    )
    # The terms fixed at payout, so that the schedule never changes when the product does.
    monthly_rate = models.DecimalField(
        _("interest per month"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    interest_method = models.CharField(
        _("interest method"), max_length=20, choices=InterestMethod.choices, blank=True
    )
    grace_months = models.PositiveSmallIntegerField(_("grace (months)"), default=0)
    disbursed_on = models.DateField(_("paid out on"), null=True, blank=True)
    # Maker-checker: one officer records the payout, another confirms it.
    payout_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payout_recorded_at = models.DateTimeField(null=True, blank=True)
    payout_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payout_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Kept by the nightly arrears job (loans.arrears), for lists and dashboards to filter on.
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    overdue_amount = models.BigIntegerField(_("overdue (Rp)"), default=0)
    collectibility = models.CharField(
        _("collectibility"),
        max_length=15,
        choices=Collectibility.choices,
        default=Collectibility.LANCAR,
    )
    arrears_as_of = models.DateField(_("arrears as of"), null=True, blank=True)
    # A rescheduled loan ends; what was still owed continues as a new loan pointing back at it.
    rescheduled_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rescheduled_as",
        verbose_name=_("rescheduled from"),
    )

    class Meta:
        ordering = ["-approved_at", "-id"]
        verbose_name = _("loan")
        indexes = [
            models.Index(fields=["cooperative", "status"]),
            models.Index(fields=["status", "collectibility"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="member") & models.Q(member__isnull=False))
                | (models.Q(kind="cooperative") & models.Q(member__isnull=True)),
                name="loan_member_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.borrower_name} Rp {self.principal}"

    @property
    def borrower_name(self) -> str:
        if self.member_id is None:
            return str(self.cooperative)
        return str(self.member)


class Instalment(models.Model):
    """One line of a loan's schedule, fixed at payout (see loans.schedules)."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("no."))
    due_date = models.DateField(_("due"))
    principal = models.BigIntegerField(_("principal (Rp)"))
    interest = models.BigIntegerField(_("interest (Rp)"))
    fee = models.BigIntegerField(_("fee (Rp)"), default=0)
    balance = models.BigIntegerField(_("principal owed after it (Rp)"))
    # Late penalty charged so far (the arrears job adds to it) and what repayments covered.
    penalty = models.BigIntegerField(_("penalty (Rp)"), default=0)
    # The day the penalty was accrued to (loans.arrears), so that no day is counted twice.
    penalty_accrued_to = models.DateField(null=True, blank=True)
    paid_penalty = models.BigIntegerField(default=0)
    paid_fee = models.BigIntegerField(default=0)
    paid_interest = models.BigIntegerField(default=0)
    paid_principal = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["loan_id", "number"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="instalment_number_per_loan")
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.number} {self.due_date}"

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fee

    @property
    def owed(self) -> int:
        """What is still to pay on this instalment, penalty included."""
        return (
            self.penalty
            - self.paid_penalty
            + self.fee
            - self.paid_fee
            + self.interest
            - self.paid_interest
            + self.principal
            - self.paid_principal
        )


class Repayment(ImportedRecord):
    """Money a borrower paid, split over the instalments. Never edited: a mistake is undone
    by a reversal, a repayment of the opposite sign that points at the one it cancels."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField(_("paid on"))
    amount = models.BigIntegerField(_("amount (Rp)"))
    penalty = models.BigIntegerField(_("to penalty"), default=0)
    fee = models.BigIntegerField(_("to fees"), default=0)
    interest = models.BigIntegerField(_("to interest"), default=0)
    principal = models.BigIntegerField(_("to principal"), default=0)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    # The row of a book the village keeps that this payment was matched from (loans.matching).
    cash_book_entry = models.ForeignKey(
        "finance.CashBookEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loan_repayments",
    )
    ledger_entry = models.ForeignKey(
        "loans.LoanLedgerEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repayments",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")

    def __str__(self) -> str:
        return f"{self.loan_id} {self.paid_on} {self.amount}"


class RepaymentLine(models.Model):
    """The part of a repayment that went to one instalment."""

    repayment = models.ForeignKey(Repayment, on_delete=models.CASCADE, related_name="lines")
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="+")
    penalty = models.BigIntegerField(default=0)
    fee = models.BigIntegerField(default=0)
    interest = models.BigIntegerField(default=0)
    principal = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["repayment_id", "instalment__number"]

    def __str__(self) -> str:
        return f"{self.repayment_id} → #{self.instalment_id}"


class LoanEvent(models.Model):
    """Append-only history of a loan's status: who moved it, when, and why."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=LoanStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=LoanStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("loan event")
        verbose_name_plural = _("loan events")

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.from_status or '-'} → {self.to_status}"


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
