"""What each account's own import history costs (issue 17, item 9).

Run: .venv/bin/python bench/account_log_bench.py [--rows 10000] [--repeat 3] (SQLite)

An applied import writes one audit entry per account it added, changed or archived
(`imports.account_log.log_import_accounts`, inside the import's transaction). Measured:
`apply_plan` of N new accounts, and of N class changes, each without and with the record
callback writing those entries, on a fresh database each time; the figure is the median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klasse.settings")

import benchdb  # noqa: E402
import generate  # noqa: E402


def one(data: bytes, *, log: bool, seed_first: list | None, moved: bytes | None) -> float:
    from django.utils import timezone

    from klasse.imports.account_log import log_import_accounts
    from klasse.imports.core.applying import apply_plan
    from klasse.imports.core.planning import Actions

    benchdb.fresh()
    school, classes = benchdb.make_school()
    actions = Actions(add=True)
    if seed_first is not None:
        benchdb.seed_accounts(school.pk, seed_first, classes)
        data, actions = moved, Actions(update=True)
    plan = benchdb.plan_for(data, school, actions)

    def record(changes) -> None:
        log_import_accounts(
            school_id=school.pk,
            run_id="0" * 32,
            file_name="bench.csv",
            actor=None,
            changes=changes.as_dict(),
            at=timezone.now(),
        )

    seconds = benchdb.measure(lambda: apply_plan(plan, record=record if log else None))
    from klasse.accounts.models import AuditEntry

    assert AuditEntry.objects.count() == (len(plan.rows) if log else 0)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    benchdb.configure("sqlite")
    people = generate.people(args.rows)
    data = generate.csv_bytes(people)
    moved = generate.csv_bytes([generate.other_class(p) for p in people])
    for label, seed in (("new accounts", None), ("class changes", people)):
        took = {False: [], True: []}
        for _ in range(args.repeat):
            for log in (False, True):  # alternately, so that both see the same machine
                took[log].append(one(data, log=log, seed_first=seed, moved=moved))
        without, with_log = statistics.median(took[False]), statistics.median(took[True])
        print(
            f"{args.rows:,} {label}: apply_plan {without:.3f} s, with each account's entry "
            f"{with_log:.3f} s (+{with_log - without:.3f} s, {with_log / without:.2f}x)"
        )
    benchdb.drop()


if __name__ == "__main__":
    main()
