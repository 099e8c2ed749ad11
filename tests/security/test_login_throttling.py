"""Login throttling that a stranger cannot turn against everyone else: failures count for
the client that made them, and a correct login clears only its own."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _throttling(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def _attempt(username: str, password: str, address: str, **headers: str):
    return Client().post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        secure=True,
        **headers,
    )


def test_a_login_clears_only_its_own_usernames_failures(sara, bob):
    # Someone behind the school's address guesses Bob's password, while Sara, a student
    # behind the same address, logs in between two guesses.
    for guess in range(4):
        assert _attempt("bob", f"gok-{guess}", "10.0.5.1").status_code == 200
    assert _attempt("sara", PASSWORD, "10.0.5.1").status_code == 302
    _attempt("bob", "gok-4", "10.0.5.1")
    # Sara's login did not wipe the four guesses before it: the fifth locks.
    assert _attempt("bob", PASSWORD, "10.0.5.1").status_code == 429


PROXY = "127.0.0.1"


def _through_proxy(username: str, password: str, forwarded_for: str):
    return _attempt(username, password, PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_the_proxy_made_up_usernames_lock_out_nobody(settings, alice):
    settings.KLASSE_TRUSTED_PROXIES = [PROXY]
    for guess in range(settings.AXES_FAILURE_LIMIT + 1):
        assert _through_proxy(f"verzonnen{guess}", "fout-fout", "203.0.113.66").status_code == 200
    assert _through_proxy("alice", PASSWORD, "198.51.100.7").status_code == 302
    assert _through_proxy("alice", PASSWORD, "203.0.113.66").status_code == 302


def test_behind_the_proxy_guesses_lock_the_username_for_the_guesser_only(settings, alice):
    settings.KLASSE_TRUSTED_PROXIES = [PROXY]
    for guess in range(settings.AXES_FAILURE_LIMIT):
        # The client's own X-Forwarded-For comes first; the proxy adds the address it saw.
        _through_proxy("alice", "fout-fout", f"10.{guess}.0.1, 203.0.113.66")
    response = _through_proxy("alice", PASSWORD, "203.0.113.66")
    assert response.status_code == 429 and "Te veel mislukte pogingen" in response.content.decode()
    assert _through_proxy("alice", PASSWORD, "198.51.100.7").status_code == 302


def test_a_forwarded_address_from_anyone_but_the_proxy_is_not_believed(settings, alice):
    settings.KLASSE_TRUSTED_PROXIES = [PROXY]
    for guess in range(settings.AXES_FAILURE_LIMIT):
        _attempt("alice", "fout-fout", "203.0.113.66", HTTP_X_FORWARDED_FOR=f"10.0.0.{guess}")
    assert _attempt("alice", PASSWORD, "203.0.113.66").status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings, alice):
    settings.KLASSE_TRUSTED_PROXIES = []
    for guess in range(settings.AXES_FAILURE_LIMIT):
        _through_proxy("alice", "fout-fout", f"10.0.0.{guess}")
    assert _through_proxy("alice", PASSWORD, "198.51.100.7").status_code == 429


def test_failed_logins_lock_the_address_whatever_the_username(settings, alice, sara):
    # Guessing one password for every username (spraying) is stopped per address, at a
    # limit high enough that a school's students behind one address do not reach it.
    settings.KLASSE_LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for guess in range(12):
        _attempt(f"leerling{guess}", "Welkom01", "203.0.113.66")
    assert _attempt("sara", PASSWORD, "203.0.113.66").status_code == 429
    assert _attempt("sara", PASSWORD, "198.51.100.7").status_code == 302


def test_trying_during_the_lockout_does_not_start_the_quarter_of_an_hour_again(sara):
    from axes.models import AccessAttempt

    for guess in range(5):
        _attempt("sara", f"gok-{guess}", "10.0.5.9")
    locked = AccessAttempt.objects.get(username="sara")
    for _ in range(3):  # the owner keeps trying, with the right password
        assert _attempt("sara", PASSWORD, "10.0.5.9").status_code == 429
    after = AccessAttempt.objects.get(username="sara")
    assert (after.failures_since_start, after.attempt_time) == (
        locked.failures_since_start,
        locked.attempt_time,
    )
