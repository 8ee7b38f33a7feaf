from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

ADMIN_CSP_RELAXATION = {
    # Wagtail's admin ships inline scripts and styles; the portal never needs them.
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
}


class UserLanguageMiddleware:
    """Use the signed-in user's chosen language unless the request already chose one by cookie.

    A user who picked English on one phone gets English on the next device too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            from wagtail.users.models import UserProfile

            language = UserProfile.get_for_user(user).preferred_language
            if language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


class AdminContentSecurityPolicyMiddleware:
    """Relax the CSP for the Wagtail admin only (it is for trusted admins)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(("/admin/", "/django-admin/")):
            response._csp_replace = ADMIN_CSP_RELAXATION  # type: ignore[attr-defined]
        return response
