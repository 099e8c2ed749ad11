"""A validated row and the rows of a file: what validation hands to the plan.

What both ways of validating (`validation` row by row, `clean_rows` a column at a time)
share beyond the rules of the values themselves (`klasse.accounts.rules`) lives here too:
the words of a rol cell, and the fields whose text may be damaged by a file's encoding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from operator import attrgetter, itemgetter

from klasse.accounts.db import fold_case
from klasse.accounts.models import normalise_username
from klasse.accounts.rules import MAX_LENGTHS

from .problems import Problem

NAME_FIELDS = ("last_name", "infix", "first_name")
NAME_AND_CLASS = frozenset((*NAME_FIELDS, "class_name"))  # the fields _check_names checks
_STUDENT_ROLES = {"", "leerling", "student", "ll"}
_TEACHER_ROLES = {"docent", "leraar", "leerkracht", "teacher", "medewerker", "mentor"}
# A staff export's function (Magister's Functie.Omschr): "Docent LO", "Mentor 2A".
_FIRST_WORD = re.compile(r"[^\W\d_]+")
NO_CLASSES: list[str] = []  # the class_names of a row without a class (shared: never changed)


class ValidRow:
    """One row of the file with its cleaned values; `errors` empty means it can be imported.

    `values` is {field: value}. A row that `clean_rows` vouches for keeps its values as
    the tuple they were checked in (in the order of `fields`) until its dict is asked for:
    most rows of a yearly import are only compared with their account, and a dict per row
    costs more than that comparison. `class_names` may be shared by the rows of one class,
    and `errors`/`warnings` start as one shared empty tuple: add problems with
    `add_error`/`add_warning`. After validation, neither the values nor these lists are
    changed in place."""

    __slots__ = ("number", "_values", "_cells", "_fields", "role", "programme", "class_names")
    __slots__ += ("errors", "warnings")

    def __init__(
        self,
        number: int,
        values: dict[str, str] | tuple[str, ...],
        role: str = "student",
        programme: str | None = None,
        class_names: list[str] = NO_CLASSES,
        fields: tuple[str, ...] | None = None,
    ) -> None:
        self.number = number
        # Given a tuple (with `fields`, the names of its values), the dict is made when
        # first asked for and the tuple kept: `ValidRows.columns` reads the tuples.
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


def role_of(text: str) -> str | None:
    """'student' or 'teacher' for a rol cell (any case, empty: student); None: unknown.

    A teacher's function may say more after the word (`Docent LO`, `Mentor 2A`); a
    student's must be the word alone. The import contract, "Columns" (rol, Functie)."""
    folded = text.casefold()
    if folded in _STUDENT_ROLES:
        return "student"
    if folded in _TEACHER_ROLES:
        return "teacher"
    first = _FIRST_WORD.match(folded.strip())
    return "teacher" if first and first.group() in _TEACHER_ROLES else None


def username_key(username: str) -> str:
    """Usernames compare after NFKC, lower-cased as the database index does (`fold_case`).

    `ｍａｒｉａ` = `Maria` = `maria`.
    """
    return fold_case(normalise_username(username))


def username_keys(usernames: Iterable[str]) -> list[str]:
    """`username_key` of each username, in C-level passes. NFKC leaves ASCII as it is,
    and lower-case ASCII usernames (the usual kind) are their own keys: no copies."""
    usernames = list(usernames)
    joined = "".join(usernames)
    if not joined.isascii():
        return list(map(fold_case, map(normalise_username, usernames)))
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
        # When every row came clean out of `clean_rows`: the fields of the rows' value
        # tuples, and the columns of values that validation made (a list per field).
        self._fields = fields
        self._columns = columns or {}

    def columns(self, wanted: tuple[str, ...]) -> list[list[str]]:
        """The values of each field `wanted`, a list per field in the order of the rows,
        for rows that all came clean out of `clean_rows` (ValueError otherwise); KeyError
        when the file has no such field. Validation's own columns where it made them; the
        others from the rows' tuples, without making their dicts."""
        if self._fields is None:
            raise ValueError("columns() needs rows that all came clean out of clean_rows")
        if not set(wanted) <= set(self._fields):
            raise KeyError(wanted)
        missing = [fld for fld in wanted if fld not in self._columns]
        if missing:
            cells = list(map(attrgetter("_cells"), self))
            for fld in missing:
                self._columns[fld] = list(map(itemgetter(self._fields.index(fld)), cells))
        return [self._columns[fld] for fld in wanted]


def column_of(rows: list[ValidRow], name: str) -> list[str]:
    """The values of one field, a list in the order of the rows ("" where empty)."""
    if isinstance(rows, ValidRows):
        try:
            (values,) = rows.columns((name,))
            return values
        except (KeyError, ValueError):
            pass
    return [row.values.get(name, "") for row in rows]


@cache
def _dict_maker(fields: tuple[str, ...]):
    """A function that makes {field: value} of a tuple of values in `fields` order: a dict
    display with constant keys, which builds a row's dict twice as fast as dict(zip())."""
    assert all(fld in MAX_LENGTHS for fld in fields)  # known names only go into the code
    items = ", ".join(f"{fld!r}: row[{i}]" for i, fld in enumerate(fields))
    return eval(f"lambda row: {{{items}}}")
