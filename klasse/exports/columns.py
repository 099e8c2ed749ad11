"""The import file's columns, as the template and every export write them."""

from collections.abc import Iterable

from klasse.accounts.models import Account, Role
from klasse.imports.core.formulas import escape_formulas
from klasse.imports.core.mapping import LABELS

# docs/import-contract.md, "Columns": these labels, lower case, in this order.
HEADERS = list(LABELS.values())
ROLE_LABELS = {Role.STUDENT: "leerling", Role.TEACHER: "docent"}
CLASS_SEPARATOR = ","


def escape_formula(value: str) -> str:
    """`=HYPERLINK(…)` → `'=HYPERLINK(…)` and `1B,=2+5` → `1B,'=2+5`, so that a
    spreadsheet never runs a cell, whatever separator it splits at (imports.core.formulas).

    The import undoes exactly this escape, so an exported `-5` comes back as `-5`.
    """
    return escape_formulas(value)


def account_row(account: Account, teacher_classes: Iterable[str]) -> list[str]:
    """One row in `HEADERS` order; `teacher_classes` are the names of the classes a teacher
    teaches (ignored for a student). Values are raw: the writers escape them."""
    if account.role == Role.TEACHER:
        class_names = CLASS_SEPARATOR.join(sorted(teacher_classes, key=str.casefold))
    else:
        class_names = account.school_class.name if account.school_class else ""
    return [
        account.last_name,
        account.infix,
        account.first_name,
        account.username,
        "",  # never a password: only hashes are stored, and an empty cell keeps the current one
        account.email,
        class_names,
        account.programme.code if account.programme else "",
        ROLE_LABELS.get(account.role, ""),
        account.external_id,
    ]
