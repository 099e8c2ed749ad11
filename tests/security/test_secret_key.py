"""Klasse never runs with a key that anyone can read: without SECRET_KEY each installation
generates its own and keeps it in KLASSE_VAR_DIR, and a known key (the old development key,
the placeholder of deploy/klasse.env.example) stops a start without DEBUG."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.security.conftest import ROOT, load_settings

PLACEHOLDER = "change-me-to-a-long-random-string"
OLD_DEVELOPMENT_KEY = "django-insecure-klasse-development-key-do-not-use-in-production"


def _key(var_dir: Path, **env: str) -> str:
    return load_settings(DEBUG="false", KLASSE_VAR_DIR=str(var_dir), **env)["SECRET_KEY"]


def test_without_a_secret_key_each_installation_generates_its_own(tmp_path):
    first, second = _key(tmp_path / "een"), _key(tmp_path / "twee")
    assert first != second and len(first) >= 50
    assert _key(tmp_path / "een") == first, "the key changed between two starts"
    for source in (ROOT / "klasse").rglob("*.py"):
        assert first not in source.read_text(encoding="utf-8"), source
    kept = tmp_path / "een" / "secret_key"
    assert kept.read_text().strip() == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


@pytest.mark.parametrize("known", [PLACEHOLDER, OLD_DEVELOPMENT_KEY, "django-insecure-abc" * 4])
def test_a_known_key_stops_a_start_without_debug(tmp_path, known):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        _key(tmp_path, SECRET_KEY=known)
    # On a developer's machine it is tolerated.
    assert load_settings(DEBUG="true", SECRET_KEY=known, KLASSE_VAR_DIR=str(tmp_path))


def test_a_key_from_the_environment_is_used_as_it_is(tmp_path):
    assert _key(tmp_path, SECRET_KEY="x" * 60) == "x" * 60
    assert not (tmp_path / "secret_key").exists()


def test_processes_starting_at_once_end_up_with_the_same_key(tmp_path):
    read_key = "import runpy, sys; print(runpy.run_path(sys.argv[1])['SECRET_KEY'])"
    env = {"DEBUG": "false", "KLASSE_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", read_key, str(ROOT / "klasse" / "settings.py")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    keys = {start.communicate(timeout=60)[0].strip() for start in starts}
    assert len(keys) == 1 and "" not in keys
    assert keys == {(tmp_path / "secret_key").read_text().strip()}


def test_the_command_line_says_why_it_will_not_start_without_a_traceback(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "change-me-to-a-long-random-string",
        "KLASSE_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "klasse", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Klasse start niet: ") and "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
