"""Isian formulir: the rows of a workbook as submissions of one form, kept as drafts or sent.

The columns are the questions of the form's published version. Every row is checked by the
web form's own StepForms, step after step (required answers, types, choices, limits,
conditions, the form's rules), and written by the forms services: `submission_start`, then
`submission_save_step` for every step and, when the run says so, `submission_submit`, which
numbers the submission and starts the form's approval workflow as the web's "Kirim" does.

Identity: a submission has no natural key. A row already imported from the same file (same
SHA-256) into the same form for the same cooperative is left as it is (UNCHANGED); every other
row is a new submission. A row whose answers equal those of a submission the cooperative already
has, or of an earlier row, is imported with a warning.

Files and tables (repeating groups) cannot come from a cell: a row that must answer one of them
is wrong, and the message says to fill the form on the web.
"""

import datetime
import json
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperatives.enums import MemberStatus
from cooperatives.models import CooperativeVillage, Member
from forms.enums import COUNTED_STATUSES, FieldType, PeriodRule, SubmissionStatus
from forms.filling import ChoiceLists, StepForm, answers_to_json, step_form_data
from forms.models import KopdesFormPage, Submission
from forms.schema import FieldSpec, FormSchema
from forms.services import (
    current_period,
    may_fill,
    schema_for_revision,
    submission_save_step,
    submission_start,
    submission_submit,
)

from ..enums import ImportKind, RowAction
from ..reader import WorkbookError, normalize_heading
from ..spec import Column, ValueType
from ..values import parse_choice, parse_date, parse_text
from .base import ApplyResult, Context, Kind, RowPlan
from .villages import VillageNotFound, VillageResolver

if TYPE_CHECKING:
    from ..models import ImportRun

# How a cell of each question type is read. Types missing here (files, tables, and any type
# added later) cannot come from a spreadsheet.
VALUE_TYPES: dict[str, ValueType] = {
    FieldType.SHORT_TEXT: ValueType.TEXT,
    FieldType.LONG_TEXT: ValueType.TEXT,
    FieldType.EMAIL: ValueType.TEXT,
    FieldType.MONTH: ValueType.TEXT,
    FieldType.MULTIPLE_CHOICE: ValueType.TEXT,
    FieldType.VILLAGE: ValueType.TEXT,
    FieldType.INTEGER: ValueType.INTEGER,
    FieldType.DECIMAL: ValueType.DECIMAL,
    FieldType.PERCENTAGE: ValueType.DECIMAL,
    FieldType.RUPIAH: ValueType.AMOUNT,
    FieldType.DATE: ValueType.DATE,
    FieldType.YES_NO: ValueType.CHOICE,
    FieldType.SINGLE_CHOICE: ValueType.CHOICE,
    FieldType.PHONE: ValueType.PHONE,
    FieldType.NIK: ValueType.NIK,
    FieldType.MEMBER: ValueType.NIK,
}
YES, NO = "Ya", "Tidak"
_YES_NO_WORDS = {
    **dict.fromkeys(("ya", "y", "iya", "yes", "true", "benar", "1"), YES),
    **dict.fromkeys(("tidak", "tdk", "t", "no", "n", "false", "salah", "belum", "0"), NO),
}
EXAMPLE_NIK = "6402164708850003"
EXAMPLE_PHONE = "+6281234567890"
_MONTH_NAME_YEAR = re.compile(r"[^\W\d_]+\.?\s+\d{4}")


def _fold(text: str) -> str:
    return "".join(text.split()).casefold()


# --- reading cells ------------------------------------------------------------------------------


def _choice_reader(index: dict[str, str], labels: tuple[str, ...]) -> Callable[[Any], Any]:
    """One of `labels`, also from a choice's code or English label (`index`: folded → label)."""

    def read(value: Any) -> str | None:
        text = parse_text(value)
        if not text:
            return None
        found = index.get(_fold(text))
        if found is not None:
            return found
        return parse_choice(value, labels)  # raises, listing the labels

    return read


