"""Validate every row of a mapped table, before anything is planned or written.

Checks that need only the row itself live here; checks that need the school's accounts
(`username_taken`, `no_password_or_email`, `similar_account`) belong to planning.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, partial
from itertools import repeat
from operator import attrgetter, itemgetter, methodcaller

from django.contrib.auth.password_validation import (
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from klasse.accounts.db import fold_case
from klasse.accounts.programmes import match_programme

from .mapping import LABELS
from .problems import Problem
from .reading import Table, gc_paused, has_suspect_characters, repair_mojibake

MAX_LENGTHS = {
    "last_name": 100,
    "infix": 30,
    "first_name": 100,
    "username": 150,
    "password": 128,
    "email": 254,
    "class_name": 50,
    "programme": 60,
    "role": 30,
    "external_id": 50,
}
NAME_FIELDS = ("last_name", "infix", "first_name")
_NAME_AND_CLASS = frozenset((*NAME_FIELDS, "class_name"))  # the fields _check_names checks
STUDENT_ROLES = {"", "leerling", "student", "ll"}
TEACHER_ROLES = {"docent", "leraar", "leerkracht", "teacher", "medewerker"}
_USERNAME = re.compile(r"[\w.@+\-]{1,150}")
# A UTF-8 lead byte read as Windows-1252 (Â..ô) followed by a continuation byte's character:
# only such values are worth handing to ftfy, which is too slow to run on every cell.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u00a0-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6"
    "\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc"
    "\u2122\u0161\u203a\u0153\u017e\u0178]"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_NO_CLASSES: list[str] = []  # the class_names of a row without a class (shared: never changed)


class ValidRow:
    """One row of the file with its cleaned values; `errors` empty means it can be imported.

    `values` is {field: value}. A row that `_clean_rows` vouches for keeps its values as
    the tuple they were checked in (in the order of `fields`) until its dict is asked for:
    most rows of a yearly import are only compared with their account, and a dict per row
    costs more than that comparison. `class_names` may be shared by the rows of one class,
    and `errors`/`warnings` start as one shared empty tuple: add problems with
    `add_error`/`add_warning`, never change these lists in place."""

    __slots__ = ("number", "_values", "_cells", "_fields", "role", "programme", "class_names")
    __slots__ += ("errors", "warnings")

    def __init__(
        self,
        number: int,
        values: dict[str, str] | tuple[str, ...],
        role: str = "student",
        programme: str | None = None,
        class_names: list[str] = _NO_CLASSES,
        fields: tuple[str, ...] | None = None,
    ) -> None:
        self.number = number
        # Given a tuple (with `fields`, the names of its values), the dict is made when
        # first asked for and the tuple kept: `ValidRows.picked` reads the tuples.
        self._values, self._cells = (None, values) if fields else (values, None)
        self._fields = fields
        self.role = role
        self.programme = programme
        self.class_names = class_names
        self.errors: list[Problem] | tuple = ()
        self.warnings: list[Problem] | tuple = ()

    @property
    def values(self) -> dict[str, str]:
        if self._values is None:
            self._values = _dict_maker(self._fields)(self._cells)
        return self._values

    def add_error(self, problem: Problem) -> None:
        if self.errors:
            self.errors.append(problem)
        else:
            self.errors = [problem]

    def add_warning(self, problem: Problem) -> None:
        if self.warnings:
            self.warnings.append(problem)
        else:
            self.warnings = [problem]

    @property
    def username(self) -> str:
        return self.values.get("username", "")

    @property
    def key(self) -> str:
        return username_key(self.username)

    def _compared(self) -> tuple:
        return (
            self.number,
            self.values,
            self.role,
            self.programme,
            list(self.class_names),
            list(self.errors),
            list(self.warnings),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValidRow):
            return NotImplemented
        return self._compared() == other._compared()

    __hash__ = None  # mutable, like the dataclass it was

    def __repr__(self) -> str:
        number, values, role, programme, classes, errors, warnings = self._compared()
        return (
            f"ValidRow(number={number!r}, values={values!r}, role={role!r}, "
            f"programme={programme!r}, class_names={classes!r}, errors={errors!r}, "
            f"warnings={warnings!r})"
        )


def username_key(username: str) -> str:
    """Usernames compare after NFKC, lower-cased as the database index does (`fold_case`).

    `ｍａｒｉａ` = `Maria` = `maria`.
    """
    return fold_case(unicodedata.normalize("NFKC", username))


def normalise_email(email: str) -> str:
    local, at, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if at else email.strip()


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


def username_keys(usernames: Iterable[str]) -> list[str]:
    """`username_key` of each username, in C-level passes. NFKC leaves ASCII as it is,
    and lower-case ASCII usernames (the usual kind) are their own keys: no copies."""
    usernames = list(usernames)
    joined = "".join(usernames)
    if not joined.isascii():
        return list(map(fold_case, map(partial(unicodedata.normalize, "NFKC"), usernames)))
    return usernames if joined.lower() == joined else list(map(str.lower, usernames))


class ValidRows(list):
    """What `validate_rows` returns: the rows, and the username key of each row (`""`
    for a row without a username), which the duplicate check and the plan both need."""

    __slots__ = ("username_keys", "username_set", "clean_students", "_fields", "_columns")

    def __init__(
        self,
        rows=(),
        fields: tuple[str, ...] | None = None,
        columns: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(rows)
        self.clean_students = False  # True: every row a student's, without any problem
        # When every row came clean out of `_clean_rows`: the fields of the rows' value
        # tuples, and the columns of values that validation made (a list per field).
        self._fields = fields
        self._columns = columns or {}

    def columns(self, wanted: tuple[str, ...]) -> list[list[str]]:
        """The values of each field `wanted`, a list per field in the order of the rows,
        for rows that all came clean out of `_clean_rows` (ValueError otherwise); KeyError
        when the file has no such field. Validation's own columns where it made them; the
        others from the rows' tuples, without making their dicts."""
        if self._fields is None:
            raise ValueError("columns() needs rows that all came clean out of _clean_rows")
        if not set(wanted) <= set(self._fields):
            raise KeyError(wanted)
        missing = [fld for fld in wanted if fld not in self._columns]
        if missing:
            cells = list(map(attrgetter("_cells"), self))
            for fld in missing:
                self._columns[fld] = list(map(itemgetter(self._fields.index(fld)), cells))
        return [self._columns[fld] for fld in wanted]


