"""Write operations on schools and accounts, named `<entity>_<action>`."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_record, audit_record_many
from .db import same_lower
from .models import Account, AuditEntry, Programme, Role, School, SchoolClass, normalise_username
from .search import sort_key
from .tasks import send_password_links


def school_create(*, slug: str, name: str, brin: str = "") -> School:
    school = School(slug=slug, name=name, brin=brin)
    school.full_clean()
    school.save()
    return school


def username_is_taken(username: str) -> bool:
    return Account.objects.filter(same_lower("username", normalise_username(username))).exists()


@transaction.atomic
def admin_create(
    *, school: School, username: str, password: str, first_name: str = "", last_name: str = ""
) -> Account:
    """A school administrator. Raises ValidationError for a weak password."""
    account = Account(
        school=school,
        username=normalise_username(username),
        first_name=first_name or username,
        last_name=last_name or "",
        role=Role.ADMIN,
    )
    validate_password(password, account)
    account.set_password(password)
    account.save()
    return account


# --- user management (TOOLS › GEBRUIKERS) ---------------------------------------------

# Unambiguous characters only: no 0/o, 1/l/i, so a password on paper is typed right first time.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def password_generate() -> str:
    """A readable initial password such as `hq4t-z8mv-r2nb`: 14 characters, about 59 bits."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


@dataclass(frozen=True)
class AccountValues:
    """What the edit form may change. `role` None keeps role, classes and programme
    (an administrator's); `programme` is a catalogue code."""

    first_name: str
    infix: str
    last_name: str
    email: str
    external_id: str
    role: str | None = None
    class_names: tuple[str, ...] = ()
    programme: str | None = None


def account_describe(account: Account) -> dict[str, str]:
    """The editable fields as text, to compare before and after and to show in the log."""
    if account.role == Role.TEACHER:
        class_text = ", ".join(sorted(c.name for c in account.teaching_classes.all()))
    else:
        class_text = account.school_class.name if account.school_class else ""
    return {
        "first_name": account.first_name,
        "infix": account.infix,
        "last_name": account.last_name,
        "email": account.email,
        "external_id": account.external_id,
        "role": account.role,
        "class_name": class_text,
        "programme": account.programme.code if account.programme else "",
    }


@transaction.atomic
def account_update(
    *, account: Account, actor: Account, values: AccountValues
) -> dict[str, list[str]]:
    """1. describe the account; 2. set names, e-mail and stamnummer, and (not for
    administrators) role, class or classes and programme; 3. log what changed.
    Returns {field: [old, new]}."""
    before = account_describe(account)
    account.first_name = values.first_name
    account.infix = values.infix
    account.last_name = values.last_name
    account.email = values.email
    account.external_id = values.external_id
    if values.role is not None and account.role != Role.ADMIN:
        classes = _classes_named(account.school_id, values.class_names)
        account.role = values.role
        account.programme = (
            Programme.objects.get(code=values.programme) if values.programme else None
        )
        if values.role == Role.TEACHER:
            account.school_class = None
            account.teaching_classes.set(classes)
        else:
            account.school_class = classes[0] if classes else None
            account.teaching_classes.clear()
    after = account_describe(account)
    changes = {f: [before[f], after[f]] for f in before if before[f] != after[f]}
    if changes:
        account.save()
        audit_record(
            school_id=account.school_id,
            actor=actor,
            action=AuditEntry.Action.EDIT,
            account=account,
            details={"changes": changes},
        )
    return changes


def _classes_named(school_id: int, names: tuple[str, ...]) -> list[SchoolClass]:
    """The school's classes by name, case-insensitively, created when new (as an import does)."""
    classes = []
    for name in names:
        found = SchoolClass.objects.filter(same_lower("name", name), school_id=school_id).first()
        classes.append(found or SchoolClass.objects.create(school_id=school_id, name=name))
    return classes


@transaction.atomic
def account_archive(*, account: Account, actor: Account) -> None:
    """Archive by hand: the only way a teacher is archived. Archived accounts cannot log in
    (their sessions end too) and keep their data."""
    if account.pk == actor.pk:
        raise ValidationError(_("Je kunt je eigen account niet archiveren."))
    if account.archived_at is not None:
        return
    account.archived_at = timezone.now()
    # A new value for the session hash and the password-link tokens: what was open ends.
    account.times_archived = models.F("times_archived") + 1
    account.save(update_fields=["archived_at", "times_archived", "updated_at"])
    account.refresh_from_db(fields=["times_archived"])
    audit_record(
        school_id=account.school_id, actor=actor, action=AuditEntry.Action.ARCHIVE, account=account
    )


