"""What a plan knows of the school: its accounts as one query reads them, the usernames
taken elsewhere on the platform, the fingerprint that tells a stale plan, and the classes
its teachers teach (read, and removed where an import or its undo sets them anew).
"""

from __future__ import annotations

import hashlib
from itertools import repeat
from operator import attrgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Max, Sum

from klasse.accounts.models import Account, Role, SchoolClass

from .valid_rows import username_keys

LOOKUP_CHUNK = 5000
_LINK = SchoolClass.teachers.through  # an account teaching a class
_MEMBER = Account.groups.through  # a pupil in a group (lesgroep)


class ExistingAccount(NamedTuple):
    """An account of the school as the plan needs it: a row of `load_existing`'s query
    (a tuple, so that 100,000 of them cost no more than the query's own rows). The fields
    are Account's columns by attname: the query selects them, and an update records them
    (`account_values.UPDATE_FIELDS`: all but id and username)."""

    id: int
    username: str
    first_name: str
    infix: str
    last_name: str
    email: str
    role: str
    external_id: str
    eck_id: str
    school_class_id: int | None
    programme_id: int | None
    archived_at: object  # as the database driver returns it; only None matters

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


EXISTING_INDEX = {name: index for index, name in enumerate(ExistingAccount._fields)}


def school_fingerprint(school_id: int) -> str:
    """Changes whenever an account or a teacher's class of the school changes."""
    accounts = Account.objects.filter(school_id=school_id).aggregate(
        n=Count("id"), ids=Sum("id"), changed=Max("updated_at"), archived=Count("archived_at")
    )
    links = _LINK.objects.filter(schoolclass__school_id=school_id).aggregate(
        n=Count("id"), ids=Sum("id")
    )
    members = _MEMBER.objects.filter(schoolclass__school_id=school_id).aggregate(
        n=Count("id"), ids=Sum("id")
    )
    text = repr(sorted(accounts.items())) + repr(sorted(links.items()))
    if members["n"]:  # (a school without groups keeps the fingerprint it had)
        text += repr(sorted(members.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def load_existing(
    school_id: int,
) -> tuple[dict[str, ExistingAccount], dict[int, frozenset[int]], bool]:
    """The school's accounts by username key, the classes of its teachers, and whether
    the accounts are in the model's order (Account.Meta.ordering: the ORM's order).

    The ORM's own query runs on the plain cursor: the ORM's per-row conversion (a datetime
    parsed for every archived_at) costs more than the query. On SQLite the query is not
    sorted (a sort of the whole school costs half the query): the few places that need the
    order sort just what they need with `model_order`, which orders as SQLite does."""
    query = Account.objects.filter(school_id=school_id).values_list(*ExistingAccount._fields).query
    ordered = connection.vendor != "sqlite"
    if not ordered:
        query.clear_ordering(force=True)
    sql, params = query.sql_with_params()
    accounts: list[ExistingAccount] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):  # in chunks: the driver's rows go as we go
            # tuple.__new__ makes each ExistingAccount in C (`ExistingAccount._make` is Python code)
            accounts.extend(map(tuple.__new__, repeat(ExistingAccount), chunk))
    keys = username_keys(map(attrgetter("username"), accounts))
    existing = dict(zip(keys, accounts, strict=True))
    teaching: dict[int, set[int]] = {}
    links = _LINK.objects.filter(schoolclass__school_id=school_id)
    for account_id, class_id in links.values_list("account_id", "schoolclass_id"):
        teaching.setdefault(account_id, set()).add(class_id)
    return existing, {pk: frozenset(ids) for pk, ids in teaching.items()}, ordered


def group_memberships(school_id: int) -> dict[int, frozenset[int]]:
    """The groups each account of the school is a member of: {account id: class ids}."""
    found: dict[int, set[int]] = {}
    members = _MEMBER.objects.filter(schoolclass__school_id=school_id)
    for account_id, class_id in members.values_list("account_id", "schoolclass_id"):
        found.setdefault(account_id, set()).add(class_id)
    return {pk: frozenset(ids) for pk, ids in found.items()}


def member_group_ids(account_ids: list[int]) -> dict[int, set[int]]:
    """The ids of the groups each of these accounts is a member of (none: not in the dict)."""
    found: dict[int, set[int]] = {}
    for start in range(0, len(account_ids), LOOKUP_CHUNK):
        chunk = account_ids[start : start + LOOKUP_CHUNK]
        for account_id, class_id in _MEMBER.objects.filter(account_id__in=chunk).values_list(
            "account_id", "schoolclass_id"
        ):
            found.setdefault(account_id, set()).add(class_id)
    return found


def set_group_members(memberships: dict[int, set[int]]) -> None:
    """Make each account ({id: group ids}) a member of exactly these groups."""
    ids = list(memberships)
    for start in range(0, len(ids), LOOKUP_CHUNK):
        _MEMBER.objects.filter(account_id__in=ids[start : start + LOOKUP_CHUNK]).delete()
    _MEMBER.objects.bulk_create(
        [
            _MEMBER(account_id=pk, schoolclass_id=c)
            for pk, groups in memberships.items()
            for c in groups
        ],
        batch_size=LOOKUP_CHUNK,
    )


def eck_ids_taken(eck_ids: list[str], school_id: int) -> set[str]:
    """Those of `eck_ids` that an ACTIVE account of another school has (the other school
    is never named). An archived account never blocks an ECK iD: the ECK iD is unique
    among active accounts only (models.Account.Meta)."""
    taken: set[str] = set()
    active = Account.objects.filter(archived_at__isnull=True).exclude(school_id=school_id)
    for start in range(0, len(eck_ids), LOOKUP_CHUNK):
        chunk = eck_ids[start : start + LOOKUP_CHUNK]
        taken.update(active.filter(eck_id__in=chunk).values_list("eck_id", flat=True))
    return taken


def taken_elsewhere(keys: list[str]) -> set[str]:
    """The keys of the file's new usernames that an account elsewhere on the platform
    already uses (never says which school).

    The database's own LOWER() decides, as the case-insensitive unique index does: where
    PostgreSQL folds a letter otherwise than Python (Turkish 'İ', Greek final 'Σ'), the
    row says `username_taken` instead of failing at the insert. The school's own accounts
    are not excluded: `keys` are only keys of no account of the school, so any hit is a
    clash. Written out on the plain cursor, in chunks: it uses the unique index, and for
    100,000 new rows the ORM's preparing of every value would cost more than the queries."""
    taken: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            cursor.execute(
                f"SELECT LOWER(username) FROM {Account._meta.db_table} "
                f"WHERE LOWER(username) IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            taken.update(folded for (folded,) in cursor.fetchall())
    return taken


def similar_index(
    accounts, class_names: dict[int, str], ordered: bool
) -> dict[tuple[str, str, str], str]:
    """(first name, last name, class) → username; of two students alike, the one that comes
    last in the model's ordering, as when `accounts` are in that order."""
    found: dict[tuple[str, str, str], ExistingAccount] = {}
    for a in accounts:
        if a.role != Role.STUDENT:
            continue
        key = (
            a.first_name.lower(),
            a.last_name.lower(),
            class_names.get(a.school_class_id, "").lower(),
        )
        other = found.get(key)
        if ordered or other is None or model_order(a) > model_order(other):
            found[key] = a
    return {key: a.username for key, a in found.items()}


def model_order(account: ExistingAccount) -> tuple[str, str, str]:
    """Account's Meta.ordering as SQLite sorts it (BINARY collation: code point order,
    which is also how Python compares strings)."""
    return (account.last_name, account.first_name, account.username)


def full_name(account: ExistingAccount) -> str:
    return " ".join(p for p in (account.first_name, account.infix, account.last_name) if p)


def teacher_class_ids(account_ids: list[int]) -> dict[int, set[int]]:
    """The ids of the classes each of these accounts teaches (none: not in the dict)."""
    linked: dict[int, set[int]] = {}
    for start in range(0, len(account_ids), LOOKUP_CHUNK):
        links = _LINK.objects.filter(account_id__in=account_ids[start : start + LOOKUP_CHUNK])
        for account_id, class_id in links.values_list("account_id", "schoolclass_id"):
            linked.setdefault(account_id, set()).add(class_id)
    return linked


def teachers_unlink(account_ids: list[int]) -> None:
    """Remove these accounts from every class they teach."""
    for start in range(0, len(account_ids), LOOKUP_CHUNK):
        _LINK.objects.filter(account_id__in=account_ids[start : start + LOOKUP_CHUNK]).delete()
