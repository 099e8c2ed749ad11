"""A large import's fix-up XLSX: asked for at the preview, made by a worker, a page that
waits for it (polled with htmx) and its download, once. The small one is made in the
request (`preview.fixup`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klasse.accounts.models import Account
from klasse.exports.background import _get_export_file_for_user, export_file_take
from klasse.exports.models import ExportFile

from ..fixup_files import fixup_file_request
from ..tasks import make_fixup_file
from .common import _get_run_for_user, attachment, wizard_step


@wizard_step
@require_POST
def fixup_make(request: HttpRequest, pk) -> HttpResponse:
    """ "Maak herstelbestand (XLSX)": the worker plans the run and writes the file, so the
    request returns at once (POST: it stores a file)."""
    run = _get_run_for_user(request.user, pk)
    fixup = fixup_file_request(actor=request.user, run=run)
    make_fixup_file.enqueue(str(fixup.pk))
    return redirect("imports:fixup_file", fixup.pk)


@wizard_step
def fixup_file(request: HttpRequest, pk) -> HttpResponse:
    """ "Herstelbestand wordt gemaakt…" while a worker makes it, then its download button."""
    context = {"tools_tab": "import", "fixup": _get_fixup_for_user(request.user, pk)}
    return render(request, "imports/fixup_file.html", context)


@wizard_step
def fixup_file_status(request: HttpRequest, pk) -> HttpResponse:
    """The fragment that htmx polls every two seconds until the file is made."""
    context = {"fixup": _get_fixup_for_user(request.user, pk)}
    return render(request, "imports/_fixup_file.html", context)


@wizard_step
@require_POST
def fixup_file_download(request: HttpRequest, pk) -> HttpResponse:
    """The file, once: it is deleted as it is handed out (POST, since it changes data)."""
    fixup = _get_fixup_for_user(request.user, pk)
    content = export_file_take(fixup)
    if content is None:
        messages.error(
            request,
            _(
                "Dit herstelbestand is nog niet klaar of al gedownload. Vraag het hieronder "
                "opnieuw."
            ),
        )
        return redirect("imports:preview", fixup.import_run_id)
    return attachment(content, fixup.file_name, fixup.format)


def _get_fixup_for_user(user: Account, pk) -> ExportFile:
    return _get_export_file_for_user(user, pk, fixup=True)
