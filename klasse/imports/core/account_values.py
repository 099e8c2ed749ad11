"""An updated account's values before and after, as the import's history records them
(and undo sets back).
"""

from __future__ import annotations

from functools import partial
from itertools import compress
from operator import attrgetter, itemgetter

from django.db import connection, models

from klasse.accounts.models import Account

from .bulk_writes import ACCOUNT_TABLE, BATCH
from .planning import PlannedRow
from .school_accounts import ExistingAccount

# What an import can change of an account: every field of the plan's snapshot of it but
# its id and username (it is matched on those).
UPDATE_FIELDS = tuple(f for f in ExistingAccount._fields if f not in ("id", "username"))
# The fields that can hold a date (recorded as ISO text); the others hold text or ids.
TEMPORAL_FIELDS = tuple(
    name
    for name in UPDATE_FIELDS
    if isinstance(Account._meta.get_field(name), models.DateField)  # DateTimeField too
)
_TEMPORAL_INDEXES = tuple(1 + UPDATE_FIELDS.index(name) for name in TEMPORAL_FIELDS)

_SNAPSHOT_FIELDS = attrgetter(*UPDATE_FIELDS)  # read from the plan's ExistingAccount


def planned_values(updates: list[PlannedRow], *, password: bool) -> dict[int, dict]:
    """{id: {field: value}} as `current_values` gives them, from the accounts as the plan
    read them: the plan's fingerprint was checked under the school's lock, so they are
    still so, and reading 100,000 accounts again would cost a third of the update. Dates
    (only archived accounts have one) and password hashes are read from the database."""
    if not all(p.account for p in updates):  # a plan made elsewhere: read them all
        return current_values([p.account_id for p in updates], password=password)
    values = {
        p.account_id: dict(zip(UPDATE_FIELDS, _SNAPSHOT_FIELDS(p.account), strict=True))
        for p in updates
    }
    dated = [p.account_id for p in updates if p.account.archived_at is not None]
    fields = (*TEMPORAL_FIELDS, "password") if password else TEMPORAL_FIELDS
    read = list(values) if password else dated
    for start in range(0, len(read), BATCH):
        chunk = Account.objects.filter(pk__in=read[start : start + BATCH]).order_by()
        for row in chunk.values("id", *fields):
            values[row.pop("id")].update(row)
    return values


def current_values(ids: list[int], *, password: bool = False) -> dict[int, dict]:
    """{id: {field: value}} for UPDATE_FIELDS (and the password hash, if asked), as
    `Account.objects.values()` gives them.

    A plain SELECT: the ORM would prepare every one of the ids as a lookup value and
    convert every row. Only the dates need the ORM's conversion (to aware datetimes),
    and only archived accounts have one, so only those are read again through the ORM."""
    fields = (*UPDATE_FIELDS, "password") if password else UPDATE_FIELDS
    columns = ", ".join(("id", *fields))  # these attnames are the column names
    values: dict[int, dict] = {}
    dated: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {columns} FROM {ACCOUNT_TABLE} WHERE id IN ({marks})", chunk)
            rows = cursor.fetchall()
            found = map(partial(zip, fields), map(itemgetter(slice(1, None)), rows))
            values.update(zip(map(itemgetter(0), rows), map(dict, found), strict=True))
            for index in _TEMPORAL_INDEXES:  # the ids of the rows with a date
                dated.extend(compress(map(itemgetter(0), rows), map(itemgetter(index), rows)))
    dated = list(dict.fromkeys(dated))
    for start in range(0, len(dated), BATCH):
        chunk = Account.objects.filter(pk__in=dated[start : start + BATCH]).order_by()
        for row in chunk.values("id", *TEMPORAL_FIELDS):
            values[row.pop("id")].update(row)
    return values


def db_value(value):
    return connection.ops.adapt_datetimefield_value(value) if hasattr(value, "tzinfo") else value
