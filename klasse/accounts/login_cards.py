"""Login cards (inlogkaartjes): a card per account with its username and, where one is made
now, a new password. The plain passwords exist only in the cards returned: they are
hashed into the accounts and shown once, on the page or in the PDF made from them.

A card says only what is true of its account's password (`card_note`): "je eigen
wachtwoord" only where its owner chose it; otherwise the new password, or how to get one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_record, audit_record_many
from .models import Account, AuditEntry, Role, SchoolClass
from .search import sort_key

# Unambiguous characters only: no 0/o, 1/l/i, so a password on paper is typed right first time.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

# What a card says in place of a password it does not show.
OWN_PASSWORD = _("je eigen wachtwoord")
CURRENT_PASSWORD = _("je huidige wachtwoord; kwijt? vraag je beheerder")
EMAIL_LINK = _("nog geen: kies er een met de link in je e-mail")
NO_PASSWORD = _("nog geen: vraag je beheerder om een wachtwoord")


def password_generate() -> str:
    """A readable initial password such as `hq4t-z8mv-r2nb`: 14 characters, about 59 bits."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


class Renew(models.TextChoices):
    MISSING = "missing", _("alleen leerlingen zonder wachtwoord")
    NEVER_LOGGED_IN = "never", _("ook leerlingen die nog nooit hebben ingelogd")
    ALL = "all", _("alle leerlingen: ook wie al een eigen wachtwoord heeft")


@dataclass(frozen=True)
class LoginCard:
    name: str
    username: str
    password: str | None  # None: no new password; `note` says what the card shows instead
    note: str = ""


def card_note(account: Account, *, linked: bool = False) -> str:
    """What a card without a new password says about `account`'s password: its owner's own
    (`password_chosen`), one the school set (from a file, a card or a reset), or none yet
    (then how to get one: the e-mailed link only where one was really sent, `linked`, see
    `links_sent`; else the administrator)."""
    if account.has_usable_password():
        return str(OWN_PASSWORD if account.password_chosen else CURRENT_PASSWORD)
    return str(EMAIL_LINK if linked and account.email else NO_PASSWORD)


def _owner_chose(account: Account) -> bool:
    return account.has_usable_password() and account.password_chosen


def links_sent(accounts: Iterable[Account]) -> set[int]:
    """The ids of `accounts` that were e-mailed a link to choose a password: those with a
    PASSWORD_LINK entry in the audit log (an administrator's link, or an import's e-mail
    once it went out). Only accounts without a usable password are looked up."""
    ids = [a.pk for a in accounts if not a.has_usable_password()]
    found: set[int] = set()
    links = AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_LINK)
    for start in range(0, len(ids), 2000):
        chunk = links.filter(account_id__in=ids[start : start + 2000])
        found.update(chunk.values_list("account_id", flat=True))
    return found


def login_cards_make(
    *,
    school_id: int,
    accounts: Iterable[Account],
    renew: set[int],
    actor: Account | None,
    details: dict,
) -> list[LoginCard]:
    """1. a fresh password for each account whose id is in `renew` (hashed outside the
    transaction: slow); 2. store them (no longer chosen by their owners) and log the sheet
    (`details`, with the numbers of cards and new passwords), each new password (PASSWORD)
    and each card that keeps its password (LOGIN_CARD): an undo of the import that made
    these accounts keeps every account whose card was printed; 3. the cards in the order of
    `accounts`. The plain passwords exist only in the cards."""
    accounts = list(accounts)
    fresh = {a.pk: password_generate() for a in accounts if a.pk in renew}
    renewed = [a for a in accounts if a.pk in fresh]
    kept = [a for a in accounts if a.pk not in fresh]
    now = timezone.now()
    for account in renewed:
        account.set_password(fresh[account.pk])
        account.password_chosen = False
        account.updated_at = now
    with transaction.atomic():
        Account.objects.bulk_update(
            renewed, ["password", "password_chosen", "updated_at"], batch_size=500
        )
        audit_record(
            school_id=school_id,
            actor=actor,
            action=AuditEntry.Action.LOGIN_SHEET,
            details={**details, "cards": len(accounts), "new_passwords": len(renewed)},
        )
        via = {"via": "login_sheet"} | {k: v for k, v in details.items() if k in ("class", "run")}
        audit_record_many(
            school_id=school_id,
            actor=actor,
            action=AuditEntry.Action.PASSWORD,
            accounts=renewed,
            details=via,
        )
        # Each card that keeps its password, saying whether its owner chose it ("eigen")
        # or the school set it ("huidige"): audit._describe.
        where = {k: v for k, v in details.items() if k in ("class", "run")}
        for chosen in (True, False):
            audit_record_many(
                school_id=school_id,
                actor=actor,
                action=AuditEntry.Action.LOGIN_CARD,
                accounts=[a for a in kept if _owner_chose(a) == chosen],
                details={**where, "chosen": chosen},
            )
    linked = links_sent(kept)
    return [
        LoginCard(
            a.full_name,
            a.username,
            fresh.get(a.pk),
            "" if a.pk in fresh else card_note(a, linked=a.pk in linked),
        )
        for a in accounts
    ]


def login_sheet_create(
    *, school_class: SchoolClass, actor: Account, renew: str = Renew.MISSING, fmt: str = "html"
) -> list[LoginCard]:
    """The cards of a class's active students, by last name: a fresh password for each who
    needs one by `renew` (`login_cards_make`)."""
    students = sorted(
        school_class.students.filter(archived_at__isnull=True, role=Role.STUDENT),
        key=lambda a: sort_key(a.first_name, a.infix, a.last_name),
    )
    fresh = {
        s.pk
        for s in students
        if renew == Renew.ALL
        or not s.has_usable_password()
        or (renew == Renew.NEVER_LOGGED_IN and s.last_login is None)
    }
    return login_cards_make(
        school_id=school_class.school_id,
        accounts=students,
        renew=fresh,
        actor=actor,
        details={"class": school_class.name, "class_id": school_class.pk, "format": fmt},
    )