def _multiple_reader(index: dict[str, str], labels: tuple[str, ...]) -> Callable[[Any], Any]:
    """Choice codes from "Toko; Jasa" (or "Toko, Jasa" when no label holds a comma)."""

    def read(value: Any) -> list[str] | None:
        text = parse_text(value)
        if not text:
            return None
        whole = index.get(_fold(text))
        if whole is not None:
            return [whole]
        parts = re.split(r"[;\n]", text) if re.search(r"[;\n]", text) else text.split(",")
        codes: list[str] = []
        for part in (part.strip() for part in parts):
            if not part:
                continue
            code = index.get(_fold(part))
            if code is None:
                raise ValidationError(
                    _("“%(value)s” is not one of the choices: %(choices)s.")
                    % {"value": part, "choices": "; ".join(labels)},
                    code="choice_invalid",
                )
            if code not in codes:
                codes.append(code)
        return codes or None

    return read


def parse_month(value: Any) -> str | None:
    """A reporting month as YYYY-MM from a date cell (Excel turns a typed 2026-11 into
    1 November 2026) or from “November 2026”; other text is left to the form's MonthField."""
    if isinstance(value, datetime.date):
        return f"{value.year:04d}-{value.month:02d}"
    text = parse_text(value)
    if not text:
        return None
    if _MONTH_NAME_YEAR.fullmatch(text):
        try:
            day = parse_date(f"1 {text}")
        except ValidationError:
            return text
        if day is not None:
            return f"{day.year:04d}-{day.month:02d}"
    return text


# --- columns ------------------------------------------------------------------------------------


def live_schema(form: KopdesFormPage) -> FormSchema:
    """The schema of the form's published version. Raises WorkbookError when it has none."""
    if not form.live or form.live_revision_id is None:
        raise WorkbookError(
            "form_not_published",
            _("The form “%(form)s” is not published, so its submissions cannot be imported.")
            % {"form": form.title},
        )
    return schema_for_revision(form.live_revision_id)


def _limited(value: Any, spec: FieldSpec) -> Decimal:
    number = Decimal(str(value))
    low, high = spec.options.get("min_value"), spec.options.get("max_value")
    if low is not None and number < Decimal(str(low)):
        number = Decimal(str(low))
    if high is not None and number > Decimal(str(high)):
        number = Decimal(str(high))
    return number


def _example(spec: FieldSpec, labels: tuple[str, ...], village: str) -> Any:
    """A value the form accepts, for the template's example row (None when none is sure)."""
    options, kind = spec.options, spec.type
    if kind in (FieldType.SHORT_TEXT, FieldType.LONG_TEXT):
        if options.get("default"):
            return options["default"]
        text = "Contoh isian" if kind == FieldType.SHORT_TEXT else "Contoh keterangan"
        if options.get("pattern") or len(text) < int(options.get("min_length") or 0):
            return None
        return text[: int(options.get("max_length") or len(text))]
    if kind == FieldType.INTEGER:
        return int(_limited(10, spec))
    if kind == FieldType.RUPIAH:
        return int(_limited(1_500_000, spec))
    if kind in (FieldType.DECIMAL, FieldType.PERCENTAGE):
        return _limited("12.5" if kind == FieldType.PERCENTAGE else "2.5", spec)
    today = timezone.localdate()
    if kind == FieldType.DATE:
        return today
    if kind == FieldType.MONTH:
        return f"{today.year:04d}-{today.month:02d}"
    if kind in (FieldType.YES_NO, FieldType.SINGLE_CHOICE):
        return labels[0] if labels else None
    if kind == FieldType.MULTIPLE_CHOICE:
        wanted = max(int(options.get("min_selected") or 1), 1)
        return "; ".join(labels[:wanted]) or None
    if kind == FieldType.EMAIL:
        return "bendahara@contoh.id"
    if kind == FieldType.PHONE:
        return EXAMPLE_PHONE
    if kind in (FieldType.NIK, FieldType.MEMBER):
        return EXAMPLE_NIK
    if kind == FieldType.VILLAGE:
        return village
    return None


