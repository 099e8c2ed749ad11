"""The import engine against raw baselines measured in the same run (issue 3, "Performance").

Run: .venv/bin/python bench/import_bench.py [--rows 100000] [--repeat 3] [--only a,b,...]
(about four minutes on the 2-core VM; each part alone with --only)

a. dry run (read + map + validate + plan) of a file against a school that already has every
   account in it, vs Python's csv module reading the file + one SELECT of the usernames;
b. applying N new accounts vs sqlite3's executemany INSERT of the same rows;
c. applying N class changes vs sqlite3's executemany UPDATE of the same rows;
d. password hashing on every core vs one (Argon2id m=19 MiB t=2 p=1);
e. peak memory of the dry run (maximum resident set of a process doing only that);
f. django-import-export in its fastest configuration vs Klasse's whole import (read, map,
   validate, plan, apply), in-process on fresh databases; `--only cli` adds the same as
   two OS processes (`klasse import` against bench/iex_import.py), start-up included.

Every measurement runs on a database of its own in a temporary directory (SQLite); the
figure is the median of --repeat runs, and each baseline is run alternately with its
Klasse counterpart so that both see the same machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klasse.settings")

import benchdb  # noqa: E402
import generate  # noqa: E402
from benchdb import measure  # noqa: E402

FILE_NAME = "leerlingen.csv"
RESULTS: list[str] = []


def record(label, value, baseline, unit, target, met) -> None:
    RESULTS.append(benchdb.report(label, value, baseline, unit, target, met))


# --- a. dry run ------------------------------------------------------------------------


def dry_run(data: bytes, school):
    """The preview of the wizard and `klasse import --dry-run`: read, map, validate, plan."""
    from klasse.imports.core.pipeline import prepare_import
    from klasse.imports.core.planning import Actions

    actions = Actions(add=True, update=True, archive=True)
    return prepare_import(data, FILE_NAME, school=school, actions=actions).plan


def raw_read_and_select(path: Path, db: str, school_id: int):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    conn = sqlite3.connect(db)
    usernames = conn.execute(
        "SELECT username FROM accounts_account WHERE school_id = ?", (school_id,)
    ).fetchall()
    conn.close()
    return rows, usernames


def bench_dry_run(people, path: Path, repeat: int) -> None:
    db = benchdb.fresh()
    school, classes = benchdb.make_school()
    benchdb.seed_accounts(school.pk, people, classes)
    klasse, raw = [], []
    # Each result is kept until after the clock stops: neither side is timed freeing its
    # rows (for 100,000 rows that takes a tenth of a second or more).
    kept = []
    for _ in range(repeat):
        raw.append(measure(lambda: kept.append(raw_read_and_select(path, db, school.pk))))
        kept.clear()
        klasse.append(measure(lambda: kept.append(dry_run(path.read_bytes(), school))))
        assert kept[0].counts["unchanged"] == len(people), kept[0].counts
        kept.clear()
    value, base = benchdb.median(klasse), benchdb.median(raw)
    record(f"a. dry run, {len(people):,} rows", value, base, "s", "<= 4x", value <= 4 * base)


# --- b. and c. apply ---------------------------------------------------------------------


def insert_sql() -> str:
    columns = ", ".join(benchdb.ACCOUNT_COLUMNS)
    marks = ", ".join("?" * len(benchdb.ACCOUNT_COLUMNS))
    return f"INSERT INTO accounts_account ({columns}) VALUES ({marks})"


def raw_sqlite(db: str, sql: str, rows: list[tuple]) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous=NORMAL")  # as Klasse's connection (settings.py)
    conn.executemany(sql, rows)
    conn.commit()
    conn.close()


def bench_insert(people, data: bytes, repeat: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from klasse.accounts.models import Account

    klasse, raw = [], []
    for _ in range(repeat):
        db = benchdb.fresh()
        school, classes = benchdb.make_school()
        stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = benchdb.account_rows(school.pk, people, classes, stamp)
        connection.close()
        raw.append(measure(lambda db=db, rows=rows: raw_sqlite(db, insert_sql(), rows)))
        assert Account.objects.count() == len(people)
        del rows

        klasse.append(benchdb.apply_new_accounts(people, data))
    value, base = benchdb.median(klasse), benchdb.median(raw)
    record(f"b. apply {len(people):,} new accounts", value, base, "s", "<= 3x", value <= 3 * base)


def bench_update(people, data_moved: bytes, repeat: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from klasse.accounts.models import Account

    moved = [generate.other_class(p) for p in people]
    klasse, raw = [], []
    for _ in range(repeat):
        db = benchdb.fresh()
        school, classes = benchdb.make_school()
        benchdb.seed_accounts(school.pk, people, classes)
        ids = dict(Account.objects.values_list("username", "id"))
        stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = [(classes[p.class_name], stamp, ids[p.username]) for p in moved]
        connection.close()
        sql = "UPDATE accounts_account SET school_class_id = ?, updated_at = ? WHERE id = ?"
        raw.append(measure(lambda db=db, rows=rows, sql=sql: raw_sqlite(db, sql, rows)))
        del rows, ids

        klasse.append(benchdb.apply_class_changes(people, data_moved, moved))
    value, base = benchdb.median(klasse), benchdb.median(raw)
    record(f"c. apply {len(people):,} class changes", value, base, "s", "<= 3x", value <= 3 * base)


# --- d. hashing ----------------------------------------------------------------------------


def bench_hashing(count: int, repeat: int) -> None:
    from django.conf import settings

    from klasse.imports.core.hashing import hash_passwords, shutdown_pool

    assert settings.PASSWORD_HASHERS[0].endswith("KlasseArgon2PasswordHasher")
    passwords = [p.password for p in generate.people(count, seed=7, passwords=True)]
    # The pool is started once per process and kept (a task worker imports all day):
    # its start is timed apart, the throughput on the started pool.
    shutdown_pool()
    started = time.perf_counter()
    hash_passwords(passwords[:32])
    start_seconds = time.perf_counter() - started
    one, every = [], []
    for _ in range(repeat):
        one.append(count / measure(lambda: hash_passwords(passwords, workers=1)))
        every.append(count / measure(lambda: hash_passwords(passwords)))
    value, base = benchdb.median(every), benchdb.median(one)
    RESULTS.append(
        benchdb.report(
            f"d. hashing {count} passwords, {os.cpu_count()} cores vs 1",
            value,
            base,
            "h/s",
            ">= 1.7x",
            value >= 1.7 * base,
        )
    )
    line = f"  d'. starting the pool and hashing 32 passwords: {start_seconds:.2f} s, once"
    print(line, flush=True)
    RESULTS.append(line)


# --- e. memory -----------------------------------------------------------------------------


def peak_kib() -> int:
    """The process's peak resident set size (VmHWM: unlike getrusage's ru_maxrss, which
    Linux carries over from the parent through fork and exec, it starts anew with exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def child_dry_run(db: str, path: str) -> None:
    """In a process of its own: the dry run, then print the peak resident set size."""
    import django
    from django.db import connection

    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    django.setup()
    from klasse.accounts.models import School

    school = School.objects.get(slug="bench")
    connection.ensure_connection()
    before = peak_kib()
    plan = dry_run(Path(path).read_bytes(), school)
    peak = peak_kib()
    print(json.dumps({"before_kib": before, "peak_kib": peak, "counts": plan.counts}))


