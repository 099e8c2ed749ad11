"""Browser tests: Playwright's sync API drives Debian's Chromium against pytest-django's
live server. Without /usr/bin/chromium they are skipped, unless KLASSE_REQUIRE_BROWSER=1
(CI), where a missing browser is a failure.

Mark each module `pytestmark = BROWSER`: the live server needs real transactions. The
flush after each transactional test also removes the catalogues that migrations load
(programmes, the leerplan); `_programme_catalogue` loads them again. (A serialized rollback
cannot: with Playwright's event loop running, Django's connections live in another context.)"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from klasse.accounts.models import Account
from tests.conftest import PASSWORD, catalogues_reload

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BROWSER = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(scope="session")
def plain_http():
    """Plain http, as a browser on this machine reaches the live server. Session-wide and
    before the live server starts: SecurityMiddleware reads SECURE_SSL_REDIRECT once."""
    names = ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
    saved = {name: getattr(django_settings, name) for name in names}
    for name in names:
        setattr(django_settings, name, False)
    yield
    for name, value in saved.items():
        setattr(django_settings, name, value)


# One Chromium per test session, also when another package imports these fixtures into its
# own modules (each import is a fixture of its own, and Playwright's sync API allows only
# one running instance per thread).
_running: dict = {}


@pytest.fixture(scope="session")
def browser(plain_http, django_db_setup):
    if "browser" in _running:
        yield _running["browser"]
        return
    if not CHROMIUM.exists():
        if os.environ.get("KLASSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and KLASSE_REQUIRE_BROWSER=1: run `make browser`")
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` to install Debian's Chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while it lives;
    # the ORM calls of the tests (and of pytest-django's flush) are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            _running["browser"] = chromium
            try:
                yield chromium
            finally:
                del _running["browser"]
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _programme_catalogue(transactional_db) -> None:
    catalogues_reload()  # the programmes and the leerplan


@pytest.fixture
def live(plain_http, live_server, settings):
    """The live server; `plain_http` is named first so that it is set before it starts."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server


@pytest.fixture
def page(browser, live) -> Iterator:
    context = browser.new_context(locale="nl-NL", base_url=live.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def login(page, account: Account, password: str = PASSWORD) -> None:
    page.goto(reverse("login"))
    page.get_by_label("Gebruikersnaam").fill(account.username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/inloggen/" not in url)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