def _choice_labels(spec: FieldSpec) -> tuple[tuple[str, ...], dict[str, Any], dict[str, str]]:
    """(the labels a dropdown offers, label → stored answer, folded word → what the cell
    means). A cell may also name a choice by its code or English label; a single choice reads
    to its label (as a dropdown cell does), a multiple choice straight to its codes."""
    if spec.type == FieldType.YES_NO:
        return (YES, NO), {YES: True, NO: False}, dict(_YES_NO_WORDS)
    labels: list[str] = []
    answers: dict[str, Any] = {}
    index: dict[str, str] = {}
    to_codes = spec.type == FieldType.MULTIPLE_CHOICE
    for choice in spec.options.get("choices", []):
        code = choice["code"]
        label = (choice.get("label") or code).strip()
        if label in answers:
            label = f"{label} ({code})"
        labels.append(label)
        answers[label] = code
        for word in (label, code, choice.get("label_en") or ""):
            if word.strip():
                index.setdefault(_fold(word), code if to_codes else label)
    return tuple(labels), answers, index


def _help(spec: FieldSpec, labels: tuple[str, ...], conditional: bool) -> str:
    parts = [spec.help_id]
    if spec.type == FieldType.MULTIPLE_CHOICE:
        parts.append(
            _("One or more of: %(choices)s, separated by a semicolon (;).")
            % {"choices": "; ".join(labels)}
        )
    elif spec.type == FieldType.MEMBER:
        parts.append(_("The NIK of a member of the cooperative."))
    elif spec.type == FieldType.VILLAGE:
        parts.append(
            _("A village of the cooperative's kecamatan: its code (e.g. 64.02.16.2002) or name.")
        )
    elif spec.type == FieldType.MONTH:
        parts.append(_("The month, e.g. 2026-11 or November 2026."))
    if conditional:
        parts.append(_("Asked only for some answers to other questions; otherwise leave empty."))
    return " ".join(part for part in parts if part)


def form_columns(form: KopdesFormPage, *, village_example: str = "Bukit Raya") -> list[Column]:
    """One column per question of the form's published version that a cell can answer, in
    form order: heading its Indonesian label, aliases its code and English label."""
    schema = live_schema(form)
    specs = [spec for spec in schema.fields if spec.is_input and spec.type in VALUE_TYPES]
    taken: set[str] = set()
    headings: list[str] = []
    for spec in specs:
        heading = spec.label_id.strip() or spec.code
        if not normalize_heading(heading) or normalize_heading(heading) in taken:
            heading = f"{heading} ({spec.code})"
        taken.add(normalize_heading(heading))
        headings.append(heading)
    columns = []
    for spec, heading in zip(specs, headings, strict=True):
        aliases = []
        for alias in (spec.code, spec.label_en.strip()):
            key = normalize_heading(alias)
            if key and key not in taken:
                taken.add(key)
                aliases.append(alias)
        labels: tuple[str, ...] = ()
        extra: dict[str, Any] = {"field_type": spec.type}
        if spec.type in (FieldType.YES_NO, FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE):
            labels, answers, index = _choice_labels(spec)
            if spec.type == FieldType.MULTIPLE_CHOICE:
                extra["parser"] = _multiple_reader(index, labels)
            else:
                extra["parser"] = _choice_reader(index, labels)
                extra["answers"] = answers
        elif spec.type == FieldType.MONTH:
            extra["parser"] = parse_month
        value_type = VALUE_TYPES[spec.type]
        columns.append(
            Column(
                spec.code,
                heading,
                value_type,
                # A question shown only for some answers is required only when shown: the row
                # check decides, with the form's own conditions.
                required=spec.required and spec.condition is None,
                aliases=tuple(aliases),
                help=_help(spec, labels, spec.condition is not None),
                example=_example(spec, labels, village_example),
                choices=labels if value_type == ValueType.CHOICE else (),
                extra=extra,
            )
        )
    return columns


