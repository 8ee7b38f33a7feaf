from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative, Member
from imports.models import ImportedRecord

from .enums import (
    DEBIT_NORMAL,
    AccountControl,
    AccountType,
    CashBookStatus,
    CashFlowClass,
    EntrySource,
    PeriodAction,
    SavingsSource,
    SavingsType,
)


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


class SavingsTransaction(ImportedRecord):
    """One line of a member's savings book (Buku Simpanan): a deposit or a withdrawal of one
    kind of savings."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="savings_transactions"
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="savings_transactions"
    )
    date = models.DateField(_("date"))
    savings_type = models.CharField(_("savings"), max_length=10, choices=SavingsType.choices)
    deposit = models.BigIntegerField(_("deposit (Rp)"), default=0)
    withdrawal = models.BigIntegerField(_("withdrawal (Rp)"), default=0)
    receipt_no = models.CharField(_("receipt no."), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=SavingsSource.choices, default=SavingsSource.IMPORT
    )
    # The journal entry that put this movement into the books (empty until posted).
    journal_entry = models.ForeignKey(
        "JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("savings transaction")
        verbose_name_plural = _("savings transactions")
        indexes = [models.Index(fields=["cooperative", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deposit__gte=0, withdrawal__gte=0),
                name="savings_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.member_id} {self.date} {self.savings_type} +{self.deposit} -{self.withdrawal}"
        )


class SavingsBalance(ImportedRecord):
    """A member's savings as a member list states them on a date. Balances are snapshots: a
    list imported again replaces the figures of that date, it never adds to them."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="savings_balances"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="savings_balances")
    as_of = models.DateField(_("as of"))
    pokok = models.BigIntegerField(_("simpanan pokok"), default=0)
    wajib = models.BigIntegerField(_("simpanan wajib"), default=0)
    sukarela = models.BigIntegerField(_("simpanan sukarela"), default=0)

    class Meta:
        ordering = ["-as_of", "member_id"]
        verbose_name = _("savings balance")
        verbose_name_plural = _("savings balances")
        constraints = [
            models.UniqueConstraint(fields=["member", "as_of"], name="savings_balance_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.as_of}"


class CashBookEntry(ImportedRecord):
    """One line of the general cash book (Buku Kas Umum)."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="cash_book_entries"
    )
    date = models.DateField(_("date"))
    voucher_no = models.CharField(_("voucher no."), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=255)
    account = models.CharField(_("account"), max_length=100, blank=True)
    debit = models.BigIntegerField(_("debit (Rp)"), default=0)
    credit = models.BigIntegerField(_("credit (Rp)"), default=0)
    book_status = models.CharField(
        _("in the journal"),
        max_length=20,
        choices=CashBookStatus.choices,
        default=CashBookStatus.PENDING,
    )
    journal_entry = models.ForeignKey(
        "JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("cash book entry")
        verbose_name_plural = _("cash book entries")
        indexes = [models.Index(fields=["cooperative", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(debit__gte=0, credit__gte=0),
                name="cash_book_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.voucher_no} {self.description}"


# --- The books: one chart of accounts, journals, periods ------------------------------------


class Account(models.Model):
    """An account of the uniform chart. Shared accounts (no cooperative) are the same for every
    cooperative and only the provincial admin changes them; a cooperative may add sub-accounts
    under a shared account (its bank accounts, one per gerai…), never change a shared code."""

    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        help_text=_("Empty for the shared chart every cooperative uses."),
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=AccountType.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent account"),
    )
    business_unit = models.CharField(
        _("business unit"),
        max_length=40,
        blank=True,
        help_text=_("The unit whose revenue, expenses or stock this account holds."),
    )
    is_cash = models.BooleanField(
        _("cash or bank"), default=False, help_text=_("Counted as cash in the arus kas.")
    )
    cash_flow = models.CharField(
        _("cash flow class"),
        max_length=10,
        choices=CashFlowClass.choices,
        default=CashFlowClass.OPERATING,
    )
    control = models.CharField(
        _("fed by"), max_length=20, choices=AccountControl.choices, blank=True, default=""
    )
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(cooperative__isnull=True),
                name="account_shared_code_unique",
            ),
            models.UniqueConstraint(
                fields=["cooperative", "code"],
                condition=models.Q(cooperative__isnull=False),
                name="account_code_unique_per_cooperative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def debit_normal(self) -> bool:
        return self.type in DEBIT_NORMAL

    @property
    def is_shared(self) -> bool:
        return self.cooperative_id is None


class AccountMapping(models.Model):
    """How a cooperative's own account name in its cash book (“Penjualan pulsa”, “Bayar
    listrik”) maps onto the chart: confirmed once by the operator, then remembered."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="account_mappings"
    )
    # The name as compared: lower case, single spaces, no punctuation at the ends.
    key = models.CharField(max_length=100)
    name = models.CharField(_("name in the cash book"), max_length=100)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="mappings")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("account mapping")
        verbose_name_plural = _("account mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "key"], name="account_mapping_once_per_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.account_id}"


