"""Schools, their accounts, classes, and the programme catalogue."""

import unicodedata

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .db import same_lower


def normalise_username(username: str) -> str:
    """NFKC, so that `ｍａｒｉａ` and `maria` are the same account; case is kept as written."""
    return unicodedata.normalize("NFKC", username)


class School(models.Model):
    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("korte naam"), max_length=50, unique=True)
    brin = models.CharField(_("BRIN-code"), max_length=6, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("scholen")

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """One entry of the fixed catalogue (`havo 3`); shipped as data, loaded by a migration."""

    code = models.CharField(_("opleiding"), max_length=40, unique=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("opleiding")
        verbose_name_plural = _("opleidingen")

    def __str__(self) -> str:
        return self.code


class ProgrammeAlias(models.Model):
    """A spelling that exports use for a programme (`3 havo`, `mavo 2`), stored normalised."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="aliases")
    key = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return f"{self.key} → {self.programme.code}"


class ClassKind(models.TextChoices):
    """A class (stamgroep, one per pupil) or a group beside it (lesgroep, cluster)."""

    CLASS = "klas", _("klas")
    GROUP = "groep", _("lesgroep")


class SchoolClass(models.Model):
    """A class or a group of one school; class and group names share one namespace per school.

    A pupil has one class (`Account.school_class`) and may be in several groups
    (`Account.groups`); teachers teach both through `teachers`.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(_("klas"), max_length=50)
    kind = models.CharField(
        _("soort"),
        max_length=10,
        choices=ClassKind.choices,
        default=ClassKind.CLASS,
        db_default=ClassKind.CLASS,
    )
    teachers = models.ManyToManyField(
        "Account", related_name="teaching_classes", blank=True, verbose_name=_("docenten")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("klas")
        verbose_name_plural = _("klassen")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="class_name_unique_in_school")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    STUDENT = "student", _("leerling")
    TEACHER = "teacher", _("docent")
    ADMIN = "admin", _("beheerder")


class AccountManager(BaseUserManager["Account"]):
    def get_by_natural_key(self, username: str) -> "Account":
        return self.get(same_lower("username", normalise_username(username)))

    def create_user(self, username: str, password: str | None = None, **fields) -> "Account":
        account = self.model(username=normalise_username(username), **fields)
        account.set_password(password)
        account.save(using=self._db)
        return account


class Account(AbstractBaseUser):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="accounts")
    username = models.CharField(_("gebruikersnaam"), max_length=150)
    first_name = models.CharField(_("voornaam"), max_length=100)
    infix = models.CharField(_("tussenvoegsel"), max_length=30, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=100)
    email = models.EmailField(_("e-mailadres"), max_length=254, blank=True)
    role = models.CharField(_("rol"), max_length=10, choices=Role.choices, default=Role.STUDENT)
    external_id = models.CharField(_("stamnummer"), max_length=50, blank=True)
    # The pseudonym of the ECK iD standard (`https://id.school/LL_…`), unique on the platform
    # when present (rules.py: valid_eck_id). Set by imports only.
    eck_id = models.CharField(
        _("ECK iD"), max_length=256, blank=True, default="", db_default="", editable=False
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="students",
        verbose_name=_("klas"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("opleiding")
    )
    groups = models.ManyToManyField(
        SchoolClass, related_name="group_members", blank=True, verbose_name=_("lesgroepen")
    )
    archived_at = models.DateTimeField(_("gearchiveerd op"), null=True, blank=True)
    # Raised by every archive, never lowered: sessions and password links hash it, so those
    # from before an archive stay dead after a restore (session_hash_value, tokens.py).
    times_archived = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # True only while the password is one its owner chose (from the e-mailed link); set
    # there, cleared wherever the school sets one (an import, a login card, a reset). A
    # login card says "je eigen wachtwoord" only when it is True.
    password_chosen = models.BooleanField(default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            # Usernames are unique platform-wide and case-insensitively, enforced by the
            # database so that two concurrent imports cannot both create `Jansen`. On
            # SQLite, LOWER() is the Unicode-aware one of `db.py` (`Émile` = `émile`).
            models.UniqueConstraint(Lower("username"), name="account_username_ci_unique"),
            # One ECK iD is one ACTIVE pupil or teacher on the whole platform; empty means
            # "none". An archived account keeps its ECK iD without blocking it: a pupil who
            # moves to another school (every year's groep 8) arrives there with the same
            # ECK iD before the old school archives the account at the end of the year.
            models.UniqueConstraint(
                fields=["eck_id"],
                condition=~models.Q(eck_id="") & models.Q(archived_at__isnull=True),
                name="account_eck_id_unique_active",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "role", "archived_at"], name="account_school_role"),
            models.Index(fields=["school", "last_name"], name="account_school_last_name"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.archived_at is None

    def _get_session_auth_hash(self, secret=None) -> str:
        # Django's own (an HMAC of the password hash), with the archive counter added once
        # the account has been archived: archiving ends its sessions, also the
        # fallback-key ones, and a restore does not bring them back. Never archived, the
        # hash is Django's, so that no session ended when this was introduced.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = f"{self.password}:{self.times_archived}" if self.times_archived else self.password
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def full_name(self) -> str:
        """The Dutch way: `Anna van der Berg`."""
        return " ".join(part for part in (self.first_name, self.infix, self.last_name) if part)

    @property
    def sort_name(self) -> str:
        """`Berg, Anna van der`: sorted on the last name without its tussenvoegsel."""
        rest = " ".join(part for part in (self.first_name, self.infix) if part)
        return f"{self.last_name}, {rest}" if rest else self.last_name

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT


class AuditEntry(models.Model):
    """Who did what to which account, and when. An import (and its undo) is one entry in
    the school's log, and one entry per account it touched on that account's own page
    (IMPORT_ACCOUNT, UNDO_ACCOUNT); a login sheet likewise, with LOGIN_CARD per card that
    kept its password (a new password is a PASSWORD entry)."""

    class Action(models.TextChoices):
        IMPORT = "import", _("import")
        EDIT = "edit", _("gewijzigd")
        ARCHIVE = "archive", _("gearchiveerd")
        RESTORE = "restore", _("teruggezet")
        PASSWORD = "password", _("nieuw wachtwoord")
        PASSWORD_LINK = "password_link", _("wachtwoordlink gestuurd")
        UNDO = "undo", _("import ongedaan gemaakt")
        LOGIN_SHEET = "login_sheet", _("inlogkaartjes gemaakt")
        EXPORT = "export", _("geëxporteerd")
        PURGE = "purge", _("definitief verwijderd")
        CLASS_RENAME = "class_rename", _("klas hernoemd")
        CLASS_DELETE = "class_delete", _("klas verwijderd")
        IMPORT_ACCOUNT = "import_account", _("door een import")
        UNDO_ACCOUNT = "undo_account", _("import ongedaan gemaakt (account)")
        LOGIN_CARD = "login_card", _("inlogkaartje gemaakt")
        LICENCE = "licence", _("licentie")
        LEERPLAN = "leerplan", _("leerplan van een klas")
        LEERPLAN_STUDENT = "leerplan_student", _("persoonlijk leerplan")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Snapshots: the entry still names the people after their accounts are removed.
    actor_username = models.CharField(max_length=150, blank=True)
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("actie"), max_length=20, choices=Action.choices)
    details = models.JSONField(default=dict, blank=True)
    # Not auto_now_add: an import's entries carry the run's own finishing moment, so that
    # the log, the history and the report show one time (issue 17, item 8).
    created_at = models.DateTimeField(_("wanneer"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("logboekregel")
        verbose_name_plural = _("logboek")
        indexes = [models.Index(fields=["school", "-created_at"], name="audit_school_created")]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.username}"
        )

    @property
    def who(self) -> str:
        """The logbook's "Wie": the account's user name; for a licence change by the
        operator (`klasse licence`, no account) "leverancier (opdrachtregel)"; else "—"."""
        if self.actor_username:
            return self.actor_username
        if self.action == self.Action.LICENCE:
            return str(_("leverancier (opdrachtregel)"))
        return "—"
