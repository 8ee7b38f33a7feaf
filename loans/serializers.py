"""REST serializers for the loans API: a loan in a list, one loan with its schedule and history,
repayments with their split, the portfolio summary, and the request bodies.

Serializers only shape data and check the types of what comes in (an amount is a whole number, a
date is a date). Whether a payment, a payout or a write-off may happen — amounts above 0, dates,
overpayment, status, maker-checker — is judged by loans.services alone, so the portal and the API
refuse the same things with the same words.
"""

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cooperatives.serializers import DISTRICT_CODE_RE, REGENCY_CODE_RE
from workflows.serializers import PersonSerializer

from .enums import Collectibility, InterestMethod, LoanKind, LoanStatus
from .models import Instalment, Loan, LoanEvent, Repayment, RepaymentLine
from .selectors import ALL_STATUSES

NOTE_MAX_LENGTH = 255  # as Repayment.note
REASON_MAX_LENGTH = 2000
# Parts of an instalment in the order a payment covers them (loans.services).
PARTS = ("penalty", "fee", "interest", "principal")
ALL_KINDS = "all"


def _one_of(values: list[str]) -> Any:
    return format_lazy("{} {}", _("One of:"), ", ".join(values))


# Statuses, kinds and classes are plain strings documented by their values: as ChoiceFields they
# would become enums named after the field ("status", "kind"), which other apps already use.
def _status_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=_one_of(LoanStatus.values), **kwargs)


# --- Query parameters ----------------------------------------------------------------------------


class LoanFilterSerializer(serializers.Serializer):
    """The portal's portfolio filters (loans.selectors.PortfolioFilters)."""

    collectibility = serializers.ChoiceField(
        choices=Collectibility.choices,
        required=False,
        help_text=_("Only active loans of this collectibility class."),
    )
    product = serializers.SlugField(
        required=False, max_length=50, help_text=_("Only loans of this product code.")
    )
    cooperative = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Only this cooperative's loans.")
    )
    status = serializers.ChoiceField(
        choices=[*LoanStatus.choices, (ALL_STATUSES, _("All"))],
        required=False,
        help_text=_(
            "Only loans with this status; all: every loan, finished ones too. Without it: the "
            "loans still running (waiting for payout or active)."
        ),
    )
    kind = serializers.ChoiceField(
        choices=[*LoanKind.choices, (ALL_KINDS, _("All"))],
        required=False,
        default=LoanKind.MEMBER,
        help_text=_(
            "member (default): members' loans; cooperative: the cooperatives' own financing "
            "from a bank; all: both."
        ),
    )
    regency = serializers.RegexField(
        REGENCY_CODE_RE,
        required=False,
        help_text=_("Regency/city code, e.g. 64.02: cooperatives with a village there."),
    )
    district = serializers.RegexField(
        DISTRICT_CODE_RE,
        required=False,
        help_text=_("District (kecamatan) code, e.g. 64.02.16: cooperatives with a village there."),
    )
    overdue = serializers.BooleanField(
        required=False, default=False, help_text=_("true: only active loans past due.")
    )


# --- A loan in a list ----------------------------------------------------------------------------


class LoanSerializer(serializers.ModelSerializer):
    """A loan as the portfolio lists it."""

    # Expects the rows of loans.selectors.with_outstanding: `principal_left` and `owed_total`
    # annotated, cooperative, member and product joined.

    cooperative_name = serializers.CharField(source="cooperative.name", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=_one_of(LoanKind.values))
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    member = serializers.IntegerField(
        source="member_id",
        read_only=True,
        allow_null=True,
        help_text=_("Member id; null for the cooperative's own financing."),
    )
    borrower_name = serializers.CharField(
        read_only=True, help_text=_("The member, or the cooperative for its own financing.")
    )
    lender = serializers.CharField(
        read_only=True, help_text=_("The bank lending to the cooperative (its own financing).")
    )
    product_name = serializers.CharField(
        source="product.name", read_only=True, allow_null=True, default=None
    )
    status = _status_field()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    collectibility = serializers.CharField(read_only=True, help_text=_one_of(Collectibility.values))
    collectibility_label = serializers.CharField(
        source="get_collectibility_display", read_only=True
    )
    outstanding = serializers.IntegerField(
        source="principal_left",
        read_only=True,
        help_text=_("Principal still to repay (Rp)."),
    )
    owed = serializers.IntegerField(
        source="owed_total",
        read_only=True,
        help_text=_("Everything still to pay (Rp): principal, interest, fees and penalty."),
    )

    class Meta:
        model = Loan
        fields = [
            "id",
            "cooperative",
            "cooperative_name",
            "kind",
            "kind_label",
            "member",
            "borrower_name",
            "lender",
            "product_code",
            "product_name",
            "principal",
            "tenor_months",
            "status",
            "status_label",
            "disbursed_on",
            "outstanding",
            "owed",
            "days_past_due",
            "overdue_amount",
            "collectibility",
            "collectibility_label",
            "arrears_as_of",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "arrears_as_of": {
                "help_text": _(
                    "When days past due, overdue amount and class were last computed (nightly)."
                )
            }
        }


