"""Step 1: "Kies CSV-bestand", and the template to start from."""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from klasse.accounts.access import admin_required
from klasse.exports.writers import template_csv, template_xlsx

from ..forms import ACCEPT, UploadForm
from ..runs import run_create
from .common import attachment


@admin_required
def start(request: HttpRequest) -> HttpResponse:
    """A file that can be read becomes a run and goes on to the mapping; else its problem."""
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        run = run_create(
            school=request.user.school,
            actor=request.user,
            file_name=form.cleaned_data["file"].name,
            data=form.content,
            table=form.table,
        )
        return redirect("imports:mapping", run.pk)
    context = {"form": form, "accept": ACCEPT, "tools_tab": "import"}
    return render(request, "imports/start.html", context)


@admin_required
def template_download(request: HttpRequest, fmt: str) -> HttpResponse:
    out = io.BytesIO()
    (template_xlsx if fmt == "xlsx" else template_csv)(out)
    return attachment(out.getvalue(), f"inleesbestand.{fmt}", fmt)
