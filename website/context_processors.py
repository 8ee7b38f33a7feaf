from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    # Not `site_name`: Django's auth views put the request's host under that name.
    return {"kopdes_site_name": settings.WAGTAIL_SITE_NAME}