def bench_memory(people, path: Path) -> None:
    db = benchdb.fresh()
    school, classes = benchdb.make_school()
    benchdb.seed_accounts(school.pk, people, classes)
    from django.db import connection

    connection.close()
    out = subprocess.run(
        [sys.executable, __file__, "--child-dry-run", db, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["counts"]["unchanged"] == len(people)
    peak, before = found["peak_kib"] / 1024, found["before_kib"] / 1024
    line = (
        f"  {'e. peak memory, dry run of ' + format(len(people), ',') + ' rows':<48} "
        f"{peak:9.1f} MB  (process with Django loaded: {before:.1f} MB)  target < 300 MB  "
        f"{'met' if peak < 300 else 'MISSED'}"
    )
    print(line, flush=True)
    RESULTS.append(line)


# --- f. django-import-export -----------------------------------------------------------------


def bench_import_export(people, path: Path, repeat: int) -> None:
    """In-process, each run on a fresh database (a school with its 40 classes, nothing
    else): Klasse's whole import (run_import: read, map, validate, plan, apply) against
    django-import-export's (load the file into a tablib Dataset, import_data)."""
    from iex_import import import_file

    from klasse.accounts.models import Account
    from klasse.imports.core.pipeline import run_import
    from klasse.imports.core.planning import Actions

    klasse, iex = [], []
    for _ in range(repeat):
        benchdb.fresh()
        school, _ = benchdb.make_school()
        klasse.append(
            measure(
                lambda school=school: run_import(
                    path.read_bytes(), FILE_NAME, school=school, actions=Actions(add=True)
                )
            )
        )
        assert Account.objects.filter(school=school).count() == len(people)
        benchdb.fresh()
        school, _ = benchdb.make_school()
        iex.append(measure(lambda school=school: import_file(path, school)))
        assert Account.objects.filter(school=school).count() == len(people)
    value, base = benchdb.median(klasse), benchdb.median(iex)
    record(
        "f. whole import, Klasse vs django-import-export",
        value,
        base,
        "s",
        "<= 0.1x",
        value * 10 <= base,
    )


def bench_import_export_cli(people, path: Path) -> None:
    """Once each, as whole OS processes (wall clock, Django's start-up included):
    `klasse import FILE --add --json` and bench/iex_import.py."""
    from django.db import connection

    klasse_exe = Path(sys.executable).with_name("klasse")
    commands = {
        "klasse": [str(klasse_exe), "import", str(path), "--school", "bench", "--add", "--json"],
        "iex": [sys.executable, str(BENCH / "iex_import.py"), str(path), "bench"],
    }
    took = {}
    for name, command in commands.items():
        db = benchdb.fresh()
        benchdb.make_school()
        connection.close()
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
        start = time.perf_counter()
        out = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
        took[name] = time.perf_counter() - start
        count = sqlite3.connect(db).execute("SELECT count(*) FROM accounts_account")
        assert count.fetchone()[0] == len(people), out.stdout[-500:] + out.stderr[-2000:]
    record("f'. the same as processes (CLI, one run)", took["klasse"], took["iex"], "s", "-", None)


def main() -> None:
    if sys.argv[1:2] == ["--child-dry-run"]:
        return child_dry_run(sys.argv[2], sys.argv[3])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hashes", type=int, default=400, help="passwords per hashing run (d)")
    parser.add_argument(
        "--only", default="a,b,c,d,e,f", help="parts to run; 'cli' adds f as processes"
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))
    tmp = benchdb.configure("sqlite")
    print(benchdb.cpu_line(), flush=True)
    started = time.perf_counter()
    people = generate.people(args.rows)
    path = generate.write_csv(tmp / FILE_NAME, people)
    moved = generate.csv_bytes([generate.other_class(p) for p in people])
    print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB, median of {args.repeat}")
    try:
        if "a" in parts:
            bench_dry_run(people, path, args.repeat)
        if "b" in parts:
            bench_insert(people, path.read_bytes(), args.repeat)
        if "c" in parts:
            bench_update(people, moved, args.repeat)
        if "d" in parts:
            bench_hashing(args.hashes, max(2, args.repeat - 1))
        if "e" in parts:
            bench_memory(people, path)
        if "f" in parts:
            bench_import_export(people, path, max(2, args.repeat - 1))
        if "cli" in parts:
            bench_import_export_cli(people, path)
    finally:
        benchdb.drop()
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
