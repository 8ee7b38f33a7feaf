"""Development: `make run`. Never used in production."""

from .base import *  # noqa: F403
from .base import os

DEBUG = True
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "dev-only-not-secret-kopdes-kaltim-0123456789abcdef"
)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
KOPDES_SHOW_DEMO_LOGINS = True
