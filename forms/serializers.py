"""REST serializers for the forms API: forms and their versions, submissions, and the request and
error shapes of filling one.

Serializers only shape data. Answers are validated by the same StepForm the portal uses (see
forms.api), never by a serializer, so that both paths give the same messages.
"""

from typing import Any

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cooperatives.models import Cooperative

from .enums import EDITABLE_STATUSES, SubmissionStatus
from .models import KopdesFormPage, Submission
from .services import schema_for_revision, submission_problems

# --- Forms -----------------------------------------------------------------------------------


class FormSerializer(serializers.ModelSerializer):
    live_revision_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("The published version new drafts start on.")
    )
    schema_url = serializers.SerializerMethodField(
        help_text=_("JSON Schema of the published version.")
    )

    class Meta:
        model = KopdesFormPage
        fields = [
            "id",
            "slug",
            "title",
            "purpose",
            "period_rule",
            "audience",
            "live_revision_id",
            "schema_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_schema_url(self, page: KopdesFormPage) -> str | None:
        if page.live_revision_id is None:
            return None
        path = reverse(
            "api-form-version-schema", kwargs={"pk": page.pk, "revision_id": page.live_revision_id}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class FormVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    live = serializers.BooleanField(read_only=True, help_text=_("Whether new drafts start on it."))


# --- Submissions -----------------------------------------------------------------------------


class SubmissionStartSerializer(serializers.Serializer):
    form = serializers.PrimaryKeyRelatedField(
        queryset=KopdesFormPage.objects.none(), help_text=_("Id of a published form.")
    )
    cooperative = serializers.PrimaryKeyRelatedField(
        queryset=Cooperative.objects.none(), help_text=_("Id of a cooperative in your scope.")
    )
    idempotency_key = serializers.CharField(
        max_length=64,
        help_text=_(
            "A key you make up per start (e.g. a UUID). Sending it again returns the same draft "
            "instead of a second one."
        ),
    )

    def __init__(self, *args: Any, forms: Any = None, cooperatives: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The view passes the live forms and the caller's visible cooperatives: an id outside
        # them reads exactly like an id that does not exist.
        if forms is not None:
            self.fields["form"].queryset = forms  # type: ignore[attr-defined]
        if cooperatives is not None:
            self.fields["cooperative"].queryset = cooperatives  # type: ignore[attr-defined]


class SubmissionFilterSerializer(serializers.Serializer):
    form = serializers.IntegerField(required=False, help_text=_("Only this form's submissions."))
    status = serializers.ChoiceField(
        choices=SubmissionStatus.choices, required=False, help_text=_("Only this status.")
    )
    cooperative = serializers.IntegerField(
        required=False, help_text=_("Only this cooperative's submissions.")
    )
    period = serializers.CharField(
        required=False, max_length=7, help_text=_("Period, or its start: 2026-11 or 2026.")
    )


class SubmissionSummarySerializer(serializers.ModelSerializer):
    """A submission as it appears in lists (no answers)."""

    form_title = serializers.CharField(source="form_page.title", read_only=True)
    cooperative_name = serializers.CharField(source="cooperative.name", read_only=True)
    author = serializers.CharField(source="author.get_username", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    form = serializers.IntegerField(source="form_page_id", read_only=True)
    cooperative = serializers.IntegerField(source="cooperative_id", read_only=True)
    # A plain string here: the enum is documented once, on Submission, so that drf-spectacular
    # names it SubmissionStatusEnum without an ENUM_NAME_OVERRIDES entry.
    status = serializers.CharField(
        read_only=True,
        help_text=format_lazy("{} {}", _("One of:"), ", ".join(SubmissionStatus.values)),
    )

    class Meta:
        model = Submission
        fields = [
            "id",
            "form",
            "form_title",
            "cooperative",
            "cooperative_name",
            "author",
            "status",
            "status_label",
            "reference",
            "period",
            "version",
            "revision_id",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields


class SubmissionStepSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    title = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]


class SubmissionFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    field_code = serializers.CharField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField(
        help_text=_("Download address in this API (token or session; scoped).")
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, stored: Any) -> str:
        path = reverse("api-submission-file", args=[stored.submission_id, stored.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text=_("Question code; null for a rule."))
    message = serializers.CharField()


class SubmissionSerializer(SubmissionSummarySerializer):
    """One submission: its stored answers, the steps of its form version, files and what still
    stops it being sent."""

    status = serializers.ChoiceField(  # type: ignore[assignment]
        choices=SubmissionStatus.choices, read_only=True
    )
    answers = serializers.JSONField(
        source="data",
        read_only=True,
        help_text=_("Answers as stored, shaped by the version's JSON Schema."),
    )
    editable = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField(
        help_text=_("What stops sending it; empty when it cannot be edited by you.")
    )
    prefilled = serializers.JSONField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The figures the cooperative's books knew when they were filled in (the monthly "
            "report), by question code and shaped like the answers; null when nothing was "
            "filled in. An answer that differs from its figure needs an explanation."
        ),
    )
    explanations = serializers.JSONField(
        read_only=True,
        help_text=_("Why an answer differs from its figure from the books, by question code."),
    )

    class Meta(SubmissionSummarySerializer.Meta):
        fields = [
            *SubmissionSummarySerializer.Meta.fields,
            "current_step",
            "answers",
            "prefilled",
            "explanations",
            "editable",
            "steps",
            "files",
            "problems",
        ]
        read_only_fields = fields

    def _editable(self, submission: Submission) -> bool:
        request = self.context.get("request")
        user_id = getattr(getattr(request, "user", None), "pk", None)
        return submission.author_id == user_id and submission.status in EDITABLE_STATUSES

    def get_editable(self, submission: Submission) -> bool:
        return self._editable(submission)

    @extend_schema_field(SubmissionStepSerializer(many=True))
    def get_steps(self, submission: Submission) -> list[dict[str, Any]]:
        schema = schema_for_revision(submission.revision_id)
        return [
            {
                "index": step.index,
                "title": step.title,
                "fields": [spec.code for spec in step.fields if spec.is_input],
            }
            for step in schema.steps
        ]

    @extend_schema_field(SubmissionFileSerializer(many=True))
    def get_files(self, submission: Submission) -> list[dict[str, Any]]:
        return SubmissionFileSerializer(
            submission.files.order_by("field_code"), many=True, context=self.context
        ).data  # type: ignore[return-value]

    @extend_schema_field(ProblemSerializer(many=True))
    def get_problems(self, submission: Submission) -> list[dict[str, Any]]:
        if not self._editable(submission):
            return []
        return [
            {"field": code, "message": message} for code, message in submission_problems(submission)
        ]


class StepSaveSerializer(serializers.Serializer):
    """The body of a step save (JSON). As multipart, `answers` is a JSON text part and each
    file question is a file part named by its code."""

    version = serializers.IntegerField(help_text=_("The submission version you read."))
    answers = serializers.JSONField(
        help_text=_(
            "This step's answers by question code; a group is a list of row objects; yes/no is "
            "true/false; multiple choice a list of codes."
        )
    )
    explanations = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=1000),
        required=False,
        help_text=_(
            "Why an answer of this step differs from its figure from the books (see "
            '"prefilled"), by question code; "" removes one. Left out, the stored one stays.'
        ),
    )


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("The submission version you read."))


class StepErrorSerializer(serializers.Serializer):
    # Only documents the 400 body. DRF pops declared fields off the class, so a field may be
    # called "errors" although the stubs type Serializer.errors.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_('Messages by question code; group rows as "group.row.column", row from 0.'),
    )
    non_field_errors = serializers.ListField(child=serializers.CharField())


class SubmitErrorSerializer(serializers.Serializer):
    errors = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
