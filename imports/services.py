"""Writers of imports: upload → check (preview) → confirm → apply, each a service.

Nothing is written to the books before `import_run_confirm`. The apply checks the file again,
against the records as they are then, and writes everything or nothing in one transaction;
without `skip_invalid` a file with any wrong row writes nothing.
"""

import hashlib
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperatives.models import Cooperative

from .checking import Checked, check_workbook
from .enums import ImportKind, RowAction, RunStatus
from .models import ImportRun
from .reader import MAX_FILE_BYTES, WorkbookError, open_workbook

logger = logging.getLogger(__name__)

MAX_STORED_PROBLEMS = 20_000
ZIP_MAGIC = b"PK\x03\x04"
MAX_STORED_CHANGES = 200


class ImportRefused(ValidationError):
    """The run is not in a state that allows the operation, or the file has wrong rows."""


def refusal_message(error: "WorkbookError | ImportRefused") -> str:
    """What to tell the user about a refused upload or operation."""
    if isinstance(error, WorkbookError):
        return error.message
    return " ".join(error.messages)


def _queue(task: str, run_id: int) -> None:
    def send() -> None:
        from django_q.tasks import async_task

        async_task(task, run_id, task_name=f"{task.rsplit('.', 1)[-1]}-{run_id}")

    transaction.on_commit(send)


def import_run_create(
    *,
    cooperative: Cooperative,
    kind: ImportKind | str,
    data: bytes,
    file_name: str,
    uploaded_by: Any = None,
    form: Any = None,
    submit: bool = False,
    sheet: str = "",
    skip_invalid: bool = False,
    queue: bool = True,
) -> ImportRun:
    """Store an uploaded workbook as a new run and queue its check.

    Raises WorkbookError("too_large"/"empty_file") before anything is stored."""
    if not data:
        raise WorkbookError("empty_file", _("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookError(
            "too_large",
            _("The file is larger than %(n)s MB. Split it into smaller files.")
            % {"n": MAX_FILE_BYTES // (1024 * 1024)},
        )
    if not data.startswith(ZIP_MAGIC):
        # Not a zip: refused at once (CSV, a picture, an old .xls, a password), without a job.
        open_workbook(data)
    kind = ImportKind(kind)
    if kind == ImportKind.SUBMISSIONS and form is None:
        raise ImportRefused(_("Choose the form the rows belong to."), code="form_required")
    run = ImportRun(
        cooperative=cooperative,
        kind=kind,
        form=form if kind == ImportKind.SUBMISSIONS else None,
        submit=submit,
        file_name=file_name[:255],
        file_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        sheet=sheet,
        uploaded_by=uploaded_by,
        skip_invalid=skip_invalid,
        created_at=timezone.now(),
    )
    with transaction.atomic():
        run.file.save(file_name, ContentFile(data), save=False)
        run.save()
        if queue:
            _queue("imports.tasks.import_check", run.pk)
    return run


def _progress(run: ImportRun) -> Any:
    def report(done: int, total: int) -> None:
        ImportRun.objects.filter(pk=run.pk).update(progress_done=done, progress_total=total)

    return report


def _store_outcome(run: ImportRun, checked: Checked) -> None:
    plans = checked.plans
    run.sheet = checked.sheet
    run.header_row = checked.header_row
    run.rows_skipped = checked.count(RowAction.SKIPPED)
    run.rows_total = len(plans) - run.rows_skipped
    run.rows_invalid = checked.count(RowAction.INVALID)
    run.created = checked.count(RowAction.CREATE)
    run.updated = checked.count(RowAction.UPDATE)
    run.unchanged = checked.count(RowAction.UNCHANGED)
    run.errors = [problem.as_dict() for problem in checked.problems[:MAX_STORED_PROBLEMS]]
    run.warnings = [problem.as_dict() for problem in checked.warnings[:MAX_STORED_PROBLEMS]]
    headings = {
        column.key: checked.context.headings.get(column.key, column.heading)
        for column in checked.kind.columns_for(run)
    }
    changes = []
    for plan in plans:
        if plan.action != RowAction.UPDATE:
            continue
        after = {**plan.values, **plan.extra.get("balance", {})}
        changes.append(
            {
                "row": plan.number,
                "label": plan.label,
                "fields": [
                    [
                        headings.get(name.removesuffix("_id"), name),
                        _shown(old),
                        _shown(after.get(name)),
                    ]
                    for name, old in plan.before.items()
                ],
            }
        )
        if len(changes) >= MAX_STORED_CHANGES:
            break
    run.changes = changes


def _shown(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


_OUTCOME_FIELDS = [
    "sheet",
    "header_row",
    "rows_total",
    "rows_invalid",
    "rows_skipped",
    "created",
    "updated",
    "unchanged",
    "errors",
    "warnings",
    "changes",
]


def import_run_check(*, run_id: int) -> ImportRun | None:
    """Read and check a queued run's file; the run becomes READY (with its preview) or
    REJECTED (with the reason). Safe to run twice: a run already checked is left alone."""
    updated = ImportRun.objects.filter(
        pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.CHECKING]
    ).update(status=RunStatus.CHECKING, progress_done=0)
    if not updated:
        return None
    run = ImportRun.objects.select_related("cooperative", "form").get(pk=run_id)
    with run.file.open("rb") as handle:
        data = handle.read()
    try:
        checked = check_workbook(run, data, progress=_progress(run))
    except WorkbookError as error:
        run.status, run.message = RunStatus.REJECTED, error.message
        run.errors = [{"row": 0, "column": "", "code": error.code, "message": error.message}]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "errors", "finished_at"])
        return run
    _store_outcome(run, checked)
    run.status = RunStatus.READY
    run.checked_at = timezone.now()
    run.message = _summary(run)
    run.save(update_fields=[*_OUTCOME_FIELDS, "status", "checked_at", "message"])
    return run


