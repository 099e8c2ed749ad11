"""Write a plan in one transaction, with set-based statements (no query per row).

An exception anywhere inside leaves the database exactly as it was; e-mails are queued
only after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from klasse.accounts.models import Account, Programme, Role, School, SchoolClass

from .account_values import TEMPORAL_FIELDS, UPDATE_FIELDS, db_value, planned_values
from .bulk_writes import ACCOUNT_TABLE, executemany, insert_rows, page_cache, update_rows
from .class_links import link_teachers as _link_teachers  # (tests replace it)
from .class_links import set_groups
from .group_plans import GROEP, KLAS
from .hashing import hash_passwords
from .planning import Plan, PlannedRow
from .reading import gc_paused
from .school_accounts import school_fingerprint

_TEACHER, _STUDENT = Role.TEACHER.value, Role.STUDENT.value  # plain str: compared per row
Progress = Callable[[int, int], None]


USERNAME_INDEX = "account_username_ci_unique"
ECK_ID_INDEX = "account_eck_id_unique_active"


class StalePlan(Exception):
    """The school's accounts changed since the plan was made; plan again."""


@dataclass
class AppliedChanges:
    """What an import wrote, enough to undo it."""

    added: list[int] = field(default_factory=list)
    # {"id", "before": {...}, "after": {...}, "fields"}; "password" in before and after
    # (the hashes) only where the import set a password.
    updated: list[dict] = field(default_factory=list)
    archived: list[int] = field(default_factory=list)
    # New accounts mailed a link to choose a password (Actions.send_emails), and new
    # accounts whose password is made for their login card (Actions.generate_passwords).
    emailed: list[int] = field(default_factory=list)
    login_cards: list[int] = field(default_factory=list)
    created_classes: list[int] = field(default_factory=list)
    # {"id", "before": [class ids], "after": [class ids]}: updated teachers whose classes
    # the import changed.
    teacher_classes: list[dict] = field(default_factory=list)
    # {"id", "before": [group ids], "after": [group ids]}: updated pupils whose groups the
    # import changed.
    group_members: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "archived": self.archived,
            "emailed": self.emailed,
            "login_cards": self.login_cards,
            "created_classes": self.created_classes,
            "teacher_classes": self.teacher_classes,
            "group_members": self.group_members,
        }


def apply_plan(
    plan: Plan,
    *,
    progress: Progress | None = None,
    record: Callable[[AppliedChanges], None] | None = None,
    mail: Callable[[list[int]], None] | bool | None = None,
) -> AppliedChanges:
    """1. hash passwords (outside the transaction: slow); 2. lock the school and check the
    plan is fresh; 3. classes, inserts, updates, archive, teacher links; 4. after commit,
    `mail` the ids of the new accounts to send a password link (`changes.emailed`; by
    default the accounts' own task queues them; False: nobody). `record` runs inside the
    transaction (the import history)."""
    report = progress or (lambda done, total: None)
    if plan.needs_confirmation:
        raise ValueError("a mass archive needs confirmation")
    writing = [p for p in plan.rows if p.action in ("add", "update")]
    # Hashing is the slow part and happens before the transaction, where the progress
    # written by `report` is visible to the page that polls it: it counts as work.
    hashing = sum(1 for p in writing if p.set_password and p.row.values.get("password"))
    total = hashing + len(writing) + len(plan.archive) + 1
    hashes = _hash_for(writing, report, total)
    changes = AppliedChanges()
    # gc paused: the rows and dicts built for 100,000 accounts hold no reference cycles.
    with transaction.atomic(), gc_paused(), page_cache():
        School.objects.select_for_update().get(pk=plan.school_id)
        if school_fingerprint(plan.school_id) != plan.fingerprint:
            raise StalePlan
        if plan.school_brin:  # issue 16: the first EDEXML import names the school's BRIN
            School.objects.filter(pk=plan.school_id, brin="").update(brin=plan.school_brin)
        now = timezone.now()
        classes = _ensure_classes(plan.school_id, writing, changes)
        programmes = dict(Programme.objects.values_list("code", "id"))
        try:
            _insert(
                plan,
                [p for p in writing if p.action == "add"],
                hashes,
                classes,
                programmes,
                now,
                changes,
            )
            report(hashing + len(changes.added), total)
            _update(
                plan,
                [p for p in writing if p.action == "update"],
                hashes,
                classes,
                programmes,
                now,
                changes,
            )
        except IntegrityError as error:
            if USERNAME_INDEX not in str(error) and ECK_ID_INDEX not in str(error):
                raise
            # Another school took one of these usernames or ECK iDs after the plan was
            # made: the fingerprint covers only this school, the unique indexes cover the
            # platform. Everything rolls back; planned again, the row says `username_taken`
            # or `eck_id_taken`.
            raise StalePlan from error
        report(hashing + len(writing), total)
        _archive(plan, now, changes)
        _link_teachers(plan.school_id, writing, classes, changes)
        set_groups(writing, classes, changes)
        if record:
            record(changes)
        emailed = changes.emailed
        send = _queue_password_links if mail is None else mail
        # robust: a failure to queue the e-mails must not turn a committed import into an
        # error for its caller.
        if send and emailed:
            transaction.on_commit(lambda: send(emailed), robust=True)
    report(total, total)
    return changes


