"""Plan an import against the school's accounts: what is added, changed, archived, skipped.

The plan is what the preview shows and exactly what `apply_plan` writes. It carries a
fingerprint of the school's accounts so that a stale plan is never applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from operator import attrgetter, methodcaller

from klasse.accounts.models import Programme, Role, School, SchoolClass

from . import plan_words
from .actions import Actions
from .damage import damage_of, damaged_value
from .group_plans import KLAS, group_facts, student_groups, teacher_taught
from .matching import identity_facts, identity_problems, match_accounts, username_free
from .problems import Problem
from .reading import gc_paused
from .row_changes import CHANGE_LABELS, row_changes
from .school_accounts import (
    ExistingAccount,
    full_name,
    load_existing,
    model_order,
    school_fingerprint,
    similar_index,
    taken_elsewhere,
)
from .unchanged_rows import NOBODY, PlanContext, unchanged_students
from .valid_rows import ValidRow, ValidRows, username_keys
from .whole_classes import ArchivedClass, whole_classes

# Plain str, compared for every row.
_ADMIN, _TEACHER, _STUDENT = Role.ADMIN.value, Role.TEACHER.value, Role.STUDENT.value


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
    # A new account without password and e-mail address whose password is made for its
    # login card (Actions.generate_passwords).
    login_card: bool = False
    # A teacher's classes and groups as (name, kind) pairs (group_plans.teacher_taught);
    # a pupil's groups when the import sets them (None: left as they are).
    teaches: tuple[tuple[str, str], ...] | None = None
    groups: tuple[str, ...] | None = None


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
    whole_classes: list[ArchivedClass] = field(default_factory=list)  # all archived
    school_brin: str = ""  # EDEXML: stored with a school without one when applied
    location: str = ""  # EDEXML: the file's dependancecode when not the main location

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
    def emails(self) -> int:
        """New accounts that get an e-mail with a link to choose a password: added, with an
        e-mail address and without a password, when `send_emails` is chosen."""
        if not self.actions.send_emails:
            return 0
        return sum(
            1
            for p in self.rows
            if p.action == "add" and p.row.values.get("email") and not p.row.values.get("password")
        )

    @property
    def generated_passwords(self) -> int:
        """New accounts whose password is made for their login card: without password and
        e-mail address (`generate_passwords`, EDEXML), or with an address that gets no
        e-mail (`send_emails` off)."""
        return sum(1 for p in self.rows if p.action == "add" and p.login_card)

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
    without password and e-mail address gets its password on a login card, as with
    `Actions.generate_passwords` (the administrator prints inlogkaartjes)."""
    fingerprint = school_fingerprint(school.pk)
    with gc_paused():  # see reading.gc_paused: accounts and planned rows have no cycles
        existing, teaching, ordered = load_existing(school.pk)
        classes, kinds = {}, {}
        for pk, name, kind in SchoolClass.objects.filter(school=school).values_list(
            "id", "name", "kind"
        ):
            classes[name.lower()] = (pk, name)
            if kind != KLAS:
                kinds[pk] = kind  # only the groups: most schools have none
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
        matches = match_accounts(rows, keys, existing, mapped_fields)
        taken = taken_elsewhere(new_keys)
        # Only a new row can resemble another account: no index when no row is new.
        similar = similar_index(existing.values(), class_names, ordered) if new_keys else {}
        context = PlanContext(
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
            kinds,
            **group_facts(school.pk, rows, classes, mapped_fields),
            **identity_facts(rows, existing, matches, mapped_fields, school.pk),
            login_sheets=login_sheets,
        )
        planned = _plan_rows(rows, keys, existing, context)
        archive = []
        if actions.archive and matches.moved:
            # Some rows are accounts under another username: those are listed too.
            listed_ids = {a.id for a in matches.accounts if a is not None}
            leaving = [
                a
                for key, a in existing.items()
                if key not in in_file
                and a.id not in listed_ids
                and a.role == _STUDENT
                and a.archived_at is None
            ]
        elif actions.archive and listed < len(existing):
            # The school's accounts whose username is in no row (a key is empty only when its
            # username is, and no account has an empty one): one set difference, then the
            # accounts in their order.
            gone = existing.keys() - in_file
            leaving = [
                a
                for key, a in (existing.items() if gone else ())
                if key in gone and a.role == _STUDENT and a.archived_at is None
            ]
        else:
            leaving = []
        if leaving:
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
        whole = whole_classes(existing.values(), leaving, class_names)
    return Plan(school.pk, actions, planned, archive, active, fingerprint, whole)


_values = partial(map, attrgetter("values"))


def _rounded_possible(rows: list[ValidRow]) -> bool:
    """Whether a stamnummer may be in Excel's scientific notation: one search of the
    column that validation made, instead of a look at every new row's value."""
    try:
        (stamnummers,) = rows.columns(("external_id",))
    except (AttributeError, KeyError, ValueError):
        return True
    return "E" in "".join(stamnummers)


