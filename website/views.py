"""Portal shell: home and language switch. Sign in/out and password change are Django's own
views, wired in portal_urls."""

from typing import Literal, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors
from .services import user_language_set

LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "website/home.html",
        {
            "figures": selectors.home_figures(user=request.user),
            "grants": selectors.role_grants_for_user(user=request.user),
            "announcement": selectors.home_announcement(),
        },
    )


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the interface language without JavaScript: a cookie for this device and, for a
    signed-in user, their profile, so the next phone they sign in on speaks the same language."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = redirect(next_url)
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or LANGUAGE_COOKIE_MAX_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(Literal["Lax", "Strict", "None"] | None, settings.LANGUAGE_COOKIE_SAMESITE),
    )
    return response
