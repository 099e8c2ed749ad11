"""Applying an import on PostgreSQL against a raw COPY of the same rows (issue 7).

Run: .venv/bin/python bench/pg_bench.py [--rows 100000] [--repeat 3]   (about two minutes)

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication); the script
creates the database `klasse_bench`, migrates it, and drops it at the end.

- 100,000 new accounts: `apply_plan` (its COPY path) against a raw psycopg connection that
  COPYs the same rows, as Klasse writes them, into the accounts table and commits;
- 100,000 changed accounts (each to the parallel class): `apply_plan` against the least
  a raw COPY needs to change rows: COPY (id, class, updated_at) into a temporary table,
  one UPDATE … FROM, commit.

Each measurement starts from emptied tables (TRUNCATE); the plans are made beforehand and
are not timed. The figure is the median of --repeat runs, alternating with the baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import benchdb  # noqa: E402
import generate  # noqa: E402
from benchdb import measure  # noqa: E402

RESULTS: list[str] = []


def raw_connection():
    import psycopg

    return psycopg.connect(f"{benchdb.PG_SERVER}/{benchdb.PG_NAME}")


def raw_copy_insert(rows: list[tuple]) -> None:
    with raw_connection() as conn, conn.cursor() as cursor:
        columns = ", ".join(benchdb.ACCOUNT_COLUMNS)
        with cursor.copy(f"COPY accounts_account ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()


def raw_copy_update(rows: list[tuple]) -> None:
    with raw_connection() as conn, conn.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE moved (id bigint, school_class_id bigint, "
            "updated_at timestamptz) ON COMMIT DROP"
        )
        with cursor.copy("COPY moved (id, school_class_id, updated_at) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            "UPDATE accounts_account AS a SET school_class_id = m.school_class_id, "
            "updated_at = m.updated_at FROM moved AS m WHERE a.id = m.id"
        )
        conn.commit()


def bench_insert(people, data: bytes, repeat: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from klasse.accounts.models import Account

    klasse, raw = [], []
    for _ in range(repeat):
        benchdb.fresh()
        school, classes = benchdb.make_school()
        rows = benchdb.account_rows(school.pk, people, classes, timezone.now())
        connection.close()
        raw.append(measure(lambda rows=rows: raw_copy_insert(rows)))
        assert Account.objects.count() == len(people)
        del rows

        klasse.append(benchdb.apply_new_accounts(people, data))
    value, base = benchdb.median(klasse), benchdb.median(raw)
    RESULTS.append(
        benchdb.report(
            f"PostgreSQL: apply {len(people):,} new accounts",
            value,
            base,
            "s",
            "<= 3x",
            value <= 3 * base,
        )
    )


def bench_update(people, data_moved: bytes, repeat: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from klasse.accounts.models import Account

    moved = [generate.other_class(p) for p in people]
    klasse, raw = [], []
    for _ in range(repeat):
        benchdb.fresh()
        school, classes = benchdb.make_school()
        benchdb.seed_accounts(school.pk, people, classes)
        ids = dict(Account.objects.values_list("username", "id"))
        now = timezone.now()
        rows = [(ids[p.username], classes[p.class_name], now) for p in moved]
        connection.close()
        raw.append(measure(lambda rows=rows: raw_copy_update(rows)))
        del rows, ids

        klasse.append(benchdb.apply_class_changes(people, data_moved, moved))
    value, base = benchdb.median(klasse), benchdb.median(raw)
    RESULTS.append(
        benchdb.report(
            f"PostgreSQL: apply {len(people):,} class changes",
            value,
            base,
            "s",
            "<= 3x",
            value <= 3 * base,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    benchdb.configure("postgresql")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    print(f"{benchdb.cpu_line()}, PostgreSQL {version}", flush=True)
    started = time.perf_counter()
    people = generate.people(args.rows)
    data = generate.csv_bytes(people)
    moved = generate.csv_bytes([generate.other_class(p) for p in people])
    print(f"{args.rows:,} rows, median of {args.repeat}")
    try:
        bench_insert(people, data, args.repeat)
        bench_update(people, moved, args.repeat)
    finally:
        benchdb.drop()
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
