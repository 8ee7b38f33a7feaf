"""REST serializers for matching repayments from the imported books (loans.matching): a row
proposed or refused with its reason and the loans it may be paid on, the treasurer's picks, and
the repayments recorded from them.

Shapes and types only. Whether a pick may be recorded (the row is still unmatched, the loan is
one of the row's, the amount is not above the row's nor above what is owed) is judged by
loans.matching alone, so that the portal and the API refuse the same picks with the same words.
"""

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from .matching import Candidate, LoanChoice, Source, Verdict, row_key
from .models import Repayment
from .serializers import PARTS


# Sources and verdicts are plain strings documented by their values, as loans.serializers does
# with statuses: as ChoiceFields they would become enums named after the field.
def _one_of(values: list[str]) -> Any:
    return format_lazy("{} {}", _("One of:"), ", ".join(values))


# --- The proposals -------------------------------------------------------------------------------


class LoanChoiceSerializer(serializers.Serializer):
    """An active loan a row may be paid on, with what is still owed on it."""

    loan = serializers.IntegerField(source="loan.pk", read_only=True, help_text=_("Loan id."))
    borrower = serializers.SerializerMethodField(help_text=_("The member who borrowed."))
    owed = serializers.IntegerField(
        read_only=True,
        help_text=_("Still owed on the loan (Rp): principal, interest, fees and penalties."),
    )
    principal_left = serializers.IntegerField(
        read_only=True, help_text=_("Principal still owed (Rp).")
    )

    def get_borrower(self, choice: LoanChoice) -> str:
        loan = choice.loan
        return loan.member.name if loan.member else loan.borrower_name


class LoanMatchCandidateSerializer(serializers.Serializer):
    """One row of the cash book or the loan ledger: proposed as a repayment, or listed as one
    that cannot be matched, with the reason."""

    # Named as the key it answers; the stubs take `source` for Field.source.
    source = serializers.CharField(read_only=True, help_text=_one_of(Source.values))  # type: ignore[assignment]
    row_id = serializers.IntegerField(read_only=True, help_text=_("The row's id in its book."))
    key = serializers.CharField(
        read_only=True, help_text=_("The row's key, as the errors of a confirmation name it.")
    )
    file_name = serializers.CharField(read_only=True, help_text=_("The imported file."))
    excel_row = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("The row in the sheet, as Excel shows it.")
    )
    import_run = serializers.IntegerField(
        source="import_run_id",
        read_only=True,
        allow_null=True,
        help_text=_("The import the row came from."),
    )
    date = serializers.DateField(read_only=True, help_text=_("The day the payment was made."))
    amount = serializers.IntegerField(
        read_only=True, help_text=_("The payment proposed (Rp); it may be lowered.")
    )
    text = serializers.CharField(read_only=True, help_text=_("What the row says."))
    verdict = serializers.CharField(read_only=True, help_text=_one_of(Verdict.values))
    reason = serializers.CharField(read_only=True, help_text=_("Why it is proposed, or not."))
    warning = serializers.CharField(
        read_only=True,
        help_text=_("Proposed, but worth a look before recording; empty when nothing is."),
    )
    choices = LoanChoiceSerializer(
        many=True,
        read_only=True,
        help_text=_(
            "The loans the row may be paid on: one for a match, several to choose from, none "
            "when it cannot be matched."
        ),
    )


class LoanMatchListSerializer(serializers.Serializer):
    proposals = LoanMatchCandidateSerializer(
        many=True, read_only=True, help_text=_("Rows to record as repayments, oldest first.")
    )
    cannot_match = LoanMatchCandidateSerializer(
        many=True, read_only=True, help_text=_("Rows that read like a loan payment but cannot be.")
    )

    @staticmethod
    def shape(candidates: list[Candidate]) -> dict[str, Any]:
        return {
            "proposals": [c for c in candidates if c.verdict != Verdict.CANNOT],
            "cannot_match": [c for c in candidates if c.verdict == Verdict.CANNOT],
        }


