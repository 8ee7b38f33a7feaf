"""Settings for `make bench`: the test settings on a throwaway SQLite file, plus the anchor app.

The database is a real file in WAL mode (as the embedded default runs in production), in the
temporary folder `benchmarks/run.py` makes and deletes (KOPDES_BENCH_DIR).
"""

import os
import tempfile
from pathlib import Path

from website.settings.base import Q_CLUSTER as PRODUCTION_Q_CLUSTER
from website.settings.test import *  # noqa: F403
from website.settings.test import INSTALLED_APPS

BENCH_DIR = Path(os.environ.get("KOPDES_BENCH_DIR") or tempfile.mkdtemp(prefix="kopdes-bench-"))

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.anchor"]

# Always SQLite, whatever DATABASE_URL says: the anchor and ours must share one database, and
# the benchmark must never write into a real one.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BENCH_DIR / "bench.sqlite3"),
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}
# Jobs are queued as production queues them (a row for the worker), not run inside the timed
# request as the test settings run them.
Q_CLUSTER = {
    **{key: value for key, value in PRODUCTION_Q_CLUSTER.items() if key != "redis"},
    "orm": "default",
}
MEDIA_ROOT = BENCH_DIR / "media"
DEBUG = False
# Request logs would be printed inside the timed loop and measured with it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "ERROR"},
}
