"""A large platform on PostgreSQL: 1,000,000 accounts over 500 schools.

Measures what an administrator waits for on such a platform: the preview (dry-run plan)
of a 2,000-row import for one school, and the OVERZICHTEN pages (class list and one
class). Run: `.venv/bin/python bench/large_platform.py [--accounts 1000000 --schools 500]`.
Uses its own database `klasse_large` (dropped and made again); prints the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import benchdb  # noqa: E402  (bench/, this script's folder)

PG = benchdb.PG_SERVER
NAME = "klasse_large"


def populate(accounts: int, schools: int) -> None:
    """Schools, 40 classes each, students spread evenly: set-based SQL, a minute or so."""
    from django.db import connection

    per_school = accounts // schools
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO accounts_school (name, slug, brin, created_at) "
            "SELECT 'School ' || s, 'school-' || s, '', now() FROM generate_series(1, %s) s",
            [schools],
        )
        c.execute(
            "INSERT INTO accounts_schoolclass (school_id, name) "
            "SELECT s.id, 'K' || k FROM accounts_school s, generate_series(1, 40) k"
        )
        c.execute("SELECT id FROM accounts_programme WHERE code = 'havo 3'")
        programme = c.fetchone()[0]
        c.execute(
            """
            INSERT INTO accounts_account (password, school_id, username, first_name, infix,
                last_name, email, role, external_id, school_class_id, programme_id,
                created_at, updated_at)
            SELECT '!x', s.id, 's' || s.id || '-ll' || n, 'Zoë' || (n %% 97), '',
                   'Jansen' || (n %% 991), '', 'student', '', sc.id, %s, now(), now()
            FROM accounts_school s
            CROSS JOIN generate_series(1, %s) n
            JOIN accounts_schoolclass sc ON sc.school_id = s.id AND sc.name = 'K' || (1 + n %% 40)
            """,
            [programme, per_school],
        )
        c.execute("ANALYZE")


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=500)
    args = parser.parse_args()
    benchdb.recreate_pg_database(NAME)
    os.environ["DATABASE_URL"] = f"{PG}/{NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klasse.settings")
    os.environ["KLASSE_VAR_DIR"] = "/tmp/klasse-large-var"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    populate(args.accounts, args.schools)
    print(
        f"populated {args.accounts:,} accounts over {args.schools} schools "
        f"in {time.perf_counter() - start:.1f} s"
    )

    from klasse.accounts.models import Account, Role, School, SchoolClass
    from klasse.imports.core.pipeline import prepare_import
    from klasse.imports.core.planning import Actions

    school = School.objects.get(slug=f"school-{args.schools // 2}")
    students = list(
        Account.objects.filter(school=school)
        .order_by("id")[:2000]
        .values_list("username", "first_name", "last_name", "school_class__name")
    )
    lines = ["achternaam;voornaam;gebruikersnaam;klas;opleiding;e-mailadres"]
    for i, (username, first, last, klas) in enumerate(students):
        # a yearly file: most rows unchanged, some moved up a class, some new
        klas = "K1" if i % 10 == 0 else klas
        username = f"nieuw-{school.pk}-{i}" if i % 50 == 0 else username
        email = f"x{i}@example.nl" if username.startswith("nieuw-") else ""
        lines.append(f"{last};{first};{username};{klas};havo 3;{email}")
    data = ("\r\n".join(lines) + "\r\n").encode()
    actions = Actions(add=True, update=True, archive=True, confirm_mass_archive=True)
    preview = timed(lambda: prepare_import(data, "jaar.csv", school=school, actions=actions))
    prepared = prepare_import(data, "jaar.csv", school=school, actions=actions)
    print(
        f"preview of a 2,000-row import for one school: {preview * 1000:.0f} ms "
        f"(counts {prepared.plan.counts})"
    )

    # A school's first import: 2,000 usernames new to it, each looked up platform-wide
    # (LOWER(username) IN …, on the unique index over 1,000,000 accounts).
    first = School.objects.create(name="Nieuwe school", slug="nieuw")
    lines = ["achternaam;voornaam;gebruikersnaam;klas;opleiding;e-mailadres"]
    lines += [f"Jansen;Zoë{i};eerste-{i};K{1 + i % 40};havo 3;e{i}@example.nl" for i in range(2000)]
    lines[1] = lines[1].replace("eerste-0", f"s{school.pk}-ll1")  # taken elsewhere
    data = ("\r\n".join(lines) + "\r\n").encode()
    preview = timed(lambda: prepare_import(data, "nieuw.csv", school=first, actions=actions))
    prepared = prepare_import(data, "nieuw.csv", school=first, actions=actions)
    print(
        f"preview of a first import of 2,000 new students: {preview * 1000:.0f} ms "
        f"(counts {prepared.plan.counts})"
    )

    admin = Account(
        school=school,
        username=f"beheer-{school.pk}",
        first_name="B",
        last_name="H",
        role=Role.ADMIN,
    )
    admin.set_unusable_password()
    admin.save()
    client = Client()
    client.force_login(admin)
    school_class = SchoolClass.objects.filter(school=school).order_by("name").first()
    overview = timed(lambda: client.get("/overzichten/"), repeat=20)
    detail = timed(lambda: client.get(f"/overzichten/klas/{school_class.pk}/"), repeat=20)
    assert client.get("/overzichten/").status_code == 200
    print(f"OVERZICHTEN (class list with counts): {overview * 1000:.1f} ms")
    print(
        f"OVERZICHTEN one class ({school_class.students.count()} students): {detail * 1000:.1f} ms"
    )
    with django.db.connection.cursor() as c:
        c.execute("EXPLAIN SELECT id FROM accounts_account WHERE lower(username) IN ('a', 'b')")
        print("username lookup plan:", " ".join(r[0].strip() for r in c.fetchall())[:160])


if __name__ == "__main__":
    main()
