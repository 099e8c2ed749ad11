"""The shortcut of planning for the row that most of a yearly import consists of: an
active student whom the file lists exactly as the school has them (`planning._plan_rows`)."""

from __future__ import annotations

from itertools import chain, repeat
from operator import add, attrgetter, eq, itemgetter

from klasse.accounts.models import Role

from .school_accounts import EXISTING_INDEX, ExistingAccount
from .valid_rows import ValidRow, ValidRows

_STUDENT = Role.STUDENT.value  # plain str: compared per row

# A stand-in account for rows without one: no tuple of a row equals its fields.
NOBODY = ExistingAccount(*([object()] * len(ExistingAccount._fields)))


def unchanged_students(
    rows: list[ValidRow], keys: list[str], existing: dict[str, ExistingAccount], ctx
) -> tuple[list[ExistingAccount], list[bool]]:
    """`ctx` is planning's `_Context`. For each row its account (NOBODY for none), and
    whether `planning._plan_row` would certainly find it unchanged (any doubt: False, and
    `planning._plan_row` decides).

    A row and its account are each made into one tuple and the tuples compared, in C-level
    passes over the whole file rather than a dozen Python steps per row. The tuples line
    up as names, e-mail, stamnummer, class, programme, role, archived_at:

    - e-mail and stamnummer only when their columns are mapped, compared as written: an
      empty cell (which keeps the account's value) leaves the row to `planning._plan_row`;
    - the row's class is the school's class with that name (one name, a known class), its
      programme the catalogue's (none in the row: never equal, `planning._plan_row` decides);
    - 'student' against the account's role, and None against its archived_at: only active
      students match.

    The row itself must be a student's without errors and without a new password to set:
    validation vouches for that of a whole file of clean students' rows (`clean_students`);
    otherwise each row that matched is looked at."""
    accounts = list(map(existing.get, keys, repeat(NOBODY)))
    fields = ("first_name", "infix", "last_name")
    row_side = None
    if set(fields) <= ctx.mapped:
        fields += tuple(f for f in ("email", "external_id") if f in ctx.mapped)
        missing = object()
        row_side = row_sides(rows, fields, ctx, missing)
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
    return accounts, same


def row_sides(rows: list[ValidRow], fields: tuple[str, ...], ctx, missing: object):
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
