"""django-q2 jobs of imports: thin, taking ids, safe to run twice (see the services)."""

import datetime

from django.utils import timezone

from .enums import RunStatus
from .models import ImportRun
from .services import import_run_apply, import_run_check

# Longer than a 100,000-row check or apply takes here, shorter than the broker's retry.
STUCK_AFTER = datetime.timedelta(minutes=10)


def import_check(run_id: int) -> str:
    run = import_run_check(run_id=run_id)
    return run.status if run else "skipped"


def import_apply(run_id: int) -> str:
    run = import_run_apply(run_id=run_id)
    return run.status if run else "skipped"


def imports_requeue_stuck() -> int:
    """Queue again the runs a worker took and never finished. The Redis broker can lose a task
    in flight; both jobs start over safely."""
    from django_q.tasks import async_task

    cutoff = timezone.now() - STUCK_AFTER
    count = 0
    for run in ImportRun.objects.filter(
        status__in=[RunStatus.QUEUED, RunStatus.CHECKING], created_at__lt=cutoff
    ).only("pk"):
        async_task("imports.tasks.import_check", run.pk)
        count += 1
    for run in ImportRun.objects.filter(status=RunStatus.APPLYING, confirmed_at__lt=cutoff).only(
        "pk"
    ):
        async_task("imports.tasks.import_apply", run.pk)
        count += 1
    return count
