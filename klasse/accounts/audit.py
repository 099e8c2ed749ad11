"""The audit log: who did what to which account, and when.

Entries are written inside the transaction of the change they describe, so the log never
claims a change that was rolled back. An import writes one entry for the whole run (the
school's log shows that one), and one IMPORT_ACCOUNT entry per account it added, changed or
archived (that account's own page shows those); an undo likewise (UNDO_ACCOUNT).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
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
    at: datetime | None = None,
) -> AuditEntry:
    """One entry; `at` is its moment (default now), given where an entry must carry the
    same moment as what it records (an import's finish)."""
    return AuditEntry.objects.create(
        created_at=at or timezone.now(),
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
    at: datetime | None = None,
) -> AuditEntry:
    """One entry per import run in the school's log, at the run's `finished_at` (`at`); the
    accounts' own entries are IMPORT_ACCOUNT (written by the imports app)."""
    return audit_record(
        school_id=school_id,
        actor=actor,
        action=Action.IMPORT,
        at=at,
        details={
            "run": str(run_id),
            "file_name": file_name,
            "source": source,
            "actions": actions,
            "counts": counts,
        },
    )


# Per-account parts of something the school's log shows as one entry (an import, an undo,
# a login sheet): on the account's own page, and in the school's log only when asked for.
PER_ACCOUNT_PARTS = (Action.IMPORT_ACCOUNT, Action.UNDO_ACCOUNT, Action.LOGIN_CARD)


def audit_entries_for_school(
    school_id: int, *, action: str = "", account_id: int | None = None
) -> QuerySet[AuditEntry]:
    """The school's entries, newest first. One account's (`account_id`): all of them, its
    import and undo entries included. The whole school's: one entry per import, undo and
    login sheet, unless `action` asks for the per-account parts."""
    entries = AuditEntry.objects.filter(school_id=school_id).select_related("account")
    if action:
        entries = entries.filter(action=action)
    if account_id is not None:
        entries = entries.filter(account_id=account_id)
    elif not action:
        entries = entries.exclude(action__in=PER_ACCOUNT_PARTS)
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
# Why an undo left an account alone, besides the fields changed since (FIELD_LABELS).
KEPT_REASONS = {
    "login": gettext_lazy("heeft ingelogd"),
    "login_card": gettext_lazy("inlogkaartje afgedrukt"),
    "password_reset": gettext_lazy("nieuw wachtwoord gegeven"),
    "password_chosen": gettext_lazy("zelf een wachtwoord gekozen"),
    "password_used": gettext_lazy("met het wachtwoord van de import ingelogd"),
    "later_import": gettext_lazy("gewijzigd door een latere import"),
    "eck_id_elsewhere": gettext_lazy("het ECK iD hoort nu bij een actief account elders"),
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
                _("Na de import gebruikt of gewijzigd, dus blijven staan: %(names)s")
                % {"names": ", ".join(k["username"] for k in kept)}
            )
        return lines
    if entry.action == Action.LOGIN_SHEET and "run" in details:
        return [
            _(
                "nieuwe accounts van de import %(file)s (%(format)s): %(cards)s kaartjes, "
                "%(new)s nieuwe wachtwoorden"
            )
            % {
                "file": details.get("file_name", ""),
                "format": details.get("format", "").upper(),
                "cards": details.get("cards", 0),
                "new": details.get("new_passwords", 0),
            }
        ]
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
        if details.get("via") == "login_sheet" and "run" in details:
            return [_("via de inlogkaartjes van de nieuwe accounts van een import")]
        if details.get("via") == "login_sheet":
            return [
                _("via de inlogkaartjes van klas %(class)s") % {"class": details.get("class", "")}
            ]
        if details.get("via") == "teacher":
            return [_("getoond aan de docent")]
        if details.get("via") == "self":
            return [_("zelf gekozen")]
        if details.get("via") == "link":
            return [_("zelf gekozen via de link")]
        return [_("getoond aan de beheerder")]
    if entry.action == Action.PASSWORD_LINK:
        return [_("link gestuurd naar %(email)s") % {"email": details.get("email", "")}]
    if entry.action in (Action.IMPORT_ACCOUNT, Action.UNDO_ACCOUNT):
        return _describe_account_part(entry.action, details)
    if entry.action == Action.LOGIN_CARD:
        # "eigen" only where its owner chose it (login_cards_make records "chosen"; older
        # entries without it were cards of accounts that had some password).
        if details.get("chosen"):
            text = _("klas %(class)s: kaartje met het eigen wachtwoord")
        else:
            text = _("klas %(class)s: kaartje met het huidige wachtwoord")
        return [text % {"class": details.get("class", "")}]
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
    if entry.action == Action.CLASS_RENAME:
        return [
            _("klas %(old)s → %(new)s")
            % {"old": details.get("old", ""), "new": details.get("new", "")}
        ]
    if entry.action == Action.CLASS_DELETE:
        lines = [_("lege klas %(class)s") % {"class": details.get("class", "")}]
        if details.get("teachers"):
            lines.append(
                _("koppeling vervallen voor %(names)s") % {"names": ", ".join(details["teachers"])}
            )
        return lines
    if entry.action == Action.PURGE:
        return [
            _("%(count)s gearchiveerde accounts definitief verwijderd (%(via)s)")
            % {"count": details.get("count", 0), "via": details.get("via", "")}
        ]
    if entry.action == Action.LICENCE:
        return [_licence_line(details)]
    if entry.action in (Action.LEERPLAN, Action.LEERPLAN_STUDENT):
        return _leerplan_lines(details)
    return []


def _licence_line(details: dict) -> str:
    values = {
        "subject": details.get("subject", ""),
        "starts": _day(details.get("starts", "")),
        "ends": _day(details.get("ends", "")),
    }
    if details.get("op") == "revoke":
        return _("%(subject)s: licentie ingetrokken (was %(starts)s t/m %(ends)s)") % values
    line = _("%(subject)s: licentie van %(starts)s t/m %(ends)s") % values
    if details.get("max_students"):
        line += ", " + _("%(count)s leerlingen") % {"count": details["max_students"]}
    changes = details.get("changes") or {}
    if changes:
        line += (
            " ("
            + "; ".join(
                f"{LICENCE_FIELDS.get(key, key)}: {_shown(old)} → {_shown(new)}"
                for key, (old, new) in changes.items()
            )
            + ")"
        )
    return line


LICENCE_FIELDS = {
    "starts": gettext_lazy("vanaf"),
    "ends": gettext_lazy("tot en met"),
    "max_students": gettext_lazy("leerlingen"),
}


def _shown(value) -> str:
    return _("geen grens") if value is None else _day(str(value))


def _day(text: str) -> str:
    """An ISO date of the details as Klasse shows dates (d-m-Y); anything else as is."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").strftime("%d-%m-%Y")
    except ValueError:
        return text


def _leerplan_lines(details: dict) -> list[str]:
    """A leerplan change: the codes switched on (from a date) and off, for a class or one
    student; one entry per change, however many skills it switched."""
    where = details.get("subject", "")
    if details.get("class"):
        where = _("%(subject)s, klas %(class)s") % {"subject": where, "class": details["class"]}
    lines = []
    if details.get("on"):
        text = _("%(where)s: %(count)s aan") % {"where": where, "count": len(details["on"])}
        if details.get("starts"):
            text += " " + _("vanaf %(date)s") % {"date": _day(details["starts"])}
        lines.append(f"{text}: {', '.join(details['on'])}")
    if details.get("off"):
        text = _("%(where)s: %(count)s uit") % {"where": where, "count": len(details["off"])}
        lines.append(f"{text}: {', '.join(details['off'])}")
    if details.get("kept"):
        text = _("%(where)s: %(count)s stonden al aan en hielden hun datum") % {
            "where": where,
            "count": len(details["kept"]),
        }
        lines.append(f"{text}: {', '.join(details['kept'])}")
    return lines


def field_labels(names: Iterable[str]) -> list[str]:
    """Field names and KEPT_REASONS keys as the pages say them."""
    return [str(FIELD_LABELS.get(name) or KEPT_REASONS.get(name, name)) for name in names]


def _describe_account_part(action: str, details: dict) -> list[str]:
    """An import's or an undo's entry on one account: what happened, then old → new."""
    file, change = details.get("file_name", ""), details.get("change", "")
    if action == Action.IMPORT_ACCOUNT:
        heading = {
            "added": _("%(file)s: aangemaakt"),
            "updated": _("%(file)s: gewijzigd"),
            "archived": _("%(file)s: gearchiveerd (stond niet in het bestand)"),
        }.get(change, "%(file)s") % {"file": file}
    elif change == "kept":
        heading = _("%(file)s ongedaan gemaakt: dit account bleef staan, want: %(why)s") % {
            "file": file,
            "why": ", ".join(field_labels(details.get("kept", []))),
        }
    else:
        heading = {
            "restored": _("%(file)s ongedaan gemaakt: weer actief"),
            "reverted": _("%(file)s ongedaan gemaakt: vorige waarden terug"),
        }.get(change, "%(file)s") % {"file": file}
    lines = [heading, *change_lines(details.get("changes", {}))]
    if change == "reverted" and details.get("kept"):  # set back in part
        lines.append(
            _("bleef zoals het was (na de import gewijzigd): %(why)s")
            % {"why": ", ".join(field_labels(details["kept"]))}
        )
    return lines


def change_lines(changes: dict[str, list[str]]) -> list[str]:
    """{field: [old, new]} as lines `klas: 4HB → 3HB` (a password: only that it changed)."""
    lines = []
    for name, (old, new) in changes.items():
        if name == "password":
            lines.append(str(FIELD_LABELS["password"]) + ": " + _("vervangen"))
        else:
            label = FIELD_LABELS.get(name, name)
            lines.append(f"{label}: {_value(name, old)} → {_value(name, new)}")
    return lines


STATUS_TEXT = {"archived": gettext_lazy("gearchiveerd"), "active": gettext_lazy("actief")}


def _value(name: str, value: str) -> str:
    if name == "status" and value in STATUS_TEXT:
        return str(STATUS_TEXT[value])
    if name == "role":
        return str(Role(value).label) if value in Role.values else value
    return value or "—"
