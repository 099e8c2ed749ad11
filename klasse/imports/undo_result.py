"""What an undo did (or, in its preview, would do): the shapes that `undo` fills and that
the history pages and the log show (`UndoResult.as_dict`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from klasse.accounts.models import Account

CHUNK = 2000  # ids per query
_NAMES_KEPT = 200  # usernames stored per list in the log; the counts are always complete


def accounts_of(school_id: int, ids: list[int]):
    """The school's accounts with these ids (those that still exist), CHUNK per query."""
    for start in range(0, len(ids), CHUNK):
        yield from Account.objects.filter(school_id=school_id, pk__in=ids[start : start + CHUNK])


class UndoRefused(Exception):
    """This run cannot be undone (any more); the message says why, in Dutch."""


@dataclass
class Kept:
    """An account the undo left alone (or some of its fields) because someone changed it
    after the import."""

    username: str
    name: str
    # field names as in klasse.accounts.audit.FIELD_LABELS, or KEPT_REASONS keys
    fields: list[str]


@dataclass
class UndoResult:
    removed: list[str] = field(default_factory=list)  # added, nothing done with since: deleted
    restored: list[str] = field(default_factory=list)  # archived by the import: active again
    reverted: list[str] = field(default_factory=list)  # fields set back
    kept: list[Kept] = field(default_factory=list)
    missing: int = 0  # accounts the import touched that no longer exist
    classes_lost: list[str] = field(default_factory=list)  # teachers again, without classes
    classes_removed: list[str] = field(default_factory=list)  # created by the import, empty
    # removed by hand since the import, made again to put accounts back in (by name)
    classes_recreated: list[str] = field(default_factory=list)
    # {"username", "name", "changes": {field: [now, back]}, and "kept": [field] where
    # some of its values stay} per account set back
    changes: list[dict] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # username → name, removed/restored
    # Set on a confirmation: what happened differs from the preview the administrator saw.
    differs: bool = False
    kept_since_preview: list[str] = field(default_factory=list)  # usernames

    def digest(self) -> str:
        """A fingerprint of everything the undo does, to compare a preview with what a
        confirmation found (hex sha256)."""
        shown = {
            key: value
            for key, value in asdict(self).items()
            if key not in ("differs", "kept_since_preview")
        }
        return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()

    def as_dict(self) -> dict:
        data = asdict(self)
        for name in ("removed", "restored", "reverted", "classes_removed", "changes"):
            data[f"{name}_count"] = len(data[name])
            data[name] = data[name][:_NAMES_KEPT]
        del data["names"]  # for the preview only: the log keeps no names of removed people
        data["archived_count"] = 0  # (runs undone before: used accounts were archived)
        return data
