"""What a purge removes besides the accounts: their personal data in the audit log and in
the import history, which outlive the accounts.

The entries and the runs stay: who did what, when, and how many, is the school's record.
What named the purged people becomes `(verwijderd)`:
- audit entries about a purged account or by one: the username, and in the details the
  names, e-mail address and stamnummer (role, class, programme and status stay);
- the results of undone imports: the purged usernames and names in their lists, and the
  personal values among the fields an undo set back;
- import runs: the values recorded per updated account (before and after, password hashes
  included), and every problem of a row whose message quotes a purged account's username,
  name, e-mail address or stamnummer (its code, row and column stay).
A row problem quotes its values (`'Émile'`), so a value is matched only where it is quoted.

The audit log is the accounts' own and is scrubbed here. The import runs belong to the
imports app, which builds on this one: it scrubs them itself (the `scrub` module of that
app) when a purge sends `purging`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.dispatch import Signal

from .models import Account, AuditEntry

PURGED = "(verwijderd)"
CHUNK = 2000
# An edit's fields that do not say who someone is; the values of every other field go.
_NEUTRAL_FIELDS = frozenset({"role", "class_name", "programme", "status", "classes"})
_UNDO_LISTS = ("removed", "archived", "restored", "reverted", "classes_lost", "kept_since_preview")

# Sent by a purge (`purge.accounts_purge_archived`, sender Forgotten) inside its transaction,
# after the audit log is scrubbed and before the accounts are deleted, with `forgotten`, a
# Forgotten. A receiver removes the purged accounts' personal data from a history that its
# app keeps and returns {school_id: records changed}; an exception undoes the purge. The
# imports app's receiver (in its `scrub` module) scrubs the import runs.
purging = Signal()


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
    if "changes" in result:  # per account set back: {"username", "name", "changes"}
        scrubbed["changes"] = [
            {
                **change,
                "username": PURGED,
                "name": PURGED,
                "changes": _scrub_details(change).get("changes", {}),
            }
            if change.get("username", "").lower() in forgotten.usernames
            else change
            for change in result["changes"]
        ]
    if "kept" in result:
        scrubbed["kept"] = [
            {**kept, "username": PURGED, "name": PURGED}
            if kept.get("username", "").lower() in forgotten.usernames
            else kept
            for kept in result["kept"]
        ]
    return scrubbed


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
