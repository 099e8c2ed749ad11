"""What a browser gets in production: secure cookies, HSTS, a Content-Security-Policy that
allows no inline script (and pages that need none), frame protection; and a login that
throttles guessing and refuses archived accounts.

The settings are klasse/settings.py loaded afresh with a production environment, so these
tests hold whatever environment the test run itself has. `check --deploy` being clean is
tests/accounts/test_commands.py::test_check_deploy_is_clean_with_production_settings.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, client_for, make_account
from tests.security.conftest import load_settings
from tests.security.walk import endpoints, url_for

pytestmark = pytest.mark.django_db
SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS",
    "SECURE_CSP",
    "MIDDLEWARE",
]
LOCKED = "Te veel mislukte pogingen"


@pytest.fixture
def production(settings, production_env):
    loaded = load_settings(**production_env)
    for name in SECURITY_SETTINGS:
        setattr(settings, name, loaded[name])
    return settings


def test_production_settings_are_strict(production_env):
    loaded = load_settings(**production_env)
    assert loaded["DEBUG"] is False and loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SESSION_COOKIE_SECURE"] and loaded["CSRF_COOKIE_SECURE"]
    assert loaded["SESSION_COOKIE_HTTPONLY"] and loaded["CSRF_COOKIE_HTTPONLY"]
    assert loaded["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert loaded["X_FRAME_OPTIONS"] == "DENY"
    assert loaded["AXES_ENABLED"] is True


def test_plain_http_is_sent_to_https(production, client):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_session_and_csrf_cookies_are_secure_and_http_only(production, client, alice):
    page = client.get(reverse("login"), secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("persona", ["anonymous", "alice"])
def test_every_page_sends_hsts_csp_frame_and_nosniff_headers(production, world, persona):
    client = Client() if persona == "anonymous" else client_for(world[persona])
    for endpoint in endpoints():
        path = url_for(endpoint, world)
        response = client.get(path, secure=True)
        where = f"{path} ({endpoint.name}) → {response.status_code}"
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), where
        assert response["X-Frame-Options"] == "DENY", where
        assert response["X-Content-Type-Options"] == "nosniff", where
        policy = _directives(response.get("Content-Security-Policy", ""))
        scripts = policy.get("script-src", policy.get("default-src"))
        assert scripts, f"{where}: no Content-Security-Policy for scripts"
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
        assert "*" not in scripts and not any(s.startswith("http") for s in scripts), where
        assert policy.get("frame-ancestors") == ["'none'"], where
        assert policy.get("default-src") == ["'self'"], where


class _Inline(HTMLParser):
    """Everything a policy without 'unsafe-inline' would block (and thus break)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")


@pytest.mark.parametrize("persona", ["anonymous", "alice", "tom", "sara", "bob"])
def test_no_page_has_inline_script_event_handlers_or_inline_style(production, world, persona):
    client = Client() if persona == "anonymous" else client_for(world[persona])
    found = []
    for endpoint in endpoints():
        path = url_for(endpoint, world)
        response = client.get(path, secure=True, follow=True)
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = _Inline()
        parser.feed(response.content.decode())
        found += [f"{path} ({endpoint.name}): {what}" for what in parser.found]
    assert not found, "\n".join(found)


def _attempt(client: Client, username: str, password: str, address: str):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        secure=True,
    )


def test_failed_logins_lock_the_username_for_that_address_only(settings, client, sara):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "sara", "fout-fout", "10.0.0.1")
    response = _attempt(client, "sara", PASSWORD, "10.0.0.1")
    assert response.status_code == 429
    assert LOCKED in response.content.decode() and "kwartier" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Whoever guessed locked only himself: Sara gets in from her own address.
    assert _attempt(Client(), "sara", PASSWORD, "10.0.1.1").status_code == 302


def test_failed_logins_lock_the_username_whatever_its_case(settings, client, school_a):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    make_account(school_a, "émile")
    for spelling in ["Émile", "ÉMILE", " émile ", "ÉmIlE", "émile"]:
        _attempt(client, spelling, "fout-fout", "10.0.2.1")
    response = _attempt(client, "émile", PASSWORD, "10.0.2.1")
    assert response.status_code == 429 and LOCKED in response.content.decode()


def test_a_few_failures_do_not_lock(settings, client, alice):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "alice", "fout-fout", "10.0.0.3")
    assert _attempt(client, "alice", PASSWORD, "10.0.0.3").status_code == 302


def test_an_archived_account_is_refused_with_the_right_password(settings, client, sara):
    settings.AXES_ENABLED = True
    sara.archived_at = timezone.now()
    sara.save()
    response = _attempt(client, "sara", PASSWORD, "10.0.0.4")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "klopt niet" in response.content.decode() or "gearchiveerd" in response.content.decode()


def test_an_account_archived_while_signed_in_is_signed_out(sara):
    client = client_for(sara)
    assert client.get(reverse("student_home")).status_code == 200
    sara.archived_at = timezone.now()
    sara.save()
    response = client.get(reverse("student_home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
