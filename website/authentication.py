"""API authentication that also sets the language of the answer."""

from typing import Any

from django.utils import translation
from rest_framework import authentication
from rest_framework.request import Request

from .middleware import LanguageMiddleware


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, then the token user's language. The portal's
    LanguageMiddleware chooses before any token is read, so without this a token client who
    chose English would get Indonesian messages."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None:
            language = LanguageMiddleware.choose(request._request, user=result[0])
            translation.activate(language)
            request._request.LANGUAGE_CODE = language
        return result
