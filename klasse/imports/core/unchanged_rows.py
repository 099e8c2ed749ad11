"""The shortcut of the plan for the row that most of a yearly import consists of: an
active student whom the file lists exactly as the school has them (decided in C-level
passes over the whole file), and the context the plan decides every row in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import add, attrgetter, eq, itemgetter

from klasse.accounts.models import Role

from .actions import Actions
from .group_plans import group_ids_of
from .matching import Matches
from .school_accounts import EXISTING_INDEX, ExistingAccount
from .valid_rows import ValidRow, ValidRows, column_of

_STUDENT = Role.STUDENT.value


@dataclass
class PlanContext:
    """What the plan knows while it decides each row."""

    actions: Actions
    mapped: set[str]
    classes: dict[str, tuple[int, str]]
    class_names: dict[int, str]
    programmes: dict[str, int]
    programme_codes: dict[int, str]
    taken: set[str]
    similar: dict[tuple[str, str, str], str]
    teaching: dict[int, frozenset[int]]  # a teacher's classes, by account id
    columns: dict[str, str]  # field → the header of its column, for messages
    # False when no stamnummer can be Excel's rounded notation (no "E" in the column).
    rounded_possible: bool = True
    kinds: dict[int, str] = field(default_factory=dict)  # class id → groep (klas: absent)
    # Only when the file has a lesgroepen column: each account's groups, by account id.
    memberships: dict[int, frozenset[int]] = field(default_factory=dict)
    file_conflicts: set[str] = field(default_factory=set)  # group_plans.file_conflicts
    taken_eck_ids: set[str] = field(default_factory=set)  # ECK iDs of other schools
    matches: Matches | None = None
    moved_ids: set[int] = field(default_factory=set)  # accounts found under another name
    claimed_twice: dict[int, list[int]] = field(default_factory=dict)  # by row number
    school_accounts: dict[str, ExistingAccount] = field(default_factory=dict)  # by username key
    # EDEXML: a new account without password and e-mail address gets its password on a
    # login card, as with Actions.generate_passwords (such files carry no passwords).
    login_sheets: bool = False


# A stand-in account for rows without one: no tuple of a row equals its fields.
NOBODY = ExistingAccount(*([object()] * len(ExistingAccount._fields)))


def unchanged_students(
    rows: list[ValidRow], accounts: list[ExistingAccount], ctx: PlanContext
) -> tuple[list[ExistingAccount], list[bool]]:
    """For each row its account (`accounts`: NOBODY for none), and whether `_plan_row` would
    certainly find it unchanged (any doubt: False, and `_plan_row` decides).

    A row and its account are each made into one tuple and the tuples compared, in C-level
    passes over the whole file rather than a dozen Python steps per row. The tuples line
    up as names, e-mail, stamnummer, class, programme, role, archived_at:

    - e-mail and stamnummer only when their columns are mapped, compared as written: an
      empty cell (which keeps the account's value) leaves the row to `_plan_row`;
    - the row's class is the school's class with that name (one name, a known class), its
      programme the catalogue's (none in the row: never equal, `_plan_row` decides);
    - 'student' against the account's role, and None against its archived_at: only active
      students match.

    The row itself must be a student's without errors and without a new password to set:
    validation vouches for that of a whole file of clean students' rows (`clean_students`);
    otherwise each row that matched is looked at."""
    fields = ("first_name", "infix", "last_name")
    row_side = None
    if set(fields) <= ctx.mapped:
        fields += tuple(f for f in ("email", "external_id", "eck_id") if f in ctx.mapped)
        missing = object()
        row_side = _row_sides(rows, fields, ctx, missing)
    if row_side is None:  # names not mapped, or a row without one: every row the careful way
        return accounts, [False] * len(rows)
    # The same fields of each account, in one C call per account (see ExistingAccount).
    account_side = itemgetter(
        *map(
            EXISTING_INDEX.__getitem__,
            (*fields, "school_class_id", "programme_id", "role", "archived_at"),
        )
    )
    same = list(map(eq, row_side, map(account_side, accounts)))
    passwords = ctx.actions.overwrite_passwords and "password" in ctx.mapped
    if passwords or not (isinstance(rows, ValidRows) and rows.clean_students):
        for index, row in enumerate(rows):
            if same[index] and (
                row.errors or row.role != _STUDENT or (passwords and row.values.get("password"))
            ):
                same[index] = False
    for index in range(len(rows)) if ctx.moved_ids else ():
        if same[index] and accounts[index].id in ctx.moved_ids:
            same[index] = False  # found under another username: that changes
    if "groups" in ctx.mapped:  # each distinct cell's groups once, against each account's
        texts = column_of(rows, "groups")
        ids = {text: group_ids_of(text, ctx) for text in set(texts)}
        members, none = ctx.memberships, frozenset()
        for index in compress(range(len(rows)), same):
            if ids[texts[index]] != members.get(accounts[index].id, none):
                same[index] = False
    return accounts, same


def _row_sides(rows: list[ValidRow], fields: tuple[str, ...], ctx: PlanContext, missing: object):
    """The row's side of each comparison of `_unchanged_students` (`missing` for a class
    or programme that no account has), or None when a row lacks one of `fields`."""
    programme_ids = map(ctx.programmes.get, map(attrgetter("programme"), rows), repeat(missing))
    if isinstance(rows, ValidRows) and rows.clean_students:
        # Every row a student's with its one class name or none (""): validation's columns.
        try:
            *written, class_texts = rows.columns((*fields, "class_name"))
        except KeyError:
            return None
        class_ids = {n: ctx.classes.get(n.lower(), (missing,))[0] for n in set(class_texts)}
        class_id = map(class_ids.__getitem__, class_texts)
        return zip(*written, class_id, programme_ids, repeat(_STUDENT), repeat(None))
    try:
        written = list(map(itemgetter(*fields), map(attrgetter("values"), rows)))
    except KeyError:
        return None
    # The school's class of each name the file writes, keyed by the 1-tuple of a row with
    # exactly that one name (no name, or several, find nothing).
    class_lists = list(map(attrgetter("class_names"), rows))
    class_ids = {}
    for name in set(chain.from_iterable(class_lists)):
        if found := ctx.classes.get(name.lower()):
            class_ids[(name,)] = found[0]
    class_id = map(class_ids.get, map(tuple, class_lists), repeat(missing))
    return map(add, written, zip(class_id, programme_ids, repeat(_STUDENT), repeat(None)))
