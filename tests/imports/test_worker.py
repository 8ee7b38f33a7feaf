"""The check and the apply done by a real django-q2 cluster, as in production."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cooperatives.models import Member
from imports.enums import RunStatus
from imports.models import ImportRun
from imports.services import import_run_confirm, import_run_create

from .books import BUDI, SITI, member_book

ROOT = Path(settings.BASE_DIR)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the worker is another process, and the SQLite test database "
        "lives in this process's memory",
    ),
]


def wait_for(run: ImportRun, status: str, seconds: float = 90) -> ImportRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status == status:
            return run
        time.sleep(0.3)
    raise AssertionError(f"run stayed {run.status}, expected {status}: {run.message}")


@pytest.fixture
def cluster(transactional_db):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "website.settings.test",
        "KOPDES_Q_SYNC": "0",
        "Q_WORKERS": "1",
    }
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def test_a_worker_checks_the_upload_and_applies_it_once_confirmed(world, cluster, monkeypatch):
    from django_q import tasks as q_tasks

    queue = q_tasks.async_task
    # This process runs jobs inline (test settings): hand them to the broker instead.
    monkeypatch.setattr(q_tasks, "async_task", lambda *a, **kw: queue(*a, sync=False, **kw))
    run = import_run_create(
        cooperative=world.coop_a,
        kind="members",
        data=member_book([SITI, BUDI]),
        file_name="anggota.xlsx",
        uploaded_by=world.alice,
    )
    run = wait_for(run, RunStatus.READY)
    assert (run.created, run.rows_invalid) == (2, 0)
    assert run.progress_done == run.progress_total > 0
    assert not Member.objects.exists()
    import_run_confirm(run=run, by=world.alice)
    run = wait_for(run, RunStatus.APPLIED)
    assert Member.objects.filter(cooperative=world.coop_a, import_run=run).count() == 2
