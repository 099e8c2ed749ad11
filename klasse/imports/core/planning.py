"""Plan an import against the school's accounts: what is added, changed, archived, skipped.

The plan is what the preview shows and exactly what `apply_plan` writes. It carries a
fingerprint of the school's accounts so that a stale plan is never applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from itertools import chain, repeat
from operator import add, attrgetter, eq, itemgetter, methodcaller

from klasse.accounts.models import Programme, Role, School, SchoolClass

from .damage import damage_of, damaged_value
from .problems import Problem
from .reading import gc_paused
from .row_changes import CHANGE_LABELS, row_changes
from .school_accounts import (
    EXISTING_INDEX,
    ExistingAccount,
    full_name,
    load_existing,
    model_order,
    school_fingerprint,
    similar_index,
    taken_elsewhere,
)
from .valid_rows import ValidRow, ValidRows, username_keys

# Plain str, compared for every row.
_ADMIN, _TEACHER, _STUDENT = Role.ADMIN.value, Role.TEACHER.value, Role.STUDENT.value


@dataclass(frozen=True)
class Actions:
    add: bool = False
    update: bool = False
    archive: bool = False
    overwrite_passwords: bool = False
    confirm_mass_archive: bool = False

    def as_list(self) -> list[str]:
        return [name for name, chosen in vars(self).items() if chosen]


@dataclass(slots=True)
class PlannedRow:
    row: ValidRow
    action: str  # add | update | unchanged | skipped | error
    account_id: int | None = None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    restore: bool = False
    set_password: bool = False
    # The account as the plan found it (for a row that matched one and was decided row by
    # row): what an update records as "before" without reading the account again.
    account: ExistingAccount | None = None
    # Fields of a new account left empty because the file's value was damaged.
    kept_out: tuple[str, ...] = ()


@dataclass
class ArchivedAccount:
    account_id: int
    username: str
    name: str
    class_name: str


@dataclass
class Plan:
    school_id: int
    actions: Actions
    rows: list[PlannedRow]
    archive: list[ArchivedAccount]
    active_students: int
    fingerprint: str
    school_brin: str = ""  # EDEXML: stored with a school without one when applied

    @property
    def mass_archive(self) -> bool:
        """More than a third of the active students, and at least 10."""
        return len(self.archive) >= 10 and len(self.archive) * 3 > self.active_students

    @property
    def needs_confirmation(self) -> bool:
        return self.mass_archive and not self.actions.confirm_mass_archive

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("add", "update", "unchanged", "archive", "error", "skipped"), 0)
        for planned in self.rows:
            counts[planned.action] += 1
        counts["archive"] = len(self.archive)
        return counts

    @property
    def problems(self) -> list[Problem]:
        found = [p for planned in self.rows for p in (*planned.row.errors, *planned.row.warnings)]
        return sorted(found, key=lambda p: (p.row or 0, p.severity != "error"))


def make_plan(
    rows: list[ValidRow],
    *,
    school: School,
    actions: Actions,
    mapped_fields: set[str],
    columns: dict[str, str] | None = None,
    login_sheets: bool = False,
) -> Plan:
    """1. load the school's accounts once; 2. decide each row; 3. find whom to archive.
    `columns`: each field's header, for messages. `login_sheets` (EDEXML): a new account
    needs no password or e-mail address (the administrator prints inlogkaartjes)."""
    fingerprint = school_fingerprint(school.pk)
    with gc_paused():  # see reading.gc_paused: accounts and planned rows have no cycles
        existing, teaching, ordered = load_existing(school.pk)
        classes = {
            name.lower(): (pk, name)
            for pk, name in SchoolClass.objects.filter(school=school).values_list("id", "name")
        }
        class_names = {pk: name for pk, name in classes.values()}
        programmes = dict(Programme.objects.values_list("code", "id"))
        programme_codes = {pk: code for code, pk in programmes.items()}
        if isinstance(rows, ValidRows):  # validation made the keys already
            keys, in_file = rows.username_keys, rows.username_set
        else:
            keys = username_keys(map(methodcaller("get", "username", ""), _values(rows)))
            in_file = set(keys)
        # Rows whose username the school does not have (in a yearly file: few or none).
        new = in_file.difference(existing)  # (a set's difference with a dict: its keys)
        listed = len(in_file) - len(new)  # the school's accounts that the file lists
        new.discard("")  # (a key is empty only when its username is)
        new_keys = [
            k for r, k in (zip(rows, keys, strict=True) if new else ()) if k in new and not r.errors
        ]
        taken = taken_elsewhere(new_keys)
        # Only a new row can resemble another account: no index when no row is new.
        similar = similar_index(existing.values(), class_names, ordered) if new_keys else {}
        context = _Context(
            actions,
            mapped_fields,
            classes,
            class_names,
            programmes,
            programme_codes,
            taken,
            similar,
            teaching,
            columns or {},
            _rounded_possible(rows),
            login_sheets=login_sheets,
        )
        planned = _plan_rows(rows, keys, existing, context)
        archive = []
        if actions.archive and listed < len(existing):
            # The school's accounts whose username is in no row (a key is empty only when its
            # username is, and no account has an empty one): one set difference, then the
            # accounts in their order.
            gone = existing.keys() - in_file
            leaving = [
                a
                for key, a in (existing.items() if gone else ())
                if key in gone and a.role == _STUDENT and a.archived_at is None
            ]
            if not ordered:
                leaving.sort(key=model_order)
            archive = [
                ArchivedAccount(
                    a.id, a.username, full_name(a), class_names.get(a.school_class_id, "")
                )
                for a in leaving
            ]
        # Active students: role student, no archived_at (C-level passes; the archived few).
        students = list(map(attrgetter("role"), existing.values())).count(_STUDENT)
        archived = filter(attrgetter("archived_at"), existing.values())
        active = students - list(map(attrgetter("role"), archived)).count(_STUDENT)
    return Plan(school.pk, actions, planned, archive, active, fingerprint)


_values = partial(map, attrgetter("values"))


def _rounded_possible(rows: list[ValidRow]) -> bool:
    """Whether a stamnummer may be in Excel's scientific notation: one search of the
    column that validation made, instead of a look at every new row's value."""
    try:
        (stamnummers,) = rows.columns(("external_id",))
    except (AttributeError, KeyError, ValueError):
        return True
    return "E" in "".join(stamnummers)


