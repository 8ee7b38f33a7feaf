"""Browser journeys: Playwright driving Debian's Chromium against a live test server.

The browser is never downloaded: it is the `chromium` that `make test` installs from Debian.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's ORM calls are still
# synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-output" / "screenshots"
PHONE = {"width": 360, "height": 800}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed; `make test` installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser) -> Iterator[object]:
    """A page in a fresh context sized like a cheap phone, in the default language."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


# The elements that reach past the right edge of the screen, to name them when a page is too wide.
STICKING_OUT = """[...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > innerWidth)
    .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
         + (e.getAttribute("class") ? "." + e.getAttribute("class") : ""))
    .slice(0, 5)"""


def assert_fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (
        f"{page.url} scrolls sideways ({width} px): {page.evaluate(STICKING_OUT)}"
    )


def sign_out(page) -> None:
    page.locator("details.usermenu summary").click()
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_load_state()
    assert "/masuk/" in page.url
