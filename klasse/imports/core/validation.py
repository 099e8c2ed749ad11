"""Validate every row of a mapped table, before anything is planned or written.

Checks that need only the row itself live here; checks that need the school's accounts
(`username_taken`, `no_password_or_email`, `similar_account`) belong to planning. The
rules of the values, and their words, are the accounts' own (`klasse.accounts.rules`, which
the edit form applies too); what only a file can get wrong (a cell too many, damaged text,
a username twice) is checked and worded here.
"""

from __future__ import annotations

from operator import attrgetter, methodcaller

from django.utils import translation

from klasse.accounts.models import normalise_username
from klasse.accounts.programmes import match_programme
from klasse.accounts.rules import (
    MAX_LENGTHS,
    REQUIRED_NAMES,
    ROW_MESSAGES,
    class_names_of,
    eck_id_problem,
    email_problem,
    group_names_of,
    mojibake_repaired,
    name_text,
    normalise_email,
    password_problems,
    username_problem,
    value_problem,
)

from .clean_rows import clean_rows
from .code_pages import odd_characters
from .mapping import LABELS
from .problems import Problem
from .reading import Table, gc_paused, has_suspect_characters
from .texts import Worded, say, where
from .valid_rows import (
    NAME_FIELDS,
    ValidRow,
    ValidRows,
    role_of,
    username_keys,
)


def validate_rows(table: Table, mapping: dict[str, str | None]) -> ValidRows:
    """Clean and check every row; each row comes back, with its errors and warnings.

    Most rows of a real file have no problem at all. `clean_rows` recognises those a
    column at a time (a few C-level passes over 100,000 values instead of a dozen Python
    calls per row); every other row takes `_validate_row`, which finds and words each
    problem. Both give the same ValidRow for a row without problems.
    """
    positions = {fld: table.headers.index(h) for h, fld in mapping.items() if fld}
    columns = {fld: h for h, fld in mapping.items() if fld}
    with gc_paused():  # see reading.gc_paused: rows and values have no reference cycles
        clean, made_columns = clean_rows(table.rows, positions, columns)
        students_only = made_columns is not None
        if students_only:  # every row a clean student's: the usernames are a column already
            rows = ValidRows(clean, tuple(positions), made_columns)
            usernames = made_columns["username"]
        else:
            rows = ValidRows(
                found or _validate_row(row.number, row.cells, row.extra_cells, positions, columns)
                for row, found in zip(table.rows, clean, strict=True)
            )
            usernames = map(methodcaller("get", "username", ""), map(attrgetter("values"), rows))
        rows.username_keys = username_keys(usernames)
        rows.username_set = set(rows.username_keys)
        marked = _mark_duplicates(rows, rows.username_keys, columns, rows.username_set)
        if "eck_id" in positions:
            marked = _mark_duplicate_eck_ids(rows, columns) or marked
        rows.clean_students = students_only and not marked
    return rows


class _RowChecker:
    def __init__(self, row_number: int, columns: dict[str, str]) -> None:
        self.row = ValidRow(number=row_number, values={})
        self.columns = columns

    def problem(self, field_name: str | None, code: str, message: str, severity="error") -> None:
        column = self.columns.get(field_name) if field_name else None
        found = Problem(self.row.number, column, field_name, severity, code, message)
        (self.row.add_error if severity == "error" else self.row.add_warning)(found)

    def where(self, field_name: str) -> str:
        column = self.columns.get(field_name)
        return where(self.row.number, say(LABELS[field_name]) if column is None else column)

    def broken(self, field_name: str, code: str, message: str = "", **words) -> None:
        """The error `code` of a rule of `klasse.accounts.rules`, in its ROW_MESSAGES words
        (`message`: which of them, when not the code's own)."""
        words["where"] = self.where(field_name)
        self.problem(field_name, code, say(ROW_MESSAGES[message or code], **words))


def _validate_row(number, cells, extra_cells, positions, columns) -> ValidRow:
    check = _RowChecker(number, columns)
    raw = {fld: cells[index] if index < len(cells) else "" for fld, index in positions.items()}
    if extra_cells:
        check.problem(
            None,
            "wrong_column_count",
            say(
                "Rij %(row)s heeft meer cellen dan de kopregel kolommen heeft. Staat er "
                "een scheidingsteken (; of ,) in een naam? Zet zo'n waarde tussen "
                "aanhalingstekens of verwijder de extra cellen.",
                row=number,
            ),
        )
    for fld, value in raw.items():
        check.row.values[fld] = value if fld == "password" else value.strip()
    _check_invisible(check)
    _check_characters(check)
    _check_names(check)
    _check_username(check)
    _check_role_class_programme(check)
    _check_email(check)
    _check_password(check)
    _check_eck_id(check)
    _check_groups(check)
    return check.row


