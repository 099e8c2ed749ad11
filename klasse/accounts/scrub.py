"""What a purge removes besides the accounts: their personal data in the audit log and in
the import history, which outlive the accounts.

The entries and the runs stay: who did what, when, and how many, is the school's record.
What named the purged people becomes `(verwijderd)`:
- audit entries about a purged account or by one: the username, and in the details the
  names, e-mail address and stamnummer (role, class, programme and status stay);
- the results of undone imports: the purged usernames and names in their lists;
- import runs: the values recorded per updated account (before and after, password hashes
  included), and every problem of a row whose message quotes a purged account's username,
  name, e-mail address or stamnummer (its code, row and column stay).
A row problem quotes its values (`'Émile'`), so a value is matched only where it is quoted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from klasse.imports.models import ImportRun

from .models import Account, AuditEntry

PURGED = "(verwijderd)"
CHUNK = 2000
RUNS_AT_ONCE = 20  # a run's report can hold a problem for each of 100,000 rows
# An edit's fields that do not say who someone is; the values of every other field go.
_NEUTRAL_FIELDS = frozenset({"role", "class_name", "programme", "status", "classes"})
_UNDO_LISTS = ("removed", "archived", "restored", "reverted", "classes_lost")


@dataclass(frozen=True)
class Forgotten:
    """What identifies the accounts being purged; read before they are deleted."""

    ids: tuple[int, ...]
    school_ids: frozenset[int]
    usernames: frozenset[str]  # lower-cased
    values: frozenset[str]  # usernames, first and last names, e-mail addresses, stamnummers

    @classmethod
    def of(cls, accounts: QuerySet[Account]) -> Forgotten:
        ids, school_ids, usernames, values = [], set(), set(), set()
        for pk, school_id, username, *personal in accounts.values_list(
            "id", "school_id", "username", "first_name", "last_name", "email", "external_id"
        ).order_by():
            ids.append(pk)
            school_ids.add(school_id)
            usernames.add(username.lower())
            values.update(v.lower() for v in (username, *personal) if v)
        return cls(tuple(ids), frozenset(school_ids), frozenset(usernames), frozenset(values))

    def quoted_in(self, message: str) -> bool:
        """Whether `message` quotes one of the values (`'…'`), case-insensitively."""
        if "'" not in message:
            return False
        lowered = message.lower()
        if not self.values.isdisjoint(lowered.split("'")[1:-1]):
            return True
        # A value with an apostrophe of its own (`D'Artagnan`) is not one piece of the split.
        return any(f"'{v}'" in lowered for v in self.values if "'" in v)


def audit_entries_scrub(forgotten: Forgotten) -> dict[int, int]:
    """Remove the purged accounts' personal data from the audit log; entries changed per
    school. Set-based where the snapshot columns suffice; only the entries whose details
    name someone are loaded and written back."""
    changed: dict[int, set[int]] = {}
    for ids in _chunks(forgotten.ids):
        about = AuditEntry.objects.filter(account_id__in=ids)
        by = AuditEntry.objects.filter(actor_id__in=ids)
        either = AuditEntry.objects.filter(Q(account_id__in=ids) | Q(actor_id__in=ids))
        for pk, school_id in either.values_list("pk", "school_id"):
            changed.setdefault(school_id, set()).add(pk)
        about.update(username=PURGED)
        by.update(actor_username=PURGED)
        rewritten = []
        for entry in about.exclude(details={}).only("pk", "details"):
            details = _scrub_details(entry.details)
            if details != entry.details:
                entry.details = details
                rewritten.append(entry)
        AuditEntry.objects.bulk_update(rewritten, ["details"], batch_size=CHUNK)
    undos = AuditEntry.objects.filter(
        school_id__in=forgotten.school_ids, action=AuditEntry.Action.UNDO
    )
    rewritten = []
    for entry in undos.only("pk", "school_id", "details"):
        result = entry.details.get("result") or {}
        scrubbed = _scrub_undo_result(result, forgotten)
        if scrubbed != result:
            entry.details = {**entry.details, "result": scrubbed}
            rewritten.append(entry)
            changed.setdefault(entry.school_id, set()).add(entry.pk)
    AuditEntry.objects.bulk_update(rewritten, ["details"], batch_size=CHUNK)
    return {school_id: len(pks) for school_id, pks in changed.items()}


def import_runs_scrub(forgotten: Forgotten) -> dict[int, int]:
    """Remove the purged accounts' personal data from the schools' import runs; runs
    changed per school. Reports are JSON: each run of those schools is read, a few at a
    time, and written back where it names a purged account."""
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


def _scrub_details(details: dict) -> dict:
    """The details of an entry about a purged account: an edit's personal values and a
    password link's address."""
    scrubbed = dict(details)
    if isinstance(details.get("changes"), dict):
        scrubbed["changes"] = {
            name: values if name in _NEUTRAL_FIELDS else [PURGED, PURGED]
            for name, values in details["changes"].items()
        }
    if "email" in details:
        scrubbed["email"] = PURGED
    return scrubbed


def _scrub_undo_result(result: dict, forgotten: Forgotten) -> dict:
    def name(username: str) -> str:
        return PURGED if username.lower() in forgotten.usernames else username

    scrubbed = dict(result)
    for key in _UNDO_LISTS:
        if key in result:
            scrubbed[key] = [name(username) for username in result[key]]
    if "kept" in result:
        scrubbed["kept"] = [
            {**kept, "username": PURGED, "name": PURGED}
            if kept.get("username", "").lower() in forgotten.usernames
            else kept
            for kept in result["kept"]
        ]
    return scrubbed


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
    scrubbed = [
        {**problem, "message": _purged_message(problem)}
        if index in named or problem.get("row") in rows
        else problem
        for index, problem in enumerate(problems)
    ]
    return {**report, "problems": scrubbed}


def _purged_message(problem: dict) -> str:
    where = f"Rij {problem['row']}: " if problem.get("row") is not None else ""
    return f"{where}{PURGED}: deze melding noemde een account dat definitief verwijderd is."


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


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
