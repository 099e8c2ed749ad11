"""A new password shown once, safe on reload (issue 15 fix, item 6): the POST that makes
it keeps it in the session for one display and redirects (POST → redirect → GET); the GET
shows it and forgets it at once, so F5 neither makes another password nor shows this one
again, and a later visit says it was shown already."""

from __future__ import annotations

from django.http import HttpRequest

from .models import Account

SESSION_KEY = "password_shown_once"


def password_keep(request: HttpRequest, account: Account, password: str) -> None:
    """Keep `password` of `account` in the session until `password_take` shows it; a newer
    password for the same account replaces it."""
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept[str(account.pk)] = password
    request.session[SESSION_KEY] = kept


def password_take(request: HttpRequest, account: Account) -> str | None:
    """The password kept for `account`, removed from the session (shown once), or None
    when it was shown already or never made in this session."""
    kept = dict(request.session.get(SESSION_KEY, {}))
    password = kept.pop(str(account.pk), None)
    if password is not None:
        if kept:
            request.session[SESSION_KEY] = kept
        else:
            del request.session[SESSION_KEY]
    return password
