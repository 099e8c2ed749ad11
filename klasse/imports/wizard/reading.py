"""Between step 1 and step 2: "Bestand wordt gelezen…" while a worker reads the file, polled
by htmx as the import's progress is; then the mapping, or step 1 with the file's problem."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ..forms import UploadForm
from ..models import ImportRun
from ..runs import run_discard_unread
from .common import _get_run_for_user, wizard_step
from .upload import render_start

Status = ImportRun.Status


@wizard_step
def reading(request: HttpRequest, pk) -> HttpResponse:
    run = _get_run_for_user(request.user, pk)
    if run.status == Status.READING:
        return render(request, "imports/reading.html", _context(run))
    if run.status == Status.FAILED and "detected" not in run.file_info:
        problem = run.error
        run_discard_unread(run)
        return render_start(request, UploadForm(), problem)
    return redirect("imports:mapping" if run.status == Status.PLANNED else "imports:progress", pk)


@wizard_step
def reading_status(request: HttpRequest, pk) -> HttpResponse:
    """The fragment that htmx polls about once a second while the file is read."""
    run = _get_run_for_user(request.user, pk)
    if run.status == Status.READING:
        return render(request, "imports/_reading.html", _context(run))
    response = HttpResponse()
    response["HX-Redirect"] = reverse("imports:reading", args=[run.pk])
    return response


def _context(run: ImportRun) -> dict:
    return {"run": run, "tools_tab": "import"}
