"""Databases for the benchmarks: never `var/klasse.sqlite3`, always one made for the run.

`configure("sqlite")` points Django at a SQLite file in a temporary directory, and
`configure("postgresql")` at the database `klasse_bench` (dropped and created again), both
before `django.setup()`, and runs the migrations once. `fresh()` then gives every
measurement an empty, migrated database: a copy of the migrated SQLite file, or the
PostgreSQL tables truncated.
"""

from __future__ import annotations

import gc
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "klasse_bench"
ACCOUNT_COLUMNS = (
    "password",
    "school_id",
    "username",
    "first_name",
    "infix",
    "last_name",
    "email",
    "role",
    "external_id",
    "eck_id",
    "school_class_id",
    "programme_id",
    "created_at",
    "updated_at",
)
UNUSABLE = "!benchmark-unusable-password"

_state: dict = {}


def configure(vendor: str = "sqlite") -> Path:
    """Set up Django on a database of our own; returns the run's temporary directory."""
    tmp = Path(tempfile.mkdtemp(prefix=f"klasse-bench-{vendor}-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get(
        "DJANGO_SETTINGS_MODULE", "klasse.settings"
    )
    os.environ["KLASSE_VAR_DIR"] = str(tmp / "var")  # static root, uploads: not in var/
    if vendor == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'template.sqlite3'}"
    elif vendor == "postgresql":
        recreate_pg_database()
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    else:
        raise ValueError(vendor)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    connection.close()  # SQLite: checkpoints the WAL into the file, so a copy is whole
    _state.update(vendor=vendor, tmp=tmp, count=0)
    return tmp


def recreate_pg_database(name: str = PG_NAME) -> None:
    """Drop the PostgreSQL database `name` if it is there, and create it empty."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop() -> None:
    """Remove the run's databases (the temporary directory, or `klasse_bench`)."""
    from django.db import connections

    connections.close_all()
    if _state.get("vendor") == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
    if _state.get("tmp"):
        shutil.rmtree(_state["tmp"], ignore_errors=True)


def fresh() -> str:
    """An empty migrated database for the next measurement; returns its SQLite path or DSN."""
    from django.db import connection

    connection.close()
    if _state["vendor"] == "sqlite":
        tmp: Path = _state["tmp"]
        old = connection.settings_dict["NAME"]
        if Path(old).name != "template.sqlite3":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{old}{suffix}").unlink(missing_ok=True)
        _state["count"] += 1
        path = tmp / f"run{_state['count']}.sqlite3"
        shutil.copyfile(tmp / "template.sqlite3", path)
        connection.settings_dict["NAME"] = str(path)
        return str(path)
    with connection.cursor() as cursor:
        # CASCADE empties every table that refers to these (classes, history, ...) too.
        cursor.execute("TRUNCATE accounts_school, accounts_account RESTART IDENTITY CASCADE")
    connection.close()
    return f"{PG_SERVER}/{PG_NAME}"


def make_school(slug: str = "bench"):
    """A school with the 40 classes of the generated files; returns (school, class ids)."""
    from generate import CLASSES

    from klasse.accounts.models import School, SchoolClass

    school = School.objects.create(slug=slug, name="Benchmark College")
    SchoolClass.objects.bulk_create(SchoolClass(school=school, name=n) for n, _ in CLASSES)
    classes = dict(SchoolClass.objects.filter(school=school).values_list("name", "id"))
    return school, classes


def programme_ids() -> dict[str, int]:
    from klasse.accounts.models import Programme

    return dict(Programme.objects.values_list("code", "id"))


def account_rows(school_id: int, people, classes: dict[str, int], stamp) -> list[tuple]:
    """The rows of ACCOUNT_COLUMNS for `people`, as Klasse's apply writes them."""
    programmes = programme_ids()
    return [
        (
            UNUSABLE,
            school_id,
            p.username,
            p.first_name,
            p.infix,
            p.last_name,
            p.email,
            "student",
            p.external_id,
            p.eck_id,
            classes[p.class_name],
            programmes[p.programme],
            stamp,
            stamp,
        )
        for p in people
    ]


def seed_accounts(school_id: int, people, classes: dict[str, int]) -> None:
    """Existing accounts, written fast (not measured): one executemany, or one COPY."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    if connection.vendor == "postgresql":
        rows = account_rows(school_id, people, classes, now)
        with transaction.atomic(), connection.cursor() as cursor:
            copy_sql = f"COPY accounts_account ({', '.join(ACCOUNT_COLUMNS)}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute("ANALYZE accounts_account")
        return
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows = account_rows(school_id, people, classes, stamp)
    sql = (
        f"INSERT INTO accounts_account ({', '.join(ACCOUNT_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(ACCOUNT_COLUMNS))})"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(fn: Callable[[], object]) -> float:
    """`fn`'s wall-clock seconds, after a full collection (no earlier garbage on its clock)."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def plan_for(data: bytes, school, actions):
    """The plan of the file `data` for `school`, made before a measurement of applying it."""
    from klasse.imports.core.pipeline import prepare_import

    return prepare_import(data, "leerlingen.csv", school=school, actions=actions).plan


def apply_new_accounts(people, data: bytes) -> float:
    """Klasse's side of "apply N new accounts": an empty database and school, the plan made
    beforehand, only `apply_plan` timed; then every account must be there."""
    from klasse.accounts.models import Account
    from klasse.imports.core.applying import apply_plan
    from klasse.imports.core.planning import Actions

    fresh()
    school, _ = make_school()
    plan = plan_for(data, school, Actions(add=True))
    assert plan.counts["add"] == len(people), plan.counts
    seconds = measure(lambda: apply_plan(plan))
    assert Account.objects.filter(school=school).count() == len(people)
    return seconds


def apply_class_changes(people, data_moved: bytes, moved) -> float:
    """Klasse's side of "apply N class changes": the school with `people` in their classes,
    the plan of `data_moved` (`moved`: the same people in another class) made beforehand,
    only `apply_plan` timed; then every student must be in the new class."""
    from klasse.accounts.models import Account
    from klasse.imports.core.applying import apply_plan
    from klasse.imports.core.planning import Actions

    fresh()
    school, classes = make_school()
    seed_accounts(school.pk, people, classes)
    plan = plan_for(data_moved, school, Actions(update=True))
    assert plan.counts["update"] == len(people), plan.counts
    seconds = measure(lambda: apply_plan(plan))
    changed = Account.objects.filter(school_class__name__endswith="B").count()
    assert changed == sum(p.class_name.endswith("B") for p in moved)
    return seconds


def median(values: list[float]) -> float:
    return statistics.median(values)


def cpu_line() -> str:
    import platform
    from importlib.metadata import version

    model = platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Django {version('django')}"
    )


def report(
    label: str, value: float, baseline: float, unit: str, target: str, met: bool | None
) -> str:
    """One line of figures; `met` None for a figure without a target."""
    verdict = "" if met is None else "met" if met else "MISSED"
    line = (
        f"  {label:<48} {value:9.3f} {unit:<3} baseline {baseline:9.3f} {unit:<3} "
        f"ratio {value / baseline:6.2f}x  target {target:<8} {verdict}"
    ).rstrip()
    print(line, flush=True)
    return line
