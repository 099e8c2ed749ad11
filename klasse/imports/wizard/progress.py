"""Step 4: the import's progress while the background job runs, then its result."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

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
    return render(request, "imports/progress.html", _context(run))


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
    return render(request, "imports/_progress.html", _context(run))


def _context(run: ImportRun) -> dict:
    problems = ShownProblems(run.report)
    return {
        "run": run,
        "live": run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING),
        "percent": round(100 * run.progress / run.total) if run.total else 0,
        "counts": count_items(run.counts),
        "problems": problems[:SHOWN_PROBLEMS],
        "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
        "tools_tab": "import",
    }
