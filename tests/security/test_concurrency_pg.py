"""Concurrency and failure against PostgreSQL, with real connections and real processes.

Two imports for one school at the same moment are serialized: the second waits for the
school's lock, finds its plan stale, plans again and changes only what is still to change;
the end state is that of the two run one after the other. A `klasse import` killed with
SIGKILL in the middle of writing leaves the database as it was, and no lock behind.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.db import connection

from klasse.accounts.models import Account, SchoolClass
from klasse.imports.core import applying, pipeline
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from klasse.imports.models import ImportRun
from tests.security.conftest import ROOT, csv_bytes, line, school_state

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    # Real commits. The catalogue comes back by conftest's _programme_catalogue: a serialized
    # rollback would load content types again that the flush after an earlier transactional
    # test had made already (an IntegrityError when such a test ran just before).
    pytest.mark.django_db(transaction=True),
]
ADD_UPDATE = Actions(add=True, update=True)


def in_thread(work) -> tuple[threading.Thread, dict]:
    """Run `work` on its own database connection, closed when done."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # reported by the test, not lost in the thread
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def lock_waits(stop: threading.Event, seen: list) -> None:
    """Watch the test database for a backend that waits for a lock."""
    try:
        with connection.cursor() as cursor:
            while not stop.is_set():
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
                seen.append(cursor.fetchone()[0])
                time.sleep(0.005)
    finally:
        connection.close()


def reset(school) -> None:
    Account.objects.filter(school=school, username__startswith="ll").delete()
    SchoolClass.objects.filter(school=school).exclude(name="3HB").delete()


@pytest.mark.parametrize("overlap", ["same-file", "overlapping-files"])
def test_two_imports_at_once_are_serialized_and_end_as_one_after_the_other(
    school_a, sara, monkeypatch, overlap
):
    first = csv_bytes([line(f"ll{i}", klas="4A") for i in range(60)])
    start = 0 if overlap == "same-file" else 30
    second = csv_bytes([line(f"ll{i}", klas="4A") for i in range(start, start + 60)])
    run_import(first, "a.csv", school=school_a, actions=ADD_UPDATE)
    run_import(second, "b.csv", school=school_a, actions=ADD_UPDATE)
    serial = school_state(school_a)
    reset(school_a)

    # Both plan against the same accounts, then both apply at once; whoever gets the
    # school's lock first holds it a while, so the other must wait for it.
    barrier = threading.Barrier(2, timeout=30)
    real_apply, real_insert = pipeline.apply_plan, applying._insert
    applied: list[tuple[float, float]] = []

    def apply_together(plan, **kwargs):
        if not getattr(threading.current_thread(), "waited", False):
            threading.current_thread().waited = True
            barrier.wait()
        started = time.monotonic()
        try:
            return real_apply(plan, **kwargs)
        finally:
            applied.append((started, time.monotonic()))

    def slow_insert(*args, **kwargs):
        real_insert(*args, **kwargs)
        time.sleep(0.5)

    monkeypatch.setattr(pipeline, "apply_plan", apply_together)
    monkeypatch.setattr(applying, "_insert", slow_insert)
    stop, seen = threading.Event(), []
    watcher = threading.Thread(target=lock_waits, args=(stop, seen))
    watcher.start()
    jobs = [
        in_thread(lambda data=data: run_import(data, "f.csv", school=school_a, actions=ADD_UPDATE))
        for data in (first, second)
    ]
    for thread, _ in jobs:
        thread.join(60)
    stop.set()
    watcher.join(10)

    errors = [outcome["error"] for _, outcome in jobs if "error" in outcome]
    assert not errors, errors
    reports = sorted(
        (outcome["value"][0]["counts"] for _, outcome in jobs), key=lambda c: -c["add"]
    )
    assert reports[0]["add"] == 60
    assert (reports[1]["add"], reports[1]["unchanged"]) == (60 - (60 - start), 60 - start)
    assert max(seen) >= 1, "the second import never waited for the first"
    assert len(applied) == 3  # the first apply, the stale one, and the one planned again
    assert school_state(school_a) == serial
    usernames = list(Account.objects.values_list("username", flat=True))
    assert len(usernames) == len({u.lower() for u in usernames})


