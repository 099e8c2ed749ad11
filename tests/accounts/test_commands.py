import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from klasse.accounts.models import Account, Role, School

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_demo_twice_leaves_one_demo_school():
    call_command("demo")
    call_command("demo")
    assert School.objects.filter(slug="demo").count() == 1
    school = School.objects.get(slug="demo")
    students = school.accounts.filter(role=Role.STUDENT)
    assert 50 <= students.count() <= 70
    assert school.accounts.filter(role=Role.TEACHER).count() == 2
    assert school.accounts.filter(role=Role.ADMIN).count() == 1
    assert students.exclude(infix="").exists()
    assert any(
        ch in "ëïüéçöÜÇı"
        for name in students.values_list("first_name", "last_name")
        for ch in "".join(name)
    )


def test_createschool_and_createadmin(monkeypatch, capsys):
    call_command("createschool", "het-lyceum", name="Het Lyceum")
    monkeypatch.setenv("KLASSE_PASSWORD", "een-goed-wachtwoord")
    call_command("createadmin", school="het-lyceum", username="beheer")
    admin = Account.objects.get(username="beheer")
    assert admin.role == Role.ADMIN and admin.school.slug == "het-lyceum"
    assert admin.check_password("een-goed-wachtwoord")


def test_createadmin_refuses_a_weak_password_and_a_taken_name(monkeypatch, school_a, alice):
    monkeypatch.setenv("KLASSE_PASSWORD", "password")
    with pytest.raises(CommandError):
        call_command("createadmin", school="school-a", username="nieuw")
    monkeypatch.setenv("KLASSE_PASSWORD", "een-goed-wachtwoord")
    with pytest.raises(CommandError, match="al in gebruik"):
        call_command("createadmin", school="school-a", username="ALICE")
    with pytest.raises(CommandError, match="Geen school"):
        call_command("createadmin", school="bestaat-niet", username="x")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x7Gq!2vR#pL9m$Zt&8wK@eN4sB^yU1cH*oD6fJ0aQ3iV5rT-_lX+Y",
        "ALLOWED_HOSTS": "klasse.example.nl",
        "KLASSE_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "klasse", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _processes_with(marker: str) -> list[int]:
    """The pids of this machine's processes whose environment holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("debug", ["true", "false"])
def test_serve_stopped_with_sigterm_leaves_no_process_behind(tmp_path, debug):
    marker = f"KLASSE_SERVE_TEST={uuid.uuid4().hex}"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DEBUG": debug,
        "SECRET_KEY": "serve-test-" * 6,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "KLASSE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        marker.split("=")[0]: marker.split("=")[1],
    }
    subprocess.run(
        [sys.executable, "-m", "klasse", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )
    serve = subprocess.Popen(
        [sys.executable, "-m", "klasse", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("klasse serve did not start")
        # the web processes and the worker (under DEBUG a reloader and its child) run
        deadline = time.monotonic() + 30
        while len(_processes_with(marker)) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_processes_with(marker)) >= 4
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
        deadline = time.monotonic() + 15
        while _processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processes_with(marker) == []
    finally:
        for pid in _processes_with(marker):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize(
    "command",
    [
        ["import", "leerlingen.csv", "--school", "lyceum", "--add"],
        ["export", "--school", "lyceum"],
        ["createadmin", "--school", "lyceum", "--username", "beheer"],
        ["purge", "--archived-before", "2020-01-01", "--school", "lyceum"],
    ],
)
def test_a_command_on_a_database_never_migrated_says_to_migrate(tmp_path, command):
    (tmp_path / "leerlingen.csv").write_text("achternaam;voornaam\nJansen;Anna\n")
    env = {
        **os.environ,
        "KLASSE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'leeg.sqlite3'}",
        "KLASSE_PASSWORD": "een-lang-wachtwoord-1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "klasse", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stderr
    assert "klasse migrate" in result.stderr and "Traceback" not in result.stderr
