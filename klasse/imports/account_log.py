"""Each account's own history of imports: one audit entry per account an import added,
changed or archived (IMPORT_ACCOUNT), and per account an undo set back, restored or left
alone (UNDO_ACCOUNT), shown on that account's page with a link to the import.

Written inside the import's (or undo's) transaction, at the run's own moment, with one
set-based statement (COPY on PostgreSQL): a 10,000-row import stays fast. The school's log
shows the run's single entry (klasse.accounts.audit.PER_ACCOUNT_PARTS).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from django.db import connection

from klasse.accounts.audit import Action
from klasse.accounts.models import Account, AuditEntry, Programme, SchoolClass

from .core.bulk_writes import insert_rows

CHUNK = 2000
TABLE = AuditEntry._meta.db_table
COLUMNS = (
    "school_id",
    "actor_id",
    "actor_username",
    "account_id",
    "username",
    "action",
    "details",
    "created_at",
)
# The run's record of an account's fields (account_values.UPDATE_FIELDS) by the names the
# audit log shows (klasse.accounts.audit.FIELD_LABELS); ids become names below.
SHOWN = {
    "first_name": "first_name",
    "infix": "infix",
    "last_name": "last_name",
    "email": "email",
    "external_id": "external_id",
    "eck_id": "eck_id",
    "username": "username",
    "role": "role",
    "school_class_id": "class_name",
    "programme_id": "programme",
    "archived_at": "status",
    "password": "password",
}


class Names:
    """Class and programme ids as the pages name them, read once per school."""

    def __init__(self, school_id: int) -> None:
        self.school_id = school_id
        self._classes: dict[int, str] | None = None
        self._programmes: dict[int, str] | None = None

    def text(self, name: str, value) -> str:
        """A recorded value as text: a class's name, a programme's code, "archived" or
        "active" for the status (rendered in the reader's language), "" for nothing."""
        if name == "school_class_id":
            if self._classes is None:
                rows = SchoolClass.objects.filter(school_id=self.school_id)
                self._classes = dict(rows.values_list("id", "name"))
            return self._classes.get(value, "") if value is not None else ""
        if name == "programme_id":
            if self._programmes is None:
                self._programmes = dict(Programme.objects.values_list("id", "code"))
            return self._programmes.get(value, "") if value is not None else ""
        if name == "archived_at":
            return "archived" if value else "active"
        if name == "password":
            return ""
        return "" if value is None else str(value)

    def classes(self, ids: Iterable[int]) -> str:
        return ", ".join(sorted(self.text("school_class_id", pk) for pk in ids))


def field_changes(names: Names, old: dict, new: dict) -> dict[str, list[str]]:
    """{shown name: [old text, new text]} for the recorded fields that differ."""
    return {
        SHOWN[f]: [names.text(f, old[f]), names.text(f, new[f])]
        for f in SHOWN
        if f in old and f in new and old[f] != new[f]
    }


def log_import_accounts(
    *, school_id: int, run_id, file_name: str, actor: Account | None, changes: dict, at: datetime
) -> int:
    """One IMPORT_ACCOUNT entry per account in the run's `changes` (AppliedChanges.as_dict):
    "added", "updated" (with its fields old → new, a teacher's classes included) and
    "archived". Returns the number written."""
    names = Names(school_id)
    classes = {e["id"]: e for e in changes.get("teacher_classes", [])}
    entries: list[tuple[int, dict]] = []
    base = {"run": str(run_id), "file_name": file_name}
    entries += [(pk, {**base, "change": "added"}) for pk in changes.get("added", [])]
    for entry in changes.get("updated", []):
        changed = field_changes(names, entry.get("before", {}), entry.get("after", {}))
        linked = classes.get(entry["id"])
        if linked:
            changed["classes"] = [names.classes(linked["before"]), names.classes(linked["after"])]
        entries.append((entry["id"], {**base, "change": "updated", "changes": changed}))
    entries += [(pk, {**base, "change": "archived"}) for pk in changes.get("archived", [])]
    return write_entries(school_id, actor, Action.IMPORT_ACCOUNT, entries, at)


def write_entries(
    school_id: int, actor: Account | None, action: str, entries: list[tuple[int, dict]], at
) -> int:
    """Insert one entry per (account id, details), with the accounts' usernames, at `at`;
    ids of accounts that no longer exist are left out."""
    usernames: dict[int, str] = {}
    ids = [pk for pk, _ in entries]
    for start in range(0, len(ids), CHUNK):
        found = Account.objects.filter(school_id=school_id, pk__in=ids[start : start + CHUNK])
        usernames.update(found.order_by().values_list("id", "username"))
    stamp = connection.ops.adapt_datetimefield_value(at)
    actor_id, actor_name = (actor.pk, actor.username) if actor else (None, "")
    rows = [
        (school_id, actor_id, actor_name, pk, usernames[pk], action, json.dumps(d), stamp)
        for pk, d in entries
        if pk in usernames
    ]
    insert_rows(COLUMNS, rows, table=TABLE)
    return len(rows)


def log_undo_accounts(*, run, actor: Account, result, at: datetime) -> int:
    """One UNDO_ACCOUNT entry per account an undo (`undo.UndoResult`) restored ("restored"),
    set back ("reverted", with its fields now → back, and "kept": what of it stayed) or
    left alone ("kept", with why).
    Removed accounts are gone: the school's entry names them."""
    wanted = [*result.restored, *(c["username"] for c in result.changes)]
    wanted += [k.username for k in result.kept]
    ids: dict[str, int] = {}
    for start in range(0, len(wanted), CHUNK):
        found = Account.objects.filter(
            school_id=run.school_id, username__in=wanted[start : start + CHUNK]
        )
        ids.update(found.order_by().values_list("username", "id"))
    base = {"run": str(run.pk), "file_name": run.file_name}
    entries = [(ids[u], {**base, "change": "restored"}) for u in result.restored if u in ids]
    entries += [
        (
            ids[c["username"]],
            {**base, "change": "reverted", "changes": c["changes"]}
            | ({"kept": c["kept"]} if c.get("kept") else {}),
        )
        for c in result.changes
        if c["username"] in ids
    ]
    entries += [
        (ids[k.username], {**base, "change": "kept", "kept": k.fields})
        for k in result.kept
        if k.username in ids
    ]
    return write_entries(run.school_id, actor, Action.UNDO_ACCOUNT, entries, at)