# --- the row check ------------------------------------------------------------------------------


class _SharedListsStepForm(StepForm):
    """The web's StepForm, sharing the import's member and village lists: read once per
    import, not once per row and step. (StepForm makes its own lists; the setter keeps ours.)"""

    def __init__(self, *args: Any, lists: ChoiceLists, **kwargs: Any) -> None:
        self._shared_lists = lists
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def choice_lists(self) -> ChoiceLists:
        return self._shared_lists

    @choice_lists.setter
    def choice_lists(self, value: ChoiceLists) -> None:
        pass


def _needs_web(spec: FieldSpec) -> bool:
    """A question a cell cannot answer that this row must answer (when shown)."""
    if spec.type == FieldType.GROUP:
        return spec.required or int(spec.options.get("min_rows") or 0) > 0
    return spec.required


def _web_only_message(spec: FieldSpec) -> str:
    if spec.type == FieldType.FILE:
        message = _(
            "“%(label)s” needs a file, which cannot come from a spreadsheet: fill this form "
            "in on the web."
        )
    elif spec.type == FieldType.GROUP:
        message = _(
            "“%(label)s” is a table to fill in, which cannot come from a spreadsheet: fill "
            "this form in on the web."
        )
    else:
        message = _(
            "“%(label)s” cannot be answered from a spreadsheet: fill this form in on the web."
        )
    return message % {"label": spec.label_id or spec.code}


def _fingerprint(schema: FormSchema, stored: dict[str, Any]) -> str | None:
    """The answers a spreadsheet can carry, as comparable text (None when there are none)."""
    kept = {
        code: value
        for code, value in stored.items()
        if code in schema.by_code
        and schema.by_code[code].type in VALUE_TYPES
        and value not in (None, "", [])
    }
    return json.dumps(kept, sort_keys=True, default=str) if kept else None