def _check_characters(check: _RowChecker) -> None:
    for fld, value in list(check.row.values.items()):
        code = value_problem(fld, value)
        if code:
            check.broken(fld, code, length=len(value), max=MAX_LENGTHS[fld])
            check.row.values[fld] = ""


def _check_invisible(check: _RowChecker) -> None:
    """Names and classes lose other spaces and invisible characters before they are
    checked (`rules.name_text`); a removed invisible character is `repaired_text`."""
    for fld in (*NAME_FIELDS, "class_name"):  # in a fixed order: the report's order
        value = check.row.values.get(fld, "")
        if value.isprintable():  # (every such character is unprintable)
            continue
        text, removed = name_text(value)
        check.row.values[fld] = text
        if removed:
            check.problem(
                fld,
                "repaired_text",
                say(
                    "%(where)s: er stonden onzichtbare of ongewone tekens in '%(value)s' "
                    "(zoals een zacht afbreekstreepje, een teken zonder breedte of een "
                    "bijzondere spatie); die zijn weggehaald of een gewone spatie geworden. "
                    "Controleer de naam.",
                    where=check.where(fld),
                    value=text,
                ),
                "warning",
            )


def _check_names(check: _RowChecker) -> None:
    for fld in (*NAME_FIELDS, "class_name"):
        value = check.row.values.get(fld, "")
        repaired = mojibake_repaired(value)
        if repaired:
            check.row.values[fld] = repaired
            check.problem(
                fld,
                "repaired_text",
                say(
                    "%(where)s: '%(value)s' is hersteld tot '%(repaired)s' (het bestand is "
                    "eerder met de verkeerde tekenset opgeslagen). Controleer de naam.",
                    where=check.where(fld),
                    value=value,
                    repaired=repaired,
                ),
                "warning",
            )
        elif odd := odd_characters(value):
            check.problem(
                fld,
                "suspect_characters",
                say(
                    "%(where)s: '%(value)s' bevat '%(odd)s', dat in een naam niet voorkomt: "
                    "waarschijnlijk is het bestand eerder in een verkeerde tekenset "
                    "opgeslagen. Verbeter de naam in je administratie of na de import.",
                    where=check.where(fld),
                    value=value,
                    odd=odd,
                ),
                "warning",
            )
        elif ("?" in value or "\ufffd" in value) and has_suspect_characters(value):
            check.problem(
                fld,
                "suspect_characters",
                say(
                    "%(where)s: '%(value)s' bevat een '?' of '\ufffd' waar waarschijnlijk "
                    "een letter met accent hoort. Verbeter de naam in je administratie of na "
                    "de import.",
                    where=check.where(fld),
                    value=value,
                ),
                "warning",
            )
    for fld in REQUIRED_NAMES:
        if fld in check.columns and not check.row.values.get(fld) and not _has_error(check, fld):
            check.broken(fld, "required", "required_name", label=say(LABELS[fld]))


def _has_error(check: _RowChecker, fld: str) -> bool:
    return any(p.field == fld for p in check.row.errors)


def _check_username(check: _RowChecker) -> None:
    value = normalise_username(check.row.values.get("username", ""))
    check.row.values["username"] = value
    if _has_error(check, "username"):
        return
    code = username_problem(value)
    if code == "required":
        check.broken("username", code, "required_username")
    elif code:
        check.broken("username", code, value=value)
        check.row.values["username"] = ""


def _check_role_class_programme(check: _RowChecker) -> None:
    values = check.row.values
    role = role_of(values.get("role", ""))
    if role:
        check.row.role = role
    else:
        check.broken("role", "unknown_role", value=values["role"])
        return  # whose class and programme are required depends on the role: not known
    class_text = values.get("class_name", "")
    if check.row.role == "teacher" or class_text:
        check.row.class_names = class_names_of(check.row.role, class_text)
    elif "class_name" in check.columns and not _has_error(check, "class_name"):
        check.broken("class_name", "required", "required_class")
    programme_text = values.get("programme", "")
    if programme_text:
        check.row.programme = match_programme(programme_text)
        if check.row.programme is None:
            check.broken("programme", "unknown_programme", value=programme_text)
    elif (
        check.row.role == "student"
        and "programme" in check.columns
        and not _has_error(check, "programme")
    ):
        check.broken("programme", "required", "required_programme")