class ClosedPeriod(models.Model):
    """A month whose books are closed: nothing may be posted into it until it is reopened.
    A month without a row is open."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="closed_periods"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "month"], name="closed_period_once")
        ]

    def __str__(self) -> str:
        return f"{self.cooperative_id} {self.month:%Y-%m}"


class PeriodEvent(models.Model):
    """Append-only record of every close and reopen: who, when and why."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="period_events"
    )
    month = models.DateField(_("month"))
    action = models.CharField(_("action"), max_length=10, choices=PeriodAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("period event")

    def __str__(self) -> str:
        return f"{self.cooperative_id} {self.month:%Y-%m} {self.action}"


class ImmutableError(Exception):
    """A posted journal row was about to change: corrections are reversing entries."""


class JournalEntry(models.Model):
    """One balanced posting. Posted entries never change and are never deleted: a mistake is
    corrected by a reversing entry (`reverses`) and a new one."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="journal_entries"
    )
    number = models.PositiveIntegerField(_("number"))
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=255)
    source = models.CharField(_("source"), max_length=12, choices=EntrySource.choices)
    # What the entry was posted from ("cashbook:123", "repayment:9"): posting the same thing
    # twice finds the first entry instead of doubling the books.
    source_key = models.CharField(max_length=60, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posted_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-number"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "number"], name="journal_number_per_cooperative"
            ),
            models.UniqueConstraint(
                fields=["cooperative", "source_key"],
                condition=~models.Q(source_key=""),
                name="journal_posted_once_per_source",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "date"])]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ImmutableError(f"journal entry {self.pk} is posted and cannot change")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ImmutableError(f"journal entry {self.pk} is posted and cannot be deleted")

    @property
    def reference(self) -> str:
        return f"JU-{self.number:06d}"


class JournalLine(models.Model):
    """One side of an entry. The cooperative and date are copied from the entry so that
    statements and province roll-ups sum lines without joining entries."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit = models.BigIntegerField(_("debit (Rp)"), default=0)
    credit = models.BigIntegerField(_("credit (Rp)"), default=0)
    business_unit = models.CharField(_("business unit"), max_length=40, blank=True)
    # The member a line concerns (a deposit, an instalment, a purchase): SHU's jasa usaha is
    # shared by what each member brought in.
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="journal_lines"
    )
    memo = models.CharField(_("memo"), max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        indexes = [
            models.Index(fields=["cooperative", "date"]),
            models.Index(fields=["cooperative", "account", "date"]),
            models.Index(fields=["member", "date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(debit__gt=0) & models.Q(credit=0))
                | (models.Q(debit=0) & models.Q(credit__gt=0)),
                name="journal_line_one_side",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.account_id} D{self.debit} K{self.credit}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ImmutableError(f"journal line {self.pk} is posted and cannot change")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ImmutableError(f"journal line {self.pk} is posted and cannot be deleted")


# --- Per-cooperative settings from the AD/ART ---------------------------------------------------


class SavingsPolicy(models.Model):
    """The savings a cooperative's AD/ART asks of each member."""

    cooperative = models.OneToOneField(
        Cooperative, on_delete=models.CASCADE, related_name="savings_policy"
    )
    pokok_amount = models.BigIntegerField(
        _("simpanan pokok (Rp)"), help_text=_("Paid once, on joining.")
    )
    wajib_amount = models.BigIntegerField(
        _("simpanan wajib per month (Rp)"), help_text=_("Paid every month by every member.")
    )
    wajib_from = models.DateField(
        _("simpanan wajib billed from"),
        help_text=_("The first month billed; a member who joined later is billed from joining."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("savings policy")
        verbose_name_plural = _("savings policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pokok_amount__gte=0, wajib_amount__gte=0),
                name="savings_policy_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cooperative_id}: {self.pokok_amount} / {self.wajib_amount}"


class ShuPolicy(models.Model):
    """How the year's SHU is shared, as the cooperative's AD/ART (or its RAT) sets it, from a
    given financial year on. Percentages of the SHU; together they make 100."""

    PARTS = (
        "reserve",
        "member_capital",
        "member_business",
        "management",
        "employees",
        "education",
        "social",
        "regional_development",
        "other",
    )

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="shu_policies"
    )
    from_year = models.PositiveSmallIntegerField(_("applies from the year"))
    reserve = models.DecimalField(_("cadangan (%)"), max_digits=5, decimal_places=2)
    member_capital = models.DecimalField(
        _("jasa modal anggota (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Shared among members by their simpanan pokok and wajib."),
    )
    member_business = models.DecimalField(
        _("jasa usaha anggota (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Shared among members by what they bought from and paid to the cooperative."),
    )
    management = models.DecimalField(_("dana pengurus (%)"), max_digits=5, decimal_places=2)
    employees = models.DecimalField(_("dana karyawan (%)"), max_digits=5, decimal_places=2)
    education = models.DecimalField(_("dana pendidikan (%)"), max_digits=5, decimal_places=2)
    social = models.DecimalField(_("dana sosial (%)"), max_digits=5, decimal_places=2)
    regional_development = models.DecimalField(
        _("dana pembangunan daerah kerja (%)"), max_digits=5, decimal_places=2, default=0
    )
    other = models.DecimalField(_("other (%)"), max_digits=5, decimal_places=2, default=0)
    other_label = models.CharField(_("name of the other part"), max_length=100, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cooperative_id", "-from_year"]
        verbose_name = _("SHU allocation")
        verbose_name_plural = _("SHU allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "from_year"], name="shu_policy_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cooperative_id} {self.from_year}"

    def clean(self) -> None:
        total = sum((getattr(self, part) or 0) for part in self.PARTS)
        if total != 100:
            raise ValidationError(
                _("The parts add up to %(total)s %%; together they must make 100 %%.")
                % {"total": total},
                code="shu_not_100",
            )
        if self.other and not self.other_label:
            raise ValidationError(
                {"other_label": _("Name the other part.")}, code="shu_other_unnamed"
            )


class AnnualMeeting(models.Model):
    """The RAT (Rapat Anggota Tahunan) that approved a financial year's accounts and shared its
    SHU, with the counts the national annual data (ODS) asks for: members present, pengurus,
    pengawas and employees."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="annual_meetings"
    )
    year = models.PositiveSmallIntegerField(
        _("financial year"), help_text=_("The year whose books the RAT approved.")
    )
    held_on = models.DateField(_("held on"))
    members_present = models.PositiveIntegerField(_("members present"))
    pengurus = models.PositiveSmallIntegerField(_("pengurus (board members)"))
    pengawas = models.PositiveSmallIntegerField(_("pengawas (supervisors)"))
    employees = models.PositiveSmallIntegerField(_("employees"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cooperative_id", "-year"]
        verbose_name = _("RAT (annual members' meeting)")
        verbose_name_plural = _("RATs (annual members' meetings)")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "year"], name="annual_meeting_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cooperative_id} RAT {self.year}"

    @property
    def managers(self) -> int:
        """Pengurus and pengawas together (the ODS's count of the cooperative's officers)."""
        return self.pengurus + self.pengawas

    def clean(self) -> None:
        if self.held_on and self.year and self.held_on.year <= self.year:
            message = _(
                "The RAT on the books of %(year)s is held after the year has ended, from "
                "1 January %(next)s on."
            ) % {"year": self.year, "next": self.year + 1}
            raise ValidationError({"held_on": ValidationError(message, code="rat_before_year_end")})
