"""The production shape on this machine: gunicorn with several processes, two task workers
on their own processes, PostgreSQL, static files served by the application. An import goes
in through HTTP and lands in the database.

It runs on a PostgreSQL database of its own, set up by the `klasse` commands as an operator
would, so that the test suite's own database is never shared with other processes.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.production.http import Browser

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "productie-wachtwoord-1"

SHAPE_DB = "klasse_production_shape"
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="production runs PostgreSQL"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def recreate_database() -> None:
    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SHAPE_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SHAPE_DB}")


def production_env(tmp_path: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"{server_url()}/{SHAPE_DB}",
        "DEBUG": "false",
        "SECRET_KEY": "p" * 20 + "-production-shape-test-" + "k" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "KLASSE_VAR_DIR": str(tmp_path),
        "KLASSE_MANIFEST_STATIC": "true",
        "SECURE_SSL_REDIRECT": "false",
        "KLASSE_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "KLASSE_PASSWORD": PASSWORD,
        # As deploy/klasse.env.example: nginx on this machine adds the client's address.
        "KLASSE_TRUSTED_PROXIES": "127.0.0.1",
    }


def query(sql: str) -> list[tuple]:
    with psycopg.connect(f"{server_url()}/{SHAPE_DB}") as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def platform(tmp_path):
    recreate_database()
    env = production_env(tmp_path)
    klasse = [sys.executable, "-m", "klasse"]
    for command in (
        ["migrate", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["createschool", "productie", "--name", "Productiecollege"],
        ["createadmin", "--school", "productie", "--username", "beheer"],
    ):
        subprocess.run(
            [*klasse, *command], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
    port = free_port()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "klasse.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "4",
                "--timeout",
                "120",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    processes += [
        subprocess.Popen(
            [*klasse, "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    browser = Browser(f"http://127.0.0.1:{port}")
    for _ in range(100):
        try:
            browser.get("/inloggen/")
            break
        except OSError:
            time.sleep(0.2)
    yield browser
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SHAPE_DB} WITH (FORCE)")


def test_an_import_through_http_lands_in_the_database(platform):
    browser = platform

    status, headers, _ = browser.get("/static/klasse/htmx.min.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    fields = browser.form("/inloggen/", "/inloggen/") or []
    status, headers, _ = browser.post(
        "/inloggen/", [*fields, ("username", "beheer"), ("password", PASSWORD)]
    )
    assert status == 302, "login failed"

    token = [
        v
        for k, v in browser.form("/tools/importeren/", "/tools/importeren/")
        if k == "csrfmiddlewaretoken"
    ]
    rows = "\r\n".join(
        f"Leerling{i};;Kind{i};prod{i};;prod{i}@example.nl;3HB;havo 3;;" for i in range(40)
    )
    content = (
        "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;e-mailadres;"
        "klas;opleiding;rol;stamnummer\r\n" + rows + "\r\n"
    ).encode("cp1252")
    status, headers, _ = browser.post(
        "/tools/importeren/",
        [("csrfmiddlewaretoken", token[0])],
        {"file": ("leerlingen.csv", content)},
    )
    assert status == 302, "upload was not accepted"
    mapping_url = wait_until_read(browser, headers["Location"])
    fields = browser.form(mapping_url, mapping_url)
    status, headers, _ = browser.post(mapping_url, [*fields, ("stap", "verder")])
    assert status == 302 and "voorbeeld" in headers["Location"]
    preview_url = headers["Location"]
    confirm_url = preview_url.replace("voorbeeld", "importeer")
    status, headers, _ = browser.post(confirm_url, browser.form(preview_url, confirm_url))
    assert status == 302 and "voortgang" in headers["Location"]

    deadline = time.monotonic() + 90
    status_sql = "SELECT status, counts, error FROM imports_importrun"
    while query(status_sql)[0][0] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
    run_status, counts, error = query(status_sql)[0]
    assert run_status == "done", error
    assert counts["add"] == 40
    students = "SELECT count(*) FROM accounts_account WHERE role = 'student'"
    assert query(students) == [(40,)]
    status, _, page = browser.get(headers["Location"])
    assert status == 200 and "40" in page.decode()


def wait_until_read(browser: Browser, location: str) -> str:
    """Follow "Bestand wordt gelezen…" until a worker has read the file: the mapping's URL."""
    deadline = time.monotonic() + 120
    while "/lezen/" in location and time.monotonic() < deadline:
        status, headers, _ = browser.get(location)
        if status == 302:
            location = headers["Location"]
        else:
            time.sleep(0.5)
    assert "koppelen" in location, location
    return location