def _hash_for(writing: list[PlannedRow], report: Progress, total: int) -> dict[int, str]:
    rows = [p for p in writing if p.set_password and p.row.values.get("password")]
    encoded = hash_passwords(
        [p.row.values["password"] for p in rows], progress=lambda done: report(done, total)
    )
    report(len(rows), total)
    return {p.row.number: e for p, e in zip(rows, encoded, strict=True)}


def _ensure_classes(
    school_id: int, writing: list[PlannedRow], changes: AppliedChanges
) -> dict[str, int]:
    """The school's classes and groups by lower-case name, after creating those the rows
    name that it lacks: a name of a lesgroepen column is a group (kind groep), any other
    a class (group_plans: a pupil's row cannot name one both ways)."""
    existing = {
        name.lower(): pk
        for pk, name in SchoolClass.objects.filter(school_id=school_id).values_list("id", "name")
    }
    wanted: dict[str, str] = {}
    # Each distinct name once, in the order the rows first name it (C-level passes).
    names = map(attrgetter("class_names"), map(attrgetter("row"), writing))
    for name in dict.fromkeys(chain.from_iterable(names)):
        if name.lower() not in existing:
            wanted.setdefault(name.lower(), name)
    groups: set[str] = set()
    for planned in writing:
        named = [(n, GROEP) for n in planned.groups or ()] + list(planned.teaches or ())
        for name, kind in named:
            if name.lower() not in existing:
                wanted.setdefault(name.lower(), name)
                if kind == GROEP:
                    groups.add(name.lower())
    if wanted:
        SchoolClass.objects.bulk_create(
            [
                SchoolClass(school_id=school_id, name=name, kind=GROEP if key in groups else KLAS)
                for key, name in wanted.items()
            ]
        )
        existing = {
            name.lower(): pk
            for pk, name in SchoolClass.objects.filter(school_id=school_id).values_list(
                "id", "name"
            )
        }
        changes.created_classes = [existing[key] for key in wanted]
    return existing


def _student_class(planned: PlannedRow, classes: dict[str, int]) -> int | None:
    if planned.row.role != Role.STUDENT or not planned.row.class_names:
        return None
    return classes[planned.row.class_names[0].lower()]


