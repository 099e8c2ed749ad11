"""The import file's columns, as the template and every export write them."""

from collections.abc import Iterable

from klasse.accounts.models import Role
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


def values_row(
    values: tuple, teacher_classes: Iterable[str], groups: Iterable[str] = ()
) -> list[str]:
    """One row in `HEADERS` order from an account's `rows._FIELDS` (pk, role, last name,
    infix, first name, username, e-mail, class name, programme code, stamnummer, ECK iD);
    `teacher_classes` are the names of the classes a teacher teaches (ignored for a
    student), `groups` the groups a pupil is in or a teacher teaches (lesgroepen). Values
    are raw: the writers escape them."""
    _pk, role, last_name, infix, first_name, username, email, class_name, code, external_id = (
        values[:10]
    )
    eck_id = values[10] if len(values) > 10 else ""
    if role == Role.TEACHER:
        class_name = CLASS_SEPARATOR.join(sorted(teacher_classes, key=str.casefold))
    return [
        last_name,
        infix,
        first_name,
        username,
        "",  # never a password: only hashes are stored, and an empty cell keeps the current one
        email,
        class_name or "",
        code or "",
        ROLE_LABELS.get(role, ""),
        external_id,
        eck_id,
        CLASS_SEPARATOR.join(sorted(groups, key=str.casefold)),
    ]
