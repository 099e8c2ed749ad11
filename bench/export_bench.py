"""Export a 200,000-student school: the CSV stream to its first and its last byte, and the
XLSX that a worker makes; and the import wizard's fix-up file of 50,000 rows with errors.

Runs on a throwaway SQLite database and, when DATABASE_URL is set, also on PostgreSQL (the
database `klasse_bench`, made and dropped by the script; DATABASE_URL only says that a
server is there). Each vendor runs in a process of its own, since Django is set up once.

    .venv/bin/python bench/export_bench.py                 # about a minute and a half
    .venv/bin/python bench/export_bench.py --rows 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402
import generate  # noqa: E402

TEACHERS = 400


def seed(rows: int):
    """The school: `rows` students in 40 classes, 400 teachers with three classes each and
    the administrator who exports; written fast, not measured."""
    from klasse.accounts.models import Account, Role, SchoolClass

    benchdb.fresh()
    school, classes = benchdb.make_school()
    benchdb.seed_accounts(school.pk, generate.people(rows), classes)
    teachers = Account.objects.bulk_create(
        Account(
            school=school,
            username=f"docent{n}",
            first_name="Docent",
            last_name=f"Leraar {n}",
            role=Role.TEACHER,
            password=benchdb.UNUSABLE,
        )
        for n in range(TEACHERS)
    )
    class_ids = sorted(classes.values())
    through = SchoolClass.teachers.through
    through.objects.bulk_create(
        through(account_id=teacher.pk, schoolclass_id=class_ids[(n + k) % len(class_ids)])
        for n, teacher in enumerate(teachers)
        for k in range(3)
    )
    admin = Account.objects.create(
        school=school, username="beheer", first_name="B", last_name="Beheer", role=Role.ADMIN
    )
    return school, admin


def csv_stream(client) -> tuple[float, float, int]:
    """Seconds to the first and to the last byte of TOOLS › EXPORTEREN's CSV, and its size."""
    from django.urls import reverse

    start = time.perf_counter()
    response = client.post(reverse("users:export"), {"format": "csv"}, secure=True)
    chunks = iter(response.streaming_content)
    size = len(next(chunks))
    first = time.perf_counter() - start
    for chunk in chunks:
        size += len(chunk)
    return first, time.perf_counter() - start, size


def xlsx_task(admin) -> tuple[float, int, int]:
    """Seconds of the worker's task that makes the XLSX, its rows and its size."""
    from klasse.exports.background import export_file_make, export_file_request
    from klasse.exports.models import ExportFile

    export = export_file_request(
        actor=admin, fmt="xlsx", school_class=None, include_archived=False, file_name="b.xlsx"
    )
    start = time.perf_counter()
    rows = export_file_make(export_id=str(export.pk))
    seconds = time.perf_counter() - start
    size = len(ExportFile.objects.get(pk=export.pk).content)
    export.delete()
    return seconds, rows, size


def fixup(errors: int, repeat: int) -> None:
    """The fix-up file's writers alone: `errors` rows of 11 columns, as `fixup_rows` gives."""
    from klasse.imports.wizard.fixup import fixup_csv, fixup_xlsx

    headers = [*generate.HEADERS, "probleem"]
    rows = [
        [*p.cells(), "Rij 7, kolom opleiding: de opleiding 'havo 9' staat niet in de lijst."]
        for p in generate.people(errors)
    ]
    for write in (fixup_csv, fixup_xlsx):
        times = [benchdb.measure(lambda w=write: w(headers, rows)) for _ in range(repeat)]
        size = len(write(headers, rows))
        print(
            f"  fix-up file, {errors:,} rows with errors, {write.__name__:<10}"
            f" {benchdb.median(times):7.2f} s   {size / 1e6:5.1f} MB"
        )


def run(vendor: str, rows: int, repeat: int, errors: int) -> None:
    benchdb.configure(vendor)
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    try:
        school, admin = seed(rows)
        client = Client()
        client.force_login(admin)
        print(f"{vendor}: {rows:,} students and {TEACHERS} teachers, median of {repeat}")
        streams = [csv_stream(client) for _ in range(repeat)]
        first = benchdb.median([s[0] for s in streams])
        last = benchdb.median([s[1] for s in streams])
        print(f"  CSV export, first byte   {first * 1000:8.1f} ms")
        print(f"  CSV export, last byte    {last:8.2f} s    {streams[0][2] / 1e6:5.1f} MB")
        tasks = [xlsx_task(admin) for _ in range(repeat)]
        seconds = benchdb.median([t[0] for t in tasks])
        print(
            f"  XLSX export task         {seconds:8.2f} s    {tasks[0][2] / 1e6:5.1f} MB,"
            f" {tasks[0][1]:,} rows"
        )
        if vendor == "sqlite":  # no database in it: once is enough
            fixup(errors, repeat)
    finally:
        benchdb.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--errors", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--vendor", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.vendor:
        run(args.vendor, args.rows, args.repeat, args.errors)
        return
    print(benchdb.cpu_line(), flush=True)
    vendors = ["sqlite", "postgresql"] if os.environ.get("DATABASE_URL") else ["sqlite"]
    for vendor in vendors:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        options = ["--rows", str(args.rows), "--errors", str(args.errors)]
        subprocess.run(
            [sys.executable, __file__, "--vendor", vendor, *options, "--repeat", str(args.repeat)],
            check=True,
            env=env,
        )


if __name__ == "__main__":
    main()
