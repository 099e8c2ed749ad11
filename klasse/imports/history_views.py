"""TOOLS › GESCHIEDENIS: every import with its report, and undo within 30 days."""

import json
from dataclasses import asdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from klasse.accounts.access import admin_required
from klasse.accounts.audit import change_lines, field_labels
from klasse.accounts.models import Account, AuditEntry

from .models import ImportRun
from .reports import ShownProblems
from .undo import UNDO_DAYS, UndoRefused, import_undo, undo_is_complete, undo_refusal

PAGE_SIZE = 50
PROBLEMS_PAGE_SIZE = 200


def _get_run_for_admin(user: Account, pk) -> ImportRun:
    runs = ImportRun.objects.filter(school_id=user.school_id).exclude(
        status__in=[ImportRun.Status.PLANNED, ImportRun.Status.READING]
    )
    return get_object_or_404(runs.select_related("actor", "undone_by"), pk=pk)


@admin_required
def run_list(request: HttpRequest) -> HttpResponse:
    runs = (
        ImportRun.objects.filter(school_id=request.user.school_id)
        .exclude(status__in=[ImportRun.Status.PLANNED, ImportRun.Status.READING])
        .select_related("actor", "undone_by")
        .defer("report", "changes")
        .order_by(Coalesce("started_at", "created_at").desc())
    )
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "imports/history/list.html", {"tools_tab": "history", "page": page})


@admin_required
def run_detail(request: HttpRequest, pk) -> HttpResponse:
    run = _get_run_for_admin(request.user, pk)
    problems = ShownProblems(run.report)
    changes = run.changes or {}
    undo_entry = (
        AuditEntry.objects.filter(
            school_id=run.school_id, action=AuditEntry.Action.UNDO, details__run=str(run.pk)
        ).first()
        if run.undone_at
        else None
    )
    undo = undo_entry.details.get("result") if undo_entry else None
    if undo:
        undo["kept"] = _kept_rows(undo.get("kept", []))
        undo["partly"] = _partly_rows(undo.get("changes", []))
    context = {
        "tools_tab": "history",
        "run": run,
        "problems": Paginator(problems, PROBLEMS_PAGE_SIZE).get_page(request.GET.get("pagina")),
        "problem_count": len(problems),
        "changed": {key: len(changes.get(key, [])) for key in ("added", "updated", "archived")},
        "created_classes": len(changes.get("created_classes", [])),
        "undo_complete": undo_is_complete(changes),
        "refusal": undo_refusal(run),
        "undo_days": UNDO_DAYS,
        "undo": undo,
    }
    return render(request, "imports/history/detail.html", context)


def _kept_rows(kept: list[dict]) -> list[dict]:
    return [{**k, "fields": field_labels(k["fields"])} for k in kept]


def _partly_rows(changes: list[dict]) -> list[dict]:
    """The accounts set back in part: what of each stays as it is (`undo._one_place_each`)."""
    return [{**c, "fields": field_labels(c["kept"])} for c in changes if c.get("kept")]


@admin_required
@require_http_methods(["GET", "POST"])
def run_undo(request: HttpRequest, pk) -> HttpResponse:
    """The first POST shows what the undo would do (done and rolled back: the undo itself);
    the second, with `bevestig`, does it, with what is true then. A GET (the back button,
    a bookmark) goes to the import's page, where the undo starts."""
    run = _get_run_for_admin(request.user, pk)
    if request.method == "GET":
        return redirect("history:detail", pk=run.pk)
    confirm = request.POST.get("bevestig") == "ja"
    try:
        seen_kept = json.loads(request.POST.get("behouden") or "[]")
    except ValueError:
        seen_kept = []
    if not isinstance(seen_kept, list):
        seen_kept = []
    try:
        result = import_undo(
            run=run,
            actor=request.user,
            confirm=confirm,
            seen=request.POST.get("gezien", ""),
            seen_kept=[str(u) for u in seen_kept],
        )
    except UndoRefused as refused:
        messages.error(request, str(refused))
        return redirect("history:detail", pk=run.pk)
    if not confirm:
        shown = asdict(result)
        shown["kept"] = _kept_rows(shown["kept"])
        for change in shown["changes"]:
            change["lines"] = change_lines(change["changes"])
            change["stays"] = field_labels(change.get("kept", []))
        for key in ("removed", "restored"):
            shown[key] = [(u, result.names.get(u, "")) for u in shown[key]]
        context = {
            "tools_tab": "history",
            "run": run,
            "undo": shown,
            "digest": result.digest(),
            "kept_usernames": json.dumps([k.username for k in result.kept]),
        }
        return render(request, "imports/history/undo_preview.html", context)
    message = _("De import is ongedaan gemaakt.")
    if result.differs:
        message += " " + _(
            "Sinds je het overzicht zag, is er iets veranderd; hieronder staat wat er echt "
            "is gebeurd."
        )
    if result.kept:
        message += " " + _(
            "%(n)s account(s) zijn na de import nog gewijzigd of gebruikt en zijn blijven "
            "staan; ze staan hieronder."
        ) % {"n": len(result.kept)}
    messages.success(request, message)
    return redirect("history:detail", pk=run.pk)
