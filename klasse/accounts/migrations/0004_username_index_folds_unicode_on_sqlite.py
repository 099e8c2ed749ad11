"""Rebuild the case-insensitive username index on SQLite with the Unicode-aware `lower`.

Until now SQLite's built-in `lower()` (ASCII only) filled `account_username_ci_unique`, so
`émile` and `Émile` could both be in it; every connection now gets the `lower` of
`klasse.accounts.db`, and the index entries must be rebuilt with it. Two accounts that
differ only in non-ASCII case cannot both stay: the migration stops and names them, so that
an administrator renames one (`klasse shell`) and migrates again. PostgreSQL folded
correctly all along: nothing to do there.
"""

from django.core.management.base import CommandError
from django.db import migrations

INDEX = "account_username_ci_unique"


def rebuild_username_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT lower('É')")
        if cursor.fetchone()[0] != "é":
            raise RuntimeError(
                "SQLite's lower() is not the one of klasse.accounts.db on this connection "
                "(is klasse.accounts in INSTALLED_APPS?): the index would be rebuilt wrongly."
            )
        cursor.execute(
            "SELECT lower(a.username), a.username, s.slug FROM accounts_account a "
            "JOIN accounts_school s ON s.id = a.school_id ORDER BY a.id"
        )
        by_key: dict[str, list[str]] = {}
        for key, username, slug in cursor.fetchall():  # folded as the new index will
            by_key.setdefault(key, []).append(f"'{username}' ({slug})")
        clashes = [names for names in by_key.values() if len(names) > 1]
        if clashes:
            raise CommandError(
                "Deze gebruikersnamen verschillen alleen in hoofdletters en kunnen niet "
                "allebei blijven; geef er steeds één een andere naam en migreer opnieuw / "
                "these usernames differ only in case, rename all but one and migrate again: "
                + "; ".join(" = ".join(names) for names in clashes)
            )
        cursor.execute(f"REINDEX {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_entry"),
    ]

    operations = [
        # Going back changes nothing: the function stays registered as long as the code does.
        migrations.RunPython(rebuild_username_index, migrations.RunPython.noop),
    ]
