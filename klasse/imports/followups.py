"""What an import leaves to do after its commit: the e-mails with a link to choose a
password (sent by a background task, counted on the run), and the login cards of its new
accounts, with a password made at the moment the cards are made for those the import
added without password or e-mail address.

Why the passwords are made when the cards are made, not by the import: the worker that
writes the accounts cannot hand plain passwords to the web page that shows them without
keeping them somewhere, so nothing would be safer than never having them before they are
printed. Until then such an account has no password (nobody can log in with it); making
the cards hashes a fresh password into each, logs it, and shows it that once. The
import's cards are only for those accounts: once printed, they have a password and leave
the import's card page (a lost card is a new password at the class's cards)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from klasse.accounts.login_cards import LoginCard, login_cards_make
from klasse.accounts.models import Account
from klasse.accounts.search import sort_key
from klasse.accounts.tasks import password_links_send

from .models import ImportRun

logger = logging.getLogger(__name__)


def run_emails_send(run_id: str) -> int:
    """Send the password links of a finished run's new accounts (`changes["emailed"]`) and
    write on the run how many went ({"sent": n}), or that the mail server refused
    ({"error": …}, then raised again). An account removed since (an undo) gets none."""
    run = ImportRun.objects.get(pk=run_id)
    ids = (run.changes or {}).get("emailed", [])
    try:
        sent = password_links_send(ids, run_id=run_id)
    except Exception as error:
        logger.exception("password links of import run %s not sent", run_id)
        # The kind of failure only: a mail server's message may quote addresses.
        ImportRun.objects.filter(pk=run_id).update(emails={"error": type(error).__name__})
        raise
    ImportRun.objects.filter(pk=run_id).update(emails={"sent": sent})
    return sent


@task()
def send_run_emails(run_id: str) -> int:
    """`run_emails_send`, in the background."""
    return run_emails_send(run_id)


def run_emails_mailer(run_id) -> Callable[[list[int]], None]:
    """`apply_plan`'s `mail` for an import recorded as run `run_id`: called once the import
    has committed (never before, never if it rolled back), it queues the run's own task,
    which sends the links and counts them on the run."""

    def mail(emailed: list[int]) -> None:
        if emailed:
            send_run_emails.enqueue(str(run_id))

    return mail


def run_emails_state(run: ImportRun) -> dict:
    """{"planned": n, "sent": n or None while the task has not run, "error": text or ""}."""
    emails = run.emails or {}
    return {
        "planned": len((run.changes or {}).get("emailed", [])),
        "sent": emails.get("sent"),
        "error": emails.get("error", ""),
    }


def run_card_accounts(run: ImportRun) -> list[Account]:
    """Whom the run's login cards are for, by last name: exactly its new accounts that get
    their password from the card (`changes["login_cards"]`) and have none yet, still there
    and active (an undo may have removed some; printed cards gave them one). Cards for
    everyone else are the class's (INLOGKAARTJES)."""
    if run.status != ImportRun.Status.DONE:
        return []
    ids = (run.changes or {}).get("login_cards", [])
    accounts = Account.objects.filter(
        school_id=run.school_id, archived_at__isnull=True, password__startswith="!"
    )  # no usable password: Django's unusable ones start with "!"
    found = []
    for start in range(0, len(ids), 2000):
        found += accounts.filter(pk__in=ids[start : start + 2000])
    return sorted(found, key=lambda a: sort_key(a.first_name, a.infix, a.last_name))


def run_cards_counts(run: ImportRun) -> tuple[int, int]:
    """(the run's new accounts still there and active, those of them still waiting for the
    password on their card: the cards the run's page makes), counted by the database: the
    result page asks often."""
    changes = run.changes or {}
    active = Account.objects.filter(school_id=run.school_id, archived_at__isnull=True)
    new = waiting = 0
    for key in ("added", "login_cards"):
        ids = changes.get(key, [])
        for start in range(0, len(ids), 2000):
            chunk = active.filter(pk__in=ids[start : start + 2000])
            if key == "added":
                new += chunk.count()
            else:
                waiting += chunk.filter(password__startswith="!").count()
    return new, waiting


def run_login_cards_create(run: ImportRun, *, actor: Account | None, fmt: str) -> list[LoginCard]:
    """The login cards of the run's accounts waiting for a password (`run_card_accounts`):
    a fresh password on each, shown only on these cards. Logged as a login sheet of the
    run, with a PASSWORD entry per card (no LOGIN_CARD: every card holds a new one)."""
    accounts = run_card_accounts(run)
    return login_cards_make(
        school_id=run.school_id,
        accounts=accounts,
        renew={a.pk for a in accounts},
        actor=actor,
        details={"run": str(run.pk), "file_name": run.file_name, "format": fmt},
    )


def run_cards_title(run: ImportRun) -> str:
    return _("Inlogkaartjes van de nieuwe accounts uit %(file)s") % {"file": run.file_name}


def account_gone_school(sender, account_id: int, **kwargs) -> str | None:
    """`tokens.account_gone`: the school whose undo removed this account, among imports
    undone within the life of a password link (PASSWORD_RESET_TIMEOUT)."""
    since = timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    undone = ImportRun.objects.filter(status=ImportRun.Status.UNDONE, undone_at__gte=since)
    for school, added in undone.values_list("school__name", "changes__added"):
        if account_id in (added or []):
            return school
    return None