@transaction.atomic
def account_restore(*, account: Account, actor: Account) -> None:
    if account.archived_at is None:
        return
    account.archived_at = None
    account.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        school_id=account.school_id, actor=actor, action=AuditEntry.Action.RESTORE, account=account
    )


@transaction.atomic
def account_set_password(*, account: Account, actor: Account) -> str:
    """A fresh readable password, stored hashed and returned once to be shown once."""
    password = password_generate()
    account.set_password(password)
    account.save(update_fields=["password", "updated_at"])
    audit_record(
        school_id=account.school_id,
        actor=actor,
        action=AuditEntry.Action.PASSWORD,
        account=account,
        details={"via": "manual"},
    )
    return password


@transaction.atomic
def account_send_password_link(*, account: Account, actor: Account) -> None:
    """E-mail a link to choose a password, after the commit; the current one keeps working
    until a new one is chosen."""
    if not account.email:
        raise ValidationError(_("Dit account heeft geen e-mailadres. Vul er eerst een in."))
    if account.archived_at is not None:
        raise ValidationError(_("Dit account is gearchiveerd. Zet het eerst terug."))
    account_id = account.pk
    transaction.on_commit(lambda: send_password_links.enqueue([account_id]))
    audit_record(
        school_id=account.school_id,
        actor=actor,
        action=AuditEntry.Action.PASSWORD_LINK,
        account=account,
        details={"email": account.email},
    )


# --- login sheets (inlogkaartjes) ------------------------------------------------------


class Renew(models.TextChoices):
    MISSING = "missing", _("alleen leerlingen zonder wachtwoord")
    NEVER_LOGGED_IN = "never", _("ook leerlingen die nog nooit hebben ingelogd")
    ALL = "all", _("alle leerlingen: ook wie al een eigen wachtwoord heeft")


@dataclass(frozen=True)
class LoginCard:
    name: str
    username: str
    password: str | None  # None: the student keeps his or her own password


def login_sheet_create(
    *, school_class: SchoolClass, actor: Account, renew: str = Renew.MISSING, fmt: str = "html"
) -> list[LoginCard]:
    """1. the class's active students, by last name; 2. a fresh password for each who needs
    one (hashed outside the transaction: slow); 3. store them and log the sheet, each new
    password (PASSWORD) and each card that keeps its password (LOGIN_CARD): an undo of the
    import that made these accounts keeps every account whose card was printed. The plain
    passwords exist only in the returned cards."""
    students = sorted(
        school_class.students.filter(archived_at__isnull=True, role=Role.STUDENT),
        key=lambda a: sort_key(a.first_name, a.infix, a.last_name),
    )
    fresh = {
        s.pk: password_generate()
        for s in students
        if renew == Renew.ALL
        or not s.has_usable_password()
        or (renew == Renew.NEVER_LOGGED_IN and s.last_login is None)
    }
    renewed = [s for s in students if s.pk in fresh]
    now = timezone.now()
    for student in renewed:
        student.set_password(fresh[student.pk])
        student.updated_at = now
    with transaction.atomic():
        Account.objects.bulk_update(renewed, ["password", "updated_at"], batch_size=500)
        audit_record(
            school_id=school_class.school_id,
            actor=actor,
            action=AuditEntry.Action.LOGIN_SHEET,
            details={
                "class": school_class.name,
                "class_id": school_class.pk,
                "format": fmt,
                "cards": len(students),
                "new_passwords": len(renewed),
            },
        )
        audit_record_many(
            school_id=school_class.school_id,
            actor=actor,
            action=AuditEntry.Action.PASSWORD,
            accounts=renewed,
            details={"via": "login_sheet", "class": school_class.name},
        )
        audit_record_many(
            school_id=school_class.school_id,
            actor=actor,
            action=AuditEntry.Action.LOGIN_CARD,
            accounts=[s for s in students if s.pk not in fresh],
            details={"class": school_class.name},
        )
    return [LoginCard(s.full_name, s.username, fresh.get(s.pk)) for s in students]