def _check_email(check: _RowChecker) -> None:
    value = check.row.values.get("email", "")
    if not value:
        return
    email = normalise_email(value)
    if email_problem(email):
        check.broken("email", "invalid_email", value=value)
        check.row.values["email"] = ""
        return
    check.row.values["email"] = email


def _check_password(check: _RowChecker) -> None:
    value = check.row.values.get("password", "")
    if not value or _has_error(check, "password"):
        return
    # The import's messages are Dutch whatever language the caller's thread has active
    # (a web request in English, a test): Django words the policy's reasons in it. They
    # are kept in English too, for a reader who reads the report in English.
    with translation.override("nl"):
        reasons = password_problems(value)
    if reasons:
        with translation.override("en"):
            english = " ".join(password_problems(value))
        words = Worded({"nl": " ".join(reasons), "en": english})
        check.broken("password", "weak_password", reasons=words)
        check.row.values["password"] = ""


def _check_eck_id(check: _RowChecker) -> None:
    value = check.row.values.get("eck_id", "")
    if value and not _has_error(check, "eck_id") and eck_id_problem(value):
        check.broken("eck_id", "invalid_eck_id", value=value)
        check.row.values["eck_id"] = ""


def _check_groups(check: _RowChecker) -> None:
    value = check.row.values.get("groups", "")
    if not value or _has_error(check, "groups"):
        return
    limit = MAX_LENGTHS["class_name"]
    for name in group_names_of(value):
        if len(name) > limit:
            check.broken("groups", "too_long", "group_name_too_long", value=name, max=limit)
            check.row.values["groups"] = ""
            return


def _mark_duplicate_eck_ids(rows: list[ValidRow], columns: dict[str, str]) -> bool:
    """Give every row whose ECK iD another row has too the error `duplicate_in_file`;
    whether there were. An ECK iD is one person (the ECK iD standard)."""
    try:
        (eck_ids,) = rows.columns(("eck_id",))
    except (AttributeError, ValueError):  # not every row clean: their values
        eck_ids = [row.values.get("eck_id", "") for row in rows]
    filled = [e for e in eck_ids if e]
    if len(set(filled)) == len(filled):
        return False
    by_id: dict[str, list[ValidRow]] = {}
    for eck_id, row in zip(eck_ids, rows, strict=True):
        if eck_id:
            by_id.setdefault(eck_id, []).append(row)
    column = columns.get("eck_id")
    for same in by_id.values():
        if len(same) < 2:
            continue
        numbers = ", ".join(str(r.number) for r in same)
        for row in same:
            row.add_error(
                Problem(
                    row.number,
                    column,
                    "eck_id",
                    "error",
                    "duplicate_in_file",
                    f"Rij {row.number}, kolom '{column}': hetzelfde ECK iD staat meer dan "
                    f"eens in het bestand (rijen {numbers}). Een ECK iD hoort bij één "
                    "leerling of docent: verbeter het in de leerlingadministratie of "
                    "verwijder de dubbele rij.",
                )
            )
    return True


def _mark_duplicates(
    rows: list[ValidRow], keys: list[str], columns: dict[str, str], distinct: set[str]
) -> bool:
    """Give every row whose username another row has too the error; whether there were.
    `distinct` is the set of `keys`."""
    present = len(keys) - keys.count("")  # (a key is empty only when its username is)
    if len(distinct) - ("" in distinct) == present:
        return False  # no username twice: nothing to mark
    by_key: dict[str, list[ValidRow]] = {}
    for key, row in zip(keys, rows, strict=True):
        if key:
            by_key.setdefault(key, []).append(row)
    for same in by_key.values():
        if len(same) < 2:
            continue
        numbers = ", ".join(str(r.number) for r in same)
        for row in same:
            row.add_error(
                Problem(
                    row.number,
                    columns.get("username"),
                    "username",
                    "error",
                    "duplicate_in_file",
                    say(
                        "%(where)s: de gebruikersnaam '%(value)s' staat meer dan eens in het "
                        "bestand (rijen %(rows)s). Geef elke leerling een eigen gebruikersnaam "
                        "of verwijder de dubbele rij.",
                        where=where(row.number, columns.get("username")),
                        value=row.username,
                        rows=numbers,
                    ),
                )
            )
    return True
