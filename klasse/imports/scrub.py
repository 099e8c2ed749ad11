"""The import history's part of a purge: the purged accounts' personal data leaves the
import runs, which keep their counts, codes, rows and columns (see `klasse.accounts.scrub`
for what a purge removes where). The purge, in the accounts app below, cannot name the
runs: it sends `purging`, and `apps.ImportsConfig.ready` connects `import_runs_scrub`.
"""

from __future__ import annotations

from django.db.models import Q

from klasse.accounts.scrub import PURGED, Forgotten

from .core.texts import Text, say, text_data
from .models import ImportRun

RUNS_AT_ONCE = 20  # a run's report can hold a problem for each of 100,000 rows


def import_runs_scrub(sender=None, *, forgotten: Forgotten, **kwargs) -> dict[int, int]:
    """Remove the purged accounts' personal data from the schools' import runs; runs
    changed per school. Reports are JSON: each run of those schools is read, a few at a
    time, and written back where it names a purged account. A receiver of `purging`."""
    ids = frozenset(forgotten.ids)
    runs = ImportRun.objects.filter(school_id__in=forgotten.school_ids).exclude(
        Q(report={}) & Q(changes={})
    )
    pks = list(runs.select_for_update().order_by("pk").values_list("pk", flat=True))
    changed: dict[int, int] = {}
    for start in range(0, len(pks), RUNS_AT_ONCE):
        rewritten = []
        batch = ImportRun.objects.filter(pk__in=pks[start : start + RUNS_AT_ONCE])
        for run in batch.only("pk", "school_id", "report", "changes"):
            report = _scrub_report(run.report or {}, forgotten)
            changes = _scrub_changes(run.changes or {}, ids)
            if report != (run.report or {}) or changes != (run.changes or {}):
                run.report, run.changes = report, changes
                rewritten.append(run)
                changed[run.school_id] = changed.get(run.school_id, 0) + 1
        ImportRun.objects.bulk_update(rewritten, ["report", "changes"])
    return changed


def _scrub_report(report: dict, forgotten: Forgotten) -> dict:
    """Every problem of a row that a problem quoting a purged account's value belongs to."""
    problems = report.get("problems") or []
    named, rows = set(), set()
    for index, problem in enumerate(problems):
        if forgotten.quoted_in(problem.get("message", "")):
            named.add(index)
            if problem.get("row") is not None:
                rows.add(problem["row"])
    if not named:
        return report
    gone = [index in named or p.get("row") in rows for index, p in enumerate(problems)]
    scrubbed = [
        {**problem, "message": str(_purged_message(problem))} if out else problem
        for problem, out in zip(problems, gone, strict=True)
    ]
    kept = {**report, "problems": scrubbed}
    if texts := report.get("texts"):  # the messages as words and values: the same go
        kept["texts"] = [
            text_data(_purged_message(problems[index])) if index < len(gone) and gone[index] else t
            for index, t in enumerate(texts)
        ]
    return kept


def _purged_message(problem: dict) -> Text:
    if problem.get("row") is None:
        return say(
            "%(purged)s: deze melding noemde een account dat definitief verwijderd is.",
            purged=PURGED,
        )
    return say(
        "Rij %(row)s: %(purged)s: deze melding noemde een account dat definitief verwijderd is.",
        row=problem["row"],
        purged=PURGED,
    )


def _scrub_changes(changes: dict, ids: frozenset[int]) -> dict:
    """The account ids stay (they name nobody, and an undo counts them as gone); the values
    recorded per updated account go."""
    updated = changes.get("updated")
    if not updated or not any(entry.get("id") in ids for entry in updated):
        return changes
    return {
        **changes,
        "updated": [
            {**entry, "before": {}, "after": {}} if entry.get("id") in ids else entry
            for entry in updated
        ],
    }