def _test_database_url() -> str:
    config = connection.settings_dict
    user = config.get("USER") or "postgres"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{config['NAME']}"


def _backend(application: str) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, backend_xid IS NOT NULL, query FROM pg_stat_activity "
            "WHERE application_name = %s",
            [application],
        )
        return cursor.fetchone()


# The statement that writes new accounts, however the core writes them.
WRITING_ACCOUNTS = re.compile(r'\s*(insert\s+into|copy)\s+"?accounts_account"?\b', re.I)


def kill_while_writing(command: list[str], env: dict, application: str) -> str:
    """Start `command`; SIGKILL it once its connection is inside a transaction that has
    begun inserting accounts; wait until PostgreSQL has ended that connection."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 180
    caught = ""
    try:
        while time.monotonic() < deadline and process.poll() is None:
            found = _backend(application)
            if found and found[2] and WRITING_ACCOUNTS.match(found[3]):
                caught = found[3][:80]
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
    finally:
        if process.poll() is None and not caught:
            process.kill()
        out, err = process.communicate(timeout=60)
    assert caught, (
        "never caught the process inside its transaction; it ended with "
        f"{process.returncode}: {out.decode()[-500:]} {err.decode()[-2000:]}"
    )
    assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 60
    while _backend(application) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _backend(application) is None, "PostgreSQL kept the dead process's connection"
    return caught


def test_a_klasse_import_killed_while_writing_leaves_the_database_as_it_was(
    school_a, sara, tmp_path
):
    rows = [line("sara", voornaam="Gewijzigd", achternaam="Berg", tussenvoegsel="van der")]
    rows += [line(f"ll{i}", klas=f"K{i % 40}") for i in range(40_000)]
    path = tmp_path / "groot.csv"
    path.write_bytes(csv_bytes(rows))
    before = school_state(school_a)
    application = f"klasse-kill-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "PGAPPNAME": application,
        "KLASSE_VAR_DIR": str(tmp_path),
        "DEBUG": "false",
    }
    command = [sys.executable, "-m", "klasse", "import", str(path), "--school", "school-a"]
    kill_while_writing([*command, "--add", "--update"], env, application)

    assert school_state(school_a) == before
    assert not ImportRun.objects.exists()
    assert Account.objects.get(pk=sara.pk).first_name == "Sara"
    # No lock was left behind: the next import gets the school at once.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
    report, _ = run_import(
        csv_bytes([line("ll1")]), "f.csv", school=school_a, actions=Actions(add=True)
    )
    assert report["counts"]["add"] == 1


def test_a_wizard_worker_killed_while_writing_leaves_the_accounts_as_they_were(
    school_a, alice, sara, tmp_path, settings
):
    tasks = pytest.importorskip("klasse.imports.tasks")
    runs = pytest.importorskip("klasse.imports.runs")
    from klasse.imports.core.pipeline import read_upload
    from klasse.imports.file_reading import run_read

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    data = csv_bytes([line(f"ll{i}", klas=f"K{i % 40}") for i in range(25_000)])
    run = runs.run_create(school=school_a, actor=alice, file_name="groot.csv", data=data)
    run_read(run_id=str(run.pk))  # as a worker reads the upload
    run.refresh_from_db()
    runs.run_choose(
        run,
        mapping=pipeline.resolve_mapping(read_upload(data, "g"), None),
        actions=Actions(add=True),
    )
    fingerprint = runs.run_prepare(run).plan.fingerprint
    queued = tasks.run_queue(run, seen_fingerprint=fingerprint, confirm_mass_archive=False)
    assert queued.outcome == "queued", queued.outcome
    assert tasks.import_run  # the task the worker runs
    before = school_state(school_a)
    application = f"klasse-worker-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "PGAPPNAME": application,
        "KLASSE_VAR_DIR": str(tmp_path),
        "KLASSE_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "DEBUG": "false",
    }
    kill_while_writing([sys.executable, "-m", "klasse", "worker", "--batch"], env, application)

    assert school_state(school_a) == before
    run.refresh_from_db()
    assert run.status != ImportRun.Status.DONE
    # Whether the run is then marked failed is the wizard's: see the README's promises.