def _summary(run: ImportRun) -> str:
    parts = [
        ngettext("%(n)s new", "%(n)s new", run.created) % {"n": run.created},
        ngettext("%(n)s changed", "%(n)s changed", run.updated) % {"n": run.updated},
        ngettext("%(n)s unchanged", "%(n)s unchanged", run.unchanged) % {"n": run.unchanged},
        ngettext("%(n)s wrong", "%(n)s wrong", run.rows_invalid) % {"n": run.rows_invalid},
        ngettext("%(n)s skipped", "%(n)s skipped", run.rows_skipped) % {"n": run.rows_skipped},
    ]
    return ", ".join(parts) + "."


def _locked(run: ImportRun) -> ImportRun:
    # Lock: a double click on "confirm" (or confirm racing cancel) must act once.
    return ImportRun.objects.select_for_update().get(pk=run.pk)


@transaction.atomic
def import_run_confirm(*, run: ImportRun, by: Any, skip_invalid: bool = False) -> ImportRun:
    """Accept a checked run and queue its apply. Raises ImportRefused when the run is not
    waiting for confirmation, or has wrong rows and `skip_invalid` was not chosen."""
    locked = _locked(run)
    if locked.status != RunStatus.READY:
        raise ImportRefused(
            _("This import is “%(status)s” and cannot be confirmed.")
            % {"status": locked.get_status_display()},
            code="not_ready",
        )
    if locked.rows_invalid and not skip_invalid:
        raise ImportRefused(
            ngettext(
                "The file has %(n)s wrong row. Fix it and upload again, or choose to import "
                "only the valid rows.",
                "The file has %(n)s wrong rows. Fix them and upload again, or choose to import "
                "only the valid rows.",
                locked.rows_invalid,
            )
            % {"n": locked.rows_invalid},
            code="invalid_rows",
        )
    locked.status = RunStatus.APPLYING
    locked.skip_invalid = skip_invalid
    locked.confirmed_by = by
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["status", "skip_invalid", "confirmed_by", "confirmed_at"])
    _queue("imports.tasks.import_apply", locked.pk)
    return locked


@transaction.atomic
def import_run_cancel(*, run: ImportRun, by: Any) -> ImportRun:
    """Drop a run that has not been applied. Raises ImportRefused otherwise."""
    locked = _locked(run)
    if locked.status not in (RunStatus.QUEUED, RunStatus.CHECKING, RunStatus.READY):
        raise ImportRefused(
            _("This import is “%(status)s” and cannot be cancelled.")
            % {"status": locked.get_status_display()},
            code="not_cancellable",
        )
    locked.status = RunStatus.CANCELLED
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "finished_at"])
    return locked