def validate_rows(table: Table, mapping: dict[str, str | None]) -> ValidRows:
    """Clean and check every row; each row comes back, with its errors and warnings.

    Most rows of a real file have no problem at all. `_clean_rows` recognises those a
    column at a time (a few C-level passes over 100,000 values instead of a dozen Python
    calls per row); every other row takes `_validate_row`, which finds and words each
    problem. Both give the same ValidRow for a row without problems.
    """
    positions = {fld: table.headers.index(h) for h, fld in mapping.items() if fld}
    columns = {fld: h for h, fld in mapping.items() if fld}
    with gc_paused():  # see reading.gc_paused: rows and values have no reference cycles
        clean, made_columns = _clean_rows(table.rows, positions, columns)
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


def _clean_rows(
    rows, positions: dict[str, int], columns: dict[str, str]
) -> tuple[list[ValidRow | None], dict[str, list[str]] | None]:
    """For each row: its ValidRow if the row certainly has no problem, else None; and when
    every row is clean, the columns of values made on the way (always the usernames), else
    None.

    Conservative: a row is only taken here when none of the checks of `_validate_row`
    could report anything about it (not even a warning); any doubt leaves it to that
    function. The checks look at many values at once (C-level passes such as one regex
    over a whole row, or the set of a column's distinct values) and only look for the
    rows when they found something. Passes are few and go row by row where they can:
    a pass over 100,000 values scattered in memory costs more than the work it does,
    while the values of one row lie together.
    """
    count = len(rows)
    if "username" not in positions or not count:
        return [None] * count, None
    fields = tuple(positions)
    numbers = list(map(attrgetter("number"), rows))
    doubt: set[int] = set()
    if any(map(attrgetter("extra_cells"), rows)):
        doubt.update(i for i, row in enumerate(rows) if row.extra_cells)

    def mark(column: list[str], bad) -> None:
        doubt.update(i for i, value in enumerate(column) if bad(value))

    # One pass over the rows picks the mapped cells, in the order of `fields`.
    getter = itemgetter(*positions.values())
    try:
        picked = list(map(getter, map(attrgetter("cells"), rows)))
    except IndexError:  # a row shorter than the header: that row goes the careful way
        width = max(positions.values()) + 1
        cells = [row.cells for row in rows]
        doubt.update(i for i, c in enumerate(cells) if len(c) < width)
        picked = [getter(c if len(c) >= width else [""] * width) for c in cells]
    if len(fields) == 1:
        picked = [(value,) for value in picked]

    def column(fld: str) -> list[str]:
        return list(map(itemgetter(fields.index(fld)), picked))

    looked_clean = _rows_look_clean(picked, fields)
    if looked_clean:
        # Nothing to strip, too long, empty where required, unprintable, or suspect in a
        # name: the columns the checks below need are the cells as they are.
        cols = {fld: column(fld) for fld in fields if fld in _COLUMN_CHECKED}
        modified = False
    else:
        cols = _checked_columns(picked, fields, mark)
        modified = True

    usernames = cols["username"]
    joined = "".join(usernames)
    if joined.isascii():  # NFKC changes nothing
        # Lengths 1 to 150 checked already: then only characters other than _USERNAME's.
        suspect = not looked_clean or joined.encode().translate(None, _USERNAME_BYTES)
    else:
        normalised = [unicodedata.normalize("NFKC", u) for u in usernames]
        if normalised != usernames:
            usernames = cols["username"] = normalised
            modified = True
        suspect = True
    if suspect and (
        not all(usernames)
        or max(map(len, usernames)) > 150
        or _NOT_USERNAME.search("".join(usernames))
    ):
        mark(usernames, lambda u: not _USERNAME.fullmatch(u))

    blank = [""] * count
    role_texts = cols.get("role", blank)
    roles = {text: _role(text) for text in set(role_texts)}
    if None in roles.values():
        mark(role_texts, lambda text: roles[text] is None)
    role_of = [roles[t] for t in role_texts] if "teacher" in roles.values() else None
    class_texts = cols.get("class_name", blank)
    programme_texts = cols.get("programme", blank)
    distinct = {"class_name": set(class_texts), "programme": set(programme_texts)}
    programmes = {text: match_programme(text) for text in distinct["programme"] if text}
    if None in programmes.values():
        mark(programme_texts, lambda text: text and programmes[text] is None)
    for fld, texts in (("class_name", class_texts), ("programme", programme_texts)):
        if fld in columns and "" in distinct[fld]:  # required in a student's row
            doubt.update(
                i
                for i, text in enumerate(texts)
                if not text and (role_of is None or role_of[i] == "student")
            )
    if "email" in cols:
        emails = _clean_emails(cols["email"], doubt)
        if emails is not cols["email"]:
            cols["email"] = emails
            modified = True
    if "password" in cols:
        validators = get_default_password_validators()

        def weak(password: str) -> bool:
            try:
                validate_password(password, password_validators=validators)
            except ValidationError:
                return True
            return False

        if any(cols["password"]):
            mark(cols["password"], lambda p: p and weak(p))

    if modified:
        changed = (cols[fld] if fld in cols else column(fld) for fld in fields)
        picked = list(zip(*changed, strict=True))
    if not doubt and role_of is None:  # the common case: every row clean, only students
        # One list per class, shared by its rows (ValidRow: never changed in place).
        class_lists = {text: [text] if text else _NO_CLASSES for text in distinct["class_name"]}
        made = map(
            ValidRow,
            numbers,
            picked,
            repeat("student"),
            map(programmes.get, programme_texts),
            map(class_lists.__getitem__, class_texts),
            repeat(fields),
        )
        return list(made), cols
    found: list[ValidRow | None] = [None] * count
    for i, row_values in enumerate(picked):
        if i in doubt:
            continue
        role = role_of[i] if role_of else "student"
        text = class_texts[i]
        if role == "teacher":
            class_names = sorted({c.strip() for c in text.split(",") if c.strip()})
        else:
            class_names = [text] if text else []
        found[i] = ValidRow(
            numbers[i], row_values, role, programmes.get(programme_texts[i]), class_names, fields
        )
    return found, None


