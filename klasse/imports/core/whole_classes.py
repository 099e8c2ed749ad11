"""The classes an import would archive whole: the sign of a partial file.

A file of a few classes with "Archiveer" ticked archives every student of the classes it
leaves out. Under the mass-archive threshold (`Plan.mass_archive`) nothing stops that, so
the preview names those classes and the JSON report lists them (`archived_classes`,
docs/import-contract.md) before anything is written (issue 17, item 4).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from .school_accounts import ExistingAccount


@dataclass(frozen=True)
class ArchivedClass:
    """A class of the school all of whose active students the plan archives."""

    name: str
    students: int  # the class's active students: all of them archived

    def as_dict(self) -> dict[str, str | int]:
        return {"name": self.name, "students": self.students}


def whole_classes(
    accounts: Iterable[ExistingAccount],
    leaving: Iterable[ExistingAccount],
    class_names: dict[int, str],
) -> list[ArchivedClass]:
    """The classes whose every active student is in `leaving`, by name (case-insensitive).

    `accounts` are all the school's accounts (`load_existing`), `leaving` the active
    students the plan archives, `class_names` the school's class names by id. A student
    without a class belongs to no class and is never counted; teachers and archived
    students do not count towards a class's size. O(accounts), one pass each."""
    archived = Counter(filter(None, map(attrgetter("school_class_id"), leaving)))
    if not archived:
        return []
    active = Counter(
        a.school_class_id
        for a in accounts
        if a.school_class_id in archived and a.role == "student" and a.archived_at is None
    )
    found = [
        ArchivedClass(class_names.get(pk, ""), count)
        for pk, count in archived.items()
        if count == active[pk]
    ]
    return sorted(found, key=lambda c: (c.name.lower(), c.name))