def import_run_apply(*, run_id: int) -> ImportRun | None:
    """Check the confirmed run's file again and write it, all in one transaction. Safe to run
    twice: only a run still APPLYING is applied, and the status changes in the same commit."""
    try:
        with transaction.atomic():
            run = (
                # of=self: PostgreSQL cannot lock the nullable side of the join to the form.
                ImportRun.objects.select_for_update(of=("self",))
                .select_related("cooperative", "form")
                .filter(pk=run_id, status=RunStatus.APPLYING)
                .first()
            )
            if run is None:
                return None
            _apply(run)
            return run
    except _Rejected as rejected:
        # The transaction rolled back; what the check found is kept for the user to read.
        refused = rejected.run
        refused.status, refused.message = RunStatus.REJECTED, rejected.message
        refused.finished_at = timezone.now()
        refused.save(update_fields=[*_OUTCOME_FIELDS, "status", "message", "finished_at"])
    except Exception:
        logger.exception("import run %s failed", run_id)
        ImportRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            message=_("The import failed and nothing was written. Try again or ask for help."),
            finished_at=timezone.now(),
        )
        raise
    return ImportRun.objects.get(pk=run_id)


class _Rejected(Exception):
    def __init__(self, run: ImportRun, message: str) -> None:
        super().__init__(message)
        self.run = run
        self.message = message


def _apply(run: ImportRun) -> None:
    # Lock the cooperative: two imports into the same books must not interleave (both would
    # create the same new member, and the second would fail on the unique NIK half-way).
    Cooperative.objects.select_for_update().get(pk=run.cooperative_id)
    with run.file.open("rb") as handle:
        data = handle.read()
    try:
        checked = check_workbook(run, data)
    except WorkbookError as error:
        run.errors = [{"row": 0, "column": "", "code": error.code, "message": error.message}]
        raise _Rejected(run, error.message) from error
    _store_outcome(run, checked)
    if run.rows_invalid and not run.skip_invalid:
        raise _Rejected(
            run,
            ngettext(
                "The file has %(n)s wrong row; nothing was imported.",
                "The file has %(n)s wrong rows; nothing was imported.",
                run.rows_invalid,
            )
            % {"n": run.rows_invalid},
        )
    accepted = [
        plan for plan in checked.plans if plan.action in (RowAction.CREATE, RowAction.UPDATE)
    ]
    result = checked.kind.apply(checked.context, accepted)
    run.created, run.updated = result.created, result.updated
    run.status = RunStatus.APPLIED
    run.finished_at = timezone.now()
    run.message = _summary(run)
    run.save(update_fields=[*_OUTCOME_FIELDS, "status", "finished_at", "message"])


def import_file(
    *,
    cooperative: Cooperative,
    kind: ImportKind | str,
    data: bytes,
    file_name: str,
    uploaded_by: Any = None,
    form: Any = None,
    submit: bool = False,
    sheet: str = "",
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportRun:
    """Import in one go, without a worker (the command line): store, check, and — unless
    `dry_run` or wrong rows without `skip_invalid` — apply. Returns the run, whose status says
    which: APPLIED, REJECTED, or CANCELLED for a dry run."""
    run = import_run_create(
        cooperative=cooperative,
        kind=kind,
        data=data,
        file_name=file_name,
        uploaded_by=uploaded_by,
        form=form,
        submit=submit,
        sheet=sheet,
        skip_invalid=skip_invalid,
        queue=False,
    )
    if dry_run:
        checked = import_run_check(run_id=run.pk)
        assert checked is not None
        if checked.status == RunStatus.READY:
            checked.status = RunStatus.CANCELLED
            checked.finished_at = timezone.now()
            checked.save(update_fields=["status", "finished_at"])
        return checked
    # One pass: the apply checks the file itself, so the command reads it once.
    ImportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.APPLYING, confirmed_by=uploaded_by, confirmed_at=timezone.now()
    )
    applied = import_run_apply(run_id=run.pk)
    assert applied is not None
    return applied
