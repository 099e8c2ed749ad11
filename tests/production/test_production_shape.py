"""The production shape on this machine: gunicorn with several processes, two task workers
on their own processes, PostgreSQL, static files served by the application. An import goes
in through HTTP and lands in the database."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from klasse.accounts.models import Account, Role, School
from klasse.imports.models import ImportRun
from tests.production.http import Browser

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "productie-wachtwoord-1"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="production runs PostgreSQL"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(tmp_path: Path) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": "p" * 20 + "-production-shape-test-" + "k" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "KLASSE_VAR_DIR": str(tmp_path),
        "KLASSE_MANIFEST_STATIC": "true",
        "SECURE_SSL_REDIRECT": "false",
        "KLASSE_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
    }


@pytest.fixture
def platform(tmp_path, settings):
    # The processes verify passwords with the production hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["klasse.accounts.hashers.KlasseArgon2PasswordHasher"]
    env = production_env(tmp_path)
    klasse = [sys.executable, "-m", "klasse"]
    subprocess.run([*klasse, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
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
                "3",
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


def test_an_import_through_http_lands_in_the_database(platform):
    school = School.objects.create(slug="productie", name="Productiecollege")
    admin = Account(
        school=school, username="beheer", first_name="B", last_name="H", role=Role.ADMIN
    )
    admin.set_password(PASSWORD)
    admin.save()
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
    mapping_url = headers["Location"]
    fields = browser.form(mapping_url, mapping_url)
    status, headers, _ = browser.post(mapping_url, [*fields, ("stap", "verder")])
    assert status == 302 and "voorbeeld" in headers["Location"]
    preview_url = headers["Location"]
    confirm_url = preview_url.replace("voorbeeld", "importeer")
    status, headers, _ = browser.post(confirm_url, browser.form(preview_url, confirm_url))
    assert status == 302 and "voortgang" in headers["Location"]

    deadline = time.monotonic() + 90
    run = ImportRun.objects.get(school=school)
    while run.status not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
        run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.counts["add"] == 40
    assert Account.objects.filter(school=school, role=Role.STUDENT).count() == 40
    status, _, page = browser.get(headers["Location"])
    assert status == 200 and "40" in page.decode()
