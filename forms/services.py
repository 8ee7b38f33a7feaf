"""The only writers of submissions: start, save a step, submit."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Revision

from cooperatives.enums import Role
from cooperatives.models import Cooperative
from cooperatives.scoping import user_has_role

from . import purpose_checks
from .enums import COUNTED_STATUSES, EDITABLE_STATUSES, FieldType, PeriodRule, SubmissionStatus
from .models import KopdesFormPage, ReferenceCounter, Submission, SubmissionFile
from .purpose_checks import (
    PurposePrefill,
    explanation_message,
    figure_display,
    prefill_differences,
    prefill_for,
)
from .schema import FieldSpec, FormSchema, build_schema
from .values import from_json, to_json


class SubmissionError(ValidationError):
    """A submission cannot do what was asked in its current state."""


class StaleSubmissionError(SubmissionError):
    """Someone saved the submission since this copy was read (two tabs, two devices)."""


@lru_cache(maxsize=256)
def schema_for_revision(revision_id: int) -> FormSchema:
    """The schema of one form version. Revisions never change, so this is cached."""
    return build_schema(Revision.objects.get(pk=revision_id).as_object())


def typed_answers(submission: Submission) -> dict[str, Any]:
    schema = schema_for_revision(submission.revision_id)
    answers: dict[str, Any] = {}
    for code, value in submission.data.items():
        spec = schema.by_code.get(code)
        if spec is not None:
            answers[code] = from_json(spec.type, value, {c.code: c.type for c in spec.columns})
    return answers


def may_fill(*, user: Any, form_page: KopdesFormPage, cooperative: Cooperative) -> bool:
    """Whether `user` holds one of the form's audience roles on `cooperative`."""
    if user.is_superuser:
        return True
    roles = form_page.audience or [Role.OPERATOR]
    return any(user_has_role(user, role, cooperative) for role in roles)


def current_period(rule: str) -> str:
    today = timezone.localdate()
    if rule == PeriodRule.MONTHLY:
        return f"{today.year:04d}-{today.month:02d}"
    if rule == PeriodRule.YEARLY:
        return f"{today.year:04d}"
    return ""


