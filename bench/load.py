"""Many schools at once on PostgreSQL: the first week of the school year.

Creates 50 schools, queues one 2,000-row import for each through the wizard's own service
functions (a quarter of the files carry passwords), runs two `klasse worker` processes and
gunicorn, and meanwhile requests the OVERZICHTEN page of other schools with a bounded load
generator (loopback only). Reports: every import done with the right counts, no deadlock
or lost row, imports per minute, and the page's median and 99th-percentile latency.

Run: `.venv/bin/python bench/load.py [--schools 50 --rows 2000 --workers 2]`. Uses its own
database `klasse_load` (dropped and made again).
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import benchdb  # noqa: E402  (bench/, this script's folder)

PG = benchdb.PG_SERVER
NAME = "klasse_load"
PASSWORD = "load-test-wachtwoord"


def school_file(school: int, rows: int, with_passwords: bool) -> bytes:
    lines = [
        "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;e-mailadres;klas;"
        "opleiding;rol;stamnummer"
    ]
    for i in range(rows):
        password = f"Wachtwoord-{school}-{i:05d}" if with_passwords else ""
        email = "" if with_passwords else f"s{school}.ll{i}@example.nl"
        lines.append(
            f"Jansen{i % 97};van der;Zoë{i % 89};s{school}-ll{i};{password};{email};"
            f"{1 + i % 6}H{'ABCDEFG'[i % 7]};havo {1 + i % 5};;{i:06d}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


class PageLoad(threading.Thread):
    """Requests the overview pages of schools that are not importing; bounded in time."""

    def __init__(self, port: int, cookies: list[str], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.cookies, self.stop = port, cookies, stop
        self.latencies: list[float] = []
        self.failures = 0

    def run(self) -> None:
        n = 0
        while not self.stop.is_set() and n < 100_000:
            cookie = self.cookies[n % len(self.cookies)]
            n += 1
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request(
                    "GET", "/overzichten/", headers={"Cookie": cookie, "X-Forwarded-Proto": "https"}
                )
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status != 200:
                    self.failures += 1
            except OSError:
                self.failures += 1
            self.latencies.append(time.perf_counter() - start)
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    benchdb.recreate_pg_database(NAME)
    tmp = Path(tempfile.mkdtemp(prefix="klasse-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{NAME}",
        "KLASSE_VAR_DIR": str(tmp),
        "DEBUG": "false",
        "SECRET_KEY": "load-" * 12,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DJANGO_SETTINGS_MODULE": "klasse.settings",
        "KLASSE_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from klasse.accounts.models import Account, Role, School
    from klasse.imports.core.mapping import suggest_mapping
    from klasse.imports.core.pipeline import read_upload
    from klasse.imports.core.planning import Actions
    from klasse.imports.file_reading import run_read
    from klasse.imports.models import ImportRun
    from klasse.imports.runs import run_choose, run_create, run_prepare
    from klasse.imports.tasks import run_queue

    call_command("migrate", verbosity=0)
    schools, cookies = [], []
    for n in range(args.schools + 10):
        school = School.objects.create(slug=f"load-{n}", name=f"Loadschool {n}")
        admin = Account(
            school=school,
            username=f"load-admin-{n}",
            first_name="B",
            last_name="H",
            role=Role.ADMIN,
        )
        admin.set_unusable_password()
        admin.save()
        if n >= args.schools:  # these schools only browse their OVERZICHTEN
            session = SessionStore()
            session[SESSION_KEY] = str(admin.pk)
            session["_auth_user_backend"] = "klasse.accounts.backends.AccountBackend"
            session["_auth_user_hash"] = admin.get_session_auth_hash()
            session.create()
            cookies.append(f"sessionid={session.session_key}")
        else:
            schools.append((school, admin))

    port = 8700
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "klasse.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3)
    stop = threading.Event()
    load = PageLoad(port, cookies, stop)
    load.start()
    expected = {}
    for index, (school, admin) in enumerate(schools):
        data = school_file(index, args.rows, with_passwords=index % 4 == 0)
        run = run_create(school=school, actor=admin, file_name="leerlingen.csv", data=data)
        run_read(run_id=str(run.pk))  # as the worker reads an upload
        run.refresh_from_db()
        table = read_upload(data, "leerlingen.csv")
        run_choose(run, mapping=suggest_mapping(table.headers), actions=Actions(add=True))
        plan = run_prepare(run).plan
        run_queue(run, seen_fingerprint=plan.fingerprint, confirm_mass_archive=False)
        expected[run.pk] = plan.counts["add"]
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "klasse", "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(args.workers)
    ]
    while ImportRun.objects.filter(pk__in=expected, status__in=["queued", "running"]).exists():
        time.sleep(0.5)
        if time.perf_counter() - started > 3600:
            break
    elapsed = time.perf_counter() - started
    stop.set()
    load.join()
    for process in (*workers, web):
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

    runs = list(ImportRun.objects.filter(pk__in=expected))
    done = [r for r in runs if r.status == "done" and r.counts.get("add") == expected[r.pk]]
    accounts = Account.objects.filter(role=Role.STUDENT).count()
    latencies = sorted(load.latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    print(
        f"{args.schools} imports of {args.rows} rows ({args.schools // 4 + (args.schools % 4 > 0)}"
        f" with passwords), {args.workers} workers, 2 web processes, PostgreSQL"
    )
    print(
        f"  imports done with the right counts: {len(done)}/{len(runs)}; "
        f"statuses: {sorted({r.status for r in runs})}"
    )
    print(
        f"  student accounts: {accounts} (expected {sum(expected.values())}): "
        f"{'no row lost' if accounts == sum(expected.values()) else 'ROWS LOST'}"
    )
    print(f"  wall time {elapsed:.0f} s: {len(done) / elapsed * 60:.1f} imports per minute")
    took = task_seconds()
    passworded = {run.pk for index, run in enumerate(runs_in_order(expected)) if index % 4 == 0}
    for label, pks in (
        ("with passwords", passworded),
        ("without passwords", set(expected) - passworded),
    ):
        seconds = sorted(took[str(pk)] for pk in pks if str(pk) in took)
        if seconds:
            print(
                f"  one import {label}: median {statistics.median(seconds):.1f} s, "
                f"longest {seconds[-1]:.1f} s (the worker's task, start to finish)"
            )
    print(
        f"  OVERZICHTEN of other schools during the load: {len(latencies)} requests, "
        f"{load.failures} failed, median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms"
    )


def task_seconds() -> dict[str, float]:
    """How long each import task ran in its worker, by run id (the queue records it)."""
    from django_tasks_db.models import DBTaskResult

    return {
        result.args_kwargs["args"][0]: (result.finished_at - result.started_at).total_seconds()
        for result in DBTaskResult.objects.filter(task_path__endswith="import_run")
        if result.started_at and result.finished_at
    }


def runs_in_order(expected: dict) -> list:
    """The runs in the order they were queued (the order of `expected`)."""
    from klasse.imports.models import ImportRun

    by_pk = ImportRun.objects.in_bulk(list(expected))
    return [by_pk[pk] for pk in expected]


if __name__ == "__main__":
    main()
