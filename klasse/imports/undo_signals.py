"""What happened to accounts after an import finished, from reliable records only: the
audit log (edits, passwords given or chosen, login cards, archiving by hand, later imports)
and `last_login`. An undo leaves every account it finds here alone (issue 17, item 12).

Not a sign of change: a password link sent (nothing on the account changes until it is
used, and using it is logged as a chosen password), an export, the import's own entries
(they carry its finishing moment, and only what came strictly after counts).
"""

from __future__ import annotations

from datetime import datetime

from klasse.accounts.audit import Action
from klasse.accounts.models import AuditEntry

CHUNK = 2000
NOT_A_CHANGE = (Action.PASSWORD_LINK, Action.EXPORT, Action.UNDO_ACCOUNT, Action.UNDO)


def changed_since(school_id: int, ids: list[int], finished: datetime) -> dict[int, list[str]]:
    """{account id: reasons} for the accounts among `ids` with an audit entry after
    `finished`. Reasons are field names (an edit) or klasse.accounts.audit.KEPT_REASONS
    keys, each once, in the order they happened."""
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), CHUNK):
        entries = (
            AuditEntry.objects.filter(
                school_id=school_id,
                account_id__in=ids[start : start + CHUNK],
                created_at__gt=finished,
            )
            .exclude(action__in=NOT_A_CHANGE)
            .order_by("created_at", "id")
            .values_list("account_id", "action", "details")
        )
        for account_id, action, details in entries:
            reasons = found.setdefault(account_id, [])
            for reason in _reasons(action, details or {}):
                if reason not in reasons:
                    reasons.append(reason)
    return found


def _reasons(action: str, details: dict) -> list[str]:
    if action == Action.EDIT:
        return list(details.get("changes", {})) or ["edit"]
    if action == Action.PASSWORD:
        via = details.get("via")
        if via == "login_sheet":
            return ["login_card"]
        return ["password_chosen"] if via == "link" else ["password_reset"]
    if action == Action.LOGIN_CARD:
        return ["login_card"]
    if action in (Action.ARCHIVE, Action.RESTORE):
        return ["status"]
    if action == Action.IMPORT_ACCOUNT:
        return ["later_import"]
    return [action]
