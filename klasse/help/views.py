"""TOOLS › HULP: the manual, for administrators like the rest of TOOLS."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from klasse.accounts.access import admin_required

from .manual import manual


@admin_required
@require_safe
def manual_page(request: HttpRequest) -> HttpResponse:
    return render(request, "help/manual.html", {"tools_tab": "help", "manual": manual()})