def heavy_file(rows: int = 190_000) -> bytes:
    """Nearly the largest file the limits allow (19 MB, 190,000 rows): seconds to read."""
    lines = (
        f"Leerling{i};van der;Kind{i};zwaar{i};;zwaar{i}@example.nl;3HB;havo 3;;{i:06d}"
        for i in range(rows)
    )
    header = "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;e-mailadres;"
    return (header + "klas;opleiding;rol;stamnummer\r\n" + "\r\n".join(lines)).encode()


def test_the_login_page_answers_while_four_heavy_files_are_uploaded(platform):
    """Issue 14, item 3: four heavy uploads at once (as many as gunicorn has processes)
    must not hold every process; the files are read by the workers. Before the fix each
    upload was parsed inside its request, and the login page waited for them. A guard
    against blocking, with a generous bound, not a speed benchmark."""
    content = heavy_file()
    uploaders = []
    for _ in range(4):
        browser = Browser(platform.base)
        assert _login(browser, "beheer", PASSWORD) == 302
        token = dict(browser.form("/tools/importeren/", "/tools/importeren/"))
        uploaders.append((browser, token["csrfmiddlewaretoken"]))
    answers: list[tuple[int, str]] = []

    def send(browser: Browser, token: str) -> None:
        status, headers, _ = browser.post(
            "/tools/importeren/",
            [("csrfmiddlewaretoken", token)],
            {"file": ("zwaar.csv", content)},
        )
        answers.append((status, headers.get("Location", "")))

    threads = [threading.Thread(target=send, args=uploader) for uploader in uploaders]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the uploads are on their way, or being handled
    visitor = Browser(platform.base)
    waits = []
    for _ in range(5):
        started = time.monotonic()
        status, _, page = visitor.get("/inloggen/")
        waits.append(time.monotonic() - started)
        assert status == 200 and b"Inloggen" in page
        time.sleep(0.2)
    for thread in threads:
        thread.join(timeout=120)
    assert max(waits) < 5, f"the login page waited {max(waits):.1f} s for the uploads"
    assert [status for status, _ in answers] == [302] * 4
    assert all("/lezen/" in location for _, location in answers), answers
    # And the workers read them all, each within its time budget.
    reading = "SELECT count(*) FROM imports_importrun WHERE status = 'reading'"
    deadline = time.monotonic() + 180
    while query(reading) != [(0,)] and time.monotonic() < deadline:
        time.sleep(1)
    assert query("SELECT status, count(*) FROM imports_importrun GROUP BY status") == [
        ("planned", 4)
    ]


def _login(browser: Browser, username: str, password: str) -> int:
    fields = browser.form("/inloggen/", "/inloggen/")
    status, _, _ = browser.post(
        "/inloggen/", [*fields, ("username", username), ("password", password)]
    )
    return status


def test_failed_logins_from_one_client_lock_out_no_other_client(platform):
    """Every request reaches gunicorn from the proxy's address; the client is the address
    the proxy adds to X-Forwarded-For."""
    attacker = Browser(platform.base, forwarded_for="203.0.113.66")
    for guess in range(6):
        assert _login(attacker, f"verzonnen{guess}", "geraden-wachtwoord") == 200
    for guess in range(5):
        _login(attacker, "beheer", f"geraden-wachtwoord-{guess}")
    assert _login(attacker, "beheer", PASSWORD) == 429, "the guesser is not stopped"
    # The administrator at school, behind the same proxy, gets in.
    administrator = Browser(platform.base, forwarded_for="198.51.100.7")
    assert _login(administrator, "beheer", PASSWORD) == 302
