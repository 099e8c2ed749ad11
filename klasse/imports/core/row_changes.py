"""What an import would change of an account: a row against the account as the plan found
it, field by field, with old → new for the preview, the history and undo.

A value that an encoding or Excel damaged on its way into the file never replaces the good
value the account holds (`damaged_value`, see `damage.damage_of`): the stored value stays
and the rest of the row is applied.
"""

from __future__ import annotations

from klasse.accounts.models import Role

from .damage import damage_of, damaged_value
from .school_accounts import ExistingAccount
from .valid_rows import ValidRow

CHANGE_LABELS = {
    "first_name": "voornaam",
    "infix": "tussenvoegsel",
    "last_name": "achternaam",
    "email": "e-mailadres",
    "external_id": "stamnummer",
    "eck_id": "ECK iD",
    "username": "gebruikersnaam",
    "groups": "lesgroepen",
    "role": "rol",
    "class_name": "klas",
    "programme": "opleiding",
    "password": "wachtwoord",
    "status": "status",
}
ROLE_LABELS = {"student": "leerling", "teacher": "docent", "admin": "beheerder"}
_TEACHER = Role.TEACHER.value
# The fields whose damaged forms are recognised: names and the stamnummer.
_GUARDED = ("first_name", "infix", "last_name", "external_id")


def row_changes(row: ValidRow, account: ExistingAccount, ctx) -> dict[str, tuple[str, str]]:
    """{field: (old, new)} of what `row` changes of `account` (the plan's `PlanContext` gives
    the mapped fields, classes, programmes and column headers). A damaged value among the
    names and the stamnummer is left out and warned about on the row (`damaged_value`)."""
    # Runs for every row of a yearly import that lists the whole school: written out field
    # by field, which is twice as fast as a loop over the field names with getattr.
    changes: dict[str, tuple[str, str]] = {}
    get = row.values.get
    mapped = ctx.mapped
    if "first_name" in mapped and (new := get("first_name", "")) != account.first_name:
        changes["first_name"] = (account.first_name, new)
    if "infix" in mapped and (new := get("infix", "")) != account.infix:
        changes["infix"] = (account.infix, new)
    if "last_name" in mapped and (new := get("last_name", "")) != account.last_name:
        changes["last_name"] = (account.last_name, new)
    if (new := get("email")) and new != account.email:
        changes["email"] = (account.email, new)
    if (new := get("external_id")) and new != account.external_id:
        changes["external_id"] = (account.external_id, new)
    if (new := get("eck_id")) and new != account.eck_id:
        changes["eck_id"] = (account.eck_id, new)
    role = row.role if "role" in mapped else account.role
    if role != account.role:
        changes["role"] = (ROLE_LABELS[account.role], ROLE_LABELS[role])
    names = row.class_names
    # A teacher's classes and groups: group_plans.teacher_taught, called by the plan.
    if role != _TEACHER and (names or role != account.role):
        if account.role == _TEACHER:
            old_classes = _class_text(account, ctx)
        else:
            old_classes = ctx.class_names.get(account.school_class_id, "")
        if len(names) == 1:
            new_classes = ctx.classes.get(names[0].lower(), (0, names[0]))[1]
        else:
            new_classes = ", ".join(ctx.classes.get(n.lower(), (0, n))[1] for n in names)
        if new_classes != old_classes:
            changes["class_name"] = (old_classes, new_classes)
    if row.programme and ctx.programmes[row.programme] != account.programme_id:
        changes["programme"] = (ctx.programme_codes.get(account.programme_id, ""), row.programme)
    for field in _GUARDED:
        if field in changes:
            stored, new = changes[field]
            if why := damage_of(new, stored):
                del changes[field]
                column, label = ctx.columns.get(field), CHANGE_LABELS[field]
                row.add_warning(damaged_value(row.number, field, column, label, stored, new, why))
    return changes


def _class_text(account: ExistingAccount, ctx) -> str:
    if account.role == Role.TEACHER:
        teaching = ctx.teaching.get(account.id, frozenset())
        return ", ".join(sorted(ctx.class_names[c] for c in teaching))
    return ctx.class_names.get(account.school_class_id, "")
