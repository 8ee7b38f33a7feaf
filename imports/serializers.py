from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cooperatives.models import Cooperative
from forms.models import KopdesFormPage

from .enums import ImportKind
from .models import ImportRun


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("Row number as Excel shows it; 0 for the file."))
    column = serializers.CharField(help_text=_("Column letter as Excel shows it, or empty."))
    code = serializers.CharField()
    message = serializers.CharField()


class ImportRunSerializer(serializers.ModelSerializer):
    rows_valid = serializers.IntegerField(read_only=True)
    percent = serializers.IntegerField(read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "cooperative",
            "kind",
            "form",
            "submit",
            "file_name",
            "file_size",
            "sha256",
            "sheet",
            "header_row",
            "uploaded_by",
            "created_at",
            "status",
            "skip_invalid",
            "message",
            "progress_done",
            "progress_total",
            "percent",
            "rows_total",
            "rows_valid",
            "rows_invalid",
            "rows_skipped",
            "created",
            "updated",
            "unchanged",
            "checked_at",
            "confirmed_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportRunDetailSerializer(ImportRunSerializer):
    # The metaclass moves declared fields out of the class, so this does not hide .errors.
    errors = ImportProblemSerializer(many=True, read_only=True)  # type: ignore[assignment]
    warnings = ImportProblemSerializer(many=True, read_only=True)
    changes = serializers.JSONField(
        read_only=True,
        help_text=_("The first changed rows: row, label and [heading, before, after] per field."),
    )

    class Meta(ImportRunSerializer.Meta):
        fields = [*ImportRunSerializer.Meta.fields, "errors", "warnings", "changes"]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    cooperative = serializers.PrimaryKeyRelatedField(queryset=Cooperative.objects.all())
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    form = serializers.PrimaryKeyRelatedField(
        queryset=KopdesFormPage.objects.live(), required=False, allow_null=True
    )
    submit = serializers.BooleanField(required=False, default=False)
    sheet = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    file = serializers.FileField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["kind"] == ImportKind.SUBMISSIONS and not attrs.get("form"):
            raise serializers.ValidationError({"form": _("Choose the form the rows belong to.")})
        return attrs


class ConfirmSerializer(serializers.Serializer):
    skip_invalid = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Import only the valid rows; without it a file with wrong rows is refused."),
    )