# --- Confirming ----------------------------------------------------------------------------------


class PickSerializer(serializers.Serializer):
    """The treasurer's choice for one proposed row."""

    source = serializers.CharField(max_length=20, help_text=_one_of(Source.values))  # type: ignore[assignment]
    row_id = serializers.IntegerField(min_value=1, help_text=_("The row's id in its book."))
    loan_id = serializers.IntegerField(min_value=1, help_text=_("The loan it is paid on."))
    amount = serializers.IntegerField(
        min_value=1, help_text=_("The amount to record (Rp), at most the row's.")
    )

    def validate_source(self, value: str) -> str:
        if value not in Source.values:
            raise serializers.ValidationError(
                _("One of: %(values)s.") % {"values": ", ".join(Source.values)}
            )
        return value


class LoanMatchConfirmSerializer(serializers.Serializer):
    picks = PickSerializer(
        many=True,
        allow_empty=False,
        help_text=_("The rows to record: all of them, or none when one of them fails."),
    )


class RecordedRepaymentSerializer(serializers.ModelSerializer):
    """A repayment recorded from a row of the books, with the row it came from."""

    source = serializers.SerializerMethodField(help_text=_one_of(Source.values))  # type: ignore[assignment]
    row_id = serializers.SerializerMethodField(help_text=_("The row's id in its book."))
    key = serializers.SerializerMethodField(help_text=_("The row's key."))
    import_run = serializers.IntegerField(
        source="import_run_id",
        read_only=True,
        allow_null=True,
        help_text=_("The import the row came from."),
    )
    excel_row = serializers.IntegerField(
        source="import_row",
        read_only=True,
        allow_null=True,
        help_text=_("The row in the sheet, as Excel shows it."),
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
            "source",
            "row_id",
            "key",
            "import_run",
            "excel_row",
        ]
        read_only_fields = fields

    @staticmethod
    def _source(repayment: Repayment) -> Source:
        return Source.CASH_BOOK if repayment.cash_book_entry_id else Source.LEDGER

    @staticmethod
    def _row_id(repayment: Repayment) -> int:
        row_id = repayment.cash_book_entry_id or repayment.ledger_entry_id
        assert row_id is not None  # recorded by loans.matching: always from a row
        return row_id

    def get_source(self, repayment: Repayment) -> str:
        return self._source(repayment).value

    def get_row_id(self, repayment: Repayment) -> int:
        return self._row_id(repayment)

    def get_key(self, repayment: Repayment) -> str:
        return row_key(self._source(repayment), self._row_id(repayment))


class LoanMatchRecordedSerializer(serializers.Serializer):
    recorded = RecordedRepaymentSerializer(
        many=True, read_only=True, help_text=_("The repayments recorded, oldest first.")
    )


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"cashbook-12": ["At most Rp 590.000: the amount in the book."]},
    }
)
class RowErrorsField(serializers.DictField):
    """Messages by row key (loans.matching.row_key)."""


# A refused confirmation: the picks that failed, by row key; or, for a body that is not valid,
# the messages by field as DRF writes them. Either way nothing was recorded. (Built inline: a
# serializer class may not declare a field called `errors`.)
LoanMatchErrorsSerializer = inline_serializer(
    "LoanMatchErrors",
    {
        "errors": RowErrorsField(
            required=False,
            help_text=_("Why rows could not be recorded, by row key; nothing was recorded."),
        ),
        "picks": serializers.JSONField(
            required=False,
            help_text=_(
                "For a body that is not valid: the messages about the list, or those of each "
                "pick that is not valid, by its position (from 0) and field."
            ),
        ),
        "non_field_errors": serializers.ListField(
            child=serializers.CharField(),
            required=False,
            help_text=_("For a body that is not a JSON object."),
        ),
    },
)
