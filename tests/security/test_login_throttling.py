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
