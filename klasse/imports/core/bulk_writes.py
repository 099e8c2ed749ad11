"""Statements that write many accounts at once: executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.db import DatabaseError, connection

from klasse.accounts.models import Account

ACCOUNT_TABLE = Account._meta.db_table
BATCH = 5000


@contextmanager
def page_cache() -> Iterator[None]:
    """SQLite: a page cache of 64 MiB instead of 2 MiB while the import writes, so that the
    pages of the table and its seven indexes stay in memory until the commit (writing
    100,000 accounts takes a sixth less time); the connection's own size comes back after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (size,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -65536")
    try:
        yield
    finally:
        # Best effort: after a database error this may fail too, and must not hide it.
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(size)}")


def update_rows(columns: tuple[str, ...], params: list[tuple]) -> None:
    """UPDATE the accounts table from rows of (*columns, id, school_id): on PostgreSQL one
    COPY into a temporary table and one UPDATE … FROM, elsewhere executemany by id."""
    if connection.vendor == "postgresql":
        temp = "klasse_import_update"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
                f"SELECT {', '.join(columns)}, id, school_id FROM {ACCOUNT_TABLE} WITH NO DATA"
            )
            copy_in(temp, (*columns, "id", "school_id"), params)
            cursor.execute(f"ANALYZE {temp}")
            cursor.execute(
                f"UPDATE {ACCOUNT_TABLE} AS a SET "
                + ", ".join(f"{c} = u.{c}" for c in columns)
                + f" FROM {temp} AS u WHERE a.id = u.id AND a.school_id = u.school_id"
            )
            cursor.execute(f"DROP TABLE {temp}")
        return
    executemany(
        f"UPDATE {ACCOUNT_TABLE} SET {', '.join(f'{c} = %s' for c in columns)} "
        "WHERE id = %s AND school_id = %s",
        params,
    )


def insert_rows(
    columns: tuple[str, ...], params: list[tuple], *, table: str = ACCOUNT_TABLE
) -> None:
    """INSERT rows of `columns` into `table` (the accounts'): COPY on PostgreSQL, elsewhere
    executemany."""
    if connection.vendor == "postgresql":
        copy_in(table, columns, params)
        return
    executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
        params,
    )


def executemany(sql: str, params: list[tuple]) -> None:
    """One statement for many rows of parameters, BATCH rows at a time."""
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])


def copy_in(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """PostgreSQL's COPY … FROM STDIN, in the current transaction (psycopg 3's cursor
    under Django's, whose error wrapping turns e.g. a UniqueViolation into Django's
    IntegrityError, as for every other statement)."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)