@transaction.atomic
def submission_start(
    *,
    form_page: KopdesFormPage,
    cooperative: Cooperative,
    author: Any,
    idempotency_key: str,
    period: str = "",
    prefill: bool = False,
) -> Submission:
    """Start a draft on the form's published version, or return the draft this key already
    started (a double click or a retried request creates nothing twice).

    With `prefill` (a person filling in, on the portal or through the API), a purpose that knows
    figures (the monthly report: the books) answers its key (the last finished month) and fills
    in what its records know; see `submission_prefill`. Imports bring their own figures.

    Raises PermissionDenied when the author may not fill the form for this cooperative and
    SubmissionError when the form is not published.
    """
    existing = Submission.objects.filter(author=author, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if not may_fill(user=author, form_page=form_page, cooperative=cooperative):
        raise PermissionDenied(_("You may not fill this form for this cooperative."))
    revision = form_page.live_revision
    if not form_page.live or revision is None:
        raise SubmissionError(_("This form is not published."), code="not_published")
    submission = Submission(
        form_page=form_page,
        revision=revision,
        cooperative=cooperative,
        author=author,
        idempotency_key=idempotency_key,
        period=period or current_period(form_page.period_rule),
    )
    hook = prefill_for(form_page.purpose) if prefill else None
    if hook is not None and hook.default is not None:
        schema = schema_for_revision(revision.pk)
        key = schema.by_code.get(hook.key)
        if key is not None and key.is_input:
            submission.data = {hook.key: to_json(key.type, hook.default())}
            found = prefill_lookup(submission)
            if found is not None:
                _apply_prefill(submission, schema, submission.data, found, hook)
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        # The same key raced in from a second request: both get the one draft.
        return Submission.objects.get(author=author, idempotency_key=idempotency_key)
    return submission


def _check_editable(submission: Submission, by: Any, expected_version: int | None) -> None:
    if submission.status not in EDITABLE_STATUSES:
        raise SubmissionError(
            _("This submission is %(status)s and can no longer be changed.")
            % {"status": submission.get_status_display().lower()},
            code="not_editable",
        )
    if submission.author_id != by.pk:
        raise PermissionDenied(_("Only the person who started this submission may change it."))
    if expected_version is not None and submission.version != expected_version:
        raise StaleSubmissionError(
            _(
                "This submission was changed elsewhere (another tab or device). Reload it, check "
                "the answers and save again."
            ),
            code="stale",
        )


def _store_file(submission: Submission, code: str, upload: UploadedFile, max_mb: int) -> None:
    if upload.size is not None and upload.size > max_mb * 1024 * 1024:
        raise ValidationError({code: _("The file is larger than %(n)s MB.") % {"n": max_mb}})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    previous = SubmissionFile.objects.filter(submission=submission, field_code=code).first()
    if previous is not None:
        previous.file.delete(save=False)
        previous.delete()
    SubmissionFile.objects.create(
        submission=submission,
        field_code=code,
        file=upload,
        original_name=upload.name or code,
        content_type=getattr(upload, "content_type", "") or "",
        size=upload.size or 0,
        sha256=digest.hexdigest(),
    )


@transaction.atomic
def submission_save_step(
    *,
    submission: Submission,
    by: Any,
    step: int,
    answers: dict[str, Any],
    files: dict[str, UploadedFile] | None = None,
    expected_version: int | None = None,
    explanations: dict[str, str] | None = None,
    prefill: bool = False,
) -> Submission:
    """Store one step's typed answers (already checked by its StepForm) into the draft, with
    the step's reasons why answers differ from the books (`explanations`, by code; an empty
    reason removes one).

    With `prefill`, answering the purpose's key (the month) for the first time or changing it
    fills in the records' figures for it: see `submission_prefill`.

    Raises StaleSubmissionError when `expected_version` is not the stored one.
    """
    # Lock the row: two devices saving the same draft must not both read version n.
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    _check_editable(locked, by, expected_version)
    schema = schema_for_revision(locked.revision_id)
    data = dict(locked.data)
    hook = prefill_for(locked.form_page.purpose) if prefill else None
    key_before = data.get(hook.key) if hook is not None else None
    for code, value in answers.items():
        spec = schema.by_code.get(code)
        if spec is None or spec.type == FieldType.FILE:
            continue
        data[code] = to_json(spec.type, value, {c.code: c.type for c in spec.columns})
    for code, upload in (files or {}).items():
        spec = schema.by_code[code]
        _store_file(locked, code, upload, int(spec.options.get("max_size_mb") or 5))
    reasons = dict(locked.explanations or {})
    for code, text in (explanations or {}).items():
        text = (text or "").strip()[:EXPLANATION_MAX_LENGTH]
        if code in schema.by_code and text:
            reasons[code] = text
        else:
            reasons.pop(code, None)
    locked.explanations = reasons
    key = data.get(hook.key) if hook is not None else None
    if (
        hook is not None
        and key not in (None, "")
        and (key != key_before or locked.prefilled is None)
    ):
        found = prefill_lookup(locked, key=key)
        if found is not None:
            _apply_prefill(locked, schema, data, found, hook)
    locked.data = data
    _tidy_explanations(locked, schema)
    locked.current_step = max(locked.current_step, step + 1)
    locked.version += 1
    locked.save(
        update_fields=[
            "data",
            "prefilled",
            "explanations",
            "current_step",
            "version",
            "updated_at",
        ]
    )
    return locked


# --- Figures filled in from the cooperative's records (forms.purpose_checks.PurposePrefill) ---

EXPLANATION_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Prefill:
    """What a purpose's records know for a submission's key answer: the figures as they are
    stored (only those the form version has and takes), notes for the person filling in and
    what they are for ("Oktober 2026")."""

    figures: dict[str, Any]
    notes: list[str]
    label: str


def _columns(spec: FieldSpec) -> dict[str, str]:
    return {c.code: c.type for c in spec.columns}


def _fits(spec: FieldSpec, value: Any) -> bool:
    """Whether the form would take `value` as the answer to `spec` (limits, choices, rows)."""
    if spec.type in {FieldType.INTEGER, FieldType.RUPIAH}:
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        low, high = spec.options.get("min_value"), spec.options.get("max_value")
        return (low in (None, "") or value >= Decimal(str(low))) and (
            high in (None, "") or value <= Decimal(str(high))
        )
    if spec.type == FieldType.SINGLE_CHOICE:
        return value in dict(spec.choice_list())
    if spec.type == FieldType.GROUP:
        columns = {c.code: c for c in spec.columns}
        if not isinstance(value, list) or len(value) > int(spec.options.get("max_rows") or 20):
            return False
        return all(
            isinstance(row, dict)
            and all(code in columns and _fits(columns[code], cell) for code, cell in row.items())
            for row in value
        )
    return True


def prefill_lookup(submission: Submission, *, key: Any = None) -> Prefill | None:
    """The figures the submission's purpose knows for its key answer (or `key`, as stored);
    None when the purpose fills nothing in or the key is not answered."""
    hook = prefill_for(submission.form_page.purpose)
    if hook is None:
        return None
    schema = schema_for_revision(submission.revision_id)
    key_spec = schema.by_code.get(hook.key)
    stored_key = submission.data.get(hook.key) if key is None else key
    if key_spec is None or stored_key in (None, ""):
        return None
    codes = frozenset(
        spec.code
        for spec in schema.fields
        if spec.is_input and spec.type != FieldType.FILE and spec.code != hook.key
    )
    found = hook.figures(from_json(key_spec.type, stored_key), submission.cooperative, codes)
    figures: dict[str, Any] = {}
    notes = list(found.notes)
    for code, value in found.figures.items():
        spec = schema.by_code.get(code)
        if spec is None or code not in codes:
            continue
        if not _fits(spec, value):
            notes.append(
                _("The books' figures for “%(label)s” do not fit this form: enter them yourself.")
                % {"label": spec.label}
                if spec.type == FieldType.GROUP
                else _(
                    "The books show %(value)s for “%(label)s”, which this form does not take: "
                    "enter the figure yourself."
                )
                % {"value": figure_display(spec, value), "label": spec.label}
            )
            continue
        figures[code] = to_json(spec.type, value, _columns(spec))
    return Prefill(figures, notes, found.label)


def _same_as_figure(spec: FieldSpec, answer: Any, figure: Any, hook: PurposePrefill | None) -> bool:
    """Whether a stored answer is the stored figure (an unanswered question counts as not)."""
    typed = from_json(spec.type, answer, _columns(spec))
    if typed in (None, "", []):
        return False
    row_key = hook.row_key(spec.code) if hook is not None else None
    book = from_json(spec.type, figure, _columns(spec))
    return not prefill_differences(spec, typed, book, row_key)


def _apply_prefill(
    submission: Submission,
    schema: FormSchema,
    data: dict[str, Any],
    found: Prefill,
    hook: PurposePrefill,
) -> None:
    """Put `found` into `data` where the question is unanswered or still holds the earlier
    figure from the books (a figure the person changed stays), and remember the figures."""
    earlier = submission.prefilled or {}
    for code in [*earlier, *(c for c in found.figures if c not in earlier)]:
        spec = schema.by_code.get(code)
        if spec is None:
            continue
        current = data.get(code)
        untouched = current in (None, "", []) or (
            code in earlier and _same_as_figure(spec, current, earlier[code], hook)
        )
        if not untouched:
            continue
        if found.figures.get(code) not in (None, "", []):
            data[code] = found.figures[code]
        else:
            data.pop(code, None)  # the earlier month's figure, unknown for this one
    submission.prefilled = found.figures


def _tidy_explanations(submission: Submission, schema: FormSchema) -> None:
    """Keep the reasons of answers that still differ from their figure from the books."""
    figures = submission.prefilled or {}
    hook = prefill_for(submission.form_page.purpose)
    kept: dict[str, str] = {}
    for code, text in (submission.explanations or {}).items():
        spec = schema.by_code.get(code)
        if spec is None or code not in figures:
            continue
        if _same_as_figure(spec, submission.data.get(code), figures[code], hook):
            continue
        kept[code] = text
    submission.explanations = kept


def book_values(submission: Submission) -> dict[str, Any]:
    """The figures from the books stored on the submission, typed like its answers."""
    schema = schema_for_revision(submission.revision_id)
    values: dict[str, Any] = {}
    for code, value in (submission.prefilled or {}).items():
        spec = schema.by_code.get(code)
        if spec is not None:
            values[code] = from_json(spec.type, value, _columns(spec))
    return values


def explanation_problems(
    submission: Submission, schema: FormSchema, answers: dict[str, Any]
) -> list[tuple[str | None, str]]:
    """An answer that differs from its figure from the books without a reason, in form order;
    `answers` are the submission's typed answers with the calculations."""
    books = book_values(submission)
    if not books:
        return []
    hook = prefill_for(submission.form_page.purpose)
    reasons = submission.explanations or {}
    problems: list[tuple[str | None, str]] = []
    for spec in schema.fields:
        if spec.code not in books or not spec.is_input or not schema.visible(spec, answers):
            continue
        row_key = hook.row_key(spec.code) if hook is not None else None
        differences = prefill_differences(spec, answers.get(spec.code), books[spec.code], row_key)
        if differences and not str(reasons.get(spec.code) or "").strip():
            problems.append((spec.code, explanation_message(spec, differences)))
    return problems


@transaction.atomic
def submission_prefill(
    *, submission: Submission, by: Any, expected_version: int | None = None, key: Any = None
) -> Submission:
    """Fill the draft in from the records for `key` (typed, already checked by the key's form
    field: the month chosen) or, without it, again for its key answer (the books were posted
    since): unanswered questions and those still holding the earlier figure from the books
    get the new one; an answer the person changed stays, with its reason.

    Raises SubmissionError when the form's purpose fills nothing in or no key is answered."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    _check_editable(locked, by, expected_version)
    hook = prefill_for(locked.form_page.purpose)
    schema = schema_for_revision(locked.revision_id)
    data = dict(locked.data)
    key_spec = schema.by_code.get(hook.key) if hook is not None else None
    if hook is not None and key_spec is not None and key not in (None, ""):
        data[hook.key] = to_json(key_spec.type, key)
    found = prefill_lookup(locked, key=data.get(hook.key)) if hook is not None else None
    if hook is None or found is None:
        raise SubmissionError(
            _("There is nothing to fill in from the books for this form yet."),
            code="nothing_to_prefill",
        )
    _apply_prefill(locked, schema, data, found, hook)
    locked.data = data
    _tidy_explanations(locked, schema)
    locked.version += 1
    locked.save(update_fields=["data", "prefilled", "explanations", "version", "updated_at"])
    return locked


def submission_problems(submission: Submission) -> list[tuple[str | None, str]]:
    """Everything that stops a submission being sent: required visible answers missing, answers
    that differ from the books without a reason, and form rules that do not hold. (code or
    None, message) pairs."""
    schema = schema_for_revision(submission.revision_id)
    answers = schema.calculate(typed_answers(submission))
    files = set(submission.files.values_list("field_code", flat=True))
    problems: list[tuple[str | None, str]] = []
    for spec in schema.fields:
        if not spec.is_input or not spec.required or not schema.visible(spec, answers):
            continue
        value = files if spec.type == FieldType.FILE else answers.get(spec.code)
        missing = (
            (spec.code not in files) if spec.type == FieldType.FILE else value in (None, "", [])
        )
        if missing:
            problems.append((spec.code, _("“%(label)s” must be answered.") % {"label": spec.label}))
    unexplained = explanation_problems(submission, schema, answers)
    if problems:
        # Rules over unanswered fields would only repeat "fill this in" less clearly.
        return problems + unexplained
    problems.extend(unexplained)
    for rule in schema.rules:
        if not rule.expression.evaluate(answers):
            problems.append((None, rule.message))
    problems.extend(
        purpose_checks.purpose_problems(
            submission.form_page.purpose, answers, submission.cooperative
        )
    )
    return problems


def next_reference(prefix: str) -> str:
    """KOP-2026-000123: per prefix and year, gap-free under concurrency."""
    year = timezone.localdate().year
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    # The row lock makes two submits in the same second wait for each other, never share a number.
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=models.F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


@transaction.atomic
def submission_submit(
    *, submission: Submission, by: Any, expected_version: int | None = None
) -> Submission:
    """Send a complete draft (or resend one sent back for changes): checks every answer and rule
    on its own form version, the form's period rule, gives it a reference number and starts (or
    resumes) the form's approval workflow.

    Raises SubmissionError listing what is missing, or when the period already has one.
    """
    from workflows.services import review_start

    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    _check_editable(locked, by, expected_version)
    previous_status = locked.status
    problems = submission_problems(locked)
    if problems:
        raise SubmissionError([message for _code, message in problems], code="incomplete")
    form_page = locked.form_page
    if form_page.period_rule != PeriodRule.UNLIMITED:
        clash = Submission.objects.filter(
            form_page=form_page, cooperative=locked.cooperative, status__in=COUNTED_STATUSES
        ).exclude(pk=locked.pk)
        if form_page.period_rule != PeriodRule.ONCE:
            clash = clash.filter(period=locked.period)
        if clash.exists():
            raise SubmissionError(
                _("This cooperative already sent this form for this period (%(ref)s).")
                % {"ref": clash.first().reference},  # type: ignore[union-attr]
                code="period_taken",
            )
    schema = schema_for_revision(locked.revision_id)
    calculated = schema.calculate(typed_answers(locked))
    locked.data = {
        code: to_json(
            schema.by_code[code].type, value, {c.code: c.type for c in schema.by_code[code].columns}
        )
        for code, value in calculated.items()
        if code in schema.by_code
    }
    if locked.reference is None:
        locked.reference = next_reference(form_page.reference_prefix or "KOP")
    locked.status = SubmissionStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.version += 1
    locked.save(
        update_fields=["data", "reference", "status", "submitted_at", "version", "updated_at"]
    )
    return review_start(submission=locked, by=by, previous_status=previous_status)
