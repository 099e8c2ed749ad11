"""The audit log: who did what to which account, and when.

Entries are written inside the transaction of the change they describe, so the log never
claims a change that was rolled back. An import writes one entry for the whole run.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Account, AuditEntry, Role

Action = AuditEntry.Action


def audit_record(
    *,
    school_id: int,
    actor: Account | None,
    action: str,
    account: Account | None = None,
    details: dict | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        school_id=school_id,
        actor=actor,
        actor_username=actor.username if actor else "",
        account=account,
        username=account.username if account else "",
        action=action,
        details=details or {},
    )


def audit_record_many(
    *,
    school_id: int,
    actor: Account | None,
    action: str,
    accounts: Iterable[Account],
    details: dict | None = None,
) -> None:
    """One entry per account, in one statement (a login sheet's new passwords)."""
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                school_id=school_id,
                actor=actor,
                actor_username=actor.username if actor else "",
                account=account,
                username=account.username,
                action=action,
                details=details or {},
            )
            for account in accounts
        ]
    )


def audit_import(
    *,
    school_id: int,
    actor: Account | None,
    run_id: str,
    file_name: str,
    source: str,
    actions: list[str],
    counts: dict,
) -> AuditEntry:
    """One entry per import run, however many accounts it touched: the run holds the rest."""
    return audit_record(
        school_id=school_id,
        actor=actor,
        action=Action.IMPORT,
        details={
            "run": str(run_id),
            "file_name": file_name,
            "source": source,
            "actions": actions,
            "counts": counts,
        },
    )


def audit_entries_for_school(
    school_id: int, *, action: str = "", account_id: int | None = None
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(school_id=school_id).select_related("account")
    if action:
        entries = entries.filter(action=action)
    if account_id is not None:
        entries = entries.filter(account_id=account_id)
    return entries


FIELD_LABELS = {
    "first_name": gettext_lazy("voornaam"),
    "infix": gettext_lazy("tussenvoegsel"),
    "last_name": gettext_lazy("achternaam"),
    "email": gettext_lazy("e-mailadres"),
    "external_id": gettext_lazy("stamnummer"),
    "eck_id": gettext_lazy("ECK iD"),
    "username": gettext_lazy("gebruikersnaam"),
    "groups": gettext_lazy("lesgroepen"),
    "role": gettext_lazy("rol"),
    "class_name": gettext_lazy("klas"),
    "programme": gettext_lazy("opleiding"),
    "status": gettext_lazy("status"),
    "classes": gettext_lazy("klassen"),  # a teacher's classes
    "password": gettext_lazy("wachtwoord"),
}


def describe_entry(entry: AuditEntry) -> list[str]:
    """The details of an entry as short lines of text for the log page (escaped there)."""
    details = entry.details or {}
    if entry.action == Action.EDIT:
        return [
            f"{FIELD_LABELS.get(name, name)}: {_value(name, old)} → {_value(name, new)}"
            for name, (old, new) in details.get("changes", {}).items()
        ]
    if entry.action == Action.IMPORT:
        counts = details.get("counts", {})
        return [
            _(
                "%(file)s: %(add)s nieuw, %(update)s gewijzigd, %(archive)s gearchiveerd, "
                "%(error)s met fouten"
            )
            % {
                "file": details.get("file_name", ""),
                **{k: counts.get(k, 0) for k in ("add", "update", "archive", "error")},
            }
        ]
    if entry.action == Action.UNDO:
        result = details.get("result", {})
        lines = [
            _(
                "%(file)s: %(removed)s verwijderd, %(archived)s gearchiveerd, %(restored)s "
                "teruggezet, %(reverted)s hersteld"
            )
            % {
                "file": details.get("file_name", ""),
                **{
                    k: result.get(f"{k}_count", 0)
                    for k in ("removed", "archived", "restored", "reverted")
                },
            }
        ]
        kept = result.get("kept", [])
        if kept:
            lines.append(
                _("Later gewijzigd en niet teruggezet: %(names)s")
                % {"names": ", ".join(k["username"] for k in kept)}
            )
        return lines
    if entry.action == Action.LOGIN_SHEET:
        return [
            _("klas %(class)s (%(format)s): %(cards)s kaartjes, %(new)s nieuwe wachtwoorden")
            % {
                "class": details.get("class", ""),
                "format": details.get("format", "").upper(),
                "cards": details.get("cards", 0),
                "new": details.get("new_passwords", 0),
            }
        ]
    if entry.action == Action.PASSWORD:
        if details.get("via") == "login_sheet":
            return [
                _("via de inlogkaartjes van klas %(class)s") % {"class": details.get("class", "")}
            ]
        return [_("getoond aan de beheerder")]
    if entry.action == Action.PASSWORD_LINK:
        return [_("link gestuurd naar %(email)s") % {"email": details.get("email", "")}]
    if entry.action == Action.EXPORT:
        return [
            _("%(format)s, %(what)s, %(rows)s rijen")
            % {
                "format": details.get("format", "").upper(),
                "what": _("klas %(class)s") % {"class": details["class"]}
                if details.get("class")
                else _("hele school"),
                "rows": details.get("rows", 0),
            }
        ]
    if entry.action == Action.PURGE:
        return [
            _("%(count)s gearchiveerde accounts definitief verwijderd (%(via)s)")
            % {"count": details.get("count", 0), "via": details.get("via", "")}
        ]
    return []


def field_labels(names: Iterable[str]) -> list[str]:
    return [str(FIELD_LABELS.get(name, name)) for name in names]


def _value(name: str, value: str) -> str:
    if name == "role":
        return str(Role(value).label) if value in Role.values else value
    return value or "—"
