"""Validate every row of a mapped table, before anything is planned or written.

Checks that need only the row itself live here; checks that need the school's accounts
(`username_taken`, `no_password_or_email`, `similar_account`) belong to planning.
"""

from __future__ import annotations

import unicodedata
from operator import attrgetter, methodcaller

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from klasse.accounts.programmes import match_programme

from .clean_rows import clean_rows
from .mapping import LABELS
from .problems import Problem
from .reading import Table, gc_paused, has_suspect_characters, repair_mojibake
from .valid_rows import (
    CONTROL,
    MAX_LENGTHS,
    MOJIBAKE_HINT,
    NAME_FIELDS,
    USERNAME,
    ValidRow,
    ValidRows,
    normalise_email,
    role_of,
    teacher_class_names,
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
        column = self.columns.get(field_name, LABELS[field_name])
        return f"Rij {self.row.number}, kolom '{column}'"


def _validate_row(number, cells, extra_cells, positions, columns) -> ValidRow:
    check = _RowChecker(number, columns)
    raw = {fld: cells[index] if index < len(cells) else "" for fld, index in positions.items()}
    if extra_cells:
        check.problem(
            None,
            "wrong_column_count",
            f"Rij {number} heeft meer cellen dan de kopregel kolommen heeft. Staat er "
            "een scheidingsteken (; of ,) in een naam? Zet zo'n waarde tussen "
            "aanhalingstekens of verwijder de extra cellen.",
        )
    for fld, value in raw.items():
        check.row.values[fld] = value if fld == "password" else value.strip()
    _check_characters(check)
    _check_names(check)
    _check_username(check)
    _check_role_class_programme(check)
    _check_email(check)
    _check_password(check)
    return check.row


def _check_characters(check: _RowChecker) -> None:
    for fld, value in list(check.row.values.items()):
        if len(value) > MAX_LENGTHS[fld]:
            check.problem(
                fld,
                "too_long",
                f"{check.where(fld)}: de waarde is {len(value)} tekens lang; het "
                f"maximum is {MAX_LENGTHS[fld]}. Kort de waarde in.",
            )
            check.row.values[fld] = ""
        elif fld != "username" and CONTROL.search(value):
            check.problem(
                fld,
                "invalid_characters",
                f"{check.where(fld)}: de waarde bevat onzichtbare tekens of een "
                "regelovergang. Typ de waarde opnieuw in de cel.",
            )
            check.row.values[fld] = ""


def _check_names(check: _RowChecker) -> None:
    for fld in (*NAME_FIELDS, "class_name"):
        value = check.row.values.get(fld, "")
        repaired = repair_mojibake(value) if MOJIBAKE_HINT.search(value) else None
        if repaired:
            check.row.values[fld] = repaired
            check.problem(
                fld,
                "repaired_text",
                f"{check.where(fld)}: '{value}' is hersteld tot '{repaired}' (het "
                "bestand is eerder met de verkeerde tekenset opgeslagen). Controleer "
                "de naam.",
                "warning",
            )
        elif ("?" in value or "\ufffd" in value) and has_suspect_characters(value):
            check.problem(
                fld,
                "suspect_characters",
                f"{check.where(fld)}: '{value}' bevat een '?' of '\ufffd' waar "
                "waarschijnlijk een letter met accent hoort. Verbeter de naam in "
                "je administratie of na de import.",
                "warning",
            )
    for fld in ("last_name", "first_name"):
        if fld in check.columns and not check.row.values.get(fld) and not _has_error(check, fld):
            check.problem(
                fld, "required", f"{check.where(fld)}: dit veld is leeg. Vul de {LABELS[fld]} in."
            )


def _has_error(check: _RowChecker, fld: str) -> bool:
    return any(p.field == fld for p in check.row.errors)


def _check_username(check: _RowChecker) -> None:
    value = unicodedata.normalize("NFKC", check.row.values.get("username", ""))
    check.row.values["username"] = value
    if _has_error(check, "username"):
        return
    if not value:
        check.problem(
            "username",
            "required",
            f"{check.where('username')}: de gebruikersnaam is leeg. Elke rij heeft "
            "een unieke gebruikersnaam nodig.",
        )
    elif not USERNAME.fullmatch(value):
        check.problem(
            "username",
            "invalid_username",
            f"{check.where('username')}: '{value}' is geen geldige gebruikersnaam. "
            "Gebruik alleen letters, cijfers en . _ - @ + (geen spaties).",
        )
        check.row.values["username"] = ""


def _check_role_class_programme(check: _RowChecker) -> None:
    values = check.row.values
    role = role_of(values.get("role", ""))
    if role:
        check.row.role = role
    else:
        check.problem(
            "role",
            "unknown_role",
            f"{check.where('role')}: de rol '{values['role']}' kennen we niet. "
            "Gebruik 'leerling' of 'docent' (beheerders maak je niet met een import). "
            "Is dit geen leerling of docent, zoals een conciërge? Laat de rij dan weg.",
        )
        return  # whose class and programme are required depends on the role: not known
    class_text = values.get("class_name", "")
    if check.row.role == "teacher":
        check.row.class_names = teacher_class_names(class_text)
    elif class_text:
        check.row.class_names = [class_text]
    elif "class_name" in check.columns and not _has_error(check, "class_name"):
        check.problem(
            "class_name",
            "required",
            f"{check.where('class_name')}: een leerling moet in een klas zitten. Vul de klas in.",
        )
    programme_text = values.get("programme", "")
    if programme_text:
        check.row.programme = match_programme(programme_text)
        if check.row.programme is None:
            check.problem(
                "programme",
                "unknown_programme",
                f"{check.where('programme')}: de opleiding '{programme_text}' staat "
                "niet in de lijst. Kies een opleiding uit het tabblad 'Opleidingen' "
                "van het inleesbestand, bijvoorbeeld 'havo 3' of 'vmbo-tl 2'.",
            )
    elif (
        check.row.role == "student"
        and "programme" in check.columns
        and not _has_error(check, "programme")
    ):
        check.problem(
            "programme",
            "required",
            f"{check.where('programme')}: een leerling heeft een opleiding nodig. "
            "Vul de opleiding in, bijvoorbeeld 'havo 3'.",
        )


def _check_email(check: _RowChecker) -> None:
    value = check.row.values.get("email", "")
    if not value:
        return
    email = normalise_email(value)
    try:
        validate_email(email)
    except ValidationError:
        check.problem(
            "email",
            "invalid_email",
            f"{check.where('email')}: '{value}' is geen geldig e-mailadres. "
            "Verbeter het adres of maak de cel leeg.",
        )
        check.row.values["email"] = ""
        return
    check.row.values["email"] = email


def _check_password(check: _RowChecker) -> None:
    value = check.row.values.get("password", "")
    if not value or _has_error(check, "password"):
        return
    try:
        validate_password(value)
    except ValidationError as error:
        check.problem(
            "password",
            "weak_password",
            f"{check.where('password')}: het wachtwoord is te zwak: "
            f"{' '.join(error.messages)} Kies een wachtwoord van minstens 8 tekens "
            "dat niet veel gebruikt wordt, of laat de cel leeg en vul een "
            "e-mailadres in.",
        )
        check.row.values["password"] = ""


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
                    f"Rij {row.number}, kolom '{columns.get('username')}': de gebruikersnaam "
                    f"'{row.username}' staat meer dan eens in het bestand (rijen {numbers}). "
                    "Geef elke leerling een eigen gebruikersnaam of verwijder de dubbele rij.",
                )
            )
    return True
