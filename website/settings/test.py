"""Test settings: the suite's own database, synchronous jobs, fast password hashing."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, Q_CLUSTER

DEBUG = False
SECRET_KEY = "test-only-not-secret-kopdes-kaltim-0123456789abcdef"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# django-q2 reads Q_CLUSTER once at import, so override_settings cannot switch it: tests run tasks
# synchronously. A test about the worker starts a real cluster in a subprocess, which sets
# KOPDES_Q_SYNC=0 to work the queue instead.
Q_CLUSTER = {**Q_CLUSTER, "sync": os.environ.get("KOPDES_Q_SYNC", "1") == "1"}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
