from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
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
        response.headers.setdefault("Content-Language", language)
        return response

    @staticmethod
    def choose(request: HttpRequest) -> str:
        available = dict(settings.LANGUAGES)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in available:
            return str(cookie)
        user = getattr(request, "user", None)
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
