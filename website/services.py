"""Writers of the portal's own per-user settings."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.users.models import UserProfile


def user_language_set(*, user: Any, language: str) -> UserProfile:
    """Remember `language` as the user's preferred language (portal and Wagtail admin alike).

    Raises ValidationError when `language` is not one of settings.LANGUAGES.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("This language is not available."), code="invalid_language")
    profile = UserProfile.get_for_user(user)
    if profile.preferred_language != language:
        profile.preferred_language = language
        profile.save(update_fields=["preferred_language"])
    return profile
