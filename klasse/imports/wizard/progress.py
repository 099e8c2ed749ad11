"""Step 4: the import's progress while the background job runs, then its result."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from klasse.accounts.classes import removal_offer

from ..fixup_files import fixup_file_kept
from ..followups import run_cards_counts, run_emails_state
from ..models import ImportRun
from ..reports import ShownProblems
from ..runs import EDITABLE, runs_fail_interrupted
from .common import _get_run_for_user, wizard_step
from .lines import count_items

SHOWN_PROBLEMS = 200


@wizard_step
def progress(request: HttpRequest, pk) -> HttpResponse:
    run = _get_run_for_user(request.user, pk)
    if run.status == ImportRun.Status.RUNNING and runs_fail_interrupted(school_id=run.school_id):
        run.refresh_from_db()
    if run.status == ImportRun.Status.READING:
        return redirect("imports:reading", run.pk)
    if run.status in EDITABLE:  # not imported yet, or found stale: its preview says which
        return redirect("imports:preview", run.pk)
    return render(request, "imports/progress.html", _context(run, request.user))


@wizard_step
def progress_status(request: HttpRequest, pk) -> HttpResponse:
    """The fragment that htmx polls about once a second while the job runs."""
    run = _get_run_for_user(request.user, pk)
    if run.status == ImportRun.Status.RUNNING and runs_fail_interrupted(school_id=run.school_id):
        run.refresh_from_db()
    if run.status in EDITABLE:
        response = HttpResponse()
        response["HX-Redirect"] = reverse("imports:preview", args=[run.pk])
        return response
    return render(request, "imports/_progress.html", _context(run, request.user))


def _context(run: ImportRun, user) -> dict:
    problems = ShownProblems(run.report)
    live = run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
    done = run.status == ImportRun.Status.DONE
    emails = run_emails_state(run)
    # The e-mails go after the commit, by a task: the page asks again until they went.
    emails_pending = done and emails["planned"] and emails["sent"] is None and not emails["error"]
    return {
        "run": run,
        "live": live,
        "poll": live or emails_pending,
        **(_next_steps(run, user, emails) if done else {}),
        "percent": round(100 * run.progress / run.total) if run.total else 0,
        "counts": count_items(run.counts),
        "problems": problems[:SHOWN_PROBLEMS],
        "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
        "tools_tab": "import",
        # A new school year's file leaves last year's classes empty: offered for removal.
        "empty_classes": removal_offer(run.school_id)
        if run.status == ImportRun.Status.DONE
        else [],
    }


def _next_steps(run: ImportRun, user, emails: dict) -> dict:
    """What the result offers next: the e-mails sent, the new accounts' login cards (how
    many still wait for the password on theirs), the fix-up file of the skipped rows."""
    new_accounts, cards_waiting = run_cards_counts(run)
    return {
        "emails": emails,
        "emails_chosen": "send_emails" in run.actions,
        "new_accounts": new_accounts,
        "cards_waiting": cards_waiting,
        "fixup": fixup_file_kept(run, user),
    }
