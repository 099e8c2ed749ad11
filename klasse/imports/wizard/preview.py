"""Step 3: "Voorbeeld gebruikerslijst", its fix-up download, "Importeer", and stopping."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..core.pipeline import Prepared
from ..core.problems import FileProblem
from ..fixup_files import INLINE_FIXUP_ROWS, fixup_file_name
from ..forms import ImportForm
from ..models import ImportRun
from ..runs import EDITABLE, run_discard, run_prepare
from ..tasks import run_queue
from .common import STEP_OF, _get_run_for_user, attachment, wizard_step
from .fixup import fixup_csv_chunks, fixup_rows, fixup_xlsx
from .lines import FILTERS, count_items, lines_page

CHANGED = gettext_lazy(
    "De accounts van je school zijn veranderd sinds je het voorbeeld bekeek (door een andere "
    "import of een wijziging). Er is niets geïmporteerd. Hieronder staat het nieuwe voorbeeld: "
    "controleer het en klik opnieuw op Importeer."
)

NEEDS_TICK = gettext_lazy(
    "Er is niets geïmporteerd: zet eerst het vinkje hieronder als je deze leerlingen echt "
    "wilt archiveren."
)


@wizard_step
def preview(request: HttpRequest, pk) -> HttpResponse:
    run = _get_run_for_user(request.user, pk)
    if run.status not in EDITABLE:
        return redirect(STEP_OF.get(run.status, "imports:progress"), run.pk)
    try:
        prepared = run_prepare(run)
    except FileProblem as problem:
        # Another school's EDEXML file: step 2 shows the refusal itself, once.
        if problem.code != "wrong_school":
            messages.error(request, problem.message)
        return redirect("imports:mapping", run.pk)
    form = ImportForm(initial={"fingerprint": prepared.plan.fingerprint})
    return _render(request, run, prepared, form)


@wizard_step
@require_POST
def confirm(request: HttpRequest, pk) -> HttpResponse:
    """ "Importeer": queue the run, unless the plan changed or a mass archive lacks its tick;
    a second click, or the same file already importing, shows that import's progress."""
    run = _get_run_for_user(request.user, pk)
    form = ImportForm(request.POST)
    if not form.is_valid():
        return redirect("imports:preview", run.pk)
    try:
        queued = run_queue(
            run,
            seen_fingerprint=form.cleaned_data["fingerprint"],
            confirm_mass_archive=form.cleaned_data["confirm_mass_archive"],
        )
    except FileProblem as problem:
        messages.error(request, problem.message)
        return redirect("imports:mapping", run.pk)
    if queued.outcome == "changed":
        messages.warning(request, CHANGED)
        return redirect("imports:preview", run.pk)
    if queued.outcome == "confirm":
        form.add_error("confirm_mass_archive", NEEDS_TICK)
        return _render(request, run, queued.prepared, form)
    if queued.outcome == "busy":
        messages.info(request, _("Dit bestand wordt al geïmporteerd; hier zie je hoe ver het is."))
    return redirect("imports:progress", queued.run.pk)


@wizard_step
def fixup(request: HttpRequest, pk, fmt: str) -> HttpResponse:
    """The rows with errors as a file to correct: the file's own columns plus "probleem".

    The CSV streams. An XLSX of more than `INLINE_FIXUP_ROWS` rows could outlast the web
    timeout (200,000 take half a minute), so the preview asks a worker for it
    (`fixup_file.fixup_make`) and this address sends the administrator back there."""
    run = _get_run_for_user(request.user, pk)
    try:
        headers, rows = fixup_rows(run_prepare(run))
    except FileProblem as problem:
        messages.error(request, problem.message)
        return redirect("imports:mapping", run.pk)
    if fmt == "csv":
        return attachment(fixup_csv_chunks(headers, rows), fixup_file_name(run, fmt), fmt)
    if len(rows) > INLINE_FIXUP_ROWS:
        messages.info(request, _("Dit herstelbestand is groot: klik op de knop om het te maken."))
        return redirect("imports:preview", run.pk)
    return attachment(fixup_xlsx(headers, rows), fixup_file_name(run, fmt), fmt)


@wizard_step
@require_POST
def cancel(request: HttpRequest, pk) -> HttpResponse:
    run = _get_run_for_user(request.user, pk)
    if run.status in EDITABLE:
        run_discard(run)
        messages.success(request, _("De import is gestopt en het bestand is verwijderd."))
    return redirect("imports:start")


def _render(request: HttpRequest, run: ImportRun, prepared: Prepared, form) -> HttpResponse:
    plan = prepared.plan
    show = request.GET.get("toon") if request.GET.get("toon") in FILTERS else "alle"
    context = {
        "run": run,
        # The page is also the answer to "Importeer" (a POST): its links name the preview.
        "preview_url": reverse("imports:preview", args=[run.pk]),
        "prepared": prepared,
        "plan": plan,
        "form": form,
        "counts": count_items(plan.counts),
        "filters": FILTERS,
        "show": show,
        "page": lines_page(plan, show=show, page=request.GET.get("pagina")),
        "stale": run.status == ImportRun.Status.STALE,
        "changed_message": CHANGED,
        # The archive tile is marked when archiving needs a second look (issue 17, 4 and 5).
        "archive_alert": plan.mass_archive or bool(plan.whole_classes),
        "fixup_in_background": plan.counts.get("error", 0) > INLINE_FIXUP_ROWS,
        "has_work": any(plan.counts[k] for k in ("add", "update", "archive")),
        "tools_tab": "import",
    }
    return render(request, "imports/preview.html", context)