INSERT_COLUMNS = (
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


def _insert(plan, adds, hashes, classes, programmes, now, changes: AppliedChanges) -> None:
    if not adds:
        return
    stamp = connection.ops.adapt_datetimefield_value(now)
    unusable = make_password(None)  # one '!' marker is as unusable as many
    params = []
    for planned in adds:
        v = planned.row.values
        params.append(
            (
                hashes.get(planned.row.number, unusable),
                plan.school_id,
                v["username"],
                v.get("first_name", ""),
                v.get("infix", ""),
                v.get("last_name", ""),
                v.get("email", ""),
                planned.row.role,
                "" if planned.kept_out else v.get("external_id", ""),
                v.get("eck_id", ""),
                _student_class(planned, classes),
                programmes[planned.row.programme] if planned.row.programme else None,
                stamp,
                stamp,
            )
        )
    insert_rows(INSERT_COLUMNS, params)
    # The new ids: every row this transaction inserted carries `now` (no ORDER BY: the
    # model's default ordering would sort the whole school for nothing).
    added = Account.objects.filter(school_id=plan.school_id, created_at=now).order_by()
    ids = dict(added.values_list("username", "id"))
    for planned in adds:
        planned.account_id = ids[planned.row.values["username"]]
        changes.added.append(planned.account_id)
        if planned.login_card:
            changes.login_cards.append(planned.account_id)
        elif (
            plan.actions.send_emails
            and planned.row.number not in hashes
            and planned.row.values.get("email")
        ):
            changes.emailed.append(planned.account_id)


def _update(plan, updates, hashes, classes, programmes, now, changes: AppliedChanges) -> None:
    """Write each account's new values. Only the columns that change are written: rows
    that change the same columns (a class, say) share one statement, and a column that
    keeps its value costs no index update."""
    if not updates:
        return
    # The hashes before, to set back on undo: read only when some row sets a password.
    passwords = any(p.set_password and p.row.number in hashes for p in updates)
    before = planned_values(updates, password=passwords)
    stamp = connection.ops.adapt_datetimefield_value(now)
    groups: dict[tuple[str, ...], list[tuple]] = {}
    updated = changes.updated
    for planned in updates:
        changed = planned.changes
        row = planned.row
        old = before[planned.account_id]
        old_password = old.pop("password", None) if passwords else None
        new = old.copy()
        # (row.values only when a value changed: a class change needs no dict of the row)
        if "first_name" in changed:
            new["first_name"] = row.values.get("first_name", "")
        if "infix" in changed:
            new["infix"] = row.values.get("infix", "")
        if "last_name" in changed:
            new["last_name"] = row.values.get("last_name", "")
        if "email" in changed:
            new["email"] = row.values["email"]
        if "external_id" in changed:
            new["external_id"] = row.values["external_id"]
        if "eck_id" in changed:
            new["eck_id"] = row.values["eck_id"]
        role = new["role"] = row.role if "role" in changed else old["role"]
        if role == _TEACHER:
            new["school_class_id"] = None
        elif "class_name" in changed:  # _student_class, written out
            names = row.class_names
            new["school_class_id"] = (
                classes[names[0].lower()] if row.role == _STUDENT and names else None
            )
        if "programme" in changed:
            new["programme_id"] = programmes[row.programme]
        new["archived_at"] = None
        columns = tuple([f for f in UPDATE_FIELDS if new[f] != old[f]])
        values = tuple([db_value(new[f]) if f in TEMPORAL_FIELDS else new[f] for f in columns])
        password = hashes.get(row.number) if planned.set_password else None
        if password is not None:  # the school sets it: no longer one its owner chose
            columns += ("password", "password_chosen")
            values += (password, False)
        if "username" in changed:  # found on ECK iD or key: its username (old → new)
            columns += ("username",)
            values += (row.values["username"],)
        groups.setdefault(columns, []).append((*values, stamp, planned.account_id, plan.school_id))
        # Dates as ISO text for the record, in place: old and new are this loop's own.
        for name in TEMPORAL_FIELDS:
            if (value := old[name]) is not None and hasattr(value, "isoformat"):
                old[name] = value.isoformat()
            if (value := new[name]) is not None and hasattr(value, "isoformat"):
                new[name] = value.isoformat()
        if password is not None:
            old["password"], new["password"] = old_password, password
        if "username" in changed:
            old["username"], new["username"] = changed["username"]
        updated.append(
            {"id": planned.account_id, "before": old, "after": new, "fields": sorted(changed)}
        )
    for columns, params in groups.items():
        update_rows((*columns, "updated_at"), params)


def _archive(plan: Plan, now, changes: AppliedChanges) -> None:
    if not plan.archive:
        return
    stamp = connection.ops.adapt_datetimefield_value(now)
    sql = (
        # times_archived + 1 ends the sessions and password links of the archived accounts.
        f"UPDATE {ACCOUNT_TABLE} SET archived_at = %s, updated_at = %s, "
        "times_archived = times_archived + 1 "
        "WHERE id = %s AND school_id = %s AND archived_at IS NULL AND role = %s"
    )
    params = [(stamp, stamp, a.account_id, plan.school_id, Role.STUDENT) for a in plan.archive]
    executemany(sql, params)
    changes.archived = [a.account_id for a in plan.archive]


def _queue_password_links(account_ids: list[int]) -> None:
    if account_ids:
        from klasse.accounts.tasks import send_password_links

        send_password_links.enqueue(account_ids)
