from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def portal(request: HttpRequest) -> dict[str, Any]:
    # Not `site_name`: Django's auth views put the request's host under that name.
    context: dict[str, Any] = {"kopdes_site_name": settings.WAGTAIL_SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:

        def may_see_loans() -> bool:
            from loans.selectors import may_see_loans

            return may_see_loans(user=user)

        # Lazy: read only when a page draws the menu (the scope is cached for the request).
        context["nav_loans"] = SimpleLazyObject(may_see_loans)
    return context
