from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from forms.models import KopdesFormPage

from .enums import ImportKind
from .reader import MAX_FILE_BYTES


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is in the file?"), choices=ImportKind.choices)
    form_page = forms.ModelChoiceField(
        label=_("Form (for form submissions)"),
        queryset=KopdesFormPage.objects.none(),
        required=False,
        empty_label=_("— choose a form —"),
    )
    submit = forms.BooleanField(
        label=_("Send each imported submission for approval (otherwise they stay drafts)"),
        required=False,
    )
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("At most %(n)s MB.") % {"n": MAX_FILE_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    sheet = forms.CharField(
        label=_("Sheet name (optional)"),
        required=False,
        max_length=100,
        help_text=_("Empty: the first sheet."),
    )

    def __init__(self, *args: Any, forms_queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if forms_queryset is not None:
            self.fields["form_page"].queryset = forms_queryset  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Django does not count uploaded files against its own limits: check the size here.
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(n)s MB. Split it into smaller files.")
                % {"n": MAX_FILE_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == ImportKind.SUBMISSIONS and not cleaned.get("form_page"):
            self.add_error("form_page", _("Choose the form the rows belong to."))
        return cleaned


class ConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label=_("Import only the valid rows and leave out the wrong ones"), required=False
    )