@cache
def _dict_maker(fields: tuple[str, ...]):
    """A function that makes {field: value} of a tuple of values in `fields` order: a dict
    display with constant keys, which builds a row's dict twice as fast as dict(zip())."""
    assert all(fld in MAX_LENGTHS for fld in fields)  # known names only go into the code
    items = ", ".join(f"{fld!r}: row[{i}]" for i, fld in enumerate(fields))
    return eval(f"lambda row: {{{items}}}")


# The fields whose columns _clean_rows looks at one by one; the others are only screened.
_COLUMN_CHECKED = frozenset({"username", "role", "class_name", "programme", "email", "password"})
# Joins the values of a row: printable, not a space, in no pattern or class used here.
_SEP = "\u00f7"  # ÷


@cache
def _row_pattern(fields: tuple[str, ...]) -> re.Pattern:
    """A row (values joined by _SEP) whose values fit MAX_LENGTHS and where the required
    names are not empty; a value holding _SEP does not match either."""
    required = ("last_name", "first_name", "username")
    return re.compile(
        _SEP.join(
            f"[^{_SEP}]{{{1 if fld in required else 0},{MAX_LENGTHS[fld]}}}" for fld in fields
        )
    )


def _rows_look_clean(picked: list[tuple[str, ...]], fields: tuple[str, ...]) -> bool:
    """True when no value has spaces around it, is too long, is empty where a name is
    required, holds an unprintable character (every _CONTROL character is one, and so is
    every space other than " "), or holds '?', '\ufffd' or a mojibake hint in a name or
    class: then _checked_columns would find nothing."""
    texts = list(map(_SEP.join, picked))
    if not all(map(_row_pattern(fields).fullmatch, texts)):
        return False
    text = _SEP.join(texts)
    del texts
    if not text.isprintable():
        return False
    if text[0] == " " or text[-1] == " " or f"{_SEP} " in text or f" {_SEP}" in text:
        return False  # with only " " as space, these are all the values to strip
    names = [i for i, fld in enumerate(fields) if fld in _NAME_AND_CLASS]
    if names:
        name_texts = map(itemgetter(*names), picked)
        if len(names) > 1:
            name_texts = map(_SEP.join, name_texts)
        text = _SEP.join(name_texts)
        if "?" in text or "\ufffd" in text or _MOJIBAKE_HINT.search(text):
            return False
    return True


