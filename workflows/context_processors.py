from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def review(request: HttpRequest) -> dict[str, Any]:
    """Counts for the menu: open tasks and unread notifications, queried only when a page
    shows them (lazy), never for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def counts() -> dict[str, int]:
        from .selectors import inbox, unread_notifications

        return {"tasks": inbox(user).count(), "unread": unread_notifications(user).count()}

    return {"review_counts": SimpleLazyObject(counts)}
