"""The only writers of submissions: start, save a step, submit."""

import hashlib
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
from .schema import FormSchema, build_schema
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
) -> Submission:
    """Start a draft on the form's published version, or return the draft this key already
    started (a double click or a retried request creates nothing twice).

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
) -> Submission:
    """Store one step's typed answers (already checked by its StepForm) into the draft.

    Raises StaleSubmissionError when `expected_version` is not the stored one.
    """
    # Lock the row: two devices saving the same draft must not both read version n.
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    _check_editable(locked, by, expected_version)
    schema = schema_for_revision(locked.revision_id)
    data = dict(locked.data)
    for code, value in answers.items():
        spec = schema.by_code.get(code)
        if spec is None or spec.type == FieldType.FILE:
            continue
        data[code] = to_json(spec.type, value, {c.code: c.type for c in spec.columns})
    for code, upload in (files or {}).items():
        spec = schema.by_code[code]
        _store_file(locked, code, upload, int(spec.options.get("max_size_mb") or 5))
    locked.data = data
    locked.current_step = max(locked.current_step, step + 1)
    locked.version += 1
    locked.save(update_fields=["data", "current_step", "version", "updated_at"])
    return locked


def submission_problems(submission: Submission) -> list[tuple[str | None, str]]:
    """Everything that stops a submission being sent: required visible answers missing and
    form rules that do not hold. (code or None, message) pairs, in form order."""
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
    if problems:
        # Rules over unanswered fields would only repeat "fill this in" less clearly.
        return problems
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
