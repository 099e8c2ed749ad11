import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from klasse.accounts.models import Account, Role, School, SchoolClass
from klasse.accounts.site import served_url

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
    assert not students.filter(eck_id="").exists()
    (group,) = school.classes.filter(kind="groep")
    members = set(group.group_members.values_list("school_class__name", flat=True))
    assert group.name == "rekenplus" and members == {"1HV", "2VA"}
    assert group.teachers.filter(username="demo-docent2").exists()


def test_demo_gives_an_earlier_demo_school_its_lesgroep_once():
    call_command("demo")
    SchoolClass.objects.filter(kind="groep").delete()  # a demo school made before groups
    call_command("demo")
    call_command("demo")
    assert SchoolClass.objects.filter(school__slug="demo", kind="groep").count() == 1


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


@contextmanager
def _serving(tmp_path: Path, marker: str, **env_values: str):
    """`klasse serve` on a free port with its own SQLite database, its processes marked by
    `marker` in their environment; yields the serve process and its port once it answers.
    `env_values` set (or, given as None, remove) environment variables."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "serve-test-" * 6,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "KLASSE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        marker.split("=")[0]: marker.split("=")[1],
    }
    for name, value in env_values.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
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
        yield serve, port
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=30)
        for pid in _processes_with(marker):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("debug", ["true", "false"])
def test_serve_stopped_with_sigterm_leaves_no_process_behind(tmp_path, debug):
    marker = f"KLASSE_SERVE_TEST={uuid.uuid4().hex}"
    with _serving(tmp_path, marker, DEBUG=debug) as (serve, _port):
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


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize(
    ("configured", "expected"),
    [(None, "http://127.0.0.1:{port}"), ("https://klasse.example.nl", "https://klasse.example.nl")],
)
def test_serve_gives_its_web_processes_and_worker_the_address_it_serves(
    tmp_path, configured, expected
):
    # Links in e-mails are written by the worker: without KLASSE_BASE_URL they must point
    # at the port actually served (make run PORT=8123), not at 8000.
    marker = f"KLASSE_SERVE_TEST={uuid.uuid4().hex}"
    with _serving(tmp_path, marker, KLASSE_BASE_URL=configured) as (serve, port):
        deadline = time.monotonic() + 30
        children = []
        while len(children) < 3 and time.monotonic() < deadline:
            children = [pid for pid in _processes_with(marker) if pid != serve.pid]
            time.sleep(0.2)
        assert len(children) >= 3  # gunicorn's master and web processes, the worker
        wanted = f"KLASSE_BASE_URL={expected.format(port=port)}".encode()
        for pid in children:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert wanted in environ, pid


def test_demo_prints_the_login_address_of_the_port_it_is_told(monkeypatch):
    monkeypatch.delenv("KLASSE_BASE_URL", raising=False)
    out = StringIO()
    call_command("demo", port=8123, stdout=out)
    assert "Log in op http://127.0.0.1:8123/ als beheerder 'demo-beheerder'" in out.getvalue()


def test_demo_prints_the_configured_base_url_when_there_is_one(monkeypatch, settings):
    monkeypatch.setenv("KLASSE_BASE_URL", "https://klasse.example.nl/")
    settings.KLASSE_BASE_URL = "https://klasse.example.nl/"
    out = StringIO()
    call_command("demo", port=8123, stdout=out)
    assert "Log in op https://klasse.example.nl/ als" in out.getvalue()


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8123"),
        ("0.0.0.0", "http://127.0.0.1:8123"),
        ("::1", "http://[::1]:8123"),
        ("klasse.local", "http://klasse.local:8123"),
    ],
)
def test_served_url_is_an_address_a_browser_can_open(host, url):
    assert served_url(host, 8123) == url


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
