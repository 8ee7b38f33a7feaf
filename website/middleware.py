from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers

ADMIN_CSP_RELAXATION = {
    # Wagtail's admin ships inline scripts and styles; the portal never needs them.
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
}


class LanguageMiddleware:
    """Bahasa Indonesia unless the user chose otherwise: the language cookie, then the signed-in
    user's saved choice (so English follows them to another device), then LANGUAGE_CODE.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: many phones in
    the villages are set to English while their owners work in Indonesian.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self.choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        # An API token read after this ran may have switched to its user's language.
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    @staticmethod
    def choose(request: HttpRequest, user: Any = None) -> str:
        available = dict(settings.LANGUAGES)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in available:
            return str(cookie)
        user = user if user is not None else getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from wagtail.users.models import UserProfile

            preferred = UserProfile.get_for_user(user).preferred_language
            if preferred in available:
                return str(preferred)
        return settings.LANGUAGE_CODE


class AdminContentSecurityPolicyMiddleware:
    """Relax the CSP for the Wagtail admin only (it is for trusted admins)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(("/admin/", "/django-admin/")):
            response._csp_replace = ADMIN_CSP_RELAXATION  # type: ignore[attr-defined]
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than an upload may be, before reading it.

    Django does not count uploaded files against its own limits and would stream a 2 GB body
    to a temporary file before any view could say no. The Wagtail admin is left alone (its
    document uploads have their own rules)."""

    # Room for the form fields around the file.
    MARGIN = 1024 * 1024

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.KOPDES_MAX_UPLOAD_BYTES + self.MARGIN
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit and not request.path.startswith("/admin/"):
            message = translation.gettext(
                "The file is larger than %(n)s MB. Split it into smaller files."
            ) % {"n": settings.KOPDES_MAX_UPLOAD_BYTES // (1024 * 1024)}
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(
                render_to_string("413.html", {"message": message}, request=request), status=413
            )
        return self.get_response(request)
