"""Remove archived accounts for good (AVG: personal data is not kept longer than needed).

Archiving keeps an account's data so that a later import can bring it back; purging is the
step after that, for accounts archived long enough ago. For good means everywhere: the
audit log and the import history keep their entries but lose the purged people's names
(`scrub.py`). It cannot be undone, so every purge is recorded, with counts and no names: an
audit entry per school, and a line in the `klasse.audit` log.
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from .audit import audit_record
from .models import Account, School
from .scrub import Forgotten, audit_entries_scrub, purging

PURGE_ACTION = "purge"
audit_log = logging.getLogger("klasse.audit")


@dataclass
class PurgeResult:
    archived_before: dt.date
    dry_run: bool
    per_school: dict[str, int] = field(default_factory=dict)  # slug → accounts
    # slug → entries / runs from which the purged accounts' personal data was removed
    audit_entries_scrubbed: dict[str, int] = field(default_factory=dict)
    import_runs_scrubbed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.per_school.values())


def purge_cutoff(archived_before: dt.date) -> dt.datetime:
    """The first moment of `archived_before` on the school's clock (TIME_ZONE)."""
    return timezone.make_aware(dt.datetime.combine(archived_before, dt.time.min))


def accounts_purge_archived(
    *, archived_before: dt.date, school: School | None = None, dry_run: bool = False
) -> PurgeResult:
    """Delete the accounts archived before `archived_before` (of `school`, or of all).

    1. refuse a date after today: nobody can have been archived before a future day that
       is not also archived before today, so such a date is a typing error;
    2. lock the schools concerned, as an import does, so that no import restores an account
       while it is being removed;
    3. remove their personal data from the audit log and the import runs (while the audit
       entries still point at them), delete the accounts (their class links go with them)
       and record the purge per school, in counts.
    """
    if archived_before > timezone.localdate():
        raise ValueError(
            f"De datum {archived_before:%Y-%m-%d} ligt in de toekomst. Kies een datum in het "
            "verleden: accounts die vóór die datum gearchiveerd zijn, worden verwijderd."
        )
    result = PurgeResult(archived_before, dry_run)
    with transaction.atomic():
        accounts = Account.objects.filter(
            archived_at__isnull=False, archived_at__lt=purge_cutoff(archived_before)
        )
        if school is not None:
            accounts = accounts.filter(school=school)
        if not dry_run:
            school_ids = accounts.values("school_id").distinct()
            list(School.objects.select_for_update().filter(pk__in=school_ids).order_by("pk"))
        found = accounts.values("school_id", "school__slug").annotate(n=Count("id"))
        found = sorted(found, key=lambda row: row["school__slug"])
        result.per_school = {row["school__slug"]: row["n"] for row in found}
        if not dry_run:
            # Locked: an account restored meanwhile by hand would lose its history's names.
            forgotten = Forgotten.of(accounts.select_for_update())
            entries = audit_entries_scrub(forgotten)
            runs = _histories_scrub(forgotten)
            accounts.delete()
            for row in found:
                slug, school_id = row["school__slug"], row["school_id"]
                result.audit_entries_scrubbed[slug] = entries.get(school_id, 0)
                result.import_runs_scrubbed[slug] = runs.get(school_id, 0)
                audit_record(
                    school_id=school_id,
                    actor=None,
                    action=PURGE_ACTION,
                    details={
                        "archived_before": archived_before.isoformat(),
                        "count": row["n"],
                        "audit_entries_scrubbed": entries.get(school_id, 0),
                        "import_runs_scrubbed": runs.get(school_id, 0),
                        "by": _operator(),
                        "via": "klasse purge",
                    },
                )
    audit_log.log(
        logging.INFO if dry_run else logging.WARNING,
        "klasse purge%s: %d archived accounts archived before %s %s (%s), run by %s",
        " --dry-run" if dry_run else "",
        result.total,
        archived_before.isoformat(),
        "would be removed" if dry_run else "removed for good",
        ", ".join(f"{slug}: {n}" for slug, n in result.per_school.items()) or "none",
        _operator(),
    )
    return result


def _histories_scrub(forgotten: Forgotten) -> dict[int, int]:
    """The histories other apps keep scrubbed by those apps (`scrub.purging`): records
    changed per school. The import runs are the one such history (the imports app's
    `scrub`), whence the name `import_runs_scrubbed` in the result and the audit entry."""
    changed: dict[int, int] = {}
    for _receiver, counts in purging.send(sender=Forgotten, forgotten=forgotten):
        for school_id, count in counts.items():
            changed[school_id] = changed.get(school_id, 0) + count
    return changed


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a minimal container
        return "onbekend"
