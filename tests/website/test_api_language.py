"""A token client gets answers in the language its user chose, as the portal does."""

import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.users.models import UserProfile

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def indonesian_afterwards():
    yield
    translation.activate("id")


def token_client(preferred: str) -> APIClient:
    user = UserFactory(username=f"api-{preferred or 'none'}")
    if preferred:
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = preferred
        profile.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize(
    ("preferred", "message", "language"),
    [
        ("en", "This API address does not exist.", "en"),
        ("", "Alamat API ini tidak ada.", "id"),
    ],
)
def test_messages_follow_the_token_users_choice(preferred, message, language):
    response = token_client(preferred).get("/api/v1/tidak-ada/")
    assert response.status_code == 404
    assert response.json() == {"detail": message}
    assert response.headers["Content-Language"] == language


def test_the_language_cookie_still_wins():
    client = token_client("en")
    client.cookies["kopdes_language"] = "id"
    assert client.get("/api/v1/tidak-ada/").json() == {"detail": "Alamat API ini tidak ada."}
