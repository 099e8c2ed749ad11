"""An import's login cards (TOOLS › GESCHIEDENIS › an import › Inlogkaartjes): the cards of
the accounts it added, with a password made now for those it added to get one
(`followups`). The result page of the wizard leads here."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from klasse.accounts.access import admin_required
from klasse.accounts.forms import LoginSheetForm
from klasse.accounts.pdf import login_sheet_pdf

from .followups import (
    run_card_accounts,
    run_cards_title,
    run_login_cards_create,
)
from .history_views import _get_run_for_admin
from .models import ImportRun


@never_cache
@admin_required
def run_cards(request: HttpRequest, pk) -> HttpResponse:
    """GET shows whose card gets a new password (only the run's accounts waiting for one,
    `run_card_accounts`); POST makes them and returns the cards (a page to print or a PDF),
    the only place those passwords are ever shown. 404 for a run that is not done (undone:
    its new accounts are gone or kept as they are)."""
    run = _get_run_for_admin(request.user, pk)
    if run.status != ImportRun.Status.DONE:  # an undone import's accounts have no cards
        raise Http404
    form = LoginSheetForm(request.POST or None, initial={"format": "html"})
    form.fields["renew"].required = False  # who gets one is the import's, not a choice
    title = run_cards_title(run)
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        cards = run_login_cards_create(run, actor=request.user, fmt=fmt)
        login_url = request.build_absolute_uri(reverse("login"))
        if fmt == "pdf":
            data = login_sheet_pdf(
                cards,
                school_name=request.user.school.name,
                class_name="",
                login_url=login_url,
                title=title,
            )
            response = HttpResponse(data, content_type="application/pdf")
            name = slugify(run.file_name.rsplit(".", 1)[0]) or "import"
            response["Content-Disposition"] = f'attachment; filename="inlogkaartjes-{name}.pdf"'
            return response
        context = {
            "cards": cards,
            # Only a sheet that made passwords warns that they are shown once (a reload
            # re-posts and makes none: its cards say "je huidige wachtwoord").
            "new_passwords": any(card.password for card in cards),
            "login_url": login_url,
            "title": title,
            "back_url": reverse("history:cards", args=[run.pk]),
        }
        return render(request, "accounts/sheets/print.html", context)
    accounts = run_card_accounts(run)
    context = {
        "tools_tab": "history",
        "run": run,
        "title": title,
        "accounts": accounts,
        "printed_before": bool((run.changes or {}).get("login_cards")) and not accounts,
    }
    return render(request, "imports/history/cards.html", context)
