"""Database functions that must behave the same on SQLite and PostgreSQL.

Usernames are unique platform-wide case-insensitively, through the unique index on
`LOWER(username)`. PostgreSQL's `LOWER()` folds every letter; SQLite's folds ASCII only,
so on SQLite `émile` and `Émile` would both fit in the index. Every SQLite connection
therefore gets a `lower` that folds as PostgreSQL's does, `fold_case` (which is also how
the import compares usernames: `username_key`). It is deterministic, so SQLite keeps using
and maintaining the index on `LOWER(username)` with it; migration 0004 rebuilt the index
entries written by the built-in function.

A tool that opens the SQLite file without Klasse (the `sqlite3` shell) still has the
built-in `lower`; write accounts through Klasse only.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact


def fold_case(text: str) -> str:
    """Lower case letter by letter (Unicode's simple case mapping), as PostgreSQL's LOWER()
    does, where Python's `str.lower` applies the full mapping: 'İ' becomes 'i' (Python:
    'i' and a combining dot) and a word-final 'Σ' becomes 'σ' (Python: 'ς')."""
    if text.isascii():
        return text.lower()
    # Lowering one letter alone never applies the final-sigma rule; 'İ' is the only letter
    # whose full lower case is longer, and its first letter is the simple mapping.
    return "".join([letter.lower()[:1] for letter in text])


def sqlite_lower(value: object) -> object:
    """SQL `lower(value)`: NULL stays NULL, as in PostgreSQL; text is folded by `fold_case`."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.lower()  # a blob: ASCII only, as the built-in does
    return fold_case(str(value))


def register_sqlite_functions(
    sender: type, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    """`connection_created` receiver: replace SQLite's ASCII-only `lower` on each connection."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("lower", 1, sqlite_lower, deterministic=True)


def same_lower(field: str, value: str) -> Exact:
    """`LOWER(field) = LOWER(value)`, both folded by the database: the comparison of the
    case-insensitive unique index (and able to use it), where `__iexact` is `LIKE` on SQLite
    (ASCII only) and `UPPER(…) = UPPER(…)` on PostgreSQL (no index)."""
    return Exact(Lower(field), Lower(Value(value)))