@dataclass
class _Context:
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
    login_sheets: bool = False


def _plan_rows(
    rows: list[ValidRow], keys: list[str], existing: dict[str, ExistingAccount], ctx: _Context
) -> list[PlannedRow]:
    """`_plan_row` for each row, with a shortcut for the row that most of a yearly import
    consists of: an active student whom the file lists exactly as the school has them.
    The shortcut decides only what `_plan_row` would decide ("unchanged", no changes)."""
    accounts, same = _unchanged_students(rows, keys, existing, ctx)
    return [
        PlannedRow(row, "unchanged", account.id, {})
        if equal
        else _plan_row(row, key, None if account is _NOBODY else account, ctx)
        for row, key, account, equal in zip(rows, keys, accounts, same, strict=True)
    ]


# A stand-in account for rows without one: no tuple of a row equals its fields.
_NOBODY = ExistingAccount(*([object()] * len(ExistingAccount._fields)))


def _unchanged_students(
    rows: list[ValidRow], keys: list[str], existing: dict[str, ExistingAccount], ctx: _Context
) -> tuple[list[ExistingAccount], list[bool]]:
    """For each row its account (_NOBODY for none), and whether `_plan_row` would
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
    accounts = list(map(existing.get, keys, repeat(_NOBODY)))
    fields = ("first_name", "infix", "last_name")
    row_side = None
    if set(fields) <= ctx.mapped:
        fields += tuple(f for f in ("email", "external_id") if f in ctx.mapped)
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
    return accounts, same


def _row_sides(rows: list[ValidRow], fields: tuple[str, ...], ctx: _Context, missing: object):
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


def _plan_row(
    row: ValidRow, key: str, account: ExistingAccount | None, ctx: _Context
) -> PlannedRow:
    if row.errors and account is not None and _password_cell_unused(row, ctx):
        # Without "overwrite passwords" an existing account's password cell is not used, so
        # it is not judged either (Google's `****`, last year's starting password).
        row.errors = ()
    if row.errors:
        return PlannedRow(row, "error", account.id if account else None)
    if account is None:
        return _plan_new(row, key, ctx)
    if account.role == _ADMIN:
        _error(
            row,
            "username",
            "username_taken",
            f"Rij {row.number}: '{row.username}' is de gebruikersnaam van een beheerder. "
            "Een import wijzigt geen beheerders; kies voor deze rij een andere naam.",
        )
        return PlannedRow(row, "error", account.id)
    changes = row_changes(row, account, ctx)
    restore = account.archived_at is not None
    planned = PlannedRow(row, "unchanged", account.id, changes, restore, account=account)
    if restore:
        changes["status"] = ("gearchiveerd", "actief")
    if ctx.actions.overwrite_passwords and row.values.get("password"):
        planned.set_password = True
        changes["password"] = ("••••••", "nieuw wachtwoord")
    if changes:
        planned.action = "update" if ctx.actions.update else "skipped"
    return planned


def _password_cell_unused(row: ValidRow, ctx: _Context) -> bool:
    """Whether every error of this row (of an existing account) is about its password
    cell while passwords are not overwritten. The import contract, "Passwords"."""
    if ctx.actions.overwrite_passwords:
        return False
    return all(problem.field == "password" for problem in row.errors)


def _plan_new(row: ValidRow, key: str, ctx: _Context) -> PlannedRow:
    if key in ctx.taken:
        _error(
            row,
            "username",
            "username_taken",
            f"Rij {row.number}: de gebruikersnaam '{row.username}' is al in gebruik op het "
            "platform. Kies een andere gebruikersnaam, bijvoorbeeld met de afkorting van je "
            "school ervoor.",
        )
        return PlannedRow(row, "error")
    if not (row.values.get("password") or row.values.get("email") or ctx.login_sheets):
        _error(
            row,
            None,
            "no_password_or_email",
            f"Rij {row.number}: een nieuw account heeft een wachtwoord of een e-mailadres "
            "nodig (dan krijgt de leerling een link om zelf een wachtwoord te kiezen). Vul "
            "een van beide in.",
        )
        return PlannedRow(row, "error")
    class_name = row.class_names[0].lower() if row.class_names else ""
    other = ctx.similar.get(
        (
            row.values.get("first_name", "").lower(),
            row.values.get("last_name", "").lower(),
            class_name,
        )
    )
    if other:
        row.add_warning(
            Problem(
                row.number,
                None,
                "username",
                "warning",
                "similar_account",
                f"Rij {row.number}: er bestaat al een account '{other}' met dezelfde naam in "
                f"dezelfde klas. Is '{row.username}' hetzelfde kind met een nieuwe "
                "gebruikersnaam? Pas dan de gebruikersnaam aan, anders krijgt het kind twee "
                "accounts.",
            )
        )
    action = "add" if ctx.actions.add else "skipped"
    # (Only Excel's scientific notation can be told damaged without a stored value.)
    stamnummer = row.values.get("external_id", "") if ctx.rounded_possible else ""
    if not ("E" in stamnummer and (why := damage_of(stamnummer, ""))):
        return PlannedRow(row, action, set_password=True)
    column, label = ctx.columns.get("external_id"), CHANGE_LABELS["external_id"]
    row.add_warning(damaged_value(row.number, "external_id", column, label, "", stamnummer, why))
    return PlannedRow(row, action, set_password=True, kept_out=("external_id",))


def _error(row: ValidRow, fld: str | None, code: str, message: str) -> None:
    row.add_error(Problem(row.number, None, fld, "error", code, message))