class SubmissionsKind(Kind):
    code = ImportKind.SUBMISSIONS
    sheet_title = "Isian Formulir"
    notes = (
        gettext_lazy(
            "One row per submission, made in the name of the person who imports the file. The "
            "columns are the form's questions; a question asked only for some answers stays "
            "empty when it is not asked."
        ),
        gettext_lazy(
            "Files and tables cannot come from a spreadsheet: a form that requires them is "
            "filled in on the web."
        ),
        gettext_lazy("Several choices in one cell: separate them with a semicolon (;)."),
        gettext_lazy(
            "Importing the same file again adds nothing: the rows already imported from it are "
            "left as they are."
        ),
    )

    def columns_for(self, run: "ImportRun") -> Sequence[Column]:
        form = run.form
        if form is None:
            raise WorkbookError("form_required", _("Choose the form the rows belong to."))
        village = "Bukit Raya"
        if run.cooperative_id is not None:
            first = (
                CooperativeVillage.objects.filter(cooperative_id=run.cooperative_id)
                .order_by("village_id")
                .values_list("village__name", flat=True)
                .first()
            )
            village = first or village
        return form_columns(form, village_example=village)

    def example_row(self, run: "ImportRun | None" = None) -> list[Any]:
        if run is None:
            return []
        return [column.example for column in self.columns_for(run)]

    # --- check ----------------------------------------------------------------------------

    def start(self, ctx: Context) -> None:
        run, cooperative, state = ctx.run, ctx.cooperative, ctx.state
        author = run.uploaded_by
        if author is None:
            raise WorkbookError(
                "uploader_required",
                _(
                    "Submissions are made in the name of the person who imports them, and this "
                    "import has none. Upload the file in the app, signed in."
                ),
            )
        form = run.form
        assert form is not None  # columns_for refused a run without one
        schema = live_schema(form)
        if not may_fill(user=author, form_page=form, cooperative=cooperative):
            raise WorkbookError(
                "may_not_fill",
                _(
                    "You may not fill the form “%(form)s” for %(cooperative)s, so you cannot "
                    "import its submissions."
                )
                % {"form": form.title, "cooperative": cooperative.name},
            )
        state["schema"] = schema
        state["revision_id"] = form.live_revision_id
        state["purpose"] = form.purpose
        state["columns"] = {
            column.key: column for column in self.columns_for(run) if column.key in ctx.letters
        }
        state["lists"] = ChoiceLists(cooperative)
        types = {spec.type for spec in schema.fields}
        if FieldType.MEMBER in types:
            state["members"] = {
                row["nik"]: row
                for row in Member.objects.filter(cooperative=cooperative).values(
                    "pk", "nik", "name", "status"
                )
            }
        if any(
            column.extra["field_type"] == FieldType.VILLAGE for column in state["columns"].values()
        ):
            state["villages"] = VillageResolver(cooperative)
            state["village_codes"] = {code for code, _label in state["lists"].villages()}
        earlier = Submission.objects.filter(form_page=form, cooperative=cooperative)
        state["previous"] = {
            submission.import_row: submission
            for submission in earlier.filter(import_run__sha256=run.sha256)
            .exclude(import_run=run)
            .only("pk", "reference", "status", "import_row")
        }
        state["answers_seen"] = {
            fingerprint: str(submission)
            for submission in earlier.only("pk", "reference", "data")
            .order_by("pk")
            .iterator(chunk_size=2000)
            if (fingerprint := _fingerprint(schema, submission.data))
        }
        state["rows_seen"] = {}
        state["period_row"] = None
        state["period_taken"] = None
        if run.submit and form.period_rule != PeriodRule.UNLIMITED:
            # The same test as submission_submit's, made before anything is written.
            clash = earlier.filter(status__in=COUNTED_STATUSES)
            if form.period_rule != PeriodRule.ONCE:
                clash = clash.filter(period=current_period(form.period_rule))
            taken = clash.order_by("pk").first()
            state["period_taken"] = taken.reference if taken else None
            state["period_rule"] = True
        else:
            state["period_rule"] = False

    def check_row(self, ctx: Context, plan: RowPlan, values: dict[str, Any]) -> None:
        state = ctx.state
        previous = state["previous"].get(plan.number)
        if previous is not None:
            # Brought in from this very file before: left as it is, whatever the row says now.
            plan.problems.clear()
            plan.action = RowAction.UNCHANGED
            plan.existing = previous.pk
            plan.label = str(previous)
            if ctx.run.submit and previous.status == SubmissionStatus.DRAFT:
                ctx.warn(
                    plan,
                    "",
                    "already_imported_draft",
                    _(
                        "This row was already imported from the same file as %(draft)s, which "
                        "is still a draft; it is not sent again. Send it from the web form."
                    )
                    % {"draft": previous},
                )
            return
        plan.label = next(
            (
                str(values[key])[:80]
                for key in state["columns"]
                if values.get(key) not in (None, "")
            ),
            "",
        )
        schema: FormSchema = state["schema"]
        answers = self._posted_answers(ctx, plan, values)
        flagged = {key for key, letter in ctx.letters.items() if letter in _letters(plan)}
        steps, rule_messages, typed = self._check_steps(ctx, plan, values, answers, flagged)
        final = schema.calculate(typed)
        for spec in schema.fields:
            if (
                spec.is_input
                and spec.type not in VALUE_TYPES
                and _needs_web(spec)
                and schema.visible(spec, final)
            ):
                ctx.problem(plan, "", "web_only", _web_only_message(spec))
        if plan.problems:
            return  # rules over wrong or missing answers would only repeat them less clearly
        for message in dict.fromkeys(rule_messages):
            ctx.problem(plan, "", "rule", message)
        if plan.problems:
            return
        self._check_period(ctx, plan)
        if plan.action == RowAction.INVALID:
            return
        stored = answers_to_json(schema, typed)
        fingerprint = _fingerprint(schema, stored)
        if fingerprint is not None:
            if fingerprint in state["answers_seen"]:
                ctx.warn(
                    plan,
                    "",
                    "same_answers",
                    _("The cooperative already has a submission with the same answers: %(ref)s.")
                    % {"ref": state["answers_seen"][fingerprint]},
                )
            elif fingerprint in state["rows_seen"]:
                ctx.warn(
                    plan,
                    "",
                    "same_answers_row",
                    _("The same answers as row %(row)s.")
                    % {"row": state["rows_seen"][fingerprint]},
                )
            else:
                state["rows_seen"][fingerprint] = plan.number
        plan.action = RowAction.CREATE
        plan.values = {"data": stored}
        plan.extra["steps"] = steps

    def _posted_answers(
        self, ctx: Context, plan: RowPlan, values: dict[str, Any]
    ) -> dict[str, Any]:
        """The row's cells as the answers the web form would receive (codes, pks, text)."""
        state = ctx.state
        answers: dict[str, Any] = {}
        for key, column in state["columns"].items():
            value = values.get(key)
            if value is None or value == "":
                continue
            kind = column.extra["field_type"]
            if kind in (FieldType.YES_NO, FieldType.SINGLE_CHOICE):
                if value not in column.extra["answers"]:
                    ctx.problem(
                        plan,
                        key,
                        "choice_invalid",
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(column.choices)},
                    )
                    continue
                value = column.extra["answers"][value]
            elif kind == FieldType.MEMBER:
                value = self._member(ctx, plan, key, value)
            elif kind == FieldType.VILLAGE:
                value = self._village(ctx, plan, key, str(value))
            elif isinstance(value, Decimal):
                # A number cell is a float: 2 reads as 2.0, which the web form would store as 2.
                whole = value.to_integral_value()
                value = format(whole if value == whole else value, "f")
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            if value is not None:
                answers[key] = value
        return answers

    def _member(self, ctx: Context, plan: RowPlan, key: str, nik: str) -> int | None:
        member = ctx.state["members"].get(nik)
        if member is None:
            ctx.problem(
                plan,
                key,
                "member_unknown",
                _("No member of this cooperative has NIK %(nik)s.") % {"nik": nik},
            )
            return None
        spec = ctx.state["schema"].by_code[key]
        if spec.options.get("active_only", True) and member["status"] != MemberStatus.ACTIVE:
            ctx.problem(
                plan,
                key,
                "member_inactive",
                _("%(name)s (NIK %(nik)s) is not an active member.")
                % {"name": member["name"], "nik": nik},
            )
            return None
        return int(member["pk"])

    def _village(self, ctx: Context, plan: RowPlan, key: str, text: str) -> str | None:
        try:
            village = ctx.state["villages"].resolve(text, None)
        except VillageNotFound as error:
            ctx.problem(plan, key, error.code, error.message)
            return None
        if village.code not in ctx.state["village_codes"]:
            ctx.problem(
                plan,
                key,
                "village_outside",
                _("%(village)s lies outside the cooperative's kecamatan.")
                % {"village": village.label},
            )
            return None
        return village.code

    def _check_steps(
        self,
        ctx: Context,
        plan: RowPlan,
        values: dict[str, Any],
        answers: dict[str, Any],
        flagged: set[str],
    ) -> tuple[list[tuple[int, dict[str, Any]]], list[str], dict[str, Any]]:
        """Run the web form's StepForm on every step, in order, each seeing the answers of the
        steps before it. Returns each step's typed answers, the rule messages, all answers."""
        state = ctx.state
        schema: FormSchema = state["schema"]
        typed: dict[str, Any] = {}
        steps: list[tuple[int, dict[str, Any]]] = []
        rule_messages: list[str] = []
        for step in schema.steps:
            codes = {spec.code for spec in step.fields}
            data, conversion = step_form_data(
                schema, step.index, {code: v for code, v in answers.items() if code in codes}
            )
            for code, messages in conversion.items():  # never expected: codes come from schema
                ctx.problem(plan, code, "invalid", " ".join(messages))
            form = _SharedListsStepForm(
                data,
                {},
                schema=schema,
                step=step,
                cooperative=ctx.cooperative,
                answers=dict(typed),
                lists=state["lists"],
                purpose=state["purpose"],
            )
            form.is_valid()
            for code, errors in form.errors.as_data().items():
                if code == NON_FIELD_ERRORS:
                    rule_messages.extend(m for error in errors for m in error.messages)
                    continue
                spec = schema.by_code[code]
                if spec.type not in VALUE_TYPES or code in flagged:
                    continue  # web-only questions are reported once, below; cells once
                flagged.add(code)
                self._field_problem(ctx, plan, spec, errors)
            for code in sorted(getattr(form, "hidden", set())):
                if values.get(code) not in (None, "", []) and code not in flagged:
                    ctx.warn(
                        plan,
                        code,
                        "not_asked",
                        _(
                            "This question is not asked for this row's answers: the value is ignored."
                        ),
                    )
            answered = form.step_answers()
            typed.update(answered)
            steps.append((step.index, answered))
        return steps, rule_messages, typed

    def _field_problem(
        self, ctx: Context, plan: RowPlan, spec: FieldSpec, errors: list[ValidationError]
    ) -> None:
        heading = ctx.headings.get(spec.code) or spec.label_id or spec.code
        code = errors[0].code or "invalid"
        if code == "required":
            message = _("“%(heading)s” must be filled in.") % {"heading": heading}
        else:
            message = " ".join(str(m) for error in errors for m in error.messages)
            if spec.code not in ctx.letters:
                message = f"{heading}: {message}"
        ctx.problem(plan, spec.code, code, message)

    def _check_period(self, ctx: Context, plan: RowPlan) -> None:
        """The form's period rule (once, monthly, yearly), for rows sent into review."""
        state = ctx.state
        if not state["period_rule"]:
            return
        if state["period_taken"]:
            ctx.problem(
                plan,
                "",
                "period_taken",
                _("This cooperative already sent this form for this period (%(ref)s).")
                % {"ref": state["period_taken"]},
            )
        elif state["period_row"] is not None:
            ctx.problem(
                plan,
                "",
                "period_taken",
                _(
                    "Row %(row)s already sends this form for this period, and the form may be "
                    "sent only once per period."
                )
                % {"row": state["period_row"]},
            )
        else:
            state["period_row"] = plan.number

    # --- apply ----------------------------------------------------------------------------

    def apply(self, ctx: Context, plans: list[RowPlan]) -> ApplyResult:
        run, cooperative = ctx.run, ctx.cooperative
        author, form = run.uploaded_by, run.form
        assert author is not None and form is not None  # start refused the run otherwise
        created = 0
        for plan in plans:
            if plan.action != RowAction.CREATE:
                continue
            submission = submission_start(
                form_page=form,
                cooperative=cooperative,
                author=author,
                idempotency_key=f"import-{run.pk}-{plan.number}",
            )
            if submission.revision_id != ctx.state["revision_id"]:
                # The rows were checked against another version of the form: write nothing.
                raise RuntimeError(f"form {form.pk} was published again during import {run.pk}")
            Submission.objects.filter(pk=submission.pk).update(
                import_run=run, import_row=plan.number
            )
            for index, answers in plan.extra["steps"]:
                submission = submission_save_step(
                    submission=submission, by=author, step=index, answers=answers
                )
            if run.submit:
                submission_submit(submission=submission, by=author)
            created += 1
        return ApplyResult(created=created)


def _letters(plan: RowPlan) -> set[str]:
    return {problem.column for problem in plan.problems if problem.column}