def _checked_columns(picked, fields: tuple[str, ...], mark) -> dict[str, list[str]]:
    """Every column, stripped (but the password), with the rows that break a rule of
    `_check_characters` or `_check_names` marked."""
    cols: dict[str, list[str]] = {}
    for fld, column in zip(fields, map(list, zip(*picked, strict=True)), strict=True):
        if fld != "password":
            column = list(map(str.strip, column))
        limit = MAX_LENGTHS[fld]
        if max(map(len, column)) > limit:
            mark(column, lambda v, limit=limit: len(v) > limit)
        # Joined without a separator: a hint made of the end of one value and the start of
        # the next is a false alarm at worst, and the alarm only means a closer look.
        joined = "".join(column)
        # Every character _CONTROL finds is unprintable: most columns need no regex.
        if fld != "username" and not joined.isprintable() and _CONTROL.search(joined):
            mark(column, _CONTROL.search)
        if fld in _NAME_AND_CLASS:
            if not joined.isascii() and _MOJIBAKE_HINT.search(joined):
                mark(column, _MOJIBAKE_HINT.search)
            if "?" in joined or "\ufffd" in joined:
                mark(column, lambda v: "?" in v or "\ufffd" in v)
        if fld in ("last_name", "first_name") and not all(column):
            mark(column, lambda v: not v)
        cols[fld] = column
    return cols


# A character that _USERNAME does not allow; the ASCII characters it allows, as bytes.
_NOT_USERNAME = re.compile(r"[^\w.@+\-]")
_USERNAME_BYTES = bytes(b for b in range(128) if _USERNAME.fullmatch(chr(b)))
# An address with a dot-atom local part (a subset of what Django's EmailValidator accepts
# as local part) and a domain without "@".
_PLAIN_EMAIL = re.compile(
    r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*@[^@]+"
)


def _role(text: str) -> str | None:
    folded = text.casefold()
    if folded in STUDENT_ROLES:
        return "student"
    return "teacher" if folded in TEACHER_ROLES else None


def _clean_emails(emails: list[str], doubt: set[int]) -> list[str]:
    """The column of addresses as `_check_email` leaves them; a row whose address
    `validate_email` might refuse goes to `doubt`.

    Django's validator accepts an address of at most 320 characters when its local part
    matches `user_regex` and its domain (after the last "@") is valid. Every address of
    the common form (a dot-atom local part, which `user_regex` always accepts) is therefore
    decided by its length and its domain: `validate_email` runs once per distinct domain,
    on `a@` and that domain, instead of once per row. Any other address is left to the
    row-by-row path.
    """
    present = list(filter(None, emails))
    if not present:
        return emails
    domains = _plain_domains(present)
    if domains is None:
        doubt.update(i for i, e in enumerate(emails) if e and not _PLAIN_EMAIL.fullmatch(e))
        domains = {e.rpartition("@")[2] for e in present}
    if max(map(len, present)) > 320:
        doubt.update(i for i, e in enumerate(emails) if len(e) > 320)
    refused = set()
    for domain in domains:
        try:
            validate_email(f"a@{domain.lower()}")  # (normalise_email lower-cases it)
        except ValidationError:
            refused.add(domain)
    if refused:
        doubt.update(i for i, e in enumerate(emails) if e and e.rpartition("@")[2] in refused)
    if all(domain == domain.lower() for domain in domains):
        return emails  # normalise_email changes nothing
    return [normalise_email(e) if e else e for e in emails]


