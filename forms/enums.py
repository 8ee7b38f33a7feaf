from django.db import models
from django.utils.translation import gettext_lazy as _


class FormPurpose(models.TextChoices):
    COOPERATIVE_SETUP = "cooperative_setup", _("Cooperative setup")
    FINANCIAL_REPORT = "financial_report", _("Monthly financial report")
    LOAN_APPLICATION = "loan_application", _("Loan application")
    COOPERATIVE_FINANCING = "cooperative_financing", _("The cooperative's own financing")
    MEMBER_REGISTRATION = "member_registration", _("Member registration")
    GENERAL = "general", _("General")


class PeriodRule(models.TextChoices):
    """How many submissions of a form one cooperative may make."""

    ONCE = "once", _("Once per cooperative")
    MONTHLY = "monthly", _("Once per cooperative per month")
    YEARLY = "yearly", _("Once per cooperative per year")
    UNLIMITED = "unlimited", _("Unlimited")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


EDITABLE_STATUSES = frozenset({SubmissionStatus.DRAFT, SubmissionStatus.CHANGES_REQUESTED})
# A submission in one of these counts against the form's period rule.
COUNTED_STATUSES = frozenset(
    {
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.IN_REVIEW,
        SubmissionStatus.CHANGES_REQUESTED,
        SubmissionStatus.APPROVED,
    }
)


class FieldType(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    RUPIAH = "rupiah", _("Rupiah amount")
    PERCENTAGE = "percentage", _("Percentage")
    DATE = "date", _("Date")
    MONTH = "month", _("Month (period)")
    YES_NO = "yes_no", _("Yes/no")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone (+62)")
    NIK = "nik", _("NIK")
    MEMBER = "member", _("Member of this cooperative")
    VILLAGE = "village", _("Village within scope")
    FILE = "file", _("File upload")
    GROUP = "group", _("Repeating group (table)")
    STEP = "step", _("Step break")
    INFO = "info", _("Info text")
    CALCULATED = "calculated", _("Calculated value")


# Types that hold no answer of their own.
NON_INPUT_TYPES = frozenset({FieldType.STEP, FieldType.INFO})


class ConditionOperator(models.TextChoices):
    EQUALS = "eq", _("equals")
    NOT_EQUALS = "ne", _("does not equal")
    IN = "in", _("is one of")
    GREATER = "gt", _("is greater than")
    GREATER_OR_EQUAL = "gte", _("is at least")
    LESS = "lt", _("is less than")
    LESS_OR_EQUAL = "lte", _("is at most")
    FILLED = "filled", _("is filled")
    EMPTY = "empty", _("is empty")
