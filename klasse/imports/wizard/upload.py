"""Step 1: "Kies bestand (CSV, XLSX of XML)", and the template to start from."""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from klasse.accounts.access import admin_required
from klasse.exports.writers import template_csv, template_xlsx

from ..core.problems import FileProblem
from ..forms import ACCEPT, UploadForm
from ..models import ImportRun
from ..runs import run_create, run_discard_unread
from ..tasks import run_read_enqueue
from ..uploads import NoRoom
from .common import attachment


@admin_required
def start(request: HttpRequest) -> HttpResponse:
    """A file within the school's room is stored and read in the background: the page
    that waits for it, or at once the mapping (or the file's problem) when it was read."""
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        try:
            run = run_create(
                school=request.user.school,
                actor=request.user,
                file_name=form.cleaned_data["file"].name,
                data=form.content,
            )
        except NoRoom as full:
            form.add_error("file", full.message)
        except FileProblem as problem:  # an EDEXML file is read at once (runs.run_create)
            form.add_error("file", problem.message)
        else:
            run = run_read_enqueue(run)
            if run.status == ImportRun.Status.PLANNED:
                return redirect("imports:mapping", run.pk)
            if run.status == ImportRun.Status.READING:
                return redirect("imports:reading", run.pk)
            form.add_error("file", run.error)
            run_discard_unread(run)
    return render_start(request, form)


def render_start(request: HttpRequest, form: UploadForm, problem: str = "") -> HttpResponse:
    """Step 1, with `problem`: the message of a file whose reading failed."""
    context = {"form": form, "problem": problem, "accept": ACCEPT, "tools_tab": "import"}
    return render(request, "imports/start.html", context)


@admin_required
def template_download(request: HttpRequest, fmt: str) -> HttpResponse:
    out = io.BytesIO()
    (template_xlsx if fmt == "xlsx" else template_csv)(out)
    return attachment(out.getvalue(), f"inleesbestand.{fmt}", fmt)