# --- One loan ------------------------------------------------------------------------------------


class PartsSerializer(serializers.Serializer):
    penalty = serializers.IntegerField(read_only=True)
    fee = serializers.IntegerField(read_only=True)
    interest = serializers.IntegerField(read_only=True)
    principal = serializers.IntegerField(read_only=True)
    total = serializers.IntegerField(read_only=True)


def _parts(values: dict[str, int]) -> dict[str, int]:
    return {**values, "total": sum(values.values())}


class InstalmentSerializer(serializers.ModelSerializer):
    total = serializers.SerializerMethodField(
        help_text=_("Principal, interest, fee and penalty charged (Rp).")
    )
    paid = serializers.SerializerMethodField(help_text=_("What repayments covered so far (Rp)."))
    owed = serializers.SerializerMethodField(help_text=_("What is still to pay (Rp)."))

    class Meta:
        model = Instalment
        fields = [
            "number",
            "due_date",
            "principal",
            "interest",
            "fee",
            "penalty",
            "total",
            "balance",
            "paid",
            "owed",
        ]
        read_only_fields = fields

    def get_total(self, instalment: Instalment) -> int:
        return instalment.total + instalment.penalty

    @extend_schema_field(PartsSerializer)
    def get_paid(self, instalment: Instalment) -> dict[str, int]:
        return _parts({part: getattr(instalment, f"paid_{part}") for part in PARTS})

    @extend_schema_field(PartsSerializer)
    def get_owed(self, instalment: Instalment) -> dict[str, int]:
        return _parts(
            {
                part: getattr(instalment, part) - getattr(instalment, f"paid_{part}")
                for part in PARTS
            }
        )


class LoanEventSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(
        read_only=True, help_text=_("Empty for the approval that created the loan.")
    )
    to_status = _status_field()
    to_status_label = serializers.CharField(source="get_to_status_display", read_only=True)
    actor = PersonSerializer(
        read_only=True, allow_null=True, help_text=_("null when nobody in particular acted.")
    )

    class Meta:
        model = LoanEvent
        fields = [
            "id",
            "from_status",
            "to_status",
            "to_status_label",
            "actor",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class LoanDetailSerializer(LoanSerializer):
    """One loan: its terms, the payout's maker and checker, the schedule with what was paid and
    what is owed on each instalment, and its history."""

    # Expects loans.api.loan_detail: instalments prefetched, `history` (the events),
    # `principal_left`, `owed_total`, `may_handle` and `may_decide` set.

    application = serializers.IntegerField(
        source="application_id",
        read_only=True,
        allow_null=True,
        help_text=_("The application (submission) id; null for a rescheduled loan."),
    )
    application_reference = serializers.CharField(
        source="application.reference", read_only=True, allow_null=True, default=None
    )
    approved_by = PersonSerializer(read_only=True, allow_null=True)
    interest_method = serializers.CharField(
        read_only=True,
        help_text=format_lazy(
            "{} {}", _one_of(InterestMethod.values), _("Empty until the payout is recorded.")
        ),
    )
    interest_method_label = serializers.CharField(
        source="get_interest_method_display", read_only=True
    )
    monthly_rate = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        read_only=True,
        allow_null=True,
        help_text=_("Interest per month as a fraction (0.015 = 1.5 %), fixed at payout."),
    )
    payout_recorded_by = PersonSerializer(read_only=True, allow_null=True)
    payout_confirmed_by = PersonSerializer(read_only=True, allow_null=True)
    rescheduled_from = serializers.IntegerField(
        source="rescheduled_from_id", read_only=True, allow_null=True
    )
    rescheduled_as = serializers.SerializerMethodField(
        help_text=_("The loan this one was rescheduled into; null when it was not.")
    )
    may_handle = serializers.BooleanField(
        read_only=True, help_text=_("Whether you may record the payout and repayments.")
    )
    may_decide = serializers.BooleanField(
        read_only=True,
        help_text=_("Whether you may confirm or send back a payout, write off or reschedule."),
    )
    instalments = InstalmentSerializer(many=True, read_only=True)
    events = LoanEventSerializer(
        source="history", many=True, read_only=True, help_text=_("Status changes, oldest first.")
    )

    class Meta(LoanSerializer.Meta):
        fields = [
            *LoanSerializer.Meta.fields,
            "application",
            "application_reference",
            "purpose",
            "approved_at",
            "approved_by",
            "monthly_rate",
            "interest_method",
            "interest_method_label",
            "grace_months",
            "payout_recorded_by",
            "payout_recorded_at",
            "payout_confirmed_by",
            "payout_confirmed_at",
            "rescheduled_from",
            "rescheduled_as",
            "may_handle",
            "may_decide",
            "instalments",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_rescheduled_as(self, loan: Loan) -> int | None:
        successor = getattr(loan, "rescheduled_as", None)
        return successor.pk if successor is not None else None


# --- Repayments ----------------------------------------------------------------------------------


class RepaymentLineSerializer(serializers.ModelSerializer):
    instalment = serializers.IntegerField(
        source="instalment.number", read_only=True, help_text=_("Instalment number.")
    )
    due_date = serializers.DateField(source="instalment.due_date", read_only=True)

    class Meta:
        model = RepaymentLine
        fields = ["instalment", "due_date", *PARTS]
        read_only_fields = fields


class RepaymentSerializer(serializers.ModelSerializer):
    """Money paid on a loan and how it was split; a reversal has the opposite amounts and
    points at the payment it cancels."""

    reverses = serializers.IntegerField(
        source="reverses_id",
        read_only=True,
        allow_null=True,
        help_text=_("The payment this entry cancels; null for a payment."),
    )
    reversed_by = serializers.SerializerMethodField(
        help_text=_("The entry that cancelled this payment; null while it stands.")
    )
    recorded_by = PersonSerializer(read_only=True, allow_null=True)
    import_run = serializers.IntegerField(
        source="import_run_id",
        read_only=True,
        allow_null=True,
        help_text=_("The spreadsheet import it came from; null when typed in."),
    )
    lines = RepaymentLineSerializer(
        many=True, read_only=True, help_text=_("The part that went to each instalment.")
    )

    class Meta:
        model = Repayment
        fields = [
            "id",
            "loan",
            "paid_on",
            "amount",
            *PARTS,
            "note",
            "reverses",
            "reversed_by",
            "recorded_by",
            "import_run",
            "created_at",
            "lines",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reversed_by(self, repayment: Repayment) -> int | None:
        # A missing reverse one-to-one raises an AttributeError subclass.
        counter = getattr(repayment, "reversed_by", None)
        return counter.pk if counter is not None else None


# --- The portfolio -------------------------------------------------------------------------------


class ClassFiguresSerializer(serializers.Serializer):
    collectibility = serializers.CharField(read_only=True, help_text=_one_of(Collectibility.values))
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    loans = serializers.IntegerField(read_only=True, help_text=_("Active loans in this class."))
    outstanding = serializers.IntegerField(
        read_only=True, help_text=_("Principal still to repay (Rp).")
    )
    overdue = serializers.IntegerField(read_only=True, help_text=_("Overdue (Rp)."))
    non_performing = serializers.BooleanField(
        read_only=True, help_text=_("Whether the class counts as non-performing (NPL).")
    )


class PortfolioSerializer(serializers.Serializer):
    """loans.selectors.PortfolioSummary: the active loans among those the filters select."""

    active_loans = serializers.IntegerField(
        read_only=True, help_text=_("Active loans among those the filters select.")
    )
    outstanding = serializers.IntegerField(
        read_only=True, help_text=_("Principal still to repay on them (Rp).")
    )
    non_performing = serializers.IntegerField(
        read_only=True,
        help_text=_("The part of it in Kurang Lancar, Diragukan and Macet (Rp)."),
    )
    npl_ratio = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text=_(
            "Non-performing ÷ outstanding as a fraction (0.0525 = 5.25 %); null when nothing "
            "is outstanding."
        ),
    )
    overdue = serializers.IntegerField(read_only=True, help_text=_("Overdue on them (Rp)."))
    by_class = ClassFiguresSerializer(many=True, read_only=True)
    arrears_as_of = serializers.DateField(
        source="as_of_oldest",
        read_only=True,
        allow_null=True,
        help_text=_(
            "The day the arrears figures were computed (the earliest among these loans); null "
            "when never."
        ),
    )
    arrears_as_of_newest = serializers.DateField(
        source="as_of_newest", read_only=True, allow_null=True
    )
    arrears_not_computed = serializers.IntegerField(
        source="not_computed",
        read_only=True,
        help_text=_("Active loans paid out since the arrears were last computed."),
    )


class ArrearsRecomputedSerializer(serializers.Serializer):
    changed = serializers.IntegerField(
        read_only=True, help_text=_("How many loans' arrears figures changed.")
    )
    as_of = serializers.DateField(read_only=True)


# --- Request bodies ------------------------------------------------------------------------------


class RepaymentCreateSerializer(serializers.Serializer):
    # The amount's rules (above 0, not more than is owed) are the service's: only the type is
    # checked here, so that the portal and the API say the same.
    amount = serializers.IntegerField(help_text=_("Whole Rupiah, above 0."))
    paid_on = serializers.DateField(
        help_text=_("The day the money was paid: not in the future, not before the payout.")
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class ReverseSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=NOTE_MAX_LENGTH,
        help_text=_("Required: why the payment is cancelled."),
    )


class PayoutSerializer(serializers.Serializer):
    disbursed_on = serializers.DateField(
        help_text=_("The day the money was paid out: not in the future, not before the approval.")
    )


class PayoutRejectSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text=_("Required: what is wrong with the recorded payout."),
    )


class WriteOffSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text=_("Required: why the loan is written off (the pengurus' decision)."),
    )


class RescheduleSerializer(serializers.Serializer):
    tenor_months = serializers.IntegerField(help_text=_("The new term in months."))
    on = serializers.DateField(
        help_text=_(
            "The day the new schedule starts from: not in the future, not before the payout."
        )
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text=_("Required: why the loan is rescheduled."),
    )
    grace_months = serializers.IntegerField(
        required=False, default=0, help_text=_("Interest-only months at the start.")
    )