def _plan_rows(
    rows: list[ValidRow], keys: list[str], existing: dict[str, ExistingAccount], ctx: PlanContext
) -> list[PlannedRow]:
    """`_plan_row` for each row, with a shortcut for the row that most of a yearly import
    consists of: an active student whom the file lists exactly as the school has them.
    The shortcut decides only what `_plan_row` would decide ("unchanged", no changes)."""
    if ctx.matches is not None and ctx.matches.accounts is not None:  # some found otherwise
        matched = [NOBODY if a is None else a for a in ctx.matches.accounts]
    else:
        matched = list(map(existing.get, keys, repeat(NOBODY)))
    accounts, same = unchanged_students(rows, matched, ctx)
    return [
        PlannedRow(row, "unchanged", account.id, {})
        if equal
        else _plan_row(row, key, None if account is NOBODY else account, ctx)
        for row, key, account, equal in zip(rows, keys, accounts, same, strict=True)
    ]


def _plan_row(
    row: ValidRow, key: str, account: ExistingAccount | None, ctx: PlanContext
) -> PlannedRow:
    if row.errors and account is not None and _password_cell_unused(row, ctx):
        # Without "overwrite passwords" an existing account's password cell is not used, so
        # it is not judged either (Google's `****`, last year's starting password).
        row.errors = ()
    if not row.errors:
        identity_problems(row, account, ctx)
    if row.errors:
        return PlannedRow(row, "error", account.id if account else None)
    if account is None:
        return _plan_new(row, key, ctx)
    if account.role == _ADMIN:
        _error(
            row,
            "username",
            "username_taken",
            plan_words.admin_username(row.number, row.username),
        )
        return PlannedRow(row, "error", account.id)
    changes = row_changes(row, account, ctx)
    if account.id in ctx.moved_ids and not username_free(row, key, account, ctx):
        return PlannedRow(row, "error", account.id)
    if account.id in ctx.moved_ids:
        changes["username"] = (account.username, row.username)
    restore = account.archived_at is not None
    planned = PlannedRow(row, "unchanged", account.id, changes, restore, account=account)
    if row.role == _TEACHER:
        planned.teaches, taught_changes = teacher_taught(row, account, ctx)
        changes.update(taught_changes)
    else:
        groups, change = student_groups(row, account, ctx)
        if change:
            planned.groups, changes["groups"] = groups, change
    if restore:
        changes["status"] = ("gearchiveerd", "actief")
    if ctx.actions.overwrite_passwords and row.values.get("password"):
        planned.set_password = True
        changes["password"] = ("••••••", "nieuw wachtwoord")
    if changes:
        planned.action = "update" if ctx.actions.update else "skipped"
    return planned


def _password_cell_unused(row: ValidRow, ctx: PlanContext) -> bool:
    """Whether every error of this row (of an existing account) is about its password
    cell while passwords are not overwritten. The import contract, "Passwords"."""
    if ctx.actions.overwrite_passwords:
        return False
    return all(problem.field == "password" for problem in row.errors)


def _plan_new(row: ValidRow, key: str, ctx: PlanContext) -> PlannedRow:
    if key in ctx.taken:
        _error(
            row,
            "username",
            "username_taken",
            plan_words.username_taken(row.number, row.username),
        )
        return PlannedRow(row, "error")
    no_password = not row.values.get("password")
    no_email = not row.values.get("email")
    # A new account without password gets it on its login card unless a link to choose one
    # is e-mailed: with the e-mails off, one with an address waits for its card too (the
    # choice's hint promises so). An EDEXML file has no passwords: its new pupils get
    # theirs on a login card.
    login_card = no_password and (no_email or not ctx.actions.send_emails)
    if no_password and no_email and not (ctx.actions.generate_passwords or ctx.login_sheets):
        _error(
            row,
            None,
            "no_password_or_email",
            plan_words.no_password_or_email(row.number),
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
                plan_words.similar_account(row.number, other, row.username),
            )
        )
    action = "add" if ctx.actions.add else "skipped"
    # (Only Excel's scientific notation can be told damaged without a stored value.)
    stamnummer = row.values.get("external_id", "") if ctx.rounded_possible else ""
    planned = PlannedRow(row, action, set_password=True, login_card=login_card)
    if row.role == _TEACHER:
        planned.teaches = teacher_taught(row, None, ctx)[0]
    elif "groups" in ctx.mapped:
        planned.groups = student_groups(row, None, ctx)[0]
    if "E" in stamnummer and (why := damage_of(stamnummer, "")):
        column, label = ctx.columns.get("external_id"), CHANGE_LABELS["external_id"]
        row.add_warning(
            damaged_value(row.number, "external_id", column, label, "", stamnummer, why)
        )
        planned.kept_out = ("external_id",)
    return planned


def _error(row: ValidRow, fld: str | None, code: str, message: str) -> None:
    row.add_error(Problem(row.number, None, fld, "error", code, message))