# "@" and the rest of the line: an address's domain, in a text of one address per line.
_AT_DOMAIN = re.compile(r"@([^\n]*)")
# A character that a dot-atom local part of _PLAIN_EMAIL does not hold (nor a line end).
_NOT_ATOM = re.compile(r"[^-!#$%&'*+/=?^_`{}|~0-9A-Za-z.\n]")
# The ASCII characters of a dot-atom local part, with "." and "@" and the line end.
_ATOM_BYTES = bytes(b for b in range(128) if not _NOT_ATOM.match(chr(b))) + b"@"
# In local parts one per line: an empty one, or a dot at its start, its end or twice.
_BAD_DOTS = re.compile(r"\n\n|\n\.|\.\n|\.\.")


def _plain_domains(present: list[str]) -> set[str] | None:
    """The distinct domains of the addresses when every one fullmatches _PLAIN_EMAIL
    (allowed characters in dot-separated atoms, exactly one "@", a domain), decided over
    all of them at once; None means: look at each."""
    count = len(present)
    text = "\n" + "\n".join(present) + "\n"
    if text.count("\n") != count + 1 or text.count("@") != count:
        return None  # a line end in an address, or not one "@" per address on average
    if text.isascii():
        domains = _usual_domains(text, present)
        if domains is not None:
            return domains
    parts = _AT_DOMAIN.split(text)  # "\nlocal", "domain", "\nlocal", …, "domain", "\n"
    if len(parts) != 2 * count + 1:
        return None  # an address without "@" (and so another with two)
    domains = set(parts[1::2])
    local = "".join(parts[::2])  # "\nlocal\nlocal…\n"
    if "" in domains or _NOT_ATOM.search(local) or _BAD_DOTS.search(local):
        return None
    return domains


def _usual_domains(text: str, present: list[str]) -> set[str] | None:
    """`_plain_domains` for the usual column, without splitting it: ASCII addresses (one
    per line of `text`, which starts and ends with a line end, with as many "@" as lines)
    of a few domains seen in a sample, made only of characters that a dot-atom local part
    allows, and without a dot or an "@" where a local part cannot have one. None: the
    column is not like that (which does not mean that an address is not plain)."""
    sample = present[:: max(1, len(present) // 64)] + present[-1:]
    domains = {address.rpartition("@")[2] for address in sample}
    # Each line ends with one of these domains, after its only "@": then "@domain\n"
    # occurs once per line (an "@" followed by a domain and the line end, and no line has
    # two "@" when there are as many as lines and each has one).
    if "" in domains or sum(text.count(f"@{domain}\n") for domain in domains) != len(present):
        return None
    if text.encode().translate(None, _ATOM_BYTES):
        return None  # a character outside a dot-atom's (in a local part or a domain)
    if "\n@" in text or "\n." in text or ".@" in text or ".." in text:
        return None  # an empty local part, or a dot at its start, its end or twice
    return domains


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
        elif fld != "username" and _CONTROL.search(value):
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
        repaired = repair_mojibake(value) if _MOJIBAKE_HINT.search(value) else None
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
    elif not _USERNAME.fullmatch(value):
        check.problem(
            "username",
            "invalid_username",
            f"{check.where('username')}: '{value}' is geen geldige gebruikersnaam. "
            "Gebruik alleen letters, cijfers en . _ - @ + (geen spaties).",
        )
        check.row.values["username"] = ""


def _check_role_class_programme(check: _RowChecker) -> None:
    values = check.row.values
    role_text = values.get("role", "").casefold()
    if role_text in STUDENT_ROLES:
        check.row.role = "student"
    elif role_text in TEACHER_ROLES:
        check.row.role = "teacher"
    else:
        check.problem(
            "role",
            "unknown_role",
            f"{check.where('role')}: de rol '{values['role']}' kennen we niet. "
            "Gebruik 'leerling' of 'docent' (beheerders maak je niet met een import).",
        )
    class_text = values.get("class_name", "")
    if check.row.role == "teacher":
        check.row.class_names = sorted({c.strip() for c in class_text.split(",") if c.strip()})
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
