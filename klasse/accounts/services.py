"""Write operations on schools and accounts, named `<entity>_<action>`."""

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .db import same_lower

# The login cards live in their own module; their names are reachable from here as before.
from .login_cards import LoginCard, Renew, login_sheet_create, password_generate  # noqa: F401
from .models import Account, AuditEntry, Programme, Role, School, SchoolClass, normalise_username
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


def eck_id_active_elsewhere(account: Account) -> bool:
    """Whether `account`'s ECK iD belongs to an ACTIVE account other than this one (in
    practice: the pupil's account at the school he moved to). Such an account cannot be
    restored: the ECK iD is unique among active accounts (models.Account.Meta)."""
    if not account.eck_id:
        return False
    others = Account.objects.filter(eck_id=account.eck_id, archived_at__isnull=True)
    return others.exclude(pk=account.pk).exists()


def eck_ids_active_elsewhere(accounts: list[Account]) -> set[int]:
    """The ids of those archived `accounts` that cannot be restored because their ECK iD
    belongs to another ACTIVE account (one query per 500). For a bulk restore such as
    undoing an import's archiving: such an account must stay archived and be named."""
    wanted = {a.eck_id: a.pk for a in accounts if a.eck_id}
    ids = list(wanted.values())
    blocked: set[int] = set()
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        active = Account.objects.filter(
            eck_id__in=keys[start : start + 500], archived_at__isnull=True
        ).exclude(pk__in=ids)
        blocked.update(wanted[e] for e in active.values_list("eck_id", flat=True))
    return blocked


@transaction.atomic
def account_restore(*, account: Account, actor: Account) -> None:
    """Make an archived account active again. Raises ValidationError (Dutch) when its
    ECK iD is active elsewhere: refused rather than clearing the ECK iD, because the ECK
    iD is the pupil's identity in the chain; clearing it would make two active accounts
    of one pupil that no later import can tell apart."""
    if account.archived_at is None:
        return
    if eck_id_active_elsewhere(account):
        raise ValidationError(
            _(
                "Dit account kan niet worden teruggezet: zijn ECK iD hoort nu bij een actief "
                "account op een andere school (de leerling is van school gewisseld). Het "
                "blijft gearchiveerd."
            )
        )
    account.archived_at = None
    account.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        school_id=account.school_id, actor=actor, action=AuditEntry.Action.RESTORE, account=account
    )


@transaction.atomic
def account_set_password(*, account: Account, actor: Account) -> str:
    """A fresh readable password, stored hashed and returned once to be shown once. The log
    says to whom it was shown: `via` "manual" (an administrator) or "teacher" (a teacher of
    the student's class, issue 15 item 7)."""
    password = password_generate()
    account.set_password(password)
    account.password_chosen = False
    account.save(update_fields=["password", "password_chosen", "updated_at"])
    audit_record(
        school_id=account.school_id,
        actor=actor,
        action=AuditEntry.Action.PASSWORD,
        account=account,
        details={"via": "teacher" if actor.role == Role.TEACHER else "manual"},
    )
    return password


@transaction.atomic
def account_change_own_password(*, account: Account, password: str) -> None:
    """The account's owner chose `password` (checked by the form: the current password
    first, then settings.AUTH_PASSWORD_VALIDATORS). Stored hashed; logged without it."""
    account.set_password(password)
    account.save(update_fields=["password", "updated_at"])
    audit_record(
        school_id=account.school_id,
        actor=account,
        action=AuditEntry.Action.PASSWORD,
        account=account,
        details={"via": "self"},
    )


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
