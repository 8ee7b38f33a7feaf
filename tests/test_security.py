"""The security baseline: deploy checks, lockout, password rules, headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests allow async-unsafe ORM use in this process; a deployment never does.
    dropped = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="website.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="kopdes.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="website.settings.production",
        DJANGO_SECRET_KEY="",
        ALLOWED_HOSTS="kopdes.example",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


class TestLockout:
    """Five wrong passwords lock that username from that address only: a village behind one
    carrier IP must not be locked out together, and the owner can still sign in elsewhere."""

    def _login(self, client, username, password, ip):
        return client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    def test_five_failures_lock_the_username_from_that_address(self, world, client):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = self._login(client, "alice", "salah-sandi", "10.1.1.1")
            assert response.status_code == 200  # the form again, with an error
        # The last allowed failure locks at once; even the right password is refused after it.
        assert self._login(client, "alice", "salah-sandi", "10.1.1.1").status_code == 429
        locked = self._login(client, "alice", "Uji-Coba-Desa-2026", "10.1.1.1")
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session
        assert "terkunci" in locked.content.decode().lower()

    def test_the_same_address_still_serves_other_villagers(self, world, client):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self._login(client, "alice", "salah-sandi", "10.1.1.1")
        response = self._login(client, "bob", "Uji-Coba-Desa-2026", "10.1.1.1")
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == world.bob.pk

    def test_the_owner_can_still_sign_in_from_another_address(self, world, client):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self._login(client, "alice", "salah-sandi", "10.1.1.1")
        response = self._login(client, "alice", "Uji-Coba-Desa-2026", "10.2.2.2")
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == world.alice.pk


@pytest.mark.parametrize(
    "password",
    ["password123", "qwertyuiop", "1234567890123", "pendek", "KopDes-Kaltim-99", "koperasi2026!"],
)
def test_weak_and_guessable_passwords_are_refused(password, db):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_password_similar_to_the_users_name_is_refused(world):
    world.alice.first_name = "Sri Rahmawati Hidayat"
    with pytest.raises(ValidationError) as error:
        validate_password("SriRahmawatiHidayat", user=world.alice)
    assert [e.code for e in error.value.error_list] == ["password_too_similar"]


def test_a_strong_password_is_accepted(db):
    validate_password("Sungai-Mahakam-Biru-77")


def test_portal_pages_carry_security_headers(world, client):
    client.force_login(world.alice)
    for url in (reverse("home"), reverse("login")):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp
        assert "base-uri 'self'" in csp
        assert "frame-ancestors 'self'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] in {"SAMEORIGIN", "DENY"}


def test_openpyxl_parses_through_defusedxml():
    # openpyxl only guards against XML entity attacks when defusedxml is importable.
    assert openpyxl.DEFUSEDXML is True
