"""What every step of the wizard shares: the run lookup and the missing-file fallback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from klasse.accounts.access import admin_required
from klasse.accounts.models import Account

from ..models import ImportRun
from ..uploads import UploadGone


def _get_run_for_user(user: Account, pk) -> ImportRun:
    """A wizard run of the user's own school; a run of another school does not exist (404)."""
    runs = ImportRun.objects.filter(school_id=user.school_id, source="web")
    return get_object_or_404(runs.select_related("school"), pk=pk)


# Where a run that is not at this step is shown instead (by status).
STEP_OF = {ImportRun.Status.READING: "imports:reading"}


def wizard_step(view: Callable) -> Callable:
    """Administrators only; a step whose stored file is gone starts the wizard again."""

    @admin_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except UploadGone:
            messages.error(
                request,
                _(
                    "Het bestand van deze import is niet meer bewaard (de import is klaar of "
                    "gestopt). Kies het bestand opnieuw."
                ),
            )
            return redirect("imports:start")

    return wrapped


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def attachment(content: bytes | Iterator[bytes], file_name: str, fmt: str) -> HttpResponse:
    """A download; `content` as bytes, or as chunks that stream as they are made."""
    kind = HttpResponse if isinstance(content, bytes) else StreamingHttpResponse
    response = kind(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response
