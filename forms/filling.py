"""Turn a step of a FormSchema into a Django form, and check it the way the server must:
hidden fields are neither validated nor stored, calculations and rules run on the server."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import formats, timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from cooperatives.enums import MemberStatus, RegionLevel
from cooperatives.models import Cooperative, Member, Region

from . import purpose_checks
from .enums import FieldType
from .fields import DateInput, MonthField, NikField, PhoneField, RupiahField
from .schema import FieldSpec, FormSchema, Step
from .values import to_json

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
# Django's own say "submit at least 1 form": a table of a form has rows.
ROW_COUNT_MESSAGES: dict[str, Any] = {
    "too_few_forms": ngettext_lazy(
        "Fill in at least %(num)d row.", "Fill in at least %(num)d rows.", "num"
    ),
    "too_many_forms": ngettext_lazy(
        "Fill in at most %(num)d row.", "Fill in at most %(num)d rows.", "num"
    ),
}


def _decimal_limits(spec: FieldSpec) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    for key in ("min_value", "max_value"):
        if spec.options.get(key) is not None:
            limits[key] = Decimal(str(spec.options[key]))
    return limits


class ChoiceLists:
    """The member and village choices of one cooperative, read at most once per form: a step
    with several member or village fields, or a table with one in every row, queries once."""

    def __init__(self, cooperative: Cooperative) -> None:
        self.cooperative = cooperative
        self._members: dict[bool, list[tuple[str, str]]] = {}
        self._villages: list[tuple[str, str]] | None = None

    def members(self, *, active_only: bool) -> list[tuple[str, str]]:
        if active_only not in self._members:
            members = Member.objects.filter(cooperative=self.cooperative).order_by("name")
            if active_only:
                members = members.filter(status=MemberStatus.ACTIVE)
            self._members[active_only] = [(str(m.pk), f"{m.name} ({m.nik})") for m in members]
        return self._members[active_only]

    def villages(self) -> list[tuple[str, str]]:
        if self._villages is None:
            district_codes = self.cooperative.village_links.values("district_code")
            villages = Region.objects.filter(
                level=RegionLevel.VILLAGE, district_code__in=district_codes
            ).order_by("name")
            self._villages = [(v.code, f"{v} ({v.code})") for v in villages]
        return self._villages


def django_field(
    spec: FieldSpec, *, cooperative: Cooperative, choice_lists: ChoiceLists | None = None
) -> forms.Field | None:
    """The Django field for one spec (None for what is not typed: info, calculated).

    Pass the form's `choice_lists` so that member and village fields share one query each.
    """
    common: dict[str, Any] = {
        "label": spec.label,
        "help_text": spec.help,
        "required": spec.required,
    }
    options = spec.options
    kind = spec.type
    if kind in {FieldType.SHORT_TEXT, FieldType.LONG_TEXT}:
        validators = []
        if options.get("pattern"):
            validators.append(
                RegexValidator(
                    options["pattern"],
                    message=options.get("pattern_message")
                    or _("The answer is not in the expected form."),
                )
            )
        return forms.CharField(
            min_length=options.get("min_length"),
            max_length=options.get("max_length") or (200 if kind == FieldType.SHORT_TEXT else 5000),
            validators=validators,
            widget=forms.Textarea(attrs={"rows": 4}) if kind == FieldType.LONG_TEXT else None,
            initial=options.get("default") or None,
            **common,
        )
    if kind == FieldType.INTEGER:
        limits: dict[str, Any] = {k: int(v) for k, v in _decimal_limits(spec).items()}
        return forms.IntegerField(
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}), **limits, **common
        )
    if kind in {FieldType.DECIMAL, FieldType.PERCENTAGE}:
        limits = _decimal_limits(spec)
        if kind == FieldType.PERCENTAGE:
            limits.setdefault("min_value", Decimal(0))
            limits.setdefault("max_value", Decimal(100))
        places = int(options.get("decimal_places") or 2)
        return forms.DecimalField(
            decimal_places=places,
            max_digits=18,
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **limits,
            **common,
        )
    if kind == FieldType.RUPIAH:
        return RupiahField(**{k: int(v) for k, v in _decimal_limits(spec).items()}, **common)
    if kind == FieldType.DATE:
        date_field = forms.DateField(
            widget=DateInput(), input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"], **common
        )
        if options.get("not_in_future"):

            def not_future(value: datetime.date) -> None:
                if value and value > timezone.localdate():
                    raise ValidationError(_("The date cannot be in the future."), code="future")

            date_field.validators.append(not_future)
        return date_field
    if kind == FieldType.MONTH:
        return MonthField(**common)
    if kind == FieldType.YES_NO:
        return forms.TypedChoiceField(
            choices=YES_NO,
            coerce=lambda v: v == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            **common,
        )
    if kind == FieldType.SINGLE_CHOICE:
        choices = spec.choice_list()
        if options.get("widget") == "dropdown":
            return forms.ChoiceField(choices=[("", "—"), *choices], **common)
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == FieldType.MULTIPLE_CHOICE:
        multiple = forms.MultipleChoiceField(
            choices=spec.choice_list(), widget=forms.CheckboxSelectMultiple, **common
        )

        def count_limits(value: list[str]) -> None:
            low, high = options.get("min_selected"), options.get("max_selected")
            if low and len(value) < low:
                raise ValidationError(_("Choose at least %(n)s.") % {"n": low}, code="min_selected")
            if high and len(value) > high:
                raise ValidationError(_("Choose at most %(n)s.") % {"n": high}, code="max_selected")

        multiple.validators.append(count_limits)
        return multiple
    if kind == FieldType.EMAIL:
        return forms.EmailField(**common)
    if kind == FieldType.PHONE:
        return PhoneField(**common)
    if kind == FieldType.NIK:
        return NikField(**common)
    lists = choice_lists or ChoiceLists(cooperative)
    if kind == FieldType.MEMBER:
        active_only = bool(options.get("active_only", True))
        return forms.TypedChoiceField(
            choices=[("", "—"), *lists.members(active_only=active_only)],
            coerce=int,
            empty_value=None,
            **common,
        )
    if kind == FieldType.VILLAGE:
        return forms.ChoiceField(choices=[("", "—"), *lists.villages()], **common)
    if kind == FieldType.FILE:
        allowed = options.get("allowed") or ["pdf", "jpg", "png"]
        accept = ",".join(f".{ext}" for ext in allowed) + (",.jpeg" if "jpg" in allowed else "")
        file_field = forms.FileField(
            widget=forms.ClearableFileInput(attrs={"accept": accept}), **common
        )
        file_field.validators.append(_file_type_check(allowed))
        return file_field
    return None


# The first bytes of each accepted type: the browser's name and content type are not trusted.
MAGIC = {"pdf": (b"%PDF-",), "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",)}


def _file_type_check(allowed: list[str]) -> Any:
    def check(upload: Any) -> None:
        head = upload.read(8)
        upload.seek(0)
        if not any(head.startswith(magic) for kind in allowed for magic in MAGIC.get(kind, ())):
            raise ValidationError(
                _("Upload a %(types)s file.") % {"types": "/".join(k.upper() for k in allowed)},
                code="file_type",
            )

    return check


class StepForm(forms.Form):
    """One step of a form. `answers` holds what the other steps already answered (typed), so a
    condition may depend on an earlier step; conditions on this step read the posted values."""

    def __init__(
        self,
        *args: Any,
        schema: FormSchema,
        step: Step,
        cooperative: Cooperative,
        answers: dict[str, Any],
        existing_files: frozenset[str] = frozenset(),
        purpose: str = "",
        book_values: dict[str, Any] | None = None,
        explanations: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.schema, self.step, self.cooperative = schema, step, cooperative
        self.purpose = purpose
        self.answers = answers
        self.existing_files = existing_files
        # Figures from the books (typed, by code) and the reasons given where answers differ.
        self.book_values = book_values or {}
        self.explanations = explanations or {}
        self.formsets: dict[str, forms.BaseFormSet] = {}
        self.specs: dict[str, FieldSpec] = {}
        self.choice_lists = ChoiceLists(cooperative)
        for spec in step.fields:
            if spec.type == FieldType.GROUP:
                self.formsets[spec.code] = self._formset(spec)
                self.specs[spec.code] = spec
                continue
            field = django_field(spec, cooperative=cooperative, choice_lists=self.choice_lists)
            if field is None:
                continue
            if spec.type == FieldType.FILE and spec.code in existing_files:
                field.required = False  # a file uploaded earlier stays until replaced
            if spec.code in answers and not self.is_bound:
                field.initial = _initial(spec, answers[spec.code])
            self.fields[spec.code] = field
            self.specs[spec.code] = spec
        for code in self.specs:
            if code in self.book_values:
                self.fields[explanation_name(code)] = forms.CharField(
                    label=_("Why the figure differs from the books"),
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=self.explanations.get(code) or None,
                )

    def _formset(self, spec: FieldSpec) -> forms.BaseFormSet:
        columns = {c.code: c for c in spec.columns}

        class RowForm(forms.Form):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                for code, column in columns.items():
                    field = django_field(
                        column, cooperative=outer.cooperative, choice_lists=outer.choice_lists
                    )
                    if field is not None:
                        self.fields[code] = field

        outer = self
        formset_class = forms.formset_factory(
            RowForm,
            # min_num already shows the required rows; one empty row only when none is required.
            extra=0 if spec.code in self.answers or spec.options.get("min_rows") else 1,
            min_num=int(spec.options.get("min_rows") or 0),
            max_num=int(spec.options.get("max_rows") or 20),
            validate_min=True,
            validate_max=True,
            can_delete=True,
        )
        initial = None
        if not self.is_bound and self.answers.get(spec.code):
            initial = [
                {code: _initial(columns[code], v) for code, v in row.items() if code in columns}
                for row in self.answers[spec.code]
            ]
        return formset_class(
            self.data if self.is_bound else None,
            prefix=spec.code,
            initial=initial,
            error_messages=ROW_COUNT_MESSAGES,
        )

    # --- validation -------------------------------------------------------------------------

    def _provisional_answers(self) -> dict[str, Any]:
        """Posted values of this step, cleaned where they clean, for evaluating conditions."""
        answers = dict(self.answers)
        for code, field in self.fields.items():
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(code))
            try:
                answers[code] = field.clean(raw)
            except ValidationError:
                answers[code] = None
        return answers

    def full_clean(self) -> None:
        if self.is_bound:
            provisional = self._provisional_answers()
            self.hidden = {
                code
                for code, spec in self.specs.items()
                if not self.schema.visible(spec, provisional)
            }
            for code in self.hidden:
                self.fields.pop(code, None)
                self.fields.pop(explanation_name(code), None)
                self.formsets.pop(code, None)
        super().full_clean()

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for formset in self.formsets.values():
            valid = formset.is_valid() and valid
        if valid:
            self._check_rules()
        return valid and not self.errors

    def _check_rules(self) -> None:
        """Form-level rules whose every field has been answered by now."""
        answers = self.schema.calculate({**self.answers, **self.step_answers()})
        known = set(answers) | {s.code for s in self.schema.fields if s.step > self.step.index}
        for rule in self.schema.rules:
            if rule.expression.names - {
                s.code for s in self.schema.fields if s.step <= self.step.index
            }:
                continue  # checked once the later steps are answered
            if not rule.expression.names <= known | set(self.schema.by_code):
                continue
            if not rule.expression.evaluate(answers):
                self.add_error(None, rule.message)
        self._check_purpose(answers)
        self._check_explanations()

    def _check_explanations(self) -> None:
        """An answer that differs from its figure from the books needs a reason beside it. Not
        when this step changes the purpose's key (the month): its figures are filled in again
        and the step shown once more."""
        hook = purpose_checks.prefill_for(self.purpose)
        key = hook.key if hook is not None else ""
        if key in self.specs and self.cleaned_data.get(key) != self.answers.get(key):
            return
        answers = self.step_answers()
        for code, spec in self.specs.items():
            name = explanation_name(code)
            if name not in self.fields or code not in self.book_values:
                continue
            row_key = hook.row_key(code) if hook is not None else None
            differences = purpose_checks.prefill_differences(
                spec, answers.get(code), self.book_values[code], row_key
            )
            if differences and not (self.cleaned_data.get(name) or "").strip():
                self.add_error(name, purpose_checks.explanation_message(spec, differences))

    def step_explanations(self) -> dict[str, str]:
        """The reasons given on this step, by code ("" when none; call after is_valid())."""
        return {
            code: (self.cleaned_data.get(explanation_name(code)) or "").strip()
            for code in self.specs
            if explanation_name(code) in self.fields
        }

    def _check_purpose(self, answers: dict[str, Any]) -> None:
        """The form purpose's own checks, in the step that answers the last field they read;
        a message about a field of this step goes beside it."""
        answered = {s.code for s in self.schema.fields if s.step <= self.step.index}
        for item in purpose_checks.checks_for(self.purpose):
            if not item.fields <= answered or not item.fields & set(self.specs):
                continue
            for code, message in item.check(answers, self.cooperative):
                self.add_error(code if code in self.fields else None, message)

    def step_answers(self) -> dict[str, Any]:
        """This step's typed answers (call after is_valid())."""
        result: dict[str, Any] = {}
        for code, spec in self.specs.items():
            if code in getattr(self, "hidden", set()):
                result[code] = None
            elif spec.type == FieldType.GROUP:
                result[code] = [
                    {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
                    for form in self.formsets[code].forms
                    if form.has_changed() and not form.cleaned_data.get("DELETE")
                ]
            elif spec.type == FieldType.FILE:
                continue  # files are stored as SubmissionFile rows, not in the answers
            else:
                result[code] = self.cleaned_data.get(code)
        return result

    def uploaded_files(self) -> dict[str, Any]:
        return {
            code: self.cleaned_data[code]
            for code, spec in self.specs.items()
            if spec.type == FieldType.FILE and self.cleaned_data.get(code)
        }


def explanation_name(code: str) -> str:
    """The step form's input for the reason an answer differs from the books. A dash never
    appears in a question code, and a table's own inputs are "code-0-column" or
    "code-TOTAL_FORMS": no name can clash."""
    return f"{code}-explanation"


def _initial(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.type == FieldType.YES_NO:
        return "yes" if value else "no"
    if spec.type == FieldType.MEMBER:
        return str(value)
    return value


def answers_to_json(schema: FormSchema, answers: dict[str, Any]) -> dict[str, Any]:
    stored: dict[str, Any] = {}
    for code, value in answers.items():
        spec = schema.by_code.get(code)
        if spec is None:
            continue
        columns = {c.code: c.type for c in spec.columns}
        stored[code] = to_json(spec.type, value, columns)
    return stored


# --- Answers as form data (the JSON API and spreadsheet imports fill StepForms with it) ---


_MACHINE_DECIMAL = r"^-?\d+(\.\d+)?$"


def _as_form_value(spec: FieldSpec, value: Any) -> list[str]:
    """One answer as the posted strings a browser would send for it."""
    if value is None:
        return []
    if spec.type == FieldType.YES_NO and isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, list):
        return [str(item) for item in value]
    if spec.type in {FieldType.DECIMAL, FieldType.PERCENTAGE} and not isinstance(value, bool):
        # JSON numbers and "12.5" use a dot; the form reads the active language's separator.
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return [str(value)]  # the form words the error, as for a person
        if isinstance(value, int | float) or _is_machine_decimal(str(value)):
            return [formats.localize_input(number)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def _is_machine_decimal(text: str) -> bool:
    return re.fullmatch(_MACHINE_DECIMAL, text.strip()) is not None


def step_form_data(
    schema: FormSchema, step_index: int, answers: Any
) -> tuple[MultiValueDict[str, str], dict[str, list[str]]]:
    """The form data a StepForm expects for JSON `answers` of one step, and the errors of what
    cannot be turned into form data at all (unknown codes, a group that is not a list)."""
    data: MultiValueDict[str, str] = MultiValueDict()
    errors: dict[str, list[str]] = {}
    if not isinstance(answers, dict):
        return data, {"answers": [gettext("Send the answers as an object keyed by question code.")]}
    specs = {s.code: s for s in schema.steps[step_index].fields if s.is_input}
    for code in answers:
        spec = specs.get(code)
        if spec is None or spec.type == FieldType.FILE:
            errors[code] = [
                gettext("Upload files as multipart form data, not in the answers.")
                if spec is not None
                else gettext("This step has no question with this code.")
            ]
    for code, spec in specs.items():
        value = answers.get(code)
        if spec.type == FieldType.FILE:
            continue
        if spec.type != FieldType.GROUP:
            data.setlist(code, _as_form_value(spec, value))
            continue
        rows = value if value is not None else []
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            errors[code] = [gettext("Send the rows of this table as a list of objects.")]
            continue
        columns = {c.code: c for c in spec.columns}
        data[f"{code}-TOTAL_FORMS"] = str(len(rows))
        data[f"{code}-INITIAL_FORMS"] = "0"
        data[f"{code}-MIN_NUM_FORMS"] = str(int(spec.options.get("min_rows") or 0))
        data[f"{code}-MAX_NUM_FORMS"] = str(int(spec.options.get("max_rows") or 20))
        for number, row in enumerate(rows):
            for column_code, column_value in row.items():
                column = columns.get(column_code)
                if column is None or column.type == FieldType.CALCULATED:
                    errors[f"{code}.{number}.{column_code}"] = [
                        gettext("This table has no column with this code.")
                    ]
                    continue
                data.setlist(f"{code}-{number}-{column_code}", _as_form_value(column, column_value))
    return data, errors
